//! The store and the index on disk: durability, rebuild and catch-up of the index, the schema
//! version, the data-folder lock, erasure.

use crate::fixture::Fixture;
use kartei_core::kartei::{INDEX_DIR, STORE_FILE};
use kartei_core::model::*;
use kartei_core::search::SearchRequest;
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
    f.kartei.delete_customer(c.id).unwrap();
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
