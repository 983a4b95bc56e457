//! Export and import figures: the Excel export of 100,000 demo customers with about a million
//! appointments (time and peak memory), and the import of 10,000 vCards (preview + commit).
//!
//! `cargo bench -p kartei-core --bench export_import` (release). Sizes can be changed with
//! `KARTEI_BENCH_CUSTOMERS` and `KARTEI_BENCH_VCARDS`. Peak memory is the process's VmHWM,
//! reset just before the export (`/proc/self/clear_refs`), so it covers the open card file plus
//! the export, not the generation of the demo data.

use kartei_core::export::{self, ExportQuery};
use kartei_core::{import, Kartei, Lang};
use std::time::Instant;

fn status(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
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
    bench_export(customers);
    bench_import(vcards);
}

fn bench_export(customers: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kartei, _) = Kartei::open(dir.path()).expect("open");
    let started = Instant::now();
    kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
    let mut appointments = 0usize;
    kartei
        .store()
        .for_each_appointment(|_| {
            appointments += 1;
            Ok(())
        })
        .expect("count");
    println!(
        "demo data: {customers} customers, {appointments} appointments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status("VmRSS:");
    let out = dir.path().join("export.xlsx");
    let started = Instant::now();
    // Phase ends, from the progress calls: customers sheet, appointments sheet, notes sheet;
    // the rest is writing the zip.
    let mut marks: Vec<f64> = Vec::new();
    let summary = export::write_xlsx(
        &kartei,
        &ExportQuery::default().scope(),
        Lang::De,
        &out,
        |p| {
            if p.done + 2 >= p.total && p.done > 0 {
                marks.push(started.elapsed().as_secs_f64());
            }
        },
    )
    .expect("export");
    let took = started.elapsed().as_secs_f64();
    if let [customers, appointments, notes, ..] = marks[..] {
        println!(
            "export phases: visit figures + Kunden {customers:.2} s, Termine {:.2} s, \
             Notizen {:.2} s, saving the zip {:.2} s",
            appointments - customers,
            notes - appointments,
            took - notes
        );
    }
    let peak = status("VmHWM:");
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "export: {} customers, {} appointments, {} notes in {took:.2} s; file {:.1} MB; \
         RSS before {:.0} MB, peak during export {:.0} MB (target <= 5 s, <= 150 MB)",
        summary.customers,
        summary.appointments,
        summary.notes,
        size as f64 / 1e6,
        mb(before),
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
