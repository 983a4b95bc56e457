//! A hostile or crowded Wi-Fi against the real `kartei serve` process (issue 13): a burst of
//! logins must not blow up its memory, many idle connections must not stop `/healthz`, and a
//! page on a foreign name (DNS rebinding) gets nothing.

use crate::server_support::Server;
use crate::support::{kartei, stderr};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

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

#[test]
fn a_thousand_idle_connections_do_not_stop_healthz() {
    let dir = tempfile::tempdir().unwrap();
    // systemd's default limit for a service without LimitNOFILE.
    let server = Server::start_with_nofile(dir.path(), &["serve"], 1024);
    let started = Instant::now();
    // A half-sent request head, which the header timeout must close.
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    let idle: Vec<TcpStream> = (0..1000)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    assert_eq!(idle.len(), 1000, "the kernel accepted every connection");
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let asked = Instant::now();
        let r = crate::server_support::try_http(server.port, "GET", "/healthz", &[], None)
            .expect("/healthz answers");
        assert_eq!(r.status, 200);
        slowest = slowest.max(asked.elapsed());
    }
    println!(
        "/healthz with 1,000 idle connections open: slowest of 20 answers {:.1} ms",
        slowest.as_secs_f64() * 1000.0
    );
    assert!(slowest < Duration::from_millis(500), "{slowest:?}");
    // The half-sent head does not hold its slot: the newer connections pushed it out.
    half.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut rest = Vec::new();
    let _ = half.read_to_end(&mut rest);
    println!(
        "a half-sent request head among them was closed after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(idle);
    // Alone, a half-sent head is closed by the header timeout (10 s), not held for ever.
    let started = Instant::now();
    let mut half = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    half.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let _ = half.read_to_end(&mut rest);
    let held = started.elapsed();
    println!(
        "a half-sent request head alone was closed after {:.1} s",
        held.as_secs_f64()
    );
    assert!(
        held >= Duration::from_secs(9) && held < Duration::from_secs(13),
        "{held:?}"
    );
}

/// The status of `GET path` sent with `Host: host` (raw, so any `Host` can be sent).
fn status_for_host(port: u16, path: &str, host: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_real_server_answers_only_to_its_own_names() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            "serve",
            "--no-mdns",
            "--name",
            "salon",
            "--allow-host",
            "kartei.fritz.box,Empfang.lan",
        ],
    );
    let port = server.port;
    for (host, expected) in [
        (format!("evil.example:{port}"), 421),
        (format!("another-kartei.local:{port}"), 421),
        (format!("salon.local:{port}"), 200),
        (format!("kartei.fritz.box:{port}"), 200),
        ("empfang.lan".to_string(), 200),
        (format!("192.168.1.20:{port}"), 200),
        (format!("[::1]:{port}"), 200),
        ("localhost".to_string(), 200),
    ] {
        assert_eq!(status_for_host(port, "/login", &host), expected, "{host}");
    }
    assert_eq!(
        status_for_host(port, "/api/v1/me", &format!("evil.example:{port}")),
        421
    );
}
