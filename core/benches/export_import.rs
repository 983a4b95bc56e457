//! Export and import figures: the Excel export of 100,000 demo customers with about a million
//! appointments (time and peak memory), and the import of 10,000 vCards (preview + commit).
//!
//! `cargo bench -p kartei-core --bench export_import` (release). Sizes can be changed with
//! `KARTEI_BENCH_CUSTOMERS` and `KARTEI_BENCH_VCARDS`.
//!
//! The export runs as `kartei export` would: in a fresh process (this program started again
//! with `--export-child`) that opens the card file and writes the workbook. Its peak memory
//! (VmHWM) therefore covers opening the card file plus the export, and nothing of the demo
//! data's generation. The demo card file is kept in `target/bench-data/` between runs.

use kartei_core::export::{self, ExportQuery};
use kartei_core::{import, Kartei, Lang};
use std::path::{Path, PathBuf};
use std::time::Instant;
use support::{env_or, mb, status};

mod support;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--export-child") {
        let dir = args.get(at + 1).expect("data folder after --export-child");
        export_child(Path::new(dir));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !args.iter().any(|a| a == "--bench");
    let customers = if quick {
        500
    } else {
        env_or("KARTEI_BENCH_CUSTOMERS", 100_000)
    };
    let vcards = if quick {
        200
    } else {
        env_or("KARTEI_BENCH_VCARDS", 10_000)
    };
    bench_export(customers, quick);
    bench_import(vcards);
}

/// The demo card file with `customers` customers, generated once and kept.
fn demo_card_file(customers: usize, quick: bool) -> (PathBuf, Option<tempfile::TempDir>) {
    if quick {
        let dir = tempfile::tempdir().expect("temp dir");
        let (kartei, _) = Kartei::open(dir.path()).expect("open");
        kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
        return (dir.path().to_path_buf(), Some(dir));
    }
    let dir = support::bench_data(&format!("export-{customers}"));
    let done_marker = dir.join(".complete");
    if !done_marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench data folder");
        let started = Instant::now();
        let (kartei, _) = Kartei::open(&dir).expect("open");
        kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
        drop(kartei);
        std::fs::write(&done_marker, b"").expect("marker");
        println!(
            "demo data generated in {:.1} s (kept in {})",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    (dir, None)
}

fn bench_export(customers: usize, quick: bool) {
    let (dir, _keep) = demo_card_file(customers, quick);
    for run in 1..=if quick { 1 } else { 3 } {
        let out = std::process::Command::new(std::env::current_exe().expect("own path"))
            .arg("--export-child")
            .arg(&dir)
            .output()
            .expect("export child");
        assert!(
            out.status.success(),
            "export child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            println!("run {run}: {line}");
        }
    }
}

/// Opens the card file and exports everything, as `kartei export --out FILE` does.
fn export_child(dir: &Path) {
    let started = Instant::now();
    let (kartei, _) = Kartei::open(dir).expect("open");
    let opened = started.elapsed().as_secs_f64();
    let rss_open = status("VmRSS:");
    let out = dir.join("export.xlsx");
    let started = Instant::now();
    // Phase ends, from the progress calls (one step per record read): the Termine sheet ends at
    // the number of appointments, Kunden after the customers, Notizen at the total; the rest is
    // the zip.
    let snapshot = kartei.store().snapshot().expect("snapshot");
    let appointments_end = snapshot.appointment_count().expect("count");
    let customers_end = appointments_end + snapshot.customer_count().expect("count");
    drop(snapshot);
    let mut marks: Vec<f64> = Vec::new();
    let mut next_mark = appointments_end;
    let summary = export::write_xlsx(
        &kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &out,
        "Bench",
        |p| {
            if p.done >= next_mark && marks.len() < 3 {
                marks.push(started.elapsed().as_secs_f64());
                next_mark = if marks.len() == 1 {
                    customers_end
                } else {
                    p.total
                };
            }
        },
    )
    .expect("export");
    let took = started.elapsed().as_secs_f64();
    let peak = status("VmHWM:");
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&out);
    if let [appointments, customers, notes] = marks[..] {
        println!(
            "export phases: names + Termine {appointments:.2} s, Kunden {:.2} s, \
             Notizen {:.2} s, saving the zip {:.2} s",
            customers - appointments,
            notes - customers,
            took - notes
        );
    }
    println!(
        "export: {} customers, {} appointments, {} notes in {took:.2} s (target <= 5 s); \
         file {:.1} MB; opening the card file {opened:.2} s, {:.0} MB; \
         process peak {:.0} MB (target <= 150 MB)",
        summary.customers,
        summary.appointments,
        summary.notes,
        size as f64 / 1e6,
        mb(rss_open),
        mb(peak)
    );
}

fn bench_import(count: usize) {
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller{i};Käthe;;;\r\nFN:Käthe Müller{i}\r\n\
             TEL;type=CELL:+49 171 {:07}\r\nEMAIL:kaethe{i}@example.de\r\n\
             ADR;type=HOME:;;Hauptstraße {};München;;80331;Deutschland\r\n\
             BDAY:1985-03-{:02}\r\nNOTE:Mag es kurz\r\nEND:VCARD\r\n",
            1_000_000 + i,
            i % 200 + 1,
            i % 28 + 1
        ));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (kartei, _) = Kartei::open(dir.path()).expect("open");
    let started = Instant::now();
    let preview = import::preview(&kartei, text.as_bytes(), "kontakte.vcf").expect("preview");
    let previewed = started.elapsed().as_secs_f64();
    let outcome =
        import::commit(&kartei, &preview, &preview.choosable_lines(), "Bench").expect("commit");
    let total = started.elapsed().as_secs_f64();
    println!(
        "import: {count} vCards ({:.1} MB): preview {previewed:.2} s, commit {:.2} s, \
         {} cards created",
        text.len() as f64 / 1e6,
        total - previewed,
        outcome.created.len()
    );
    let started = Instant::now();
    let again = import::preview(&kartei, text.as_bytes(), "kontakte.vcf").expect("preview");
    println!(
        "import again: preview {:.2} s, {} new, {} already there",
        started.elapsed().as_secs_f64(),
        again.counts.new,
        again.counts.duplicate
    );
}
