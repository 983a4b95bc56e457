//! `kartei demo --customers N`: deterministic German demo data.

use kartei_core::i18n::Word;
use kartei_core::{Kartei, Lang};
use std::time::Instant;

pub fn run(kartei: &Kartei, lang: Lang, customers: usize, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    kartei_core::demo::generate(kartei, customers, seed, |n| {
        if n % 10_000 == 0 && n < customers {
            eprintln!("{n} / {customers}");
        }
    })?;
    let secs = format!("{:.1}", started.elapsed().as_secs_f64());
    println!(
        "{}",
        Word::CliDemoDone.fill(
            lang,
            &[
                ("n", &customers),
                ("secs", &secs),
                ("total", &kartei.customer_count()),
            ]
        )
    );
    Ok(())
}
