//! Load benchmark: 50 concurrent clients search as they type (a request per keystroke, like the
//! phone's search box) for 30 s against 100,000 demo customers, over real HTTP on 127.0.0.1.
//! Prints p50/p99/max latency, throughput and the error count. Goal: 0 errors, p99 ≤ 15 ms.
//!
//! Each client types like a fast typist: a keystroke every `LOAD_KEY_MS` (default 100 ms, i.e.
//! 10 keys/s; the next request goes out at once if the answer came later), a pause of
//! `LOAD_PAUSE_MS` (300 ms) between words. `LOAD_KEY_MS=0 LOAD_PAUSE_MS=0` turns this into a
//! saturation test (every client fires its next request as soon as the answer is in).
//!
//! `cargo bench -p kartei-server --bench load`; `LOAD_CUSTOMERS`, `LOAD_CLIENTS`,
//! `LOAD_SECONDS` change the size (e.g. for a quick run). The demo data folder is cached in
//! `target/load-data-N` so reruns start at once.

mod common;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kartei_core::model::Role;
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What people type: prefixes of common German names, e-mail and phone fragments.
const WORDS: &[&str] = &[
    "Becker",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Anna",
    "Laura",
    "Sabine",
    "Petra",
    "Julia",
    "Maria",
    "Thomas",
    "Michael",
    "Lena",
    "Emma",
    "0170",
    "0151",
    "gmail",
    "Bäcker",
    "Krüger",
    "Zimmermann",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let customers = env_or("LOAD_CUSTOMERS", 100_000);
    let clients = env_or("LOAD_CLIENTS", 50);
    let seconds = env_or("LOAD_SECONDS", 30) as u64;
    let typing = Typing {
        key: Duration::from_millis(env_or("LOAD_KEY_MS", 100) as u64),
        pause: Duration::from_millis(env_or("LOAD_PAUSE_MS", 300) as u64),
    };

    let kartei = common::card_file(customers, "Last", "9876", Role::Staff)?;
    // The server on its own runtime (as in the appliance), the clients on another.
    let served = common::serve(kartei)?;
    let addr = served.addr;

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = client_rt.block_on(load(addr, clients, Duration::from_secs(seconds), typing))?;
    served.stop()?;

    let mut latencies = report.latencies;
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!(
        "load: {clients} clients typing (key {} ms, pause {} ms), {seconds} s, {} customers: \
         {} requests ({:.0}/s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, errors {}",
        typing.key.as_millis(),
        typing.pause.as_millis(),
        customers,
        latencies.len(),
        latencies.len() as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        report.errors
    );
    Ok(())
}

#[derive(Clone, Copy)]
struct Typing {
    key: Duration,
    pause: Duration,
}

struct Report {
    latencies: Vec<Duration>,
    errors: usize,
}

async fn load(
    addr: std::net::SocketAddr,
    clients: usize,
    duration: Duration,
    typing: Typing,
) -> Result<Report, Box<dyn std::error::Error>> {
    let http: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let login = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}/api/v1/login"))
        .header("content-type", "application/json")
        .header("x-kartei-csrf", "1")
        .body(Full::new(Bytes::from(r#"{"name":"Last","pin":"9876"}"#)))?;
    let response = http.request(login).await?;
    if response.status() != StatusCode::OK {
        return Err(format!("login failed: {}", response.status()).into());
    }
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no session cookie")?
        .to_string();

    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for client in 0..clients {
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            // One connection per client, kept alive, like a phone's browser.
            let http: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(1)
                .build_http();
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut word = client;
            // Spread the clients' first keystrokes over one keystroke interval.
            tokio::time::sleep(typing.key * client as u32 / clients.max(1) as u32).await;
            while Instant::now() < deadline {
                let typed: Vec<char> = WORDS[word % WORDS.len()].chars().collect();
                word += 7;
                let mut next_key = tokio::time::Instant::now();
                for n in 1..=typed.len() {
                    tokio::time::sleep_until(next_key).await;
                    next_key += typing.key;
                    let q: String = typed[..n].iter().collect();
                    let uri = format!("http://{addr}/api/v1/customers?q={}&limit=50", encode(&q));
                    let Ok(request) = Request::builder()
                        .uri(uri)
                        .header("cookie", &cookie)
                        .body(Empty::<Bytes>::new())
                    else {
                        errors += 1;
                        continue;
                    };
                    let started = Instant::now();
                    let ok = match http.request(request).await {
                        Ok(response) => {
                            let status = response.status();
                            let body = response.into_body().collect().await;
                            status == StatusCode::OK && body.is_ok()
                        }
                        Err(_) => false,
                    };
                    latencies.push(started.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                tokio::time::sleep(typing.pause).await;
            }
            (latencies, errors)
        }));
    }
    let mut report = Report {
        latencies: Vec::new(),
        errors: 0,
    };
    for task in tasks {
        let (latencies, errors) = task.await?;
        report.latencies.extend(latencies);
        report.errors += errors;
    }
    Ok(report)
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
