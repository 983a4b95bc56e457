//! Backups and restore on real files: a card file with every kind of record round-trips table
//! by table and file by file and is searchable afterwards; damaged, cut-off and too-new backups
//! are refused naming what is wrong, and leave the target folder as it was.

use crate::fixture::{now, phone, Fixture};
use chrono::Duration;
use kartei_core::backup::{self, format};
use kartei_core::i18n::{BackupMsg, Msg};
use kartei_core::model::*;
use kartei_core::photos::files::PHOTOS_DIR;
use kartei_core::photos::{samples, PhotoKind};
use kartei_core::search::SearchRequest;
use kartei_core::{CoreError, Kartei, Lang};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A card file with at least one row in every table.
fn full_card_file() -> Fixture {
    let f = Fixture::new();
    let k = &f.kartei;
    let mut settings = k.settings();
    settings.salon_name = "Salon Schnittpunkt".into();
    k.set_settings(settings).unwrap();
    k.create_group("Stammkundschaft").unwrap();
    k.add_staff("Lena", "4711", Role::Owner).unwrap();
    k.add_staff("Jörg", "0815", Role::Staff).unwrap();
    let colour = f.service("Färben");
    let anna = f.add_with(CustomerDraft {
        first_name: "Anna".into(),
        last_name: "Müller".into(),
        email: "anna.mueller@example.de".into(),
        phones: phone("0171 2345678"),
        birthday: "1985-03-14".into(),
        groups: vec!["Stammkundschaft".into()],
        ..Default::default()
    });
    let bernd = f.add("Bernd", "Weiß");
    k.add_note(
        anna.id,
        &NoteDraft {
            kind: NoteKind::Allergy,
            text: "PPD-Allergie, kein Oxidationsfarbstoff".into(),
            pinned: true,
            formula: None,
        },
        "Lena",
    )
    .unwrap();
    k.add_note(
        bernd.id,
        &NoteDraft {
            kind: NoteKind::Preference,
            text: "mag es kurz\nund ohne Gel".into(),
            pinned: false,
            formula: None,
        },
        "Jörg",
    )
    .unwrap();
    k.add_patch_test(
        anna.id,
        &PatchTestDraft {
            date: Some(now().date_naive()),
            product: "Koleston".into(),
            result: PatchResult::Passed,
            note: String::new(),
        },
        "Lena",
    )
    .unwrap();
    f.appointment(anna.id, now() - Duration::days(30), &[colour.id]);
    f.appointment(bernd.id, now() + Duration::days(2), &[]);
    let jpeg = samples::jpeg(320, 240, 3);
    k.add_photo(anna.id, &jpeg, PhotoKind::After, "Kupfer", "Lena")
        .unwrap();
    // The same picture twice: one pair of files, two rows.
    k.add_photo(bernd.id, &jpeg, PhotoKind::Before, "", "Lena")
        .unwrap();
    k.add_photo(
        bernd.id,
        &samples::jpeg(200, 300, 9),
        PhotoKind::Inspiration,
        "",
        "Jörg",
    )
    .unwrap();
    // Messages of every kind, a newsletter and a mail nobody matches.
    crate::store::give_messages(&f, bernd.id, colour.id);
    k.send_newsletter(
        &Audience::Customers {
            ids: vec![bernd.id],
        },
        "Liste",
        "Neu",
        "Hallo {Vorname}",
        "Anna",
    )
    .unwrap();
    let stranger = "From: <wer@example.net>\r\nSubject: Frage\r\nMessage-ID: <fremd@example.net>\r\n\r\nHallo\r\n";
    k.take_in(
        "INBOX",
        vec![kartei_core::mail::imap::Fetched {
            uid: 99,
            size: stranger.len() as u32,
            raw: stranger.as_bytes().to_vec(),
            truncated: false,
        }],
        &kartei_core::store::MailboxState {
            uid_validity: 1,
            last_uid: 99,
        },
    )
    .unwrap();
    // An erased customer, so that the erased list has a row.
    let gone = f.add("Gesa", "Gelöscht");
    k.delete_customer(gone.id, "Lena").unwrap();
    f
}

/// Every table as JSON lines, through the same walk the backup uses.
fn tables_of(kartei: &Kartei) -> BTreeMap<String, String> {
    let snapshot = kartei.store().snapshot().unwrap();
    kartei_core::store::backed_up_tables()
        .into_iter()
        .map(|t| {
            let mut out = Vec::new();
            snapshot.dump_table(&t, &mut out).unwrap();
            (t, String::from_utf8(out).unwrap())
        })
        .collect()
}

fn photo_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join(PHOTOS_DIR))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn search(kartei: &Kartei, q: &str) -> Vec<CustomerId> {
    kartei
        .search(&SearchRequest {
            q: q.into(),
            ..Default::default()
        })
        .unwrap()
        .items
        .iter()
        .map(|i| i.id)
        .collect()
}

fn backup_of(f: &Fixture) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let summary = backup::create(&f.kartei, out.path()).unwrap();
    (out, summary.path)
}

fn refusal(result: kartei_core::Result<backup::RestoreReport>) -> BackupMsg {
    match result {
        Err(CoreError::Forbidden(Msg::Backup(m))) => m,
        other => panic!("expected a backup refusal, got {other:?}"),
    }
}

/// What is in a folder, recursively (to show that a refused restore wrote nothing).
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let e = e.unwrap();
            out.push(e.path().display().to_string());
            out.extend(listing(&e.path()));
        }
    }
    out.sort();
    out
}

#[test]
fn a_card_file_with_every_kind_of_record_round_trips_and_is_searchable() {
    let f = full_card_file();
    let before = tables_of(&f.kartei);
    for (table, lines) in &before {
        if table != "changes" {
            assert!(!lines.is_empty(), "fixture leaves table {table} empty");
        }
    }
    let (_out, file) = backup_of(&f);
    assert!(file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("kartei-backup-20261124-100000"));

    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("restored");
    let report = backup::restore(&file, &data, false).unwrap();
    assert_eq!(report.customers, 2);
    assert_eq!(report.manifest.photo_files, 4);
    assert!(!data.join(".restore-partial").exists());

    let (restored, open) = Kartei::open(&data).unwrap();
    assert!(!open.rebuilt_index, "restore already built the index");
    // Everything equal, but the change log: it only tells the index what it has not seen, and
    // the index built by the restore has seen everything, so it was pruned.
    let mut after = tables_of(&restored);
    assert_eq!(after.remove("changes").unwrap(), "");
    let mut before = before;
    assert!(!before.remove("changes").unwrap().is_empty());
    assert_eq!(after, before);
    assert_eq!(photo_files(&data), photo_files(f.dir.path()));
    assert_eq!(restored.settings().salon_name, "Salon Schnittpunkt");
    let anna = search(&restored, "müller");
    assert_eq!(anna.len(), 1);
    assert_eq!(search(&restored, "weiss").len(), 1);
    assert!(restored.card(anna[0], Lang::De).unwrap().customer.id == anna[0]);
    assert!(restored.verify_pin("Lena", "4711", "test").is_ok());
    let photos = restored
        .photos(anna[0], kartei_core::photos::PhotoFilter::Newest)
        .unwrap();
    assert_eq!(photos.len(), 1);
    assert!(restored.photo_full(photos[0].id).is_ok());
    // The restored card file takes new writes with fresh ids.
    let carla = restored
        .create_customer(
            &CustomerDraft {
                first_name: "Carla".into(),
                last_name: "Neu".into(),
                ..Default::default()
            },
            Source::Manual,
            "Lena",
        )
        .unwrap();
    assert_eq!(carla.id, CustomerId(4));
}

#[test]
fn the_backup_is_a_plain_tar_with_a_manifest_of_sha256_sums() {
    let f = full_card_file();
    let (_out, file) = backup_of(&f);
    let mut archive = tar::Archive::new(std::fs::File::open(&file).unwrap());
    let mut names = Vec::new();
    let mut sums = BTreeMap::new();
    let mut manifest = None;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == format::MANIFEST_PART {
            manifest = Some(serde_json::from_slice::<format::Manifest>(&bytes).unwrap());
        } else {
            use sha2::Digest;
            sums.insert(name.clone(), hex::encode(sha2::Sha256::digest(&bytes)));
        }
        names.push(name);
    }
    assert_eq!(names.first().unwrap(), format::HEADER_PART);
    assert_eq!(names.last().unwrap(), format::MANIFEST_PART);
    assert!(names.contains(&"tables/customers.jsonl.zst".to_string()));
    let manifest = manifest.unwrap();
    assert_eq!(manifest.header.kartei_version, format::KARTEI_VERSION);
    assert_eq!(manifest.tables["customers"], 2);
    assert_eq!(manifest.tables["appointments"], 3);
    assert_eq!(manifest.parts.len(), names.len() - 2);
    for part in &manifest.parts {
        assert_eq!(sums[&part.path], part.sha256, "{}", part.path);
    }
    // The index is derived: not in the backup.
    assert!(!names.iter().any(|n| n.contains("index")));
}

#[test]
fn a_dry_run_reports_what_would_be_restored_and_writes_nothing() {
    let f = full_card_file();
    let (_out, file) = backup_of(&f);
    let target = tempfile::tempdir().unwrap();
    let report = backup::restore(&file, target.path(), true).unwrap();
    assert!(report.dry_run);
    assert_eq!(report.customers, 2);
    assert_eq!(report.manifest.tables["notes"], 2);
    assert_eq!(listing(target.path()), Vec::<String>::new());
    let missing = target.path().join("new");
    backup::restore(&file, &missing, true).unwrap();
    assert!(!missing.exists());
}

/// Rewrites the archive with `change` applied to the bytes of the part called `part`.
fn tamper(file: &Path, part: &str, change: impl Fn(&mut Vec<u8>)) -> PathBuf {
    let mut archive = tar::Archive::new(std::fs::File::open(file).unwrap());
    let out_path = file.with_extension("tampered.tar");
    let mut out = tar::Builder::new(std::fs::File::create(&out_path).unwrap());
    let mut found = false;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            change(&mut bytes);
            found = true;
        }
        let mut header = entry.header().clone();
        header.set_size(bytes.len() as u64);
        out.append_data(&mut header, &name, bytes.as_slice())
            .unwrap();
    }
    out.into_inner().unwrap().flush().unwrap();
    assert!(found, "no part {part}");
    out_path
}

fn assert_refused_and_nothing_written(file: &Path, expected: BackupMsg) {
    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("data");
    for dry_run in [true, false] {
        assert_eq!(refusal(backup::restore(file, &data, dry_run)), expected);
        assert_eq!(listing(target.path()), Vec::<String>::new());
    }
    // Into an existing empty folder too.
    std::fs::create_dir(&data).unwrap();
    assert_eq!(refusal(backup::restore(file, &data, false)), expected);
    assert_eq!(listing(&data), Vec::<String>::new());
}

#[test]
fn a_part_that_does_not_match_its_checksum_is_refused_by_name() {
    let f = full_card_file();
    let (_out, file) = backup_of(&f);
    // A flipped byte inside a photo: the tar and the JPEG are still readable, the sum is not.
    let hash = photo_files(f.dir.path())
        .keys()
        .find(|n| !n.contains("thumb"))
        .unwrap()
        .clone();
    let part = format!("photos/{hash}");
    let bad = tamper(&file, &part, |b| b[100] ^= 1);
    assert_refused_and_nothing_written(&bad, BackupMsg::Damaged { part: part.clone() });
    // A damaged table part is refused by name as well (zstd's checksum or ours).
    let bad = tamper(&file, "tables/customers.jsonl.zst", |b| {
        let n = b.len() / 2;
        b[n] ^= 0x40;
    });
    assert_refused_and_nothing_written(
        &bad,
        BackupMsg::Damaged {
            part: "tables/customers.jsonl.zst".into(),
        },
    );
    let message =
        CoreError::Forbidden(Msg::Backup(BackupMsg::Damaged { part })).user_message(Lang::De);
    assert!(message.contains("beschädigt"), "{message}");
}

#[test]
fn a_cut_off_backup_is_refused_and_nothing_is_written() {
    let f = full_card_file();
    let (_out, file) = backup_of(&f);
    let bytes = std::fs::read(&file).unwrap();
    let cut = file.with_extension("cut.tar");
    // At a part boundary (no manifest), and in the middle of a part.
    for len in [bytes.len() - 2048, bytes.len() / 2 + 77, 700] {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let target = tempfile::tempdir().unwrap();
        let data = target.path().join("data");
        let msg = refusal(backup::restore(&cut, &data, false));
        assert!(
            matches!(msg, BackupMsg::Incomplete | BackupMsg::Damaged { .. }),
            "{len}: {msg:?}"
        );
        assert_eq!(listing(target.path()), Vec::<String>::new());
    }
    // Cutting off exactly the manifest says "incomplete".
    let manifest_at = find_manifest_offset(&bytes);
    std::fs::write(&cut, &bytes[..manifest_at]).unwrap();
    let target = tempfile::tempdir().unwrap();
    assert_eq!(
        refusal(backup::restore(&cut, &target.path().join("d"), false)),
        BackupMsg::Incomplete
    );
}

/// The offset of the manifest's tar header.
fn find_manifest_offset(bytes: &[u8]) -> usize {
    let mut archive = tar::Archive::new(bytes);
    let mut offset = 0;
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        if entry.path().unwrap().display().to_string() == format::MANIFEST_PART {
            offset = entry.raw_header_position() as usize;
        }
    }
    assert!(offset > 0);
    offset
}

#[test]
fn a_backup_from_a_newer_kartei_or_schema_is_refused_with_a_clear_message() {
    let f = full_card_file();
    let (_out, file) = backup_of(&f);
    let newer = |field: &str, value: serde_json::Value| {
        tamper(&file, format::HEADER_PART, |b| {
            let mut header: serde_json::Value = serde_json::from_slice(b).unwrap();
            header[field] = value.clone();
            *b = serde_json::to_vec(&header).unwrap();
        })
    };
    let bad = newer("kartei_version", "9.0.0".into());
    let expected = BackupMsg::TooNew {
        version: "9.0.0".into(),
        schema: kartei_core::store::SCHEMA_VERSION,
        ours: format::KARTEI_VERSION.into(),
    };
    assert_refused_and_nothing_written(&bad, expected.clone());
    let text = CoreError::Forbidden(Msg::Backup(expected)).user_message(Lang::De);
    assert!(
        text.contains("neueren Kartei") && text.contains("9.0.0"),
        "{text}"
    );
    let text = Msg::Backup(BackupMsg::Incomplete).text(Lang::En);
    assert!(text.contains("incomplete"), "{text}");

    let bad = newer(
        "schema_version",
        (kartei_core::store::SCHEMA_VERSION + 1).into(),
    );
    assert!(matches!(
        refusal(backup::restore(&bad, &f.dir.path().join("x"), true)),
        BackupMsg::TooNew { .. }
    ));
}

#[test]
fn restore_refuses_a_folder_that_holds_a_card_file_and_a_file_that_is_no_backup() {
    let f = full_card_file();
    let (out, file) = backup_of(&f);
    let before = tables_of(&f.kartei);
    assert!(matches!(
        refusal(backup::restore(&file, f.dir.path(), false)),
        BackupMsg::TargetNotEmpty { .. }
    ));
    assert_eq!(tables_of(&f.kartei), before);
    let junk = out.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar at all, just some text").unwrap();
    assert_eq!(
        refusal(backup::restore(&junk, &out.path().join("d"), true)),
        BackupMsg::NotABackup
    );
    assert!(matches!(
        refusal(backup::restore(
            &out.path().join("gone.tar"),
            &out.path().join("d"),
            true
        )),
        BackupMsg::FileMissing { .. }
    ));
}

#[test]
fn a_backup_leaves_no_temporary_file_and_two_in_one_second_get_two_names() {
    let f = full_card_file();
    let out = tempfile::tempdir().unwrap();
    let first = backup::create(&f.kartei, out.path()).unwrap();
    let second = backup::create(&f.kartei, out.path()).unwrap();
    assert_ne!(first.path, second.path);
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "kartei-backup-20261124-100000-2.tar",
            "kartei-backup-20261124-100000.tar",
            backup::ERASED_SIDE_FILE,
        ]
    );
    assert!(first.bytes > 0 && first.missing_photo_files.is_empty());
}

/// Anna (card, notes, patch test, appointment, photo rows; her photo's files are shared with
/// Bernd's) is in the first backup of a folder, then erased, then a second backup is taken.
fn backups_before_and_after_erasing_anna() -> (Fixture, tempfile::TempDir, PathBuf, PathBuf) {
    let f = full_card_file();
    let out = tempfile::tempdir().unwrap();
    let older = backup::create(&f.kartei, out.path()).unwrap().path;
    let anna = search(&f.kartei, "müller")[0];
    f.kartei.delete_customer(anna, "Lena").unwrap();
    f.clock.advance(Duration::minutes(1));
    let newer = backup::create(&f.kartei, out.path()).unwrap().path;
    assert_ne!(older, newer);
    (f, out, older, newer)
}

/// The restored card file is the card file as it is now, table by table (but the audit log and
/// the change log, which record what happened since), photo file by photo file, and Anna is
/// found nowhere.
fn assert_restored_without_anna(f: &Fixture, data: &Path) {
    let (restored, _) = Kartei::open(data).unwrap();
    let mut now = tables_of(&f.kartei);
    let mut after = tables_of(&restored);
    for table in ["audit", "audit_by_customer", "changes"] {
        now.remove(table);
        after.remove(table);
    }
    assert_eq!(after, now);
    for (table, lines) in &after {
        assert!(!lines.contains("Müller"), "{table} still holds Anna");
    }
    assert_eq!(photo_files(data), photo_files(f.dir.path()));
    assert!(search(&restored, "müller").is_empty());
    assert!(search(&restored, "anna").is_empty());
    assert_eq!(search(&restored, "weiss").len(), 1);
    assert_eq!(restored.customer_count(), 1);
    assert!(matches!(
        restored.customer(CustomerId(1)),
        Err(CoreError::NotFound { .. })
    ));
}

#[test]
fn an_older_backup_restored_after_an_erasure_leaves_the_erased_customer_out() {
    let (f, _out, older, _newer) = backups_before_and_after_erasing_anna();
    // Anna is in the older backup itself.
    let target = tempfile::tempdir().unwrap();
    let dry = backup::restore(&older, target.path(), true).unwrap();
    assert_eq!(dry.manifest.tables["customers"], 2);
    assert_eq!((dry.customers, dry.erased_left_out), (1, 1));
    assert_eq!(listing(target.path()), Vec::<String>::new());

    let data = target.path().join("restored");
    let report = backup::restore(&older, &data, false).unwrap();
    assert_eq!((report.customers, report.erased_left_out), (1, 1));
    assert_restored_without_anna(&f, &data);
}

#[test]
fn the_erased_list_beside_the_backups_leaves_the_customer_out_when_the_newer_backup_is_gone() {
    let (f, out, older, newer) = backups_before_and_after_erasing_anna();
    std::fs::remove_file(&newer).unwrap();
    let side = out.path().join(backup::ERASED_SIDE_FILE);
    let list = std::fs::read_to_string(&side).unwrap();
    assert!(!list.contains("Müller") && !list.contains("Anna"), "{list}");
    let target = tempfile::tempdir().unwrap();
    let data = target.path().join("restored");
    let report = backup::restore(&older, &data, false).unwrap();
    assert_eq!(report.erased_left_out, 1);
    assert_restored_without_anna(&f, &data);

    // Without the side file and the newer backup, nothing is known of the erasure: Anna is back
    // (what the side file is for).
    std::fs::remove_file(&side).unwrap();
    let again = target.path().join("again");
    let report = backup::restore(&older, &again, false).unwrap();
    assert_eq!((report.customers, report.erased_left_out), (2, 0));
}

#[test]
fn an_erasure_does_not_touch_a_later_card_that_got_the_same_number_after_a_restore() {
    let f = Fixture::new();
    f.add("Anna", "Alt");
    let out = tempfile::tempdir().unwrap();
    let first = backup::create(&f.kartei, out.path()).unwrap().path;
    let dora = f.add("Dora", "Weg");
    f.kartei.delete_customer(dora.id, "Lena").unwrap();
    f.clock.advance(Duration::minutes(1));
    backup::create(&f.kartei, out.path()).unwrap();

    // The first backup, restored, gives Dora's number to the next new card.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("restored");
    backup::restore(&first, &data, false).unwrap();
    f.clock.advance(Duration::minutes(1));
    let clock = std::sync::Arc::new(f.clock.clone());
    let (restored, _) = Kartei::open_with_clock(&data, clock.clone()).unwrap();
    let emil = restored
        .create_customer(
            &CustomerDraft {
                first_name: "Emil".into(),
                last_name: "Neu".into(),
                ..Default::default()
            },
            Source::Manual,
            "Lena",
        )
        .unwrap();
    assert_eq!(emil.id, dora.id);
    f.clock.advance(Duration::minutes(1));
    let later = backup::create(&restored, out.path()).unwrap().path;
    drop(restored);

    // Dora's erasure is known (side file, second backup), but Emil came after it and stays.
    let again = dir.path().join("again");
    let report = backup::restore(&later, &again, false).unwrap();
    assert_eq!((report.customers, report.erased_left_out), (2, 0));
    let (back, _) = Kartei::open_with_clock(&again, clock).unwrap();
    assert_eq!(back.customer(emil.id).unwrap().first_name, "Emil");
    assert_eq!(back.store().erasures().unwrap().len(), 1);
}

#[test]
fn a_customer_anonymised_after_the_backup_comes_back_anonymised() {
    let f = full_card_file();
    let out = tempfile::tempdir().unwrap();
    let older = backup::create(&f.kartei, out.path()).unwrap().path;
    let bernd = search(&f.kartei, "weiss")[0];
    f.kartei
        .anonymise_customer(bernd, Role::Owner, "Lena")
        .unwrap();
    f.clock.advance(Duration::minutes(1));
    backup::create(&f.kartei, out.path()).unwrap();

    let target = tempfile::tempdir().unwrap();
    let dry = backup::restore(&older, target.path(), true).unwrap();
    assert_eq!((dry.customers, dry.erased_left_out), (2, 1));
    let data = target.path().join("restored");
    let report = backup::restore(&older, &data, false).unwrap();
    assert_eq!((report.customers, report.erased_left_out), (2, 1));
    let (restored, _) = Kartei::open(&data).unwrap();
    let card = restored.customer(bernd).unwrap();
    assert!(card.anonymised && card.first_name.is_empty());
    for (table, lines) in tables_of(&restored) {
        assert!(!lines.contains("Bernd"), "{table} still holds Bernd");
    }
    assert!(search(&restored, "weiss").is_empty());
    // His appointments stay for the statistics.
    assert!(!restored.store().appointments_of(bernd).unwrap().is_empty());
}
