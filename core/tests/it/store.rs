//! The store and the index on disk: durability, rebuild and catch-up of the index, the schema
//! version, the data-folder lock, erasure.

use crate::fixture::Fixture;
use kartei_core::import::merge;
use kartei_core::kartei::{INDEX_DIR, STORE_FILE};
use kartei_core::model::*;
use kartei_core::search::SearchRequest;
use kartei_core::store::{not_customer_owned_tables, Owned};
use kartei_core::{CoreError, Kartei, Lang};

fn found(f: &Fixture, q: &str) -> usize {
    f.kartei
        .search(&SearchRequest {
            q: q.into(),
            ..Default::default()
        })
        .unwrap()
        .total
}

#[test]
fn what_was_written_is_there_after_reopening() {
    let f = Fixture::new();
    let c = f.add("Dauer", "Haft");
    f.kartei
        .add_note(
            c.id,
            &NoteDraft {
                text: "mag Tee".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    let (f, report) = f.reopen();
    assert_eq!(report.customers, 1);
    assert!(!report.rebuilt_index);
    assert_eq!(f.kartei.customer(c.id).unwrap().last_name, "Haft");
    assert_eq!(f.kartei.notes(c.id).unwrap()[0].text, "mag Tee");
    assert_eq!(found(&f, "haft"), 1);
}

#[test]
fn a_deleted_index_folder_is_rebuilt_from_the_store() {
    let f = Fixture::new();
    f.add("Ina", "Index");
    let dir = f.dir.path().to_path_buf();
    let (f, _) = {
        drop(f.kartei);
        std::fs::remove_dir_all(dir.join(INDEX_DIR)).unwrap();
        let (kartei, report) = Kartei::open(&dir).unwrap();
        assert!(report.rebuilt_index);
        (Fixture { kartei, ..f }, report)
    };
    assert_eq!(found(&f, "ina"), 1);
}

#[test]
fn a_corrupt_index_is_rebuilt() {
    let f = Fixture::new();
    f.add("Cora", "Kaputt");
    let dir = f.dir.path().to_path_buf();
    drop(f.kartei);
    std::fs::write(dir.join(INDEX_DIR).join("meta.json"), b"{ not json").unwrap();
    let (kartei, report) = Kartei::open(&dir).unwrap();
    assert!(report.rebuilt_index);
    assert_eq!(
        kartei
            .search(&SearchRequest {
                q: "kap".into(),
                ..Default::default()
            })
            .unwrap()
            .total,
        1
    );
}

#[test]
fn a_stale_index_catches_up() {
    let f = Fixture::new();
    f.add("Alt", "Bekannt");
    f.kartei.flush_index().unwrap();
    let dir = f.dir.path().to_path_buf();
    let snapshot = tempfile::tempdir().unwrap();
    copy_dir(&dir.join(INDEX_DIR), snapshot.path());
    f.add("Neu", "Hinzu");
    drop(f.kartei);
    // Put back the index as it was before the second customer: it has not seen that change.
    std::fs::remove_dir_all(dir.join(INDEX_DIR)).unwrap();
    copy_dir(snapshot.path(), &dir.join(INDEX_DIR));
    let (kartei, report) = Kartei::open(&dir).unwrap();
    assert!(!report.rebuilt_index);
    assert_eq!(report.caught_up, 1);
    let q = |q: &str| {
        kartei
            .search(&SearchRequest {
                q: q.into(),
                ..Default::default()
            })
            .unwrap()
            .total
    };
    assert_eq!(q("hinzu"), 1, "searchable at once");
    kartei.flush_index().unwrap();
    assert_eq!(kartei.pending_index_changes(), 0);
    assert_eq!(q("hinzu"), 1, "and committed");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_store_from_a_newer_kartei_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Kartei::open(dir.path()).unwrap());
    kartei_core::store::force_schema_version(&dir.path().join(STORE_FILE), 99).unwrap();
    match Kartei::open(dir.path()) {
        Err(err @ CoreError::SchemaTooNew { found: 99, .. }) => {
            assert!(err
                .user_message(Lang::De)
                .contains("neueren Kartei-Version"));
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened a newer schema"),
    }
}

#[test]
fn the_data_folder_has_one_owner() {
    let f = Fixture::new();
    match Kartei::open(f.dir.path()) {
        Err(err @ CoreError::AlreadyInUse(_)) => {
            assert!(err
                .user_message(Lang::De)
                .contains("bereits von einem anderen Kartei-Prozess"));
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("opened twice"),
    }
}

#[test]
fn deleting_a_customer_erases_everything_about_them() {
    let f = Fixture::new();
    let c = f.add("Erika", "Erase");
    let other = f.add("Olaf", "Bleibt");
    let cut = f.service("Schnitt");
    f.appointment(c.id, crate::fixture::now(), &[cut.id]);
    f.appointment(other.id, crate::fixture::now(), &[cut.id]);
    let note = f
        .kartei
        .add_note(
            c.id,
            &NoteDraft {
                text: "privat".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    f.kartei.delete_customer(c.id, "Test").unwrap();
    assert!(matches!(
        f.kartei.customer(c.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(matches!(
        f.kartei.store().note(note.id),
        Err(CoreError::NotFound { .. })
    ));
    assert!(f.kartei.store().appointments_of(c.id).unwrap().is_empty());
    assert_eq!(f.kartei.store().appointments_of(other.id).unwrap().len(), 1);
    assert_eq!(found(&f, "erika"), 0);
    f.kartei.flush_index().unwrap();
    assert_eq!(found(&f, "erika"), 0);
    assert_eq!(found(&f, "olaf"), 1);
}

/// One of every customer-owned record on `c`: a note, a patch test, an appointment, a photo.
fn give_one_of_everything(f: &Fixture, c: CustomerId, service: ServiceId) {
    f.kartei
        .add_note(
            c,
            &NoteDraft {
                text: "mag Tee".into(),
                ..Default::default()
            },
            "Lena",
        )
        .unwrap();
    f.kartei
        .add_patch_test(
            c,
            &PatchTestDraft {
                date: None,
                product: "Blond 9".into(),
                result: PatchResult::Passed,
                note: String::new(),
            },
            "Lena",
        )
        .unwrap();
    f.appointment(c, crate::fixture::now(), &[service]);
    let jpeg = kartei_core::photos::samples::jpeg(32, 24, c.0);
    f.kartei
        .add_photo(c, &jpeg, kartei_core::photos::PhotoKind::After, "", "Lena")
        .unwrap();
    give_messages(f, c, service);
}

/// Messages of every kind the tables hold: a queued consent request, the customer's unread
/// reply (which confirms the consent), a reminder and a birthday greeting (sent-once marks).
fn give_messages(f: &Fixture, c: CustomerId, service: ServiceId) {
    let mut mail = f.kartei.mail_settings();
    mail.address = "salon@kartei.test".into();
    mail.smtp_host = "127.0.0.1".into();
    mail.imap_host = "127.0.0.1".into();
    mail.user = "salon".into();
    mail.password = "geheim".into();
    mail.birthday_greetings = true;
    f.kartei.set_mail_settings(mail, "Lena").unwrap();
    let version = f.kartei.customer(c).unwrap().version;
    f.kartei
        .patch_customer(
            c,
            version,
            &serde_json::json!({
                "email": format!("kundin{}@example.org", c.0),
                "birthday": "24.11.1990",
                "reminder_consent": true,
                "marketing_consent": true,
            }),
            "Lena",
        )
        .unwrap();
    let request = f
        .kartei
        .request_consent(c, "Lena", kartei_core::Lang::De)
        .unwrap();
    let reply = format!(
        "From: <kundin{}@example.org>\r\nTo: salon@kartei.test\r\nMessage-ID: <reply-{}@example.org>\r\nIn-Reply-To: <{}>\r\nSubject: Re: Bitte bestaetigen\r\n\r\nJa, gerne.\r\n",
        c.0, c.0, request.header_id
    );
    f.kartei
        .take_in(
            "INBOX",
            vec![kartei_core::mail::imap::Fetched {
                uid: c.0 as u32,
                size: reply.len() as u32,
                raw: reply.into_bytes(),
                truncated: false,
            }],
            &kartei_core::store::MailboxState {
                uid_validity: 1,
                last_uid: c.0 as u32,
            },
        )
        .unwrap();
    f.kartei
        .create_appointment(&AppointmentDraft {
            customer_id: c,
            start: crate::fixture::now() + chrono::Duration::hours(3),
            end: None,
            service_ids: vec![service],
            staff: "Lena".into(),
            status: AppointmentStatus::Booked,
            note: String::new(),
        })
        .unwrap();
    assert_eq!(f.kartei.queue_scheduled_mail().unwrap(), 2);
}

fn owned_tables() -> Vec<String> {
    Owned::ALL.into_iter().flat_map(Owned::tables).collect()
}

/// A new table must be put in one of the two lists of `store/owned.rs`, so that erasure and
/// merging cannot forget it.
#[test]
fn every_table_is_customer_owned_or_listed_as_not() {
    let f = Fixture::new();
    let c = f.add("Tabea", "Tabelle");
    give_one_of_everything(&f, c.id, f.service("Schnitt").id);
    let owned = owned_tables();
    let not_owned = not_customer_owned_tables();
    assert!(
        owned.iter().all(|t| !not_owned.contains(t)),
        "a table in both lists"
    );
    let sizes = f.kartei.store().table_sizes().unwrap();
    assert!(sizes.len() >= owned.len() + not_owned.len());
    for (table, _) in &sizes {
        assert!(
            owned.contains(table) || not_owned.contains(table),
            "table {table} is neither customer-owned (store::Owned) nor listed as not"
        );
    }
    for table in owned.iter().chain(&not_owned) {
        assert!(
            sizes.iter().any(|(t, _)| t == table),
            "listed table {table} is not in the store"
        );
    }
}

#[test]
fn erasure_empties_every_customer_owned_table() {
    let f = Fixture::new();
    let c = f.add("Erika", "Erase");
    give_one_of_everything(&f, c.id, f.service("Schnitt").id);
    let owned = owned_tables();
    let sizes = f.kartei.store().table_sizes().unwrap();
    for (table, len) in &sizes {
        if owned.contains(table) {
            assert!(*len > 0, "{table} has nothing to erase");
        }
    }
    f.kartei.delete_customer(c.id, "Test").unwrap();
    for (table, len) in f.kartei.store().table_sizes().unwrap() {
        if owned.contains(&table) {
            assert_eq!(len, 0, "{table} kept something of the erased customer");
        }
    }
    assert!(f.kartei.store().photo_hashes().unwrap().is_empty());
}

#[test]
fn a_merge_moves_every_customer_owned_record() {
    let f = Fixture::new();
    let keep = f.add("Mara", "Merge");
    let remove = f.add("Mara", "Merge");
    let cut = f.service("Schnitt");
    give_one_of_everything(&f, keep.id, cut.id);
    give_one_of_everything(&f, remove.id, cut.id);
    let preview = merge::preview(&f.kartei, keep.id, remove.id).unwrap();
    assert_eq!(
        preview.moves,
        merge::Moves {
            notes: 1,
            patch_tests: 1,
            appointments: 2,
            photos: 1,
            messages: 4,
        }
    );
    let before = f.kartei.store().owned_counts(remove.id).unwrap();
    assert_eq!(before.len(), Owned::ALL.len());
    assert!(before.iter().all(|(_, n)| *n > 0), "{before:?}");
    let kept_before = f.kartei.store().owned_counts(keep.id).unwrap();
    merge::apply(
        &f.kartei,
        &merge::MergeRequest {
            keep: keep.id,
            keep_version: f.kartei.customer(keep.id).unwrap().version,
            remove: remove.id,
            remove_version: f.kartei.customer(remove.id).unwrap().version,
            take_from_removed: vec![],
        },
        "Lena",
    )
    .unwrap();
    for (kind, n) in f.kartei.store().owned_counts(remove.id).unwrap() {
        assert_eq!(n, 0, "{kind:?} left on the removed card");
    }
    for (kind, n) in f.kartei.store().owned_counts(keep.id).unwrap() {
        let had = |counts: &[(Owned, usize)]| {
            counts
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        assert_eq!(
            n,
            had(&kept_before) + had(&before),
            "{kind:?} not moved to the kept card"
        );
    }
}
