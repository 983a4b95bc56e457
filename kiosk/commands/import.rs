//! `kartei import FILE [--dry-run] [--yes]`: the import preview, then the commit of every new
//! and merged row (after asking, or at once with `--yes`).

use kartei_core::i18n::Word;
use kartei_core::import::{self, ImportPreview, RowAction};
use kartei_core::{Kartei, Lang};
use std::io::BufRead;
use std::path::Path;

pub fn run(
    kartei: &Kartei,
    lang: Lang,
    file: &Path,
    dry_run: bool,
    yes: bool,
) -> anyhow::Result<()> {
    // A file that is missing or unreadable is named with the system's reason.
    let (bytes, name) = import::read_file(file).map_err(|err| match err {
        kartei_core::CoreError::Io(io) => {
            anyhow::Error::new(io).context(file.display().to_string())
        }
        other => other.into(),
    })?;
    let preview = import::preview(kartei, &bytes, &name)?;
    print_preview(&preview, lang);
    let lines = preview.choosable_lines();
    if dry_run || lines.is_empty() {
        println!("{}", Word::CliNothingImported.text(lang));
        return Ok(());
    }
    if !yes {
        eprint!("{}", Word::CliImportAsk.text(lang));
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(
            answer.trim().to_lowercase().as_str(),
            "j" | "ja" | "y" | "yes"
        ) {
            println!("{}", Word::CliCancelled.text(lang));
            return Ok(());
        }
    }
    let outcome = import::commit(kartei, &preview, &lines, "Import")?;
    kartei.flush_index()?;
    println!(
        "{}",
        Word::CliImportDone.fill(
            lang,
            &[
                ("created", &outcome.created.len()),
                ("merged", &outcome.merged.len()),
                ("skipped", &outcome.skipped),
                ("added", &outcome.photos_added),
                ("refused", &outcome.photos_refused),
            ]
        )
    );
    Ok(())
}

fn print_preview(p: &ImportPreview, lang: Lang) {
    for row in &p.rows {
        let what = match &row.action {
            RowAction::New => Word::CliRowNew.text(lang).to_string(),
            RowAction::Merge {
                into,
                card_name: name,
                adds,
                ..
            } => format!(
                "{} {name} (#{into}): {}",
                Word::CliRowCompletes.text(lang),
                adds.join(", ")
            ),
            RowAction::Duplicate { of, .. } => format!("{} #{of}", Word::CliRowAlready.text(lang)),
            RowAction::DuplicateInFile { .. } | RowAction::Invalid { .. } => format!(
                "{}: {}",
                Word::CliRowSkipped.text(lang),
                ImportPreview::reason_texts(row, lang).join("; ")
            ),
        };
        println!("{:>6}  {:<30} {what}", row.line, row.name);
        if let RowAction::Merge { conflicts, .. } = &row.action {
            for c in conflicts {
                println!(
                    "        {}: {} ≠ {} ({})",
                    c.field,
                    c.current,
                    c.imported,
                    Word::ImportKept.text(lang)
                );
            }
        }
        for w in &row.warnings {
            println!("        {}", w.text(lang));
        }
    }
    if !p.unknown_columns.is_empty() {
        println!(
            "{}: {}",
            Word::ImportUnknownColumns.text(lang),
            p.unknown_columns.join(", ")
        );
    }
    let c = p.counts;
    println!(
        "{}",
        Word::CliPreviewCounts.fill(
            lang,
            &[
                ("new", &c.new),
                ("merge", &c.merge),
                ("duplicate", &c.duplicate),
                ("invalid", &c.invalid),
            ]
        )
    );
}
