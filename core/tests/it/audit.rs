//! The audit log (DSGVO): opening a card with an allergy note is logged as a view of health
//! data, once per person and window; changes name their fields, never the values; exports,
//! merges and erasures are logged; only owners read the log; an erased person leaves no trace
//! of their data in it; the access request (per-customer export) carries the customer's entries.

use crate::fixture::Fixture;
use kartei_core::audit::{AuditAction, AuditEntry, VIEW_LOG_WINDOW};
use kartei_core::export::{self, ExportQuery};
use kartei_core::import::merge;
use kartei_core::model::*;
use kartei_core::{CoreError, Lang};

fn actions(entries: &[AuditEntry]) -> Vec<(AuditAction, &str)> {
    entries.iter().map(|e| (e.action, e.by.as_str())).collect()
}

fn note(kind: NoteKind, text: &str) -> NoteDraft {
    NoteDraft {
        kind,
        text: text.into(),
        ..Default::default()
    }
}

#[test]
fn opening_a_card_with_an_allergy_note_is_logged_as_a_health_view_once_per_window() {
    let f = Fixture::new();
    let anna = f.add("Anna", "Müller");
    let bert = f.add("Bert", "Berg");
    f.kartei
        .add_note(anna.id, &note(NoteKind::Allergy, "PPD-Allergie"), "Lena")
        .unwrap();

    f.kartei.open_card(anna.id, Lang::De, "Mia").unwrap();
    f.kartei.open_card(anna.id, Lang::De, "Mia").unwrap();
    f.kartei.open_card(bert.id, Lang::De, "Mia").unwrap();
    // Redrawing an open card (live updates) is not a new view.
    f.kartei.card(anna.id, Lang::De).unwrap();
    let log = f.kartei.audit_of(anna.id, Role::Owner).unwrap();
    assert_eq!(
        actions(&log),
        vec![
            (AuditAction::ViewedHealth, "Mia"),
            (AuditAction::NoteWritten, "Lena"),
            (AuditAction::Created, "Test"),
        ]
    );
    assert_eq!(
        actions(&f.kartei.audit_of(bert.id, Role::Owner).unwrap())[0],
        (AuditAction::Viewed, "Mia")
    );

    // Another person, or the same one after the window, is logged again.
    f.kartei.open_card(anna.id, Lang::De, "Lena").unwrap();
    f.clock
        .advance(VIEW_LOG_WINDOW + chrono::Duration::minutes(1));
    f.kartei.open_card(anna.id, Lang::De, "Mia").unwrap();
    let views: Vec<_> = f
        .kartei
        .audit_of(anna.id, Role::Owner)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::ViewedHealth)
        .map(|e| e.by)
        .collect();
    assert_eq!(views, vec!["Mia", "Lena", "Mia"]);
}

#[test]
fn changes_name_their_fields_and_never_the_values() {
    let f = Fixture::new();
    let anna = f.add("Anna", "Müller");
    let mut draft = f.kartei.customer_draft(&anna);
    draft.email = "anna.neu@example.de".into();
    draft.title = "Dr.".into();
    f.kartei
        .update_customer(anna.id, anna.version, &draft, "Lena")
        .unwrap();
    let n = f
        .kartei
        .add_note(anna.id, &note(NoteKind::ColourFormula, "7/1 + 9 %"), "Lena")
        .unwrap();
    f.kartei
        .update_note(n.id, &note(NoteKind::ColourFormula, "7/1 + 6 %"), "Mia")
        .unwrap();

    let log = f.kartei.audit_of(anna.id, Role::Owner).unwrap();
    let changed = log
        .iter()
        .find(|e| e.action == AuditAction::Changed)
        .expect("the change is logged");
    assert_eq!(
        (changed.by.as_str(), changed.detail.as_str()),
        ("Lena", "email, title")
    );
    let notes: Vec<_> = log
        .iter()
        .filter(|e| e.action == AuditAction::NoteWritten)
        .map(|e| (e.by.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![("Mia", "colour_formula"), ("Lena", "colour_formula")]
    );
    let text = serde_json::to_string(&log).unwrap();
    for secret in ["anna.neu", "7/1", "Müller"] {
        assert!(!text.contains(secret), "{secret} in the log: {text}");
    }
    // Newest first, numbered in order.
    assert!(log.windows(2).all(|w| w[0].seq > w[1].seq));
}

#[test]
fn only_owners_read_the_log() {
    let f = Fixture::new();
    let anna = f.add("Anna", "Müller");
    assert!(matches!(
        f.kartei.audit_of(anna.id, Role::Staff),
        Err(CoreError::Forbidden(_))
    ));
    assert!(matches!(
        f.kartei.audit_log(Role::Staff, None, 50),
        Err(CoreError::Forbidden(_))
    ));
    assert_eq!(f.kartei.audit_log(Role::Owner, None, 50).unwrap().len(), 1);
}

#[test]
fn exports_merges_and_erasures_are_logged_and_the_erased_person_leaves_no_data_in_the_log() {
    let f = Fixture::new();
    let anna = f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        email: "anna@example.de".into(),
        ..Default::default()
    });
    let twin = f.add("Anna", "Mueller");
    f.kartei
        .add_note(anna.id, &note(NoteKind::Allergy, "Nickelallergie"), "Lena")
        .unwrap();
    f.kartei.open_card(anna.id, Lang::De, "Lena").unwrap();

    // The access request carries what the log holds about the customer, itself included.
    let data = export::customer_data(&f.kartei, anna.id, "Inhaberin").unwrap();
    assert_eq!(data.audit[0].action, AuditAction::Exported);
    assert_eq!(data.audit[0].detail, "json");
    assert!(data
        .audit
        .iter()
        .any(|e| e.action == AuditAction::ViewedHealth));

    let out = f.dir.path().join("liste.xlsx");
    export::write_xlsx(
        &f.kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &out,
        "Inhaberin",
        |_| {},
    )
    .unwrap();
    let whole = f.kartei.audit_log(Role::Owner, None, 10).unwrap();
    assert_eq!(
        (whole[0].action, whole[0].customer, whole[0].detail.as_str()),
        (AuditAction::ListExported, None, "2")
    );

    let keep = f.kartei.customer(anna.id).unwrap();
    let remove = f.kartei.customer(twin.id).unwrap();
    merge::apply(
        &f.kartei,
        &merge::MergeRequest {
            keep: keep.id,
            keep_version: keep.version,
            remove: remove.id,
            remove_version: remove.version,
            take_from_removed: vec![],
        },
        "Lena",
    )
    .unwrap();
    assert_eq!(
        actions(&f.kartei.audit_of(twin.id, Role::Owner).unwrap())[0],
        (AuditAction::Merged, "Lena")
    );

    f.kartei
        .erase_customer_as(anna.id, Role::Owner, "Inhaberin", "Anna Müller")
        .unwrap();
    let after = f.kartei.audit_of(anna.id, Role::Owner).unwrap();
    assert_eq!(actions(&after)[0], (AuditAction::Erased, "Inhaberin"));
    let everything =
        serde_json::to_string(&f.kartei.audit_log(Role::Owner, None, 500).unwrap()).unwrap();
    for trace in ["Müller", "Mueller", "anna@", "Nickel"] {
        assert!(!everything.contains(trace), "{trace} left in the log");
    }
}

#[test]
fn the_log_is_kept_across_a_restart_and_paged_newest_first() {
    let f = Fixture::new();
    for i in 0..5 {
        f.add("Kundin", &format!("Nummer{i}"));
    }
    let (f, _) = f.reopen();
    let first = f.kartei.audit_log(Role::Owner, None, 2).unwrap();
    assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![5, 4]);
    let next = f.kartei.audit_log(Role::Owner, Some(4), 10).unwrap();
    assert_eq!(
        next.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
}

#[test]
fn an_import_logs_each_card_it_creates_under_the_importer() {
    let f = Fixture::new();
    let file = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Jana;;;\r\nFN:Jana Weiß\r\nEND:VCARD\r\n\
                BEGIN:VCARD\r\nVERSION:3.0\r\nN:Öz;Ali;;;\r\nFN:Ali Öz\r\nEND:VCARD\r\n";
    let p = kartei_core::import::preview(&f.kartei, file.as_bytes(), "k.vcf").unwrap();
    let outcome = kartei_core::import::commit(&f.kartei, &p, &p.choosable_lines(), "Lena").unwrap();
    assert_eq!(outcome.created.len(), 2);
    for id in outcome.created {
        let log = f.kartei.audit_of(id, Role::Owner).unwrap();
        assert_eq!(
            log.iter()
                .map(|e| (e.action, e.by.as_str(), e.detail.as_str()))
                .collect::<Vec<_>>(),
            vec![(AuditAction::Created, "Lena", "import")]
        );
    }
}

#[test]
fn the_record_of_processing_says_what_this_appliance_does() {
    let f = Fixture::new();
    f.kartei.add_staff("Sabine", "2468", Role::Owner).unwrap();
    f.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let mut settings = f.kartei.settings();
    settings.salon_name = "Salon Schnittpunkt".into();
    f.kartei.set_settings(settings).unwrap();
    f.kartei.set_retention_years(Role::Owner, 5).unwrap();

    let record =
        kartei_core::gdpr_record::record_of_processing(&f.kartei, Role::Owner, Lang::De).unwrap();
    for expected in [
        "Art. 30 DSGVO",
        "**Salon Schnittpunkt**",
        "seit 5 Jahren",
        "Gesundheitsdaten (Art. 9)",
        "- Sabine (Inhaber/in)",
        "- Lena (Mitarbeiter/in)",
        "jede Nacht, geprüft",
        "keine eingerichtet",
        "Unterschrift",
    ] {
        assert!(
            record.contains(expected),
            "{expected} missing in:\n{record}"
        );
    }
    let english =
        kartei_core::gdpr_record::record_of_processing(&f.kartei, Role::Owner, Lang::En).unwrap();
    assert!(
        english.contains("Art. 30 GDPR") && english.contains("for 5 years"),
        "{english}"
    );
    assert!(matches!(
        kartei_core::gdpr_record::record_of_processing(&f.kartei, Role::Staff, Lang::De),
        Err(CoreError::Forbidden(_))
    ));
}
