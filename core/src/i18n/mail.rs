//! The sentences of mail (issue 16) for people: what went wrong talking to the salon's mail
//! server, named so that the owner knows what to change in the settings, and why a message or a
//! newsletter recipient was held back.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum MailMsg {
    /// Mail is not set up yet (no server, address or password).
    NotConfigured,
    /// The server refused the user name or password.
    WrongPassword { server: String },
    /// The TLS handshake failed: certificate not trusted, wrong name, no TLS on that port.
    TlsFailed { server: String, reason: String },
    /// Nobody answers at host:port (wrong name, port, or the server is down).
    Unreachable { server: String, reason: String },
    /// The server took too long to answer.
    Timeout { server: String },
    /// The mailbox is full (quota): nothing can be stored in it.
    MailboxFull { server: String },
    /// The server refused the mail for good, with its own words.
    Rejected { reply: String },
    /// Any other answer of the server.
    ServerSaid { server: String, reply: String },
    /// The customer has no e-mail address.
    NoEmail,
    /// No (confirmed) marketing consent: no newsletter, no greeting.
    NoMarketingConsent,
    /// Marketing consent given in person, not yet confirmed by the customer's answer.
    ConsentNotConfirmed,
    /// No reminder consent: no appointment reminders.
    NoReminderConsent,
    /// The card is deactivated or anonymised.
    Inactive,
    /// The test mail was sent but did not arrive in the inbox in time.
    TestNotArrived { seconds: u64 },
    /// The message is not one that can be sent again.
    NotRetryable,
    /// A template placeholder that does not exist (`{Vorname}` is known, `{Vornahme}` not).
    UnknownPlaceholder { name: String },
}

impl MailMsg {
    pub(super) fn text(&self, de: bool) -> String {
        use MailMsg::*;
        let t = |g: &str, e: &str| if de { g.to_string() } else { e.to_string() };
        match self {
            NotConfigured => t(
                "E-Mail ist noch nicht eingerichtet: bitte in den Einstellungen Server, Adresse und Passwort eintragen.",
                "E-mail is not set up yet: please enter server, address and password in the settings.",
            ),
            WrongPassword { server } => if de {
                format!("{server}: Benutzername oder Passwort falsch. Bitte in den E-Mail-Einstellungen prüfen.")
            } else {
                format!("{server}: wrong user name or password. Please check the e-mail settings.")
            },
            TlsFailed { server, reason } => if de {
                format!("{server}: keine sichere Verbindung möglich (TLS: {reason}). Bitte Port und Verschlüsselung prüfen.")
            } else {
                format!("{server}: no secure connection (TLS: {reason}). Please check port and encryption.")
            },
            Unreachable { server, reason } => if de {
                format!("{server} ist nicht erreichbar ({reason}). Bitte Servername und Port prüfen.")
            } else {
                format!("{server} cannot be reached ({reason}). Please check server name and port.")
            },
            Timeout { server } => if de {
                format!("{server} antwortet nicht rechtzeitig. Es wird später erneut versucht.")
            } else {
                format!("{server} does not answer in time. Kartei will try again later.")
            },
            MailboxFull { server } => if de {
                format!("{server}: das Postfach ist voll. Bitte im Mailprogramm alte Nachrichten löschen.")
            } else {
                format!("{server}: the mailbox is full. Please delete old mail in your mail program.")
            },
            Rejected { reply } => if de {
                format!("Der Mailserver hat die Nachricht abgelehnt: {reply}")
            } else {
                format!("The mail server refused the message: {reply}")
            },
            ServerSaid { server, reply } => if de {
                format!("{server} meldet: {reply}")
            } else {
                format!("{server} says: {reply}")
            },
            NoEmail => t("Keine E-Mail-Adresse hinterlegt.", "No e-mail address on the card."),
            NoMarketingConsent => t("Keine Einwilligung in Werbung.", "No marketing consent."),
            ConsentNotConfirmed => t(
                "Einwilligung noch nicht per E-Mail bestätigt (Double-Opt-in).",
                "Consent not yet confirmed by e-mail (double opt-in).",
            ),
            NoReminderConsent => t(
                "Keine Einwilligung in Terminerinnerungen.",
                "No consent to appointment reminders.",
            ),
            Inactive => t("Karte deaktiviert.", "Card deactivated."),
            TestNotArrived { seconds } => if de {
                format!("Die Testnachricht wurde gesendet, kam aber nach {seconds} s nicht im Posteingang an. Bitte IMAP-Einstellungen prüfen.")
            } else {
                format!("The test message was sent but had not arrived in the inbox after {seconds} s. Please check the IMAP settings.")
            },
            NotRetryable => t(
                "Diese Nachricht kann nicht erneut gesendet werden.",
                "This message cannot be sent again.",
            ),
            UnknownPlaceholder { name } => if de {
                format!("Unbekannter Platzhalter {{{name}}}. Möglich: {{Vorname}}, {{Nachname}}, {{Termin}}, {{Salon}}.")
            } else {
                format!("Unknown placeholder {{{name}}}. Possible: {{first_name}}, {{last_name}}, {{next_appointment}}, {{salon}}.")
            },
        }
    }
}
