//! Automatic backups (issue 12): a run writes a verified backup to every target and records it;
//! a target that fails is named and leaves older backups alone; the retention rule thins a
//! folder to 7 daily, 4 weekly and 12 monthly backups; the scheduler runs a missed night by
//! itself.

use crate::fixture::Fixture;
use chrono::Duration;
use kartei_core::backup::automatic::{Scheduler, DEFAULT_FOLDER};
use kartei_core::backup::status::{BackupStatus, Health, TargetKind};
use kartei_core::backup::{self, format, retention};
use kartei_core::Lang;
use std::path::PathBuf;

fn with_customers() -> Fixture {
    let f = Fixture::new();
    f.add("Anna", "Müller");
    f.add("Bernd", "Weiß");
    f
}

#[test]
fn a_run_writes_a_verified_backup_records_it_and_the_status_survives_a_restart() {
    let f = with_customers();
    assert_eq!(
        f.kartei
            .backup_status()
            .summary(f.clock_now(), Lang::De)
            .health,
        Health::Warning
    );
    let status = f.kartei.run_backups(&[]).unwrap();
    let target = &status.targets[0];
    assert_eq!(target.kind, TargetKind::Folder);
    assert_eq!(target.folder, f.dir.path().join(DEFAULT_FOLDER));
    assert_eq!(target.error, None);
    let good = target.last_good.as_ref().expect("a good backup");
    assert_eq!(good.customers, 2);
    assert!(good.file.exists());
    // What was recorded as good restores.
    let restored = tempfile::tempdir().unwrap();
    let report = backup::restore(&good.file, &restored.path().join("data"), false).unwrap();
    assert_eq!(report.customers, 2);
    // No test store is left behind in the data folder.
    assert!(!f.dir.path().join(".backup-verify").exists());

    let summary = status.summary(f.clock_now(), Lang::De);
    assert_eq!(summary.health, Health::Good, "{}", summary.text);
    assert!(summary.text.ends_with("geprüft ✓"), "{}", summary.text);
    let (f, _) = f.reopen();
    assert_eq!(f.kartei.backup_status(), status);
    assert_eq!(BackupStatus::load(f.dir.path()), status);
}

#[test]
fn a_target_that_fails_is_named_and_the_next_good_run_clears_it() {
    let f = with_customers();
    let blocker = f.dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file where the folder should be").unwrap();
    let mut settings = f.kartei.settings();
    settings.backup.folder = Some(blocker.join("nas"));
    f.kartei.set_settings(settings.clone()).unwrap();

    let status = f.kartei.run_backups(&[]).unwrap();
    let failed = &status.targets[0];
    assert!(failed.error.is_some());
    assert!(failed.last_good.is_none());
    let summary = status.summary(f.clock_now(), Lang::De);
    assert_eq!(summary.health, Health::Warning);
    assert!(
        summary
            .text
            .contains("Die letzte Sicherung ist fehlgeschlagen"),
        "{}",
        summary.text
    );
    assert!(summary.text.contains("not-a-folder"), "{}", summary.text);

    settings.backup.folder = Some(f.dir.path().join("nas"));
    f.kartei.set_settings(settings).unwrap();
    f.clock.advance(Duration::hours(1));
    let status = f.kartei.run_backups(&[]).unwrap();
    let summary = status.summary(f.clock_now(), Lang::En);
    // The old target keeps its failure but is no longer part of the last run.
    assert_eq!(summary.health, Health::Good, "{}", summary.text);
    let mut names: Vec<String> = f
        .dir
        .path()
        .join("nas")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with(kartei_core::backup::format::FILE_PREFIX));
    // Beside the backup: the list of erased customers (empty here).
    assert_eq!(names[1], kartei_core::backup::ERASED_SIDE_FILE);
}

#[test]
fn a_folder_is_thinned_to_seven_daily_four_weekly_twelve_monthly_after_a_good_run() {
    let f = with_customers();
    let folder = f.dir.path().join(DEFAULT_FOLDER);
    std::fs::create_dir_all(&folder).unwrap();
    // A year of nightly backups before the fixture's day, and one file that is not a backup.
    let today = f.clock_now();
    for day in 1..=365 {
        let name = format::file_name(today - Duration::days(day));
        std::fs::write(folder.join(name), b"an old backup").unwrap();
    }
    std::fs::write(folder.join("notizen.txt"), b"not ours").unwrap();
    let status = f.kartei.run_backups(&[]).unwrap();
    let good = status.targets[0].last_good.as_ref().unwrap();
    let left = retention::backups_in(&folder);
    assert!(left.len() <= 7 + 4 + 12, "{} left", left.len());
    assert!(left.len() >= 12, "{} left", left.len());
    assert_eq!(good.removed_old, 366 - left.len());
    assert_eq!(
        left[0].1, good.file,
        "the new backup is the newest and kept"
    );
    assert!(folder.join("notizen.txt").exists());
}

#[test]
fn verify_finds_a_damaged_backup_and_leaves_no_test_store() {
    let f = with_customers();
    let out = tempfile::tempdir().unwrap();
    let summary = backup::create(&f.kartei, out.path()).unwrap();
    let scratch = out.path().join("scratch");
    let manifest = backup::verify(&summary.path, &scratch).unwrap();
    assert_eq!(manifest.tables.get("customers"), Some(&2));
    assert!(!scratch.exists());
    // Cut off in the middle: refused, and still no test store left.
    let bytes = std::fs::read(&summary.path).unwrap();
    let cut = out.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(backup::verify(&cut, &scratch).is_err());
    assert!(!scratch.exists());
}

#[test]
fn the_scheduler_catches_up_a_missed_night_by_itself() {
    let f = with_customers();
    let scheduler =
        Scheduler::start_with(f.kartei.clone(), Vec::<PathBuf>::new(), Duration::zero()).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while f.kartei.backup_status().last_good().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no backup within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(scheduler);
    let status = f.kartei.backup_status();
    assert_eq!(status.targets.len(), 1);
    // The clock stands still: one run, not one per look.
    assert_eq!(
        retention::backups_in(&f.dir.path().join(DEFAULT_FOLDER)).len(),
        1
    );
}

#[test]
fn turned_off_the_scheduler_does_nothing() {
    let f = with_customers();
    let mut settings = f.kartei.settings();
    settings.backup.automatic = false;
    f.kartei.set_settings(settings).unwrap();
    let scheduler =
        Scheduler::start_with(f.kartei.clone(), Vec::<PathBuf>::new(), Duration::zero()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(scheduler);
    assert_eq!(f.kartei.backup_status(), BackupStatus::default());
}
