//! The power-cut drill: phones write over the API while the appliance is killed with SIGKILL at
//! random moments and started again. Every write the server acknowledged must be there after the
//! restart, the search must find it, and nothing may exist twice. A few rounds run in the test
//! suite ([`acknowledged_writes_survive_power_cuts`]); the benchmark `power_cut` runs 100 and
//! prints the figures.

use crate::server_support::{try_http, Server};
use crate::support::kartei;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CSRF: (&str, &str) = ("X-Kartei-CSRF", "1");

/// One write the server answered with 201.
#[derive(Debug, Clone)]
pub struct Acknowledged {
    pub id: u64,
    pub last_name: String,
    /// The note sent with the card (created in the same request).
    pub note: String,
}

/// What a drill saw, for the benchmark's report.
#[derive(Debug, Default)]
pub struct DrillFigures {
    pub acknowledged: usize,
    /// Writes whose answer never came (killed mid-request): allowed to be there or not, once.
    pub unanswered: usize,
    pub unanswered_kept: usize,
    pub restart: Vec<Duration>,
}

/// A last name only this write has: `Strom` and the number spelt in letters (names take no
/// digits), so a search for it finds exactly this card.
fn unique_last_name(n: usize) -> String {
    let mut letters = String::new();
    let mut rest = n;
    loop {
        letters.insert(0, char::from(b'a' + (rest % 26) as u8));
        rest /= 26;
        if rest == 0 {
            break;
        }
    }
    format!("Strom{letters}")
}

fn login(port: u16) -> String {
    let r = try_http(
        port,
        "POST",
        "/api/v1/login",
        &[CSRF],
        Some(r#"{"name":"Mia","pin":"4711"}"#),
    )
    .expect("login answers");
    assert_eq!(r.status, 200, "{}", r.body);
    r.header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

/// Runs `rounds` rounds on a fresh data folder: each round starts the server, lets two writers
/// create cards (each with a note) until one is answered and then a random 0.1–0.8 s more, kills the process with SIGKILL, starts
/// it again and checks every acknowledged write.
pub fn drill(data: &Path, rounds: usize, seed: u64) -> DrillFigures {
    let out = kartei(data, &["staff", "add", "--name", "Mia", "--pin", "4711"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut random = seed | 1;
    let mut next_random = move || {
        // xorshift64: enough to scatter the kill moments, and reproducible from the seed.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut figures = DrillFigures::default();
    let mut all: Vec<Acknowledged> = Vec::new();
    let mut unanswered_names: Vec<String> = Vec::new();
    let counter = Arc::new(Mutex::new(0usize));
    let mut server = Server::start(data, &["serve", "--no-mdns"]);
    for round in 0..rounds {
        let cookie = login(server.port);
        let stop = Arc::new(AtomicBool::new(false));
        let acked_now = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let (stop, counter, cookie, port, acked_now) = (
                    stop.clone(),
                    counter.clone(),
                    cookie.clone(),
                    server.port,
                    acked_now.clone(),
                );
                std::thread::spawn(move || {
                    write_until_stopped(port, &cookie, &stop, &counter, &acked_now)
                })
            })
            .collect();
        // The plug is pulled a random moment after the first write of the round was answered
        // (on a busy machine the first answer can take longer than the whole window).
        let waiting_since = Instant::now();
        while acked_now.load(Ordering::SeqCst) == 0
            && waiting_since.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(100 + next_random() % 700));
        drop(server); // SIGKILL: no shutdown, no flush, like a pulled plug.
        stop.store(true, Ordering::SeqCst);
        for writer in writers {
            let (acked, unanswered) = writer.join().expect("writer thread");
            all.extend(acked);
            unanswered_names.extend(unanswered);
        }
        let started = Instant::now();
        server = Server::start(data, &["serve", "--no-mdns"]);
        figures.restart.push(started.elapsed());
        check_everything_acknowledged_is_there(&server, &all, &unanswered_names, round);
    }
    figures.acknowledged = all.len();
    figures.unanswered = unanswered_names.len();
    let cookie = login(server.port);
    for name in &unanswered_names {
        let found = matches_of(&server, &cookie, name);
        assert!(
            found <= 1,
            "{name}, cut off mid-request, exists {found} times"
        );
        figures.unanswered_kept += found;
    }
    let (status, _) = server.stop();
    assert!(status.success(), "the last start stops cleanly: {status:?}");
    figures
}

/// Creates cards until told to stop or the server is gone; returns what was acknowledged and
/// the names of requests that got no answer.
fn write_until_stopped(
    port: u16,
    cookie: &str,
    stop: &AtomicBool,
    counter: &Mutex<usize>,
    acked_now: &AtomicUsize,
) -> (Vec<Acknowledged>, Vec<String>) {
    let (mut acked, mut unanswered) = (Vec::new(), Vec::new());
    while !stop.load(Ordering::SeqCst) {
        let n = {
            let mut c = counter.lock().expect("counter");
            *c += 1;
            *c
        };
        let last_name = unique_last_name(n);
        let note = format!("Färbung Nr. {n}: 7/1 mit 6 %");
        let body = format!(
            r#"{{"first_name":"Paula","last_name":"{last_name}","phones":[{{"number":"0170 555{:04}"}}],"notes":[{{"kind":"colour_formula","text":"{note}"}}]}}"#,
            n % 10_000
        );
        match try_http(
            port,
            "POST",
            "/api/v1/customers",
            &[CSRF, ("Cookie", cookie)],
            Some(&body),
        ) {
            Ok(r) if r.status == 201 => {
                let id = r.json()["id"].as_u64().expect("the answer names the id");
                acked.push(Acknowledged {
                    id,
                    last_name,
                    note,
                });
                acked_now.fetch_add(1, Ordering::SeqCst);
            }
            // Cut off mid-request: an answer that did not arrive acknowledges nothing.
            Ok(r) if r.status == 0 => {
                unanswered.push(last_name);
            }
            Ok(r) => panic!("a write was refused: {} {}", r.status, r.body),
            Err(_) => {
                unanswered.push(last_name);
                break;
            }
        }
    }
    (acked, unanswered)
}

/// How many cards a search for `last_name` finds with exactly that name.
fn matches_of(server: &Server, cookie: &str, last_name: &str) -> usize {
    let r = server.request(
        "GET",
        &format!("/api/v1/customers?q={last_name}&limit=50"),
        &[("Cookie", cookie)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"]
        .as_array()
        .map(|items| items.iter().filter(|i| i["last_name"] == last_name).count())
        .unwrap_or(0)
}

fn check_everything_acknowledged_is_there(
    server: &Server,
    all: &[Acknowledged],
    unanswered: &[String],
    round: usize,
) {
    let cookie = login(server.port);
    let auth = ("Cookie", cookie.as_str());
    for write in all {
        let card = server.request(
            "GET",
            &format!("/api/v1/customers/{}", write.id),
            &[auth],
            None,
        );
        assert_eq!(card.status, 200, "round {round}: card {} is gone", write.id);
        assert_eq!(
            card.json()["customer"]["last_name"],
            write.last_name.as_str()
        );
        assert!(
            card.body.contains(&write.note),
            "round {round}: the note of card {} is gone",
            write.id
        );
    }
    // The index is rebuilt from the store's change log on start: the newest writes are
    // searchable, each exactly once.
    for write in all.iter().rev().take(40) {
        assert_eq!(
            matches_of(server, &cookie, &write.last_name),
            1,
            "round {round}: {} found once",
            write.last_name
        );
    }
    let stats = server.request("GET", "/api/v1/stats", &[auth], None);
    let total = stats.json()["total_customers"].as_u64().unwrap_or(0) as usize;
    assert!(
        (all.len()..=all.len() + unanswered.len()).contains(&total),
        "round {round}: {total} cards for {} acknowledged and {} unanswered writes",
        all.len(),
        unanswered.len()
    );
}

/// A few power cuts in every test run; the benchmark `power_cut` runs a hundred.
#[test]
fn acknowledged_writes_survive_power_cuts() {
    let dir = tempfile::tempdir().unwrap();
    let figures = drill(dir.path(), 4, 0x5a10a);
    assert!(figures.acknowledged > 0, "{figures:?}");
}
