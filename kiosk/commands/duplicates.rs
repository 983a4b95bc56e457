//! `kartei duplicates` (the report) and `kartei merge KEEP REMOVE [--take …] [--yes]`.

use kartei_core::i18n::{Msg, Word};
use kartei_core::import::{duplicates, merge};
use kartei_core::model::CustomerId;
use kartei_core::{Kartei, Lang};
use std::io::BufRead;

pub fn run(kartei: &Kartei, lang: Lang) -> anyhow::Result<()> {
    let groups = duplicates::report(kartei)?;
    for g in &groups {
        let reason = match g.reason {
            duplicates::Reason::Phone => Word::DupPhone,
            duplicates::Reason::Email => Word::DupEmail,
            duplicates::Reason::NameAndBirthday => Word::DupNameAndBirthday,
            duplicates::Reason::SimilarName => Word::DupSimilarName,
        }
        .text(lang);
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
        "{}",
        Word::CliPossibleDuplicates.fill(lang, &[("n", &groups.len())])
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
    let (keep, remove) = (CustomerId(keep), CustomerId(remove));
    let preview = merge::preview(kartei, keep, remove)?;
    println!(
        "#{} {} {} #{} {} {}",
        preview.remove.id,
        preview.remove.first_name,
        preview.remove.last_name,
        Word::CliMergeInto.text(lang),
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
        eprint!("{}", Word::CliMergeAsk.text(lang));
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
    println!("{}", Word::CliMergedInto.fill(lang, &[("id", &kept.id)]));
    Ok(())
}
