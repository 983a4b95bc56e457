//! `kartei screenshots --out DIR`: every kiosk screen as PNG, rendered without a display.

use std::path::Path;
use std::time::Instant;

pub fn run(out: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let files = kartei::ui_glue::screenshots::render_all(out)?;
    for file in &files {
        println!("{}", file.display());
    }
    eprintln!(
        "{} Bildschirmfotos in {:.1} s.",
        files.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
