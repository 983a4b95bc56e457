//! Hostile input at the HTTP edge (issue 13): every value that does not fit its type is a 400
//! naming the field (JSON bodies and query strings), uploads that are not multipart come back
//! as JSON errors, the appointment list is bounded and paged, and heavy searches do not hold
//! up `/healthz`.

use crate::support::{multipart, TestApp, BOUNDARY};
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use kartei_core::model::Role;
use kartei_core::Kartei;
use kartei_server::ServerConfig;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// `fields[field]` of a 400 reply, checked to be there.
fn field<'a>(r: &'a crate::support::Reply, name: &str) -> &'a str {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{:?}",
        r.headers
    );
    r.body["fields"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no field {name}: {}", r.text))
}

async fn customer(t: &TestApp) -> u64 {
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"first_name": "Clara", "last_name": "Feld"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_u64().unwrap()
}

#[tokio::test]
async fn every_body_value_that_does_not_fit_names_its_field() {
    let t = TestApp::logged_in().await;
    let id = customer(&t).await;
    // An unknown enum value deep in the body: named by its path, with the allowed values.
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": "Label", "phones": [
                {"label": "mobile", "number": "0171 2345678"},
                {"label": "home", "number": "089 1234567"}]})),
        )
        .await;
    let text = field(&r, "phones[1].label");
    assert!(
        text.contains("mobile") && text.contains("business"),
        "{text}"
    );
    assert!(r.body["fields"].get("body").is_none(), "{}", r.text);
    // Wrong type, top level and nested.
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": 5})),
        )
        .await;
    assert!(
        field(&r, "last_name").contains("Ungültiger Wert"),
        "German: {}",
        r.text
    );
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": "Adr", "address": {"street": ["x"]}})),
        )
        .await;
    field(&r, "address.street");
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": "Notiz", "notes": [{"kind": "gossip", "text": "x"}]})),
        )
        .await;
    field(&r, "notes[0].kind");
    // A missing field is named itself (not its parent), as "required".
    let r = t
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(json!({"start": "2026-12-01T10:00:00Z"})),
        )
        .await;
    assert_eq!(field(&r, "customer_id"), "Pflichtfeld.", "{}", r.text);
    let r = t
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(json!({"customer_id": id, "start": "2026-12-01T10:00:00Z", "status": "maybe"})),
        )
        .await;
    assert!(field(&r, "status").contains("booked"), "{}", r.text);
    // A partial edit names the field too (the core reads the merged form).
    let r = t
        .send(
            Method::PATCH,
            &format!("/api/v1/customers/{id}"),
            Some(json!({"version": 1, "phones": [{"label": "home", "number": "089 1234567"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let fields = r.body["fields"].as_object().unwrap();
    assert!(
        fields
            .keys()
            .any(|k| k.starts_with("phones") && k.ends_with("label")),
        "{}",
        r.text
    );
    // In English when asked.
    let request = t
        .builder(Method::POST, "/api/v1/customers")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::from(json!({"last_name": 5}).to_string()))
        .unwrap();
    let r = t.call(request).await;
    assert!(
        field(&r, "last_name").contains("Invalid value"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn every_query_value_that_does_not_fit_names_its_parameter() {
    let t = TestApp::logged_in().await;
    for (path, name) in [
        ("/api/v1/customers?limit=many", "limit"),
        ("/api/v1/customers?limit=-1", "limit"),
        ("/api/v1/customers?filter=bogus", "filter"),
        ("/api/v1/appointments?limit=x", "limit"),
        ("/api/v1/audit?limit=x", "limit"),
        ("/api/v1/customers/abc", "id"),
    ] {
        let r = t.get(path).await;
        field(&r, name);
    }
}

#[tokio::test]
async fn uploads_that_are_not_multipart_are_json_errors_naming_the_file() {
    let t = TestApp::logged_in().await;
    let id = customer(&t).await;
    for path in [
        "/api/v1/import".to_string(),
        format!("/api/v1/customers/{id}/photos"),
    ] {
        // Not multipart at all.
        let r = t
            .send_body(Method::POST, &path, "text/plain", b"hello".to_vec())
            .await;
        assert!(field(&r, "file").contains("Formular"), "{path}: {}", r.text);
        // Multipart without a boundary.
        let r = t
            .send_body(Method::POST, &path, "multipart/form-data", b"x".to_vec())
            .await;
        field(&r, "file");
        // Cut off in the middle of the file.
        let mut body = multipart("a.vcf", b"BEGIN:VCARD\r\nFN:Cut\r\n", &[]);
        body.truncate(body.len() - 12);
        let r = t
            .send_body(
                Method::POST,
                &path,
                &format!("multipart/form-data; boundary={BOUNDARY}"),
                body,
            )
            .await;
        field(&r, "file");
    }
}

#[tokio::test]
async fn the_appointment_list_is_bounded_and_paged() {
    let t = TestApp::logged_in().await;
    let id = customer(&t).await;
    for day in 1..=7 {
        let start = format!("2026-03-{day:02}T10:00:00Z");
        let r = t
            .send(
                Method::POST,
                "/api/v1/appointments",
                Some(json!({"customer_id": id, "start": start})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    // Three pages of 3, 3 and 1, soonest first, each appointment once.
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let r = t
            .get(&format!(
                "/api/v1/appointments?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&limit=3&cursor={cursor}"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        pages += 1;
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(
            items
                .iter()
                .map(|a| a["start"].as_str().unwrap().to_string()),
        );
        match &r.body["next_cursor"] {
            Value::String(next) => cursor = next.clone(),
            Value::Null => break,
            other => panic!("{other}"),
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    // More than 366 days, an end before the start, a bad cursor, a page too large.
    for (query, name) in [
        ("from=2026-01-01T00:00:00Z&to=2027-01-03T00:00:00Z", "to"),
        ("from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "to"),
        ("cursor=a%C3%A9b", "cursor"),
        ("cursor=12_", "cursor"),
        ("limit=501", "limit"),
    ] {
        let r = t.get(&format!("/api/v1/appointments?{query}")).await;
        field(&r, name);
    }
    // A whole year is fine.
    let r = t
        .get("/api/v1/appointments?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 7);
}

/// One HTTP/1.1 request on a fresh connection; the reply's status and how long it took.
fn http_get(addr: std::net::SocketAddr, path: &str, cookie: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let head = String::from_utf8_lossy(&reply[..reply.len().min(12)]).to_string();
    let status = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, started.elapsed())
}

/// Four searches for a 56 KB word at once, again and again: each costs real CPU, but they run
/// on the blocking pool two at a time, so the two async workers (as many as the machine has
/// cores here) keep answering `/healthz`. Before, the searches ran on the workers themselves.
#[test]
fn healthz_answers_within_100_ms_while_four_heavy_searches_run() {
    let dir = tempfile::tempdir().unwrap();
    let (kartei, _) = Kartei::open(dir.path()).unwrap();
    kartei.add_staff("Anna", "1234", Role::Owner).unwrap();
    kartei_core::demo::generate(&kartei, 5_000, 7, |_| {}).unwrap();
    kartei.flush_index().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(kartei_server::run(
        listener,
        kartei.clone(),
        ServerConfig {
            public_url: format!("http://{addr}"),
            ..ServerConfig::default()
        },
        None,
        async move {
            let _ = stopped.await;
        },
    ));
    // Log in over the socket.
    let mut s = TcpStream::connect(addr).unwrap();
    let body = json!({"name": "Anna", "pin": "1234"}).to_string();
    write!(
        s,
        "POST /api/v1/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-Kartei-CSRF: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let cookie = reply
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("{reply}"))
        .to_string();
    // A 56 KB word of name letters (the typo-tolerant part of the search is the costly one).
    let word: String = "muellerschmidt".chars().cycle().take(56 * 1024).collect();
    let path = format!("/api/v1/customers?q={word}");
    let (status, single) = http_get(addr, &path, &cookie);
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(4).max(single * 6);
    let searchers: Vec<_> = (0..4)
        .map(|_| {
            let (path, cookie) = (path.clone(), cookie.clone());
            std::thread::spawn(move || {
                let mut took = Vec::new();
                while Instant::now() < deadline {
                    let (status, t) = http_get(addr, &path, &cookie);
                    assert_eq!(status, 200);
                    took.push(t);
                }
                took
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let mut worst = Duration::ZERO;
    let mut probes = 0;
    while Instant::now() + Duration::from_millis(300) < deadline {
        let (status, t) = http_get(addr, "/healthz", "");
        assert_eq!(status, 200);
        worst = worst.max(t);
        probes += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let searches: Vec<Duration> = searchers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let slowest = searches.iter().max().copied().unwrap_or_default();
    eprintln!(
        "one 56 KB search alone {single:?}; {} searches under load, slowest {slowest:?}; \
         /healthz worst {worst:?} over {probes} probes",
        searches.len()
    );
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();
    // The load was real: each search took long enough to hold a worker thread.
    assert!(
        single >= Duration::from_millis(20),
        "a 56 KB search took {single:?}"
    );
    assert!(probes >= 10, "{probes}");
    assert!(
        worst < Duration::from_millis(100),
        "/healthz took {worst:?}"
    );
}

/// The enums the document lists are exactly the values the core takes and sends.
#[tokio::test]
async fn the_documented_enums_are_the_ones_the_core_takes() {
    use kartei_core::model::{AppointmentStatus, ContactChannel};
    use kartei_core::search::{Filter, Sort};
    let t = TestApp::logged_in().await;
    let doc = t.get("/api/v1/openapi.json").await.body;
    let documented = |name: &str| -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let wire = |v: Value| v.as_str().unwrap().to_string();
    let statuses: Vec<String> = [
        AppointmentStatus::Booked,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ]
    .iter()
    .map(|s| wire(serde_json::to_value(s).unwrap()))
    .collect();
    assert_eq!(documented("AppointmentStatusDoc"), statuses);
    let channels: Vec<String> = [
        ContactChannel::Phone,
        ContactChannel::Sms,
        ContactChannel::Email,
        ContactChannel::None,
    ]
    .iter()
    .map(|c| wire(serde_json::to_value(c).unwrap()))
    .collect();
    assert_eq!(documented("ContactChannelDoc"), channels);
    let filters = documented("FilterDoc");
    assert_eq!(filters.len(), 5);
    for f in &filters {
        assert!(f.parse::<Filter>().is_ok(), "{f}");
    }
    let sorts = documented("SortDoc");
    assert_eq!(sorts.len(), 4);
    for s in &sorts {
        assert!(s.parse::<Sort>().is_ok(), "{s}");
        let r = t.get(&format!("/api/v1/customers?sort={s}")).await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
    }
}
