//! The server as a phone's browser meets it over real HTTP (the server on 127.0.0.1, port 0,
//! over a card file with a fixed clock; a hyper client): text compressed with brotli or gzip
//! when asked, the event stream never held back by the compressor, the 404 page for unknown
//! addresses (the JSON error under `/api/`), and sessions that end after the owner's idle time,
//! which a change through the API shortens for the sessions already running.

use crate::support::{read_reply, Reply};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use kartei_core::clock::FixedClock;
use kartei_core::model::Role;
use kartei_core::Kartei;
use serde_json::{json, Value};
use std::io::Read;
use std::sync::Arc;

struct Live {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    kartei: Kartei,
    clock: FixedClock,
    served: crate::support::Served,
    _dir: tempfile::TempDir,
}

impl Live {
    /// An empty card file with the owner Anna (1234) and the stylist Ben (5678) on a free port.
    async fn start() -> Live {
        let dir = tempfile::tempdir().unwrap();
        let start: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap();
        let clock = FixedClock::new(start);
        let (kartei, _) = Kartei::open_with_clock(dir.path(), Arc::new(clock.clone())).unwrap();
        kartei.add_staff("Anna", "1234", Role::Owner).unwrap();
        kartei.add_staff("Ben", "5678", Role::Staff).unwrap();
        let served = crate::support::Served::start(kartei.clone()).await;
        Live {
            base: served.base.clone(),
            client: served.client.clone(),
            kartei,
            clock,
            served,
            _dir: dir,
        }
    }

    async fn stop(self) {
        self.served.stop().await;
    }

    /// Logs `name` in and returns the cookie (`kartei_session=…`).
    async fn login(&self, name: &str, pin: &str) -> String {
        self.served.login(name, pin).await
    }

    fn request(
        &self,
        cookie: Option<&str>,
        method: Method,
        path: &str,
    ) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("x-kartei-csrf", "1");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    async fn open(&self, request: Request<Full<Bytes>>) -> axum::http::Response<Incoming> {
        self.client.request(request).await.unwrap()
    }

    async fn send(
        &self,
        cookie: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let b = self.request(cookie, method, path);
        let request = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::from(v.to_string())),
            None => b.body(Full::default()),
        }
        .unwrap();
        read_reply(self.open(request).await).await
    }

    /// `GET path` with the request headers `headers`.
    async fn get_with(&self, cookie: Option<&str>, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut b = self.request(cookie, Method::GET, path);
        for (name, value) in headers {
            b = b.header(*name, *value);
        }
        read_reply(self.open(b.body(Full::default()).unwrap()).await).await
    }
}

fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "br" => brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap(),
        "gzip" => flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

fn header_of(r: &Reply, name: header::HeaderName) -> &str {
    r.headers
        .get(name)
        .map(|v| v.to_str().unwrap_or(""))
        .unwrap_or("")
}

/// HTML, JS, CSS and JSON come compressed as the browser asks (brotli preferred when it offers
/// both), decode to exactly the plain bytes, and say `Vary: Accept-Encoding`; a client that
/// asks for neither gets them plain; a PNG is never compressed again.
#[tokio::test]
async fn text_is_compressed_with_brotli_or_gzip_when_asked() {
    let live = Live::start().await;
    let cookie = live.login("Anna", "1234").await;
    for i in 0..40 {
        let r = live
            .send(
                Some(&cookie),
                Method::POST,
                "/api/v1/customers",
                Some(json!({"first_name": format!("Kundin{i}"), "last_name": "Komprimiert"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // (The login page is for visitors without a session.)
    for (path, content_type, cookie) in [
        ("/", "text/html", Some(cookie.as_str())),
        ("/login", "text/html", None),
        ("/assets/app.js", "text/javascript", None),
        ("/assets/app.css", "text/css", None),
        (
            "/api/v1/customers?limit=50",
            "application/json",
            Some(&cookie),
        ),
        ("/api/v1/words", "application/json", Some(&cookie)),
    ] {
        let plain = live.get_with(cookie, path, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}: {}", plain.text);
        assert!(
            header_of(&plain, header::CONTENT_TYPE).starts_with(content_type),
            "{path}"
        );
        assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "", "{path}");
        for (accept, want) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
            let r = live
                .get_with(cookie, path, &[("accept-encoding", accept)])
                .await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(
                header_of(&r, header::CONTENT_ENCODING),
                want,
                "{path} {accept}"
            );
            let vary: Vec<String> = r
                .headers
                .get_all(header::VARY)
                .iter()
                .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase())
                .collect();
            assert!(
                vary.iter().any(|v| v.contains("accept-encoding")),
                "{path}: {vary:?}"
            );
            assert!(
                r.bytes.len() < plain.bytes.len(),
                "{path} {accept}: {} ≥ {}",
                r.bytes.len(),
                plain.bytes.len()
            );
            assert_eq!(decode(want, &r.bytes), plain.bytes, "{path} {accept}");
        }
    }
    let js = live
        .get_with(
            Some(&cookie),
            "/assets/app.js",
            &[("accept-encoding", "br")],
        )
        .await;
    let plain_js = kartei_server::pages::ASSETS
        .iter()
        .find(|a| a.path == "/assets/app.js")
        .unwrap()
        .bytes;
    println!(
        "app.js: {} bytes plain, {} with brotli",
        plain_js.len(),
        js.bytes.len()
    );

    let png = live
        .get_with(
            None,
            "/assets/icon-192.png",
            &[("accept-encoding", "br, gzip")],
        )
        .await;
    assert_eq!(png.status, StatusCode::OK);
    assert_eq!(
        header_of(&png, header::CONTENT_ENCODING),
        "",
        "images stay as they are"
    );
    live.stop().await;
}

/// The next piece of an event stream, within 2 s.
async fn next_event(events: &mut Incoming) -> String {
    let frame = tokio::time::timeout(std::time::Duration::from_secs(2), events.frame())
        .await
        .expect("an event within 2 s")
        .expect("the stream is open")
        .expect("a frame");
    String::from_utf8(frame.into_data().expect("data").to_vec()).expect("UTF-8")
}

/// With `Accept-Encoding: br, gzip` the event stream is not compressed (a compressor would
/// hold the events back until its buffer fills) and a change reaches the phone at once.
#[tokio::test]
async fn the_event_stream_is_not_compressed_and_arrives_live() {
    let live = Live::start().await;
    let cookie = live.login("Anna", "1234").await;
    let response = live
        .open(
            live.request(Some(&cookie), Method::GET, "/api/v1/events")
                .header("accept-encoding", "br, gzip")
                .body(Full::default())
                .unwrap(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    let mut events = response.into_body();
    assert!(next_event(&mut events).await.contains("event: hello"));
    let sent = std::time::Instant::now();
    let r = live
        .send(
            Some(&cookie),
            Method::POST,
            "/api/v1/customers",
            Some(json!({"first_name": "Eva", "last_name": "Ereignis"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_u64().unwrap();
    let mut seen = String::new();
    while !seen.contains("customer_created") {
        seen.push_str(&next_event(&mut events).await);
    }
    assert!(seen.contains(&format!("\"id\":{id}")), "{seen}");
    println!("event after {:?}", sent.elapsed());
    drop(events);
    live.stop().await;
}

/// An unknown address is a 404 page in the request's language with a link to the start page,
/// showing the address only escaped, the same with and without a session (so it says nothing
/// about who is logged in); an unknown `/api/…` address is the JSON error.
#[tokio::test]
async fn unknown_addresses_get_the_404_page_and_api_paths_the_json_error() {
    let live = Live::start().await;
    let cookie = live.login("Ben", "5678").await;
    for path in ["/gibt-es-nicht", "/logout/x", "/assets/nope.js"] {
        let r = live.get_with(None, path, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            header_of(&r, header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert!(r.text.contains("<html lang=\"de\">"), "{}", r.text);
        assert!(
            r.text.contains("<h1>Seite nicht gefunden</h1>"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .contains("<a class=\"button\" id=\"to-start\" href=\"/\">Zur Startseite</a>"),
            "{}",
            r.text
        );
        assert!(r
            .text
            .contains(&format!("<code id=\"not-found-path\">{path}</code>")));
        assert!(r.text.contains("/assets/app.css"), "styled like the app");
        // Logged in: the very same page.
        let with = live.get_with(Some(&cookie), path, &[]).await;
        assert_eq!(with.status, StatusCode::NOT_FOUND);
        assert_eq!(with.bytes, r.bytes, "{path}");
        assert!(!with.text.contains("Ben"));
    }
    let en = live
        .get_with(
            None,
            "/gibt-es-nicht",
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    assert!(en.text.contains("<html lang=\"en\">"), "{}", en.text);
    assert!(en.text.contains("Page not found") && en.text.contains("To the start page"));

    // What the address says is shown escaped, and a long one is cut.
    // (A URI cannot carry `<`, `>` or `"` raw; browsers send them percent-encoded, and the
    // page shows them so, never decoded.)
    let hostile = "/%3Cscript%3Ealert(1)%3C/script%3E/it's&amp";
    let r = live.get_with(None, hostile, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        !r.text.contains("<script") && !r.text.contains("it's"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("%3Cscript%3Ealert(1)%3C/script%3E/it&#39;s&amp;amp</code>"),
        "{}",
        r.text
    );
    let long = format!("/{}", "x".repeat(500));
    let r = live.get_with(None, &long, &[]).await;
    assert!(
        r.text.contains(&format!("{}…</code>", "x".repeat(79))),
        "{}",
        r.text
    );
    assert!(!r.text.contains(&"x".repeat(81)));

    for cookie in [None, Some(cookie.as_str())] {
        let r = live.get_with(cookie, "/api/v1/gibt-es-nicht", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(header_of(&r, header::CONTENT_TYPE).starts_with("application/json"));
        assert_eq!(r.body["error"], "not_found", "{}", r.text);
        assert!(r.body["message"].is_string());
    }
    // Compressed like every other page when asked.
    let r = live
        .get_with(None, "/gibt-es-nicht", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(header_of(&r, header::CONTENT_ENCODING), "gzip");
    live.stop().await;
}

/// A session ends after the owner's idle time without a request (12 hours unless set): the
/// API answers 401 (on which the phone app goes to the login page) and the app's pages send
/// the browser to `/login`. A shorter time set through the API applies to the sessions already
/// running at their next request; a stylist may not change it.
#[tokio::test]
async fn sessions_end_after_the_owners_idle_time_and_a_change_applies_at_once() {
    let live = Live::start().await;
    let anna = live.login("Anna", "1234").await;
    let ben = live.login("Ben", "5678").await;
    let me = |cookie: &str| {
        let cookie = cookie.to_string();
        let live = &live;
        async move {
            live.send(Some(&cookie), Method::GET, "/api/v1/me", None)
                .await
                .status
        }
    };
    let r = live
        .send(Some(&ben), Method::GET, "/api/v1/settings/session", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["minutes"], 720);
    assert_eq!(r.body["min"], 15);
    assert_eq!(r.body["max"], 1440);

    // Sliding: 11 h 59 min after the last request is still in time, again and again.
    live.clock.advance(Duration::minutes(719));
    assert_eq!(me(&anna).await, StatusCode::OK);
    assert_eq!(me(&ben).await, StatusCode::OK);
    live.clock.advance(Duration::minutes(719));
    assert_eq!(me(&anna).await, StatusCode::OK);

    // A stylist may not change it; out-of-range values are refused with the field named.
    let r = live
        .send(
            Some(&ben),
            Method::PUT,
            "/api/v1/settings/session",
            Some(json!({"minutes": 30})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = live
        .send(
            Some(&anna),
            Method::PUT,
            "/api/v1/settings/session",
            Some(json!({"minutes": 5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body["fields"]["minutes"], "Bitte eine Dauer von 15 bis 1440 Minuten.",
        "{}",
        r.text
    );
    assert_eq!(live.kartei.settings().session_idle_minutes, 720);

    // The owner shortens it to 15 minutes: Ben, idle for 16 minutes, is out at his next
    // request; Anna, who used the app 10 minutes ago, stays in.
    live.clock.advance(Duration::minutes(6));
    let r = live
        .send(
            Some(&anna),
            Method::PUT,
            "/api/v1/settings/session",
            Some(json!({"minutes": 15})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["minutes"], 15);
    assert_eq!(live.kartei.settings().session_idle_minutes, 15);
    live.clock.advance(Duration::minutes(10));
    assert_eq!(me(&anna).await, StatusCode::OK);
    let r = live.send(Some(&ben), Method::GET, "/api/v1/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert_eq!(r.body["error"], "unauthorized");
    let page = live.get_with(Some(&ben), "/", &[]).await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(header_of(&page, header::LOCATION), "/login");

    // 15 minutes without a request end Anna's session too; a new login works.
    live.clock.advance(Duration::minutes(15));
    assert_eq!(me(&anna).await, StatusCode::UNAUTHORIZED);
    let anna = live.login("Anna", "1234").await;
    assert_eq!(me(&anna).await, StatusCode::OK);
    // Longer again: 14 hours of the new length are fine after a change back to 24 hours.
    let r = live
        .send(
            Some(&anna),
            Method::PUT,
            "/api/v1/settings/session",
            Some(json!({"minutes": 1440})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    live.clock.advance(Duration::hours(14));
    assert_eq!(me(&anna).await, StatusCode::OK);
    live.stop().await;
}
