//! `kartei demo --customers N`: deterministic German demo data.

use kartei_core::Kartei;
use std::time::Instant;

pub fn run(kartei: &Kartei, customers: usize, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    kartei_core::demo::generate(kartei, customers, seed, |n| {
        if n % 10_000 == 0 && n < customers {
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
