//! The LAN server as a user starts it: `kartei staff add`, `kartei serve` on a free port, the
//! JSON API over real HTTP, live events, a clean stop on SIGTERM; the appliance default without
//! a display; advertising and `kartei discover` with real mDNS packets.

use crate::server_support::{try_http, Server};
use crate::support::{kartei, stderr, stdout};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

const CSRF: (&str, &str) = ("X-Kartei-CSRF", "1");

fn login(server: &Server, name: &str, pin: &str) -> String {
    let r = server.request(
        "POST",
        "/api/v1/login",
        &[CSRF],
        Some(&format!(r#"{{"name":"{name}","pin":"{pin}"}}"#)),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_string()
}

#[test]
fn staff_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(
        dir.path(),
        &[
            "staff", "add", "--name", "Anna", "--pin", "1234", "--role", "owner",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(
        dir.path(),
        &["staff", "add", "--name", "Ben", "--pin", "12"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("PIN"), "{}", stderr(&out));
    let out = kartei(dir.path(), &["staff", "list"]);
    let text = stdout(&out);
    assert!(text.contains("Anna") && text.contains("Inhaber"), "{text}");
    assert!(!text.contains("1234"));
    let out = kartei(
        dir.path(),
        &["staff", "add", "--name", "Ben", "--pin", "98765"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(dir.path(), &["staff", "remove", "Anna"]);
    assert!(!out.status.success(), "the last owner stays");
    assert!(stderr(&out).contains("Inhaber"), "{}", stderr(&out));
    let out = kartei(dir.path(), &["staff", "remove", "Ben"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&kartei(dir.path(), &["staff", "list"])).contains("Ben"));
}

#[test]
fn serve_drives_the_api_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = kartei(dir.path(), &["demo", "--customers", "300"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kartei(
        dir.path(),
        &["staff", "add", "--name", "Anna", "--pin", "2468"],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let server = Server::start(dir.path(), &["serve", "--no-mdns"]);
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("Kartei-Server läuft")),
        "{:?}",
        server.banner
    );

    assert_eq!(
        server.request("GET", "/api/v1/customers", &[], None).status,
        401
    );
    let login_page = server.request("GET", "/login", &[], None);
    assert_eq!(login_page.status, 200);
    assert!(
        login_page.body.contains(&server.url),
        "login page shows the address"
    );
    assert!(
        login_page.body.contains("<svg"),
        "login page shows the QR code"
    );
    let page = server.request("GET", "/", &[], None);
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/login"));

    let cookie = login(&server, "Anna", "2468");
    let auth = ("Cookie", cookie.as_str());

    // Live events: open the stream first, then change something.
    let mut events = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        events,
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\n\r\n",
        server.port
    )
    .unwrap();
    let mut events = BufReader::new(events);
    let mut line = String::new();
    while !line.contains("event: hello") {
        line.clear();
        events.read_line(&mut line).expect("event stream opens");
    }

    let created = server.request(
        "POST",
        "/api/v1/customers",
        &[CSRF, auth],
        Some(r#"{"first_name":"Zora","last_name":"Zwiebel","phones":[{"number":"0170 5550123"}],"birthday":"1990-05-17"}"#),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_u64().unwrap();

    let mut seen = String::new();
    while !(seen.contains("customer_created") && line.starts_with("data:")) {
        line.clear();
        events.read_line(&mut line).expect("an event arrives");
        seen.push_str(&line);
    }
    assert!(seen.contains(&format!("\"id\":{id}")), "{seen}");

    let found = server.request("GET", "/api/v1/customers?q=zw", &[auth], None);
    assert_eq!(found.status, 200);
    assert!(found.body.contains("Zwiebel"), "{}", found.body);
    let card = server.request("GET", &format!("/api/v1/customers/{id}"), &[auth], None);
    assert_eq!(card.json()["customer"]["birthday"], "1990-05-17");
    let stats = server.request("GET", "/api/v1/stats", &[auth], None);
    assert_eq!(stats.json()["total_customers"], 301);

    let (status, rest) = server.stop();
    assert!(status.success(), "exit {status:?}");
    assert!(rest.iter().any(|l| l.contains("beendet")), "{rest:?}");

    // What was acknowledged is there after a restart.
    let out = kartei(dir.path(), &["search", "zwiebel"]);
    assert!(stdout(&out).contains("Zwiebel"), "{}", stdout(&out));
}

#[test]
fn appliance_without_a_display_serves_the_lan() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--headless", "--no-mdns"]);
    let banner = server.banner.join("\n");
    assert!(
        banner.contains(
            "Kein Bildschirm gefunden – nur der LAN-Server läuft. Öffnen Sie http://127.0.0.1:"
        ),
        "{banner}"
    );
    assert_eq!(
        try_http(server.port, "GET", "/healthz", &[], None)
            .unwrap()
            .status,
        200
    );
    let (status, _) = server.stop();
    assert!(status.success());
}

#[test]
fn discover_finds_the_advertised_server() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("kartei-e2e-{}", std::process::id());
    let server = Server::start(dir.path(), &["serve", "--name", &name]);
    let out = kartei(dir.path(), &["discover", "--seconds", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains(&name))
        .unwrap_or_else(|| panic!("{name} not listed:\n{text}"));
    assert!(line.contains(&server.port.to_string()), "{line}");
    assert!(line.contains(env!("CARGO_PKG_VERSION")), "{line}");
    let (status, _) = server.stop();
    assert!(status.success());
}
