//! Backup and restore figures (issue 12): a backup of 100,000 demo customers (about a million
//! appointments, their notes) and 5,000 photos — time and peak memory above the open card file
//! (targets ≤ 60 s, ≤ 100 MB) —, reading it back into a test store (what every automatic backup
//! does), a second backup after a few changes, and a restore with the index rebuild (≤ 120 s).
//!
//! `cargo bench -p kartei-core --bench backup` (release). Sizes: `KARTEI_BENCH_CUSTOMERS`,
//! `KARTEI_BENCH_PHOTOS`. The card file is generated once and kept in `target/bench-data/`.
//! Backup and restore each run in a fresh process (this program started again with
//! `--backup-child` / `--restore-child`), so the peak memory (VmHWM, reset after opening the
//! card file) is theirs alone.

use kartei_core::photos::{samples, PhotoKind};
use kartei_core::{backup, Kartei};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::{env_or, mb, reset_peak, status};

mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--backup-child") {
        backup_child(Path::new(&args[at + 1]), Path::new(&args[at + 2]));
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--restore-child") {
        restore_child(Path::new(&args[at + 1]), Path::new(&args[at + 2]));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !args.iter().any(|a| a == "--bench");
    let (customers, photos) = if quick {
        (300, 10)
    } else {
        (
            env_or("KARTEI_BENCH_CUSTOMERS", 100_000),
            env_or("KARTEI_BENCH_PHOTOS", 5_000),
        )
    };
    let (dir, _keep) = card_file(customers, photos, quick);
    let out = tempfile::tempdir_in(dir.parent().unwrap_or(&dir)).expect("backup folder");
    let file = child("--backup-child", &dir, out.path());
    let restored = tempfile::tempdir_in(dir.parent().unwrap_or(&dir)).expect("restore folder");
    child(
        "--restore-child",
        Path::new(file.trim()),
        &restored.path().join("data"),
    );
}

/// Runs this program as a child with `flag A B`, prints its lines, returns its last line.
fn child(flag: &str, a: &Path, b: &Path) -> String {
    let out = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg(flag)
        .arg(a)
        .arg(b)
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "{flag} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut last = String::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("file: ") {
            last = path.to_string();
        } else {
            println!("{line}");
        }
    }
    last
}

/// The demo card file with `photos` photos spread over the first customers, made once.
fn card_file(customers: usize, photos: usize, quick: bool) -> (PathBuf, Option<tempfile::TempDir>) {
    let (dir, keep) = if quick {
        let t = tempfile::tempdir().expect("temp dir");
        (t.path().join("data"), Some(t))
    } else {
        (
            support::bench_data(&format!("backup-{customers}-{photos}")).join("data"),
            None,
        )
    };
    let done_marker = dir.join(".complete");
    if done_marker.exists() {
        return (dir, keep);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    let (kartei, _) = Kartei::open(&dir).expect("open");
    kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
    let generated = started.elapsed().as_secs_f64();
    let ids = kartei
        .search_all(&kartei_core::search::SearchRequest::default())
        .expect("ids");
    let started = Instant::now();
    // Two threads: a phone-sized picture each (1024×768, different noise, so each is a file).
    std::thread::scope(|scope| {
        for part in 0..2usize {
            let kartei = kartei.clone();
            let ids = &ids;
            scope.spawn(move || {
                for n in (part..photos).step_by(2) {
                    // Odd seeds: the noise generator ORs in the low bit.
                    let jpeg = samples::jpeg(1024, 768, 2 * n as u64 + 1);
                    let customer = ids[n % ids.len().max(1)];
                    kartei
                        .add_photo(customer, &jpeg, PhotoKind::After, "", "Bench")
                        .expect("photo");
                }
            });
        }
    });
    drop(kartei);
    std::fs::write(&done_marker, b"").expect("marker");
    println!(
        "card file made: {customers} demo customers in {generated:.1} s, {photos} photos in {:.1} s (kept in {})",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    (dir, keep)
}

/// Opens the card file, backs it up, reads the backup back, changes ten cards and backs up
/// again, as the appliance's nightly run does.
fn backup_child(dir: &Path, out: &Path) {
    let started = Instant::now();
    let (kartei, _) = Kartei::open(dir).expect("open");
    let opened = started.elapsed().as_secs_f64();
    let rss_open = status("VmRSS:");
    reset_peak();
    let started = Instant::now();
    let summary = backup::create(&kartei, out).expect("backup");
    let took = started.elapsed().as_secs_f64();
    let peak = status("VmHWM:");
    let t = &summary.manifest.tables;
    let rows = |name: &str| t.get(name).copied().unwrap_or(0);
    println!(
        "backup: {} customers, {} appointments, {} notes, {} photo files in {took:.1} s \
         (target <= 60 s); file {:.0} MB; peak {:.0} MB above the open card file \
         (target <= 100 MB; opening took {opened:.2} s, {:.0} MB)",
        rows("customers"),
        rows("appointments"),
        rows("notes"),
        summary.manifest.photo_files,
        summary.bytes as f64 / 1e6,
        mb(peak.saturating_sub(rss_open)),
        mb(rss_open),
    );

    reset_peak();
    let before = status("VmRSS:");
    let started = Instant::now();
    let scratch = dir.join(".bench-verify");
    backup::verify(&summary.path, &scratch).expect("verify");
    println!(
        "read back into a test store (every automatic backup does): {:.1} s, peak {:.0} MB above",
        started.elapsed().as_secs_f64(),
        mb(status("VmHWM:").saturating_sub(before))
    );

    let ids = kartei
        .search_all(&kartei_core::search::SearchRequest::default())
        .expect("ids");
    for id in ids.iter().take(10) {
        let customer = kartei.customer(*id).expect("customer");
        let mut draft = kartei.customer_draft(&customer);
        draft.address.street = format!("{} a", draft.address.street.trim());
        kartei
            .update_customer(*id, customer.version, &draft, "Bench")
            .expect("update");
    }
    let started = Instant::now();
    let second = backup::create(&kartei, out).expect("second backup");
    println!(
        "second backup after changing 10 cards: {:.1} s (a full backup again: the format has no increments)",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_file(&second.path);
    println!("file: {}", summary.path.display());
}

/// Restores the backup into an empty folder (tables, photo files, index rebuild).
fn restore_child(file: &Path, target: &Path) {
    let rss = status("VmRSS:");
    let started = Instant::now();
    let report = backup::restore(file, target, false).expect("restore");
    println!(
        "restore: {} customers, {} photo files, index rebuilt, in {:.1} s (target <= 120 s); peak {:.0} MB",
        report.customers,
        report.manifest.photo_files,
        started.elapsed().as_secs_f64(),
        mb(status("VmHWM:").saturating_sub(rss)),
    );
}
