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
use kartei_core::Kartei;
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
            serve::run(&data, args.serve, mode)
        }
        Some(Command::Serve) => serve::run(&data, args.serve, serve::Mode::Serve),
        Some(Command::Staff { command }) => staff::run(&open(&data)?, command),
        Some(Command::Discover { seconds }) => discover::run(seconds),
        Some(Command::Demo { customers, seed }) => demo::run(&open(&data)?, customers, seed),
        Some(Command::Search {
            query,
            filter,
            sort,
            group,
            limit,
        }) => search::run(&open(&data)?, lang, query, filter, sort, group, limit),
        Some(Command::Stats) => {
            let stats = open(&data)?.stats();
            println!("{}", serde_json::to_string_pretty(&stats)?);
            Ok(())
        }
        Some(Command::Export {
            out,
            q,
            filter,
            sort,
            group,
        }) => export::run(&open(&data)?, lang, &out, q, filter, sort, group),
        Some(Command::Import { file, dry_run, yes }) => {
            import::run(&open(&data)?, lang, &file, dry_run, yes)
        }
        Some(Command::Backup { out: Some(out) }) => backup::run_backup(&data, lang, &out),
        Some(Command::Backup { out: None }) => {
            backup::run_backup_now(&data, lang, &args.serve.usb_roots)
        }
        Some(Command::Restore { file, dry_run }) => {
            backup::run_restore(&data, lang, &file, dry_run)
        }
        Some(Command::Duplicates) => duplicates::run(&open(&data)?, lang),
        Some(Command::Merge {
            keep,
            remove,
            take,
            yes,
        }) => duplicates::merge(&open(&data)?, lang, keep, remove, take, yes),
        Some(Command::Screenshots { out }) => screenshots::run(&out),
        Some(Command::Reindex) => {
            let kartei = open(&data)?;
            let started = Instant::now();
            let n = kartei.reindex()?;
            println!(
                "Suchindex neu aufgebaut: {n} Kunden in {:.1} s.",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

/// Opens the card file in `data`, saying so when the search index had to be rebuilt.
pub fn open(data: &Path) -> anyhow::Result<Kartei> {
    let (kartei, report) = Kartei::open(data)?;
    if report.rebuilt_index && report.customers > 0 {
        eprintln!("Suchindex neu aufgebaut ({} Kunden).", report.customers);
    }
    Ok(kartei)
}
