//! The record of processing activities (DSGVO Art. 30) for the owner to check, complete and
//! sign: what Kartei stores, why, for how long, who has access, where backups go, which
//! processors are configured, and the technical measures. Generated from the card file's own
//! settings, so it says what this appliance really does; Markdown, so it prints anywhere.

use crate::backup::status::TargetKind;
use crate::error::Result;
use crate::i18n::Lang;
use crate::model::Role;
use crate::Kartei;
use std::fmt::Write as _;

/// The record in `lang`, as of today (owners only: it lists the staff).
pub fn record_of_processing(kartei: &Kartei, role: Role, lang: Lang) -> Result<String> {
    crate::audit::check_may_read(role)?;
    let settings = kartei.settings();
    let staff = kartei.staff()?;
    let de = lang == Lang::De;
    let pick = |d: &'static str, e: &'static str| if de { d } else { e };
    let salon = match settings.salon_name.trim() {
        "" => pick("(Name des Salons)", "(salon name)").to_string(),
        name => name.to_string(),
    };
    let today = kartei
        .today()
        .format(if de { "%d.%m.%Y" } else { "%Y-%m-%d" });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}\n\n{}: **{salon}** · {}: {today}\n",
        pick(
            "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)",
            "Record of processing activities (Art. 30 GDPR)"
        ),
        pick("Verantwortlicher", "Controller"),
        pick("Stand", "As of"),
    );
    let _ = writeln!(
        out,
        "## {}\n\n{}\n",
        pick("Zweck", "Purpose"),
        pick(
            "Führen der Kundenkartei des Salons: Termine, Beratung und Behandlung (Art. 6 Abs. 1 lit. b DSGVO), Allergien und Unverträglichkeiten zum Schutz der Kundinnen und Kunden (Art. 9 Abs. 2 lit. a DSGVO, ausdrückliche Einwilligung), Terminerinnerungen und Werbung nur mit Einwilligung (Art. 6 Abs. 1 lit. a DSGVO).",
            "Keeping the salon's customer card file: appointments, advice and treatment (Art. 6(1)(b) GDPR), allergies and sensitivities to protect customers (Art. 9(2)(a) GDPR, explicit consent), appointment reminders and marketing only with consent (Art. 6(1)(a) GDPR)."
        )
    );
    let _ = writeln!(out, "## {}\n", pick("Daten", "Data"));
    for (d, e) in [
        (
            "Stammdaten: Name, Anrede, Titel, Firma, Adresse, Geburtstag",
            "Master data: name, salutation, title, company, address, birthday",
        ),
        (
            "Kontaktdaten: Telefonnummern, E-Mail, bevorzugter Kontaktweg",
            "Contact data: phone numbers, e-mail, preferred channel",
        ),
        (
            "Einwilligungen (Erinnerungen, Werbung) mit Zeitpunkt, Person und Weg",
            "Consents (reminders, marketing) with time, person and way",
        ),
        (
            "Gesundheitsdaten (Art. 9): Allergie-Notizen, Patch-Tests",
            "Health data (Art. 9): allergy notes, patch tests",
        ),
        (
            "Notizen, Farbrezepturen, Vorlieben",
            "Notes, colour formulas, preferences",
        ),
        ("Termine und Leistungen", "Appointments and services"),
        (
            "Fotos (vorher/nachher), ohne Metadaten gespeichert",
            "Photos (before/after), stored without metadata",
        ),
        (
            "Protokoll: wer welche Karte angesehen, geändert, exportiert oder gelöscht hat",
            "Audit log: who viewed, changed, exported or erased which card",
        ),
    ] {
        let _ = writeln!(out, "- {}", pick(d, e));
    }
    let _ = writeln!(
        out,
        "\n## {}\n\n{}\n",
        pick("Speicherdauer", "Retention"),
        if de {
            format!("Kundinnen und Kunden ohne Besuch oder Buchung seit {} Jahren werden zur Prüfung angezeigt und gelöscht oder anonymisiert. Termine, die als Buchungsbelege gebraucht werden, bleiben pseudonymisiert für die gesetzliche Frist.", settings.retention_years)
        } else {
            format!("Customers without a visit or booking for {} years are listed for review and erased or anonymised. Appointments needed as booking records stay pseudonymised for the legal period.", settings.retention_years)
        }
    );
    let _ = writeln!(out, "## {}\n", pick("Zugriff", "Access"));
    for member in &staff {
        let role = match member.role {
            Role::Owner => pick("Inhaber/in", "owner"),
            Role::Staff => pick("Mitarbeiter/in", "staff"),
        };
        let _ = writeln!(out, "- {} ({role})", member.name);
    }
    let _ = writeln!(
        out,
        "\n## {}\n",
        pick("Sicherungen und Empfänger", "Backups and recipients")
    );
    let backup = &settings.backup;
    let _ = writeln!(
        out,
        "- {}: {}",
        pick("Automatische Sicherung", "Automatic backup"),
        match backup.automatic {
            true => pick("jede Nacht, geprüft", "every night, verified"),
            false => pick("aus", "off"),
        }
    );
    // The folder target only: which sticks are plugged in changes by the day.
    for target in kartei.backup_targets(&[]) {
        let kind = match target.kind {
            TargetKind::Folder => pick("Ordner", "folder"),
            TargetKind::Stick => pick("USB-Stick", "USB stick"),
        };
        let _ = writeln!(out, "- {}: {kind} {}", pick("Ziel", "Target"), target.label);
    }
    if backup.usb_sticks {
        let _ = writeln!(
            out,
            "- {}",
            pick(
                "eingesteckte USB-Sticks des Salons",
                "the salon's USB sticks when plugged in"
            )
        );
    }
    let _ = writeln!(
        out,
        "- {}: {}",
        pick(
            "Auftragsverarbeiter (E-Mail-Konto, externe Sicherung)",
            "Processors (mail account, off-site backup)"
        ),
        match &backup.folder {
            Some(folder) => format!(
                "{} {}",
                pick("Netzwerkordner", "network folder"),
                folder.display()
            ),
            None => pick("keine eingerichtet", "none configured").to_string(),
        }
    );
    let _ = writeln!(
        out,
        "\n## {}\n",
        pick(
            "Technische und organisatorische Maßnahmen",
            "Technical and organisational measures"
        )
    );
    for (d, e) in [
        ("Alle Daten bleiben auf dem Gerät im Salon; keine Cloud", "All data stays on the appliance in the salon; no cloud"),
        ("Zugang nur mit persönlicher PIN (gespeichert als Argon2-Hash), Sperre nach Fehlversuchen", "Access only with a personal PIN (stored as an Argon2 hash), throttled after wrong tries"),
        ("Protokoll der Zugriffe auf Karten, besonders auf Gesundheitsdaten", "Audit log of access to cards, health data in particular"),
        ("Nächtliche, geprüfte Sicherungen; Löschung auf Anfrage (Art. 17) entfernt Karte, Notizen, Termine und Fotos", "Nightly verified backups; erasure on request (Art. 17) removes card, notes, appointments and photos"),
    ] {
        let _ = writeln!(out, "- {}", pick(d, e));
    }
    let _ = writeln!(
        out,
        "\n{}: ____________________    {}: ____________________",
        pick("Ort, Datum", "Place, date"),
        pick("Unterschrift", "Signature")
    );
    Ok(out)
}
