//! `kartei backup [--out DIR]` and `kartei restore FILE [--dry-run]`.
//!
//! A backup is taken by whoever holds the card file: the running appliance (asked over its
//! control socket, [`super::control`]) or, when none runs, this process.

use super::control::{self, Reply, Request};
use kartei_core::backup::status::format_local;
use kartei_core::backup::{self, BackupStatus, BackupSummary, RestoreReport};
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
                match lang {
                    Lang::De => println!(
                        "✓ {}: {} ({} Kunden, {} Fotodateien, {mb:.1} MB, {when}), zurückgelesen und geprüft; {} ältere entfernt.",
                        target.label,
                        good.file.display(),
                        good.customers,
                        good.photo_files,
                        good.removed_old
                    ),
                    Lang::En => println!(
                        "✓ {}: {} ({} customers, {} photo files, {mb:.1} MB, {when}), read back and verified; {} older removed.",
                        target.label,
                        good.file.display(),
                        good.customers,
                        good.photo_files,
                        good.removed_old
                    ),
                }
            }
            (None, None) => {}
        }
    }
    println!("{}", summary_line(&status, lang));
    if failed > 0 {
        anyhow::bail!(match lang {
            Lang::De => format!("{failed} Sicherungsziel(e) fehlgeschlagen."),
            Lang::En => format!("{failed} backup target(s) failed."),
        });
    }
    Ok(())
}

fn summary_line(status: &BackupStatus, lang: Lang) -> String {
    status.summary(chrono::Utc::now(), lang).text
}

fn print_summary(s: &BackupSummary, lang: Lang, secs: f64) {
    let customers = s.manifest.tables.get("customers").copied().unwrap_or(0);
    let mb = s.bytes as f64 / 1_048_576.0;
    match lang {
        Lang::De => println!(
            "Sicherung geschrieben: {} ({customers} Kunden, {} Fotodateien, {mb:.1} MB, {secs:.1} s).",
            s.path.display(),
            s.manifest.photo_files
        ),
        Lang::En => println!(
            "Backup written: {} ({customers} customers, {} photo files, {mb:.1} MB, {secs:.1} s).",
            s.path.display(),
            s.manifest.photo_files
        ),
    }
    if !s.missing_photo_files.is_empty() {
        match lang {
            Lang::De => eprintln!(
                "Achtung: {} Fotodateien fehlten im Datenordner und sind nicht in der Sicherung.",
                s.missing_photo_files.len()
            ),
            Lang::En => eprintln!(
                "Warning: {} photo files were missing from the data folder and are not in the backup.",
                s.missing_photo_files.len()
            ),
        }
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
    match (lang, r.dry_run) {
        (Lang::De, true) => println!(
            "Probelauf: die Sicherung vom {when} (Kartei {}) ist vollständig und unbeschädigt. Wiederhergestellt würden nach {}:",
            h.kartei_version,
            data.display()
        ),
        (Lang::En, true) => println!(
            "Dry run: the backup of {when} (Kartei {}) is complete and undamaged. It would restore into {}:",
            h.kartei_version,
            data.display()
        ),
        (Lang::De, false) => println!(
            "Sicherung vom {when} nach {} wiederhergestellt ({secs:.1} s, Suchindex neu aufgebaut):",
            data.display()
        ),
        (Lang::En, false) => println!(
            "Backup of {when} restored into {} ({secs:.1} s, search index rebuilt):",
            data.display()
        ),
    }
    for (table, rows) in &r.manifest.tables {
        println!("  {table}: {rows}");
    }
    let photos = match lang {
        Lang::De => "Fotodateien",
        Lang::En => "photo files",
    };
    println!("  {photos}: {}", r.manifest.photo_files);
    if r.dry_run {
        match lang {
            Lang::De => println!("Es wurde nichts geschrieben."),
            Lang::En => println!("Nothing was written."),
        }
    }
}
