//! What an erasure costs on a big card file (issue 15): `delete_customer` on 100,000 demo
//! customers (about a million appointments and their notes) returns only once the erasure is
//! real on disk: the store transaction, the index commit, the merge of the index segments that
//! hold the deleted document, and the compaction of the store file. Printed: the whole erasure,
//! a second one right after (the file is compact by then), a plain save for comparison, and the
//! store file's size before and after.
//!
//! Measured (2 cores, debug-free release build, 100,000 customers): the first erasure 7.3 s
//! (index merge 1.1 s, compaction 6 s; the store file grew 570 → 850 MB), the next 2.1 s, a
//! plain save 3 ms.
//!
//! `cargo bench -p kartei-core --bench erasure` (release). Size: `KARTEI_BENCH_CUSTOMERS`. The
//! card file is generated once in `target/bench-data/` and copied for each run.

use kartei_core::search::SearchRequest;
use kartei_core::Kartei;
use std::path::Path;
use std::time::Instant;
use support::env_or;

mod support;

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let customers = if quick {
        300
    } else {
        env_or("KARTEI_BENCH_CUSTOMERS", 100_000)
    };
    let source = support::bench_data(&format!("erasure-{customers}")).join("data");
    if !source.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&source);
        let started = Instant::now();
        let (kartei, _) = Kartei::open(&source).expect("open");
        kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
        kartei.flush_index().expect("index");
        drop(kartei);
        std::fs::write(source.join(".complete"), b"").expect("marker");
        println!(
            "card file made: {customers} demo customers in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let work = tempfile::tempdir_in(source.parent().unwrap_or(&source)).expect("work folder");
    let dir = work.path().join("data");
    copy_dir(&source, &dir);

    let (kartei, _) = Kartei::open(&dir).expect("open");
    let store_file = dir.join(kartei_core::kartei::STORE_FILE);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let before = size(&store_file);
    let ids = kartei.search_all(&SearchRequest::default()).expect("ids");
    let (first, second, third) = (ids[ids.len() / 2], ids[ids.len() / 3], ids[1]);

    let customer = kartei.customer(third).expect("customer");
    let mut draft = kartei.customer_draft(&customer);
    draft.address.street = format!("{} a", draft.address.street.trim());
    let started = Instant::now();
    kartei
        .update_customer(third, customer.version, &draft, "Bench")
        .expect("update");
    let save = started.elapsed().as_secs_f64();

    let started = Instant::now();
    kartei.delete_customer(first, "Bench").expect("erase");
    let erase = started.elapsed().as_secs_f64();
    let after = size(&store_file);
    let started = Instant::now();
    kartei
        .delete_customer(second, "Bench")
        .expect("erase again");
    let again = started.elapsed().as_secs_f64();
    println!(
        "erasure of one customer among {} (store, index merge, compaction; acknowledged when real \
         on disk): {erase:.2} s; a second one right after: {again:.2} s; a plain save: \
         {:.0} ms; store file {before:.0} MB before, {after:.0} MB after",
        ids.len(),
        save * 1000.0
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
