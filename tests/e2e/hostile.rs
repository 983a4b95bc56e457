//! A hostile or crowded Wi-Fi against the real `kartei serve` process (issue 13): a burst of
//! logins must not blow up its memory, many idle connections must not stop `/healthz`.

use crate::server_support::Server;
use crate::support::{kartei, stderr};
use std::time::Duration;

const CSRF: (&str, &str) = ("X-Kartei-CSRF", "1");

/// The resident memory of process `pid` in MB, from `/proc/PID/status`.
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS line");
    kb / 1024.0
}

#[test]
fn fifty_simultaneous_logins_stay_within_100_mb_of_idle() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(
        dir.path(),
        &[
            "staff", "add", "--name", "Mia", "--pin", "4711", "--role", "owner",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let server = Server::start(dir.path(), &["serve"]);
    // One login first, so that what every later one shares (the session table, the pool's
    // threads) is part of the idle figure.
    let r = server.request(
        "POST",
        "/api/v1/login",
        &[CSRF],
        Some(r#"{"name":"Mia","pin":"4711"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    std::thread::sleep(Duration::from_millis(200));
    let idle = rss_mb(server.pid());
    let started = std::time::Instant::now();
    let port = server.port;
    let logins: Vec<_> = (0..50)
        .map(|_| {
            std::thread::spawn(move || {
                crate::server_support::try_http(
                    port,
                    "POST",
                    "/api/v1/login",
                    &[CSRF],
                    Some(r#"{"name":"Mia","pin":"4711"}"#),
                )
                .map(|r| r.status)
            })
        })
        .collect();
    let mut peak = idle;
    while logins.iter().any(|t| !t.is_finished()) {
        peak = peak.max(rss_mb(server.pid()));
        std::thread::sleep(Duration::from_millis(5));
    }
    for login in logins {
        assert_eq!(login.join().unwrap().expect("answer"), 200);
    }
    let after = rss_mb(server.pid());
    println!(
        "50 simultaneous logins: idle {idle:.0} MB, peak {peak:.0} MB, after {after:.0} MB, \
         all answered in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        peak - idle <= 100.0 && after - idle <= 100.0,
        "idle {idle:.0} MB, peak {peak:.0} MB, after {after:.0} MB"
    );
}
