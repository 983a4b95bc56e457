//! `kartei export --out FILE.xlsx [--q … --filter … --sort … --group …]`: the customer list as an
//! Excel file, with appointments and notes.

use kartei_core::export::{self, ExportQuery};
use kartei_core::i18n::Word;
use kartei_core::search::{Filter, Sort};
use kartei_core::{Kartei, Lang};
use std::path::Path;
use std::time::Instant;

pub fn run(
    kartei: &Kartei,
    lang: Lang,
    out: &Path,
    q: String,
    filter: Filter,
    sort: Sort,
    group: Option<String>,
) -> anyhow::Result<()> {
    let group = group.map(|name| kartei.group_id_named(&name)).transpose()?;
    let query = ExportQuery {
        q,
        filter,
        group,
        sort,
    };
    let started = Instant::now();
    let summary = export::write_xlsx(kartei, &query.scope(), lang, out, "Kommandozeile", |p| {
        if p.total > 20_000 && p.done % 20_000 == 0 {
            eprintln!("{} / {}", p.done, p.total);
        }
    })
    .map_err(kartei_core::usb::disk_full_as_message)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        Word::CliExportDone.fill(
            lang,
            &[
                ("customers", &summary.customers),
                ("appointments", &summary.appointments),
                ("notes", &summary.notes),
                ("file", &out.display()),
                ("secs", &format!("{secs:.1}")),
            ]
        )
    );
    Ok(())
}
