//! `kartei screenshots --out DIR`: every kiosk screen as PNG, rendered without a display.

use kartei_core::i18n::Word;
use kartei_core::Lang;
use std::path::Path;
use std::time::Instant;

pub fn run(lang: Lang, out: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let files = kartei::ui_glue::screenshots::render_all(out)?;
    for file in &files {
        println!("{}", file.display());
    }
    let secs = format!("{:.1}", started.elapsed().as_secs_f64());
    eprintln!(
        "{}",
        Word::CliScreenshotsDone.fill(lang, &[("n", &files.len()), ("secs", &secs)])
    );
    Ok(())
}
