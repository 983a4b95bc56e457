//! The kiosk's speed targets on 100,000 demo customers (run with `cargo bench --bench kiosk`):
//! keystroke → updated list model ≤ 30 ms p99, opening a card ≤ 50 ms, and scrolling keeps at
//! most a few pages in memory. Prints the figures; exits non-zero when a target is missed.

use kartei::ui_glue::card::card_data;
use kartei::ui_glue::list_model::{
    fetch_page, CustomerListModel, Source, MAX_CACHED_PAGES, PAGE_SIZE,
};
use kartei::ui_glue::worker::Worker;
use kartei_core::search::{Filter, SearchRequest, Sort};
use kartei_core::{Kartei, Lang};
use slint::Model;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const CUSTOMERS: usize = 100_000;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("bench failed: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i.min(times.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run() -> anyhow::Result<bool> {
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let (kartei, _) = Kartei::open(dir.path())?;
    kartei_core::demo::generate(&kartei, CUSTOMERS, 2026, |_| {})?;
    println!(
        "{CUSTOMERS} demo customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let model = CustomerListModel::new(Source {
        kartei: kartei.clone(),
        worker: Worker::Inline,
        lang: Lang::De,
        window: None,
    });
    let mut ok = true;

    // Keystrokes: every prefix of what a receptionist types, with each filter and sort.
    let typed = [
        "Müller",
        "schmidt",
        "Anna",
        "0170",
        "Wagner",
        "ayse",
        "Meier Lena",
        "Fischr",
        "gmx",
        "24.11.",
        "Becker",
        "Sophie",
        "Hoffmann",
    ];
    let mut times = Vec::new();
    for (n, word) in typed.iter().enumerate() {
        let filter = [Filter::All, Filter::WithBookings, Filter::Regular][n % 3];
        let sort = [Sort::NameAsc, Sort::LastVisit, Sort::NameDesc][n % 3];
        let mut q = String::new();
        for c in word.chars() {
            q.push(c);
            let request = SearchRequest {
                q: q.clone(),
                filter,
                sort,
                ..Default::default()
            };
            let t = Instant::now();
            let generation = model.begin(request.clone(), Lang::De);
            let page = fetch_page(&kartei, &request, generation, 0, None, 0, Lang::De)?;
            model.reset(page);
            let _ = model.row_data(0);
            times.push(t.elapsed());
        }
    }
    let count = times.len();
    let (p50, p99, max) = (
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.99),
        percentile(&mut times, 1.0),
    );
    println!(
        "keystroke → list model: {count} keystrokes, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 ≤ 30 ms)",
        ms(p50),
        ms(p99),
        ms(max)
    );
    ok &= p99 <= Duration::from_millis(30);

    // Opening cards: the store read plus everything the card screen shows.
    let ids = kartei
        .search(&SearchRequest {
            filter: Filter::Regular,
            limit: 300,
            ..Default::default()
        })?
        .items;
    let mut times = Vec::new();
    for item in &ids {
        let t = Instant::now();
        let card = kartei.card(item.id, Lang::De)?;
        let data = card_data(&card, Lang::De);
        std::hint::black_box(data);
        times.push(t.elapsed());
    }
    let (p50, p99, max) = (
        percentile(&mut times, 0.5),
        percentile(&mut times, 0.99),
        percentile(&mut times, 1.0),
    );
    println!(
        "open card: {} cards, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target ≤ 50 ms)",
        ids.len(),
        ms(p50),
        ms(p99),
        ms(max)
    );
    ok &= max <= Duration::from_millis(50);

    // Scrolling the whole list top to bottom, a screen (12 rows) at a time, as a flick would.
    let request = SearchRequest::default();
    let generation = model.begin(request.clone(), Lang::De);
    model.reset(fetch_page(
        &kartei,
        &request,
        generation,
        0,
        None,
        0,
        Lang::De,
    )?);
    let total = model.row_count();
    let mut most_cached = 0;
    let t = Instant::now();
    let mut row = 0;
    while row < total {
        for r in row..(row + 12).min(total) {
            let data = model.row_data(r);
            if !data.is_some_and(|d| d.loaded) {
                anyhow::bail!("row {r} did not load");
            }
        }
        most_cached = most_cached.max(model.cached_pages());
        row += 12;
    }
    let scrolled = t.elapsed();
    println!(
        "scroll all {total} rows: {:.0} ms, {} pages of {PAGE_SIZE} loaded one after another, at most {most_cached} in memory (bound {MAX_CACHED_PAGES})",
        ms(scrolled),
        model.pages_loaded.get()
    );
    ok &= most_cached <= MAX_CACHED_PAGES;

    // Jumps from a fresh search (no cursors known yet): to the end, and to the middle.
    let generation = model.begin(request.clone(), Lang::De);
    model.reset(fetch_page(
        &kartei,
        &request,
        generation,
        0,
        None,
        0,
        Lang::De,
    )?);
    let t = Instant::now();
    let last = model.row_data(total - 1).is_some_and(|d| d.loaded);
    let jump_end = t.elapsed();
    let generation = model.begin(request.clone(), Lang::De);
    model.reset(fetch_page(
        &kartei,
        &request,
        generation,
        0,
        None,
        0,
        Lang::De,
    )?);
    let t = Instant::now();
    let middle = model.row_data(total / 2).is_some_and(|d| d.loaded);
    let jump_middle = t.elapsed();
    println!(
        "jump from a fresh search to row {}: {:.0} ms; to row {}: {:.0} ms; {} pages in memory",
        total - 1,
        ms(jump_end),
        total / 2,
        ms(jump_middle),
        model.cached_pages()
    );
    ok &= last && middle && model.cached_pages() <= MAX_CACHED_PAGES;
    println!(
        "{}",
        if ok {
            "all targets met"
        } else {
            "TARGET MISSED"
        }
    );
    Ok(ok)
}
