//! `kartei search QUERY`: the first page of the customer list, as the search box would show it.

use kartei_core::i18n::Word;
use kartei_core::search::{Filter, SearchRequest, Sort};
use kartei_core::{Kartei, Lang};
use std::time::Instant;

pub fn run(
    kartei: &Kartei,
    lang: Lang,
    q: String,
    filter: Filter,
    sort: Sort,
    group: Option<String>,
    limit: usize,
) -> anyhow::Result<()> {
    let group = group.map(|name| kartei.group_id_named(&name)).transpose()?;
    let started = Instant::now();
    let page = kartei.search(&SearchRequest {
        q,
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
            if item.allergy {
                format!("  ⚠ {}", Word::Allergy.text(lang))
            } else {
                String::new()
            }
        );
    }
    let label = Word::Hits.text(lang);
    println!(
        "{} {label} ({:.2} ms)",
        page.total,
        took.as_secs_f64() * 1000.0
    );
    Ok(())
}
