//! `kartei import FILE [--dry-run] [--yes]`: the import preview, then the commit of every new
//! and merged row (after asking, or at once with `--yes`).

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
    let de = lang == Lang::De;
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
        println!(
            "{}",
            if de {
                "Nichts importiert."
            } else {
                "Nothing imported."
            }
        );
        return Ok(());
    }
    if !yes {
        eprint!(
            "{}",
            if de {
                "Alle neuen und zusammengeführten Zeilen übernehmen? [j/N] "
            } else {
                "Take every new and merged row? [y/N] "
            }
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(
            answer.trim().to_lowercase().as_str(),
            "j" | "ja" | "y" | "yes"
        ) {
            println!("{}", if de { "Abgebrochen." } else { "Cancelled." });
            return Ok(());
        }
    }
    let outcome = import::commit(kartei, &preview, &lines, "Import")?;
    kartei.flush_index()?;
    if de {
        println!(
            "{} neu angelegt, {} ergänzt, {} übersprungen; {} Fotos übernommen, {} nicht lesbar.",
            outcome.created.len(),
            outcome.merged.len(),
            outcome.skipped,
            outcome.photos_added,
            outcome.photos_refused
        );
    } else {
        println!(
            "{} created, {} completed, {} skipped; {} photos added, {} unreadable.",
            outcome.created.len(),
            outcome.merged.len(),
            outcome.skipped,
            outcome.photos_added,
            outcome.photos_refused
        );
    }
    Ok(())
}

fn print_preview(p: &ImportPreview, lang: Lang) {
    let de = lang == Lang::De;
    for row in &p.rows {
        let what = match &row.action {
            RowAction::New => (if de { "neu" } else { "new" }).to_string(),
            RowAction::Merge {
                into,
                card_name: name,
                adds,
                ..
            } => format!(
                "{} {name} (#{into}): {}",
                if de { "ergänzt" } else { "completes" },
                adds.join(", ")
            ),
            RowAction::Duplicate { of, .. } => format!(
                "{} #{of}",
                if de {
                    "schon vorhanden:"
                } else {
                    "already there:"
                }
            ),
            RowAction::DuplicateInFile { .. } | RowAction::Invalid { .. } => format!(
                "{}: {}",
                if de { "übersprungen" } else { "skipped" },
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
                    if de { "bleibt" } else { "kept" }
                );
            }
        }
        for w in &row.warnings {
            println!("        {}", w.text(lang));
        }
    }
    if !p.unknown_columns.is_empty() {
        println!(
            "{} {}",
            if de {
                "Unbekannte Spalten (nicht übernommen):"
            } else {
                "Unknown columns (not imported):"
            },
            p.unknown_columns.join(", ")
        );
    }
    let c = p.counts;
    if de {
        println!(
            "Vorschau: {} neu, {} ergänzen, {} schon vorhanden, {} ungültig.",
            c.new, c.merge, c.duplicate, c.invalid
        );
    } else {
        println!(
            "Preview: {} new, {} to complete, {} already there, {} invalid.",
            c.new, c.merge, c.duplicate, c.invalid
        );
    }
}
