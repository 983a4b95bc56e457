//! `kartei discover`: lists the Kartei appliances that answer on the LAN (mDNS `_kartei._tcp`).

use kartei_core::i18n::Word;
use kartei_core::Lang;
use std::time::Duration;

pub fn run(lang: Lang, seconds: u64) -> anyhow::Result<()> {
    let found = kartei_server::mdns::discover(Duration::from_secs(seconds.max(1)))?;
    if found.is_empty() {
        println!("{}", Word::CliNoKarteiFound.text(lang));
        return Ok(());
    }
    for f in found {
        let address = f
            .addresses
            .first()
            .map(|a| a.to_string())
            .unwrap_or_else(|| f.host.clone());
        println!(
            "{:<32} {:<16} {:>5}  v{}  {}",
            f.name,
            address,
            f.port,
            f.version,
            f.host.trim_end_matches('.')
        );
    }
    Ok(())
}
