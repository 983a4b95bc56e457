//! `kartei backup [--out DIR]` and `kartei restore FILE [--dry-run]`.
//!
//! A backup is taken by whoever holds the card file: the running appliance (asked over its
//! control socket, [`super::control`]) or, when none runs, this process.

use super::control::{self, Reply, Request};
use kartei_core::backup::status::format_local;
use kartei_core::backup::{self, BackupStatus, BackupSummary, RestoreReport};
use kartei_core::i18n::Word;
use kartei_core::Lang;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn run_backup(data: &Path, lang: Lang, out: &Path) -> anyhow::Result<()> {
    let out = std::path::absolute(out)?;
    let started = Instant::now();
    let summary = match control::ask(
        data,
        &Request::Backup {
            out: out.clone(),
            lang,
        },
    ) {
        Some(reply) => match reply? {
            Reply::Backup(summary) => summary,
            Reply::Error(message) => anyhow::bail!(message),
            Reply::Backups(_) => anyhow::bail!("unexpected reply"),
        },
        None => {
            let (kartei, _) = kartei_core::Kartei::open(data)?;
            backup::create(&kartei, &out)?
        }
    };
    print_summary(&summary, lang, started.elapsed().as_secs_f64());
    Ok(())
}

/// `kartei backup` without `--out`: the automatic backup now, to every target, verified.
pub fn run_backup_now(data: &Path, lang: Lang, usb_roots: &[PathBuf]) -> anyhow::Result<()> {
    let status = match control::ask(data, &Request::BackupNow) {
        Some(reply) => match reply? {
            Reply::Backups(status) => status,
            Reply::Error(message) => anyhow::bail!(message),
            Reply::Backup(_) => anyhow::bail!("unexpected reply"),
        },
        None => {
            let (kartei, _) = kartei_core::Kartei::open(data)?;
            kartei.run_backups(usb_roots)?
        }
    };
    let mut failed = 0;
    for target in status
        .targets
        .iter()
        .filter(|t| t.last_attempt == status.last_attempt)
    {
        match (&target.error, &target.last_good) {
            (Some(error), _) => {
                failed += 1;
                eprintln!("✗ {}: {}", target.label, error.get(lang));
            }
            (None, Some(good)) => {
                let mb = good.bytes as f64 / 1_048_576.0;
                let when = format_local(good.at, lang);
                println!(
                    "{}",
                    Word::CliBackupTargetGood.fill(
                        lang,
                        &[
                            ("label", &target.label),
                            ("file", &good.file.display()),
                            ("customers", &good.customers),
                            ("photos", &good.photo_files),
                            ("mb", &format!("{mb:.1}")),
                            ("when", &when),
                            ("removed", &good.removed_old),
                        ]
                    )
                );
            }
            (None, None) => {}
        }
    }
    println!("{}", summary_line(&status, lang));
    if failed > 0 {
        anyhow::bail!(Word::CliBackupTargetsFailed.fill(lang, &[("n", &failed)]));
    }
    Ok(())
}

fn summary_line(status: &BackupStatus, lang: Lang) -> String {
    status.summary(chrono::Utc::now(), lang).text
}

fn print_summary(s: &BackupSummary, lang: Lang, secs: f64) {
    let customers = s.manifest.tables.get("customers").copied().unwrap_or(0);
    let mb = s.bytes as f64 / 1_048_576.0;
    println!(
        "{}",
        Word::CliBackupWritten.fill(
            lang,
            &[
                ("file", &s.path.display()),
                ("customers", &customers),
                ("photos", &s.manifest.photo_files),
                ("mb", &format!("{mb:.1}")),
                ("secs", &format!("{secs:.1}")),
            ]
        )
    );
    if !s.missing_photo_files.is_empty() {
        eprintln!(
            "{}",
            Word::CliBackupPhotosMissing.fill(lang, &[("n", &s.missing_photo_files.len())])
        );
    }
}

pub fn run_restore(data: &Path, lang: Lang, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let report = backup::restore(file, data, dry_run)?;
    print_report(&report, data, lang, started.elapsed().as_secs_f64());
    Ok(())
}

fn print_report(r: &RestoreReport, data: &Path, lang: Lang, secs: f64) {
    let h = &r.manifest.header;
    let when = h.created_at.format("%d.%m.%Y %H:%M UTC");
    let line = if r.dry_run {
        Word::CliRestoreDryRun.fill(
            lang,
            &[
                ("when", &when),
                ("version", &h.kartei_version),
                ("dir", &data.display()),
            ],
        )
    } else {
        Word::CliRestored.fill(
            lang,
            &[
                ("when", &when),
                ("dir", &data.display()),
                ("secs", &format!("{secs:.1}")),
            ],
        )
    };
    println!("{line}");
    for (table, rows) in &r.manifest.tables {
        println!("  {table}: {rows}");
    }
    let photos = Word::PhotoFiles.text(lang);
    println!("  {photos}: {}", r.manifest.photo_files);
    if r.erased_left_out > 0 {
        println!(
            "{}",
            Word::CliRestoreErasedLeftOut.fill(lang, &[("n", &r.erased_left_out)])
        );
    }
    if r.dry_run {
        println!("{}", Word::CliNothingWritten.text(lang));
    }
}
