//! `kartei duplicates` (the report) and `kartei merge KEEP REMOVE [--take …] [--yes]`.

use kartei_core::i18n::Msg;
use kartei_core::import::{duplicates, merge};
use kartei_core::model::CustomerId;
use kartei_core::{Kartei, Lang};
use std::io::BufRead;

pub fn run(kartei: &Kartei, lang: Lang) -> anyhow::Result<()> {
    let de = lang == Lang::De;
    let groups = duplicates::report(kartei)?;
    for g in &groups {
        let reason = match (g.reason, de) {
            (duplicates::Reason::Phone, true) => "gleiche Telefonnummer",
            (duplicates::Reason::Phone, false) => "same phone",
            (duplicates::Reason::Email, true) => "gleiche E-Mail",
            (duplicates::Reason::Email, false) => "same e-mail",
            (duplicates::Reason::NameAndBirthday, true) => "gleicher Name und Geburtstag",
            (duplicates::Reason::NameAndBirthday, false) => "same name and birthday",
            (duplicates::Reason::SimilarName, true) => "ähnlicher Name",
            (duplicates::Reason::SimilarName, false) => "similar name",
        };
        println!("{reason}: {}", g.shared);
        for c in &g.customers {
            println!(
                "  #{:<7} {:<30} {:<20} {}",
                c.id,
                c.name,
                c.phones.first().map(String::as_str).unwrap_or(""),
                c.email.as_deref().unwrap_or("")
            );
        }
    }
    println!(
        "{} {}",
        groups.len(),
        if de {
            "mögliche Dubletten."
        } else {
            "possible duplicates."
        }
    );
    Ok(())
}

pub fn merge(
    kartei: &Kartei,
    lang: Lang,
    keep: u64,
    remove: u64,
    take: Vec<String>,
    yes: bool,
) -> anyhow::Result<()> {
    let de = lang == Lang::De;
    let (keep, remove) = (CustomerId(keep), CustomerId(remove));
    let preview = merge::preview(kartei, keep, remove)?;
    println!(
        "#{} {} {} #{} {} {}",
        preview.remove.id,
        preview.remove.first_name,
        preview.remove.last_name,
        if de { "→" } else { "into" },
        preview.keep.id,
        preview.keep.last_name
    );
    for c in &preview.conflicts {
        let wins = if take.contains(&c.field) {
            &c.removed
        } else {
            &c.kept
        };
        println!("  {}: {} / {} → {wins}", c.field, c.kept, c.removed);
    }
    let moves = preview.moves;
    let moves = Msg::MergeMoves {
        notes: moves.notes,
        patch_tests: moves.patch_tests,
        appointments: moves.appointments,
        photos: moves.photos,
    };
    println!("  {}", moves.text(lang));
    if !yes {
        eprint!(
            "{}",
            if de {
                "Zusammenführen? [j/N] "
            } else {
                "Merge? [y/N] "
            }
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(
            answer.trim().to_lowercase().as_str(),
            "j" | "ja" | "y" | "yes"
        ) {
            return Ok(());
        }
    }
    let request = merge::MergeRequest {
        keep,
        keep_version: preview.keep.version,
        remove,
        remove_version: preview.remove.version,
        take_from_removed: take,
    };
    let kept = merge::apply(kartei, &request, "Kommandozeile")?;
    kartei.flush_index()?;
    println!(
        "{} #{}.",
        if de {
            "Zusammengeführt in"
        } else {
            "Merged into"
        },
        kept.id
    );
    Ok(())
}
