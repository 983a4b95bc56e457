//! Download benchmark: `GET /api/v1/export.xlsx` of the whole card file (100,000 demo customers
//! with their appointments and notes) and of a filtered list, over real HTTP on 127.0.0.1.
//! Prints the time until the download starts (the core writing the workbook), the total time,
//! the size, and the process's resident memory before and at its peak during the download
//! (sampled every 20 ms), and checks that no temporary file is left in the data folder.
//!
//! `cargo bench -p kartei-server --bench download`; `LOAD_CUSTOMERS` changes the size. The demo
//! data folder is shared with the load benchmark (`target/load-data-N`).

mod common;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kartei_core::model::Role;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Error> {
    let customers: u64 = std::env::var("LOAD_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // Only owners may export the list (the data folder is shared with the load bench, whose
    // login is a stylist's).
    let kartei = common::card_file(customers as usize, "Inhaberin", "9876", Role::Owner)?;
    let dir = kartei.data_dir().to_path_buf();
    let served = common::serve(kartei)?;
    let addr = served.addr;

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = client_rt.block_on(async {
        let http: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let cookie = login(&http, addr).await?;
        for (label, query) in [
            ("whole card file", ""),
            ("filtered (q=Müller)", "?q=M%C3%BCller"),
        ] {
            download(&http, addr, &cookie, label, query).await?;
            let left: Vec<_> = std::fs::read_dir(&dir)?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".download-"))
                .collect();
            if !left.is_empty() {
                return Err(format!("temporary files left: {left:?}").into());
            }
        }
        Ok::<_, Error>(())
    });
    served.stop()?;
    result
}

async fn login(
    http: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    addr: std::net::SocketAddr,
) -> Result<String, Error> {
    let login = Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}/api/v1/login"))
        .header("content-type", "application/json")
        .header("x-kartei-csrf", "1")
        .body(Full::new(Bytes::from(
            r#"{"name":"Inhaberin","pin":"9876"}"#,
        )))?;
    let response = http.request(login).await?;
    if response.status() != StatusCode::OK {
        return Err(format!("login failed: {}", response.status()).into());
    }
    Ok(response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("no session cookie")?
        .to_string())
}

async fn download(
    http: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    addr: std::net::SocketAddr,
    cookie: &str,
    label: &str,
    query: &str,
) -> Result<(), Error> {
    let before = rss_kb();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kb(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let started = Instant::now();
    let request = Request::builder()
        .uri(format!("http://{addr}/api/v1/export.xlsx{query}"))
        .header("cookie", cookie)
        .body(Full::default())?;
    let response = http.request(request).await?;
    let first = started.elapsed();
    if response.status() != StatusCode::OK {
        return Err(format!("export failed: {}", response.status()).into());
    }
    let mut body = response.into_body();
    let mut bytes = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            bytes += data.len() as u64;
        }
    }
    let total = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    println!(
        "download {label}: {:.1} MB; started after {:.2} s (workbook written), complete after \
         {:.2} s; RSS {} MB before, peak {} MB during",
        bytes as f64 / 1e6,
        first.as_secs_f64(),
        total.as_secs_f64(),
        before / 1024,
        peak.load(Ordering::Relaxed) / 1024
    );
    Ok(())
}
