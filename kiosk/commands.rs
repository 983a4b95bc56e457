//! One function per command of `kartei`.

use crate::cli::{Args, Command};
use anyhow::{bail, Context};
use kartei_core::search::SearchRequest;
use kartei_core::{Kartei, Lang};
use std::time::Instant;

pub fn run(args: Args) -> anyhow::Result<()> {
    let lang = args.lang();
    let data = args.data_dir()?;
    let open = || -> anyhow::Result<Kartei> {
        let (kartei, report) = Kartei::open(&data)?;
        if report.rebuilt_index {
            eprintln!("Suchindex neu aufgebaut ({} Kunden).", report.customers);
        }
        Ok(kartei)
    };
    match args.command {
        None => {
            let kartei = open()?;
            println!(
                "Kartei: {} Kunden in {}. (Server und Kiosk folgen.)",
                kartei.customer_count(),
                data.display()
            );
            Ok(())
        }
        Some(Command::Demo { customers, seed }) => {
            let kartei = open()?;
            let started = Instant::now();
            kartei_core::demo::generate(&kartei, customers, seed, |n| {
                if n % 10_000 == 0 || n == customers {
                    eprintln!("{n} / {customers}");
                }
            })?;
            println!(
                "{customers} Demo-Kunden angelegt in {:.1} s ({} insgesamt).",
                started.elapsed().as_secs_f64(),
                kartei.customer_count()
            );
            Ok(())
        }
        Some(Command::Search {
            query,
            filter,
            sort,
            group,
            limit,
        }) => {
            let kartei = open()?;
            let group = match group {
                Some(name) => match kartei
                    .groups()
                    .into_iter()
                    .find(|g| g.name.eq_ignore_ascii_case(&name))
                {
                    Some(g) => Some(g.id),
                    None => bail!("unbekannte Gruppe „{name}“"),
                },
                None => None,
            };
            let started = Instant::now();
            let page = kartei.search(&SearchRequest {
                q: query,
                filter,
                sort,
                group,
                limit,
                ..Default::default()
            })?;
            let took = started.elapsed();
            for item in &page.items {
                let phone = item
                    .phones
                    .first()
                    .map(|p| p.display.as_str())
                    .unwrap_or("");
                let last_visit = item
                    .last_visit
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_default();
                println!(
                    "{:>7}  {:<32} {:<18} {:<10} {}{}",
                    item.id,
                    format!("{}, {}", item.last_name, item.first_name),
                    phone,
                    last_visit,
                    item.email.as_deref().unwrap_or(""),
                    if item.allergy { "  ⚠ Allergie" } else { "" }
                );
            }
            let label = if lang == Lang::De {
                "Treffer"
            } else {
                "matches"
            };
            println!(
                "{} {label} ({:.2} ms)",
                page.total,
                took.as_secs_f64() * 1000.0
            );
            Ok(())
        }
        Some(Command::Stats) => {
            let kartei = open()?;
            let stats = kartei.stats();
            println!("{}", serde_json::to_string_pretty(&stats).context("stats")?);
            Ok(())
        }
        Some(Command::Reindex) => {
            let kartei = open()?;
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
