//! The commands of `kartei`, one module each; [`run`] opens the data folder and dispatches.

mod backup;
mod control;
mod demo;
mod discover;
mod duplicates;
mod export;
mod import;
mod kiosk;
mod screenshots;
mod search;
mod serve;
mod staff;

use crate::cli::{Args, Command};
use kartei_core::i18n::Word;
use kartei_core::{Kartei, Lang};
use std::path::Path;
use std::time::Instant;

pub fn run(args: Args) -> anyhow::Result<()> {
    let lang = args.lang();
    let data = args.data_dir()?;
    match args.command {
        // The appliance: the kiosk window (when there is a display) and the LAN server.
        None => {
            let display = !args.headless && kiosk::display_available();
            let mode = if display {
                serve::Mode::Appliance
            } else {
                serve::Mode::NoScreen
            };
            serve::run(&data, lang, args.serve, mode)
        }
        Some(Command::Serve) => serve::run(&data, lang, args.serve, serve::Mode::Serve),
        Some(Command::Staff { command }) => staff::run(&open(&data, lang)?, lang, command),
        Some(Command::Discover { seconds }) => discover::run(lang, seconds),
        Some(Command::Demo { customers, seed }) => {
            demo::run(&open(&data, lang)?, lang, customers, seed)
        }
        Some(Command::Search {
            query,
            filter,
            sort,
            group,
            limit,
        }) => search::run(&open(&data, lang)?, lang, query, filter, sort, group, limit),
        Some(Command::Stats) => {
            let stats = open(&data, lang)?.stats();
            println!("{}", serde_json::to_string_pretty(&stats)?);
            Ok(())
        }
        Some(Command::Export {
            out,
            q,
            filter,
            sort,
            group,
        }) => export::run(&open(&data, lang)?, lang, &out, q, filter, sort, group),
        Some(Command::Import { file, dry_run, yes }) => {
            import::run(&open(&data, lang)?, lang, &file, dry_run, yes)
        }
        Some(Command::Backup { out: Some(out) }) => backup::run_backup(&data, lang, &out),
        Some(Command::Backup { out: None }) => {
            backup::run_backup_now(&data, lang, &args.serve.usb_roots)
        }
        Some(Command::Restore { file, dry_run }) => {
            backup::run_restore(&data, lang, &file, dry_run)
        }
        Some(Command::Duplicates) => duplicates::run(&open(&data, lang)?, lang),
        Some(Command::Merge {
            keep,
            remove,
            take,
            yes,
        }) => duplicates::merge(&open(&data, lang)?, lang, keep, remove, take, yes),
        Some(Command::Screenshots { out }) => screenshots::run(lang, &out),
        Some(Command::GdprRecord) => {
            // The command line runs as the service user, who owns the card file: an owner.
            let kartei = open(&data, lang)?;
            let record = kartei_core::gdpr_record::record_of_processing(
                &kartei,
                kartei_core::model::Role::Owner,
                lang,
            )?;
            print!("{record}");
            Ok(())
        }
        Some(Command::Reindex) => {
            let kartei = open(&data, lang)?;
            let started = Instant::now();
            let n = kartei.reindex()?;
            let secs = format!("{:.1}", started.elapsed().as_secs_f64());
            println!(
                "{}",
                Word::CliReindexed.fill(lang, &[("n", &n), ("secs", &secs)])
            );
            Ok(())
        }
    }
}

/// Opens the card file in `data`, saying so when the search index had to be rebuilt.
pub fn open(data: &Path, lang: Lang) -> anyhow::Result<Kartei> {
    let (kartei, report) = Kartei::open(data)?;
    if report.rebuilt_index && report.customers > 0 {
        eprintln!(
            "{}",
            Word::CliIndexRebuilt.fill(lang, &[("n", &report.customers)])
        );
    }
    Ok(kartei)
}
