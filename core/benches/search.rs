//! The search benchmark of issue 2, as a bench binary that prints figures:
//! `cargo bench -p kartei-core --bench search --features fts5-bench` (set `KARTEI_BENCH_CUSTOMERS` for another size).
//!
//! On 100,000 demo customers (~1,000,000 appointments): opening the store (time, RSS),
//! as-you-type query sequences in process (p50/p99, first page of 50 incl. the total), the same
//! queries against SQLite FTS5 on the same data (prefix indexes, ranked by name) with the ratio,
//! and creating a customer (durable and searchable) p99.

use kartei_core::model::{CustomerDraft, PhoneDraft, PhoneLabel, Source};
use kartei_core::search::{text, SearchRequest};
use kartei_core::Kartei;
use rusqlite::{params, Connection};
use std::time::{Duration, Instant};

const SEQUENCES: &[&[&str]] = &[
    &["m", "mü", "mül", "müll", "mülle", "müller"],
    &["s", "sc", "sch", "schm", "schmi", "schmid", "schmidt"],
    &["a", "an", "ann", "anna", "anna s", "anna sc", "anna sch"],
    &["b", "bä", "bäc", "bäck", "bäcker"],
    &["0171", "0171 2", "0171 23", "0171 234"],
    &["+49 15", "+49 152", "+49 152 1", "+49 152 12"],
    &["j", "ju", "jue", "juer", "juerg", "juergen.", "juergen.m"],
];
const ROUNDS: usize = 30;

fn main() {
    let customers: usize = std::env::var("KARTEI_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let temp = tempfile::tempdir().expect("temp dir");
    // KARTEI_BENCH_DATA=DIR keeps the demo data between runs (generated when DIR is missing).
    let dir = std::env::var_os("KARTEI_BENCH_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().join("data"));
    println!(
        "Kartei search benchmark: {customers} demo customers, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    if !dir.exists() {
        let started = Instant::now();
        let (kartei, _) = Kartei::open(&dir).expect("open");
        kartei_core::demo::generate(&kartei, customers, 2026, |_| {}).expect("demo data");
        println!(
            "demo data generated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    let rss_before = rss_kb();
    let started = Instant::now();
    let (kartei, _) = Kartei::open(&dir).expect("open");
    let open_time = started.elapsed();
    println!(
        "open: {:.0} ms, process RSS after open {:.0} MB (before {:.0} MB)",
        ms(open_time),
        rss_kb() as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );

    // Kartei, in process.
    let queries: Vec<&str> = SEQUENCES.iter().flat_map(|s| s.iter().copied()).collect();
    for q in &queries {
        kartei.search(&request(q)).expect("warm-up");
    }
    let mut kartei_times = Vec::new();
    let mut per_query = vec![Vec::new(); queries.len()];
    let mut totals = Vec::new();
    for round in 0..ROUNDS {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let page = kartei.search(&request(q)).expect("search");
            kartei_times.push(t.elapsed());
            per_query[i].push(t.elapsed());
            if round == 0 {
                totals.push((q.to_string(), page.total, page.items.len()));
            }
        }
    }

    // SQLite FTS5 on the same data.
    let sqlite = build_sqlite(&kartei);
    let mut sqlite_times = Vec::new();
    let mut sqlite_per_query = vec![Vec::new(); queries.len()];
    for _ in 0..2 {
        for q in &queries {
            sqlite_search(&sqlite, q);
        }
    }
    let mut sqlite_totals = Vec::new();
    for round in 0..ROUNDS {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let (_, total) = sqlite_search(&sqlite, q);
            sqlite_times.push(t.elapsed());
            sqlite_per_query[i].push(t.elapsed());
            if round == 0 {
                sqlite_totals.push(total);
            }
        }
    }
    println!("\nquery                 Kartei total  median ms   SQLite total  median ms");
    for (i, (q, total, _)) in totals.iter().enumerate() {
        let k = percentile(&mut per_query[i], 50.0);
        let s = percentile(&mut sqlite_per_query[i], 50.0);
        println!(
            "{q:<20} {total:>13} {:>10.3} {:>14} {:>10.3}",
            ms(k),
            sqlite_totals[i],
            ms(s)
        );
    }
    let (k50, k99) = (
        percentile(&mut kartei_times, 50.0),
        percentile(&mut kartei_times, 99.0),
    );
    let (s50, s99) = (
        percentile(&mut sqlite_times, 50.0),
        percentile(&mut sqlite_times, 99.0),
    );
    println!(
        "\nas-you-type search, first page of 50 + total, {} queries:",
        kartei_times.len()
    );
    println!(
        "  Kartei (tantivy + rows)  p50 {:>7.3} ms   p99 {:>7.3} ms",
        ms(k50),
        ms(k99)
    );
    println!(
        "  SQLite FTS5              p50 {:>7.3} ms   p99 {:>7.3} ms",
        ms(s50),
        ms(s99)
    );
    println!(
        "  ratio SQLite/Kartei      p50 {:>7.1}x     p99 {:>7.1}x",
        ms(s50) / ms(k50),
        ms(s99) / ms(k99)
    );

    // Creating a customer: durable in redb and found by the very next search.
    let mut create_times = Vec::new();
    for i in 0..200 {
        let draft = CustomerDraft {
            first_name: "Bench".into(),
            last_name: format!("Neukundin{i}"),
            phones: vec![PhoneDraft {
                label: PhoneLabel::Mobile,
                number: format!("0171 55{i:05}"),
            }],
            email: format!("bench{i}@example.de"),
            ..Default::default()
        };
        let t = Instant::now();
        let c = kartei
            .create_customer(&draft, Source::Manual, "Bench")
            .expect("create");
        let page = kartei
            .search(&request(&format!("neukundin{i}")))
            .expect("search");
        create_times.push(t.elapsed());
        assert!(
            page.items.iter().any(|item| item.id == c.id),
            "read your writes"
        );
    }
    let (c50, c99) = (
        percentile(&mut create_times, 50.0),
        percentile(&mut create_times, 99.0),
    );
    println!(
        "\ncreate customer (durable + searchable), 200 saves: p50 {:.2} ms   p99 {:.2} ms",
        ms(c50),
        ms(c99)
    );
    println!("process RSS at the end: {:.0} MB", rss_kb() as f64 / 1024.0);
}

fn request(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        limit: 50,
        ..Default::default()
    }
}

fn build_sqlite(kartei: &Kartei) -> Connection {
    let started = Instant::now();
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute_batch(
        "CREATE TABLE customers(id INTEGER PRIMARY KEY, first TEXT, last TEXT, sort_key TEXT, email TEXT, phones TEXT);
         CREATE INDEX customers_sort ON customers(sort_key, id);
         CREATE VIRTUAL TABLE customers_fts USING fts5(first, last, email, phones, content='customers', content_rowid='id',
             tokenize=\"unicode61 remove_diacritics 2 tokenchars '@.'\", prefix='1 2 3 4');",
    )
    .expect("schema");
    let tx = conn.unchecked_transaction().expect("tx");
    {
        let mut insert = tx
            .prepare("INSERT INTO customers(id, first, last, sort_key, email, phones) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .expect("prepare");
        kartei
            .store()
            .for_each_customer(|c| {
                let phones: Vec<String> = c.phones.iter().map(|p| p.digits().to_string()).collect();
                insert
                    .execute(params![
                        c.id.0 as i64,
                        c.first_name,
                        c.last_name,
                        text::name_sort_key(&c.first_name, &c.last_name, &c.company),
                        c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                        phones.join(" ")
                    ])
                    .expect("insert");
                Ok(())
            })
            .expect("customers");
    }
    tx.execute_batch("INSERT INTO customers_fts(customers_fts) VALUES('rebuild');")
        .expect("fts");
    tx.commit().expect("commit");
    println!(
        "\nSQLite FTS5 built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    conn
}

/// The same query in FTS5 terms: every word a prefix (phones as E.164 digit prefixes), the first
/// page ordered by name, and the total.
fn sqlite_search(conn: &Connection, q: &str) -> (usize, i64) {
    let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-/()".contains(c))
        && digits.len() >= 3;
    let fts = if phone_like {
        let normalised = match digits.strip_prefix('0') {
            Some(rest) if !q.trim_start().starts_with('+') => format!("49{rest}"),
            _ => digits,
        };
        format!("phones:\"{normalised}\"*")
    } else {
        q.split_whitespace()
            .map(|w| format!("\"{}\"*", w.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let mut page = conn
        .prepare_cached(
            "SELECT c.id, c.first, c.last FROM customers_fts f JOIN customers c ON c.id = f.rowid
             WHERE customers_fts MATCH ?1 ORDER BY c.sort_key, c.id LIMIT 50",
        )
        .expect("prepare");
    let rows = page
        .query_map([&fts], |r| r.get::<_, i64>(0))
        .expect("query")
        .count();
    let mut count = conn
        .prepare_cached("SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?1")
        .expect("prepare");
    let total: i64 = count.query_row([&fts], |r| r.get(0)).expect("count");
    (rows, total)
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    let i = ((p / 100.0) * (times.len() - 1) as f64).round() as usize;
    times[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
