//! Messages, mail settings and newsletters over HTTP (issue 16): every route needs a login,
//! settings and newsletters are the owner's (staff get 403, but may write messages), the
//! password never comes back, errors name their field in the user's language, the newsletter
//! preview counts only confirmed consents and says why the others are left out, and a reply
//! (taken in as the inbox watcher would) lands unread on its card, is marked read, and a mail
//! from a stranger waits in "Nicht zugeordnet" until assigned. The last test runs against real
//! mail servers (`kartei-test-mail`): a wrong password fails the message for good with its
//! reason, "Erneut senden" after fixing it sends it, the reply shows on the card within 2 s,
//! and "Testnachricht senden" reports every step as good.

use crate::support::TestApp;
use axum::http::{header, Method, StatusCode};
use kartei_core::mail::imap::Fetched;
use kartei_core::model::{CustomerId, Role};
use kartei_core::store::MailboxState;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Mail settings pointing at servers that are not there (the mail thread does not run here).
fn settings(password: &str) -> Value {
    json!({
        "address": "salon@kartei.test", "sender_name": "Salon Sonne",
        "smtp_host": "127.0.0.1", "smtp_port": 2525, "smtp_security": "start_tls",
        "imap_host": "127.0.0.1", "imap_port": 1993, "imap_security": "tls",
        "user": "salon", "password": password
    })
}

async fn customer(t: &TestApp, first: &str, body: Value) -> u64 {
    let mut input = json!({"first_name": first, "last_name": "Test"});
    input
        .as_object_mut()
        .unwrap()
        .extend(body.as_object().unwrap().clone());
    let r = t.send(Method::POST, "/api/v1/customers", Some(input)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_u64().unwrap()
}

/// A reply (or any received mail) taken in as the inbox watcher does.
fn receive(t: &TestApp, uid: u32, raw: String) {
    t.kartei
        .take_in(
            "INBOX",
            vec![Fetched {
                uid,
                size: raw.len() as u32,
                raw: raw.into_bytes(),
                truncated: false,
            }],
            &MailboxState {
                uid_validity: 1,
                last_uid: uid,
            },
        )
        .unwrap();
}

#[tokio::test]
async fn every_route_needs_a_login() {
    let t = TestApp::new();
    for (method, path) in [
        (Method::GET, "/api/v1/mail/settings"),
        (Method::PUT, "/api/v1/mail/settings"),
        (Method::POST, "/api/v1/mail/test"),
        (Method::GET, "/api/v1/mail/status"),
        (Method::GET, "/api/v1/mail/templates"),
        (Method::GET, "/api/v1/customers/1/messages"),
        (Method::POST, "/api/v1/customers/1/messages"),
        (Method::POST, "/api/v1/customers/1/messages/read"),
        (Method::POST, "/api/v1/customers/1/consent-request"),
        (Method::GET, "/api/v1/messages/unassigned"),
        (Method::GET, "/api/v1/messages/failed"),
        (Method::POST, "/api/v1/messages/1/assign"),
        (Method::POST, "/api/v1/messages/1/retry"),
        (Method::POST, "/api/v1/messages/1/read"),
        (Method::POST, "/api/v1/newsletters/preview"),
        (Method::POST, "/api/v1/newsletters/test"),
        (Method::POST, "/api/v1/newsletters"),
        (Method::GET, "/api/v1/newsletters"),
        (Method::GET, "/api/v1/newsletters/1"),
        (Method::POST, "/api/v1/newsletters/1/pause"),
    ] {
        let r = t.send(method.clone(), path, Some(json!({}))).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn settings_and_newsletters_are_the_owners_but_staff_write_messages() {
    let mut t = TestApp::logged_in().await;
    t.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let r = t
        .send(
            Method::PUT,
            "/api/v1/mail/settings",
            Some(settings("geheim")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = customer(&t, "Erna", json!({"email": "erna@example.org"})).await;

    t.cookie = Some(t.login_as("Lena", "1357").await);
    for (method, path, body) in [
        (Method::GET, "/api/v1/mail/settings", None),
        (Method::PUT, "/api/v1/mail/settings", Some(settings(""))),
        (Method::POST, "/api/v1/mail/test", None),
        (
            Method::POST,
            "/api/v1/newsletters/preview",
            Some(json!({"audience": {"type": "customers", "ids": [id]}})),
        ),
        (
            Method::POST,
            "/api/v1/newsletters/test",
            Some(json!({"subject": "Hallo", "text": "Neu"})),
        ),
        (
            Method::POST,
            "/api/v1/newsletters",
            Some(
                json!({"audience": {"type": "customers", "ids": [id]}, "subject": "Hallo", "text": "Neu"}),
            ),
        ),
        (Method::GET, "/api/v1/newsletters", None),
        (Method::GET, "/api/v1/newsletters/1", None),
        (
            Method::POST,
            "/api/v1/newsletters/1/pause",
            Some(json!({"paused": true})),
        ),
    ] {
        let r = t.send(method.clone(), path, body).await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.text
        );
        assert!(
            r.body["message"].as_str().unwrap().contains("Inhaber"),
            "{}",
            r.text
        );
    }
    assert_eq!(t.kartei.mail_settings().password, "geheim");

    // Staff write to customers, see the status and the templates.
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/messages"),
            Some(json!({"subject": "Ihr Termin", "text": "Hallo Erna, passt Dienstag?"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["direction"], "out");
    assert_eq!(r.body["by"], "Lena");
    assert_eq!(r.body["delivery"]["state"], "queued");
    assert_eq!(r.body["address"], "erna@example.org");
    let r = t.get("/api/v1/mail/status").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["configured"], true);
    assert_eq!(r.body["unread"], 0);
    let r = t.get("/api/v1/mail/templates").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.body
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "next_de" && t["use"] == "message"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn the_password_goes_in_and_never_comes_out() {
    let t = TestApp::logged_in().await;
    let r = t.get("/api/v1/mail/settings").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["password_set"], false);
    assert_eq!(r.body["smtp_port"], 587);

    let r = t
        .send(
            Method::PUT,
            "/api/v1/mail/settings",
            Some(settings("streng-geheim")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(!r.text.contains("streng-geheim"), "{}", r.text);
    assert_eq!(r.body["password"], "");
    assert_eq!(r.body["password_set"], true);
    assert_eq!(r.body["smtp_host"], "127.0.0.1");
    let r = t.get("/api/v1/mail/settings").await;
    assert!(!r.text.contains("streng-geheim"), "{}", r.text);
    assert_eq!(r.body["password_set"], true);

    // Saving what came back (empty password, with `password_set`) keeps the password.
    let mut again = r.body.clone();
    again["sender_name"] = json!("Salon Mond");
    let r = t
        .send(Method::PUT, "/api/v1/mail/settings", Some(again))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["sender_name"], "Salon Mond");
    assert_eq!(t.kartei.mail_settings().password, "streng-geheim");
    let r = t.get("/api/v1/openapi.json").await;
    assert!(r.text.contains("/api/v1/mail/settings"), "documented");
    assert!(
        r.text.contains("/api/v1/newsletters/{id}/pause"),
        "documented"
    );
}

#[tokio::test]
async fn errors_name_the_field_in_the_users_language() {
    let t = TestApp::logged_in().await;
    let mut bad = settings("x");
    bad["address"] = json!("kein-at-zeichen");
    bad["smtp_port"] = json!(0);
    bad["newsletter_per_minute"] = json!(0);
    bad["templates"] = json!([{"key": "k", "name": "Mein", "use": "message", "lang": "de",
                               "subject": "Hallo {Vornahme}", "body": "x"}]);
    let r = t
        .send(Method::PUT, "/api/v1/mail/settings", Some(bad.clone()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let fields = r.body["fields"].as_object().unwrap();
    for f in [
        "address",
        "smtp_port",
        "newsletter_per_minute",
        "templates.0.subject",
    ] {
        assert!(fields.contains_key(f), "{f}: {}", r.text);
    }
    assert!(
        fields["templates.0.subject"]
            .as_str()
            .unwrap()
            .contains("Vornahme"),
        "{}",
        r.text
    );
    let request = t
        .builder(Method::PUT, "/api/v1/mail/settings")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
        .body(axum::body::Body::from(bad.to_string()))
        .unwrap();
    let en = t.call(request).await;
    assert_eq!(en.status, StatusCode::BAD_REQUEST);
    assert_ne!(en.body["fields"]["address"], r.body["fields"]["address"]);

    // Writing before mail is set up: the reason, no message.
    let id = customer(&t, "Nora", json!({"email": "nora@example.org"})).await;
    let path = format!("/api/v1/customers/{id}/messages");
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"subject": "Hallo", "text": "Text"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("nicht eingerichtet"),
        "{}",
        r.text
    );
    t.send(Method::PUT, "/api/v1/mail/settings", Some(settings("x")))
        .await;
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"subject": "", "text": ""})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["subject"].is_string(), "{}", r.text);
    assert!(r.body["fields"]["text"].is_string(), "{}", r.text);
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"subject": "x".repeat(201), "text": "y".repeat(20_001)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.body["fields"]["subject"]
            .as_str()
            .unwrap()
            .contains("200"),
        "{}",
        r.text
    );
    assert!(
        r.body["fields"]["text"].as_str().unwrap().contains("20"),
        "{}",
        r.text
    );
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"subject": "a", "text": "b", "extra": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"template": "gibt-es-nicht"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // A customer without an address.
    let none = customer(&t, "Ohne", json!({})).await;
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{none}/messages"),
            Some(json!({"subject": "a", "text": "b"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // The body limit holds.
    let r = t
        .send_body(
            Method::POST,
            &path,
            "application/json",
            format!("{{\"subject\":\"a\",\"text\":\"{}\"}}", "z".repeat(2 << 20)).into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
}

#[tokio::test]
async fn a_newsletter_preview_counts_only_confirmed_consent_and_says_why() {
    let t = TestApp::logged_in().await;
    t.send(Method::PUT, "/api/v1/mail/settings", Some(settings("x")))
        .await;
    let group = t.kartei.create_group("Stammkunden").unwrap();
    let mut ids = Vec::new();
    // 4 confirmed, 2 given but not confirmed, 2 without consent, 2 without an address.
    for i in 0..10 {
        let mut body = json!({"groups": ["Stammkunden"]});
        if i < 8 {
            body["email"] = json!(format!("k{i}@example.org"));
        }
        if i < 6 {
            body["marketing_consent"] = json!(true);
        }
        ids.push(customer(&t, &format!("Kundin{i}"), body).await);
    }
    let other = customer(&t, "Fremd", json!({"email": "f@example.org"})).await;
    for (i, &id) in ids.iter().take(4).enumerate() {
        let r = t
            .send(
                Method::POST,
                &format!("/api/v1/customers/{id}/consent-request"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["kind"], "consent_request");
        let header = r.body["header_id"].as_str().unwrap();
        receive(
            &t,
            i as u32 + 1,
            format!(
                "From: <k{i}@example.org>\r\nTo: salon@kartei.test\r\nMessage-ID: <ok-{i}@example.org>\r\n\
                 In-Reply-To: <{header}>\r\nSubject: Re: Bitte bestaetigen\r\n\r\nJa, gerne.\r\n"
            ),
        );
    }
    let card = t.get(&format!("/api/v1/customers/{}", ids[0])).await;
    assert_eq!(
        card.body["customer"]["marketing_consent"]["confirmed"], true,
        "{}",
        card.text
    );
    assert!(
        card.body["customer"]["consent_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["confirmed"] == true && c["proof"].as_str().unwrap().contains("ok-0")),
        "{}",
        card.text
    );

    let started = Instant::now();
    let r = t
        .send(
            Method::POST,
            "/api/v1/newsletters/preview",
            Some(json!({"audience": {"type": "group", "group": group.id.0}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    println!("preview of 10 in {:?}", started.elapsed());
    assert_eq!(r.body["recipients_count"], 4, "{}", r.text);
    assert_eq!(r.body["left_out_count"], 6, "{}", r.text);
    let mut reasons: Vec<String> = r.body["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason_text"].as_str().unwrap().to_string())
        .collect();
    reasons.sort();
    reasons.dedup();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    let recipients: Vec<u64> = r.body["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(recipients, ids[..4].to_vec());

    // The list as filtered (all customers): the same four, `Fremd` left out.
    let r = t
        .send(
            Method::POST,
            "/api/v1/newsletters/preview",
            Some(json!({"audience": {"type": "list", "q": "", "filter": "all"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["recipients_count"], 4, "{}", r.text);
    assert_eq!(r.body["left_out_count"], 7, "{}", r.text);
    let r = t
        .send(
            Method::POST,
            "/api/v1/newsletters/preview",
            Some(json!({"audience": {"type": "list", "filter": "nonsense"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["filter"].is_string(), "{}", r.text);

    // Test, send, progress, pause.
    let r = t
        .send(
            Method::POST,
            "/api/v1/newsletters/test",
            Some(json!({"subject": "Neu bei {Salon}", "text": "Hallo {Vorname}"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["address"], "salon@kartei.test");
    assert_eq!(r.body["text"], "Hallo Anna");
    let r = t
        .send(
            Method::POST,
            "/api/v1/newsletters",
            Some(json!({"audience": {"type": "group", "group": group.id.0}, "label": "Gruppe Stammkunden",
                        "subject": "Neu bei {Salon}", "text": "Hallo {Vorname}, wir haben neue Farben."})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["total"], 4, "{}", r.text);
    assert_eq!(r.body["waiting"], 4, "{}", r.text);
    assert_eq!(r.body["newsletter"]["left_out"], 6, "{}", r.text);
    let nid = r.body["newsletter"]["id"].as_u64().unwrap();
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/newsletters/{nid}/pause"),
            Some(json!({"paused": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["newsletter"]["paused"], true);
    let r = t.get("/api/v1/newsletters").await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{}", r.text);
    assert_eq!(r.body[0]["newsletter"]["audience"], "Gruppe Stammkunden");
    let r = t.get(&format!("/api/v1/newsletters/{nid}")).await;
    assert_eq!(r.body["total"], 4);
    assert_eq!(
        t.get("/api/v1/newsletters/999").await.status,
        StatusCode::NOT_FOUND
    );
    // Nobody outside the audience got one.
    let r = t.get(&format!("/api/v1/customers/{other}/messages")).await;
    assert_eq!(r.body, json!([]));
    let r = t
        .get(&format!("/api/v1/customers/{}/messages", ids[0]))
        .await;
    assert!(
        r.body
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "newsletter"
                && m["text"] == "Hallo Kundin0, wir haben neue Farben."),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn replies_land_unread_on_their_card_and_strangers_wait_to_be_assigned() {
    let t = TestApp::logged_in().await;
    t.send(Method::PUT, "/api/v1/mail/settings", Some(settings("x")))
        .await;
    let id = customer(&t, "Käthe", json!({"email": "kaethe@example.org"})).await;
    let other = customer(&t, "Greta", json!({"email": "greta@example.org"})).await;

    // A template filled for her, then sent.
    let path = format!("/api/v1/customers/{id}/messages");
    let r = t
        .send(Method::POST, &path, Some(json!({"template": "message_de"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        r.body["text"].as_str().unwrap().starts_with("Hallo Käthe,"),
        "{}",
        r.text
    );
    assert_eq!(r.body["subject"], "Nachricht von Salon Sonne");
    let r = t
        .send(
            Method::POST,
            &path,
            Some(json!({"subject": "Termin", "text": "Passt Ihnen Dienstag?"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let sent_id = r.body["id"].as_u64().unwrap();
    let header = r.body["header_id"].as_str().unwrap().to_string();

    // Not failed: nothing to send again.
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/messages/{sent_id}/retry"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    receive(
        &t,
        1,
        format!(
            "From: =?utf-8?q?K=C3=A4the?= <kaethe@example.org>\r\nMessage-ID: <re-1@example.org>\r\n\
             In-Reply-To: <{header}>\r\nSubject: Re: Termin\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
             <p>Ja, <b>gerne</b>!</p><script>alert(1)</script>\r\n"
        ),
    );
    let r = t.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(r.body["unread_messages"], 1, "{}", r.text);
    let entry = r.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "message_in")
        .cloned()
        .unwrap();
    assert_eq!(entry["message"]["unread"], true);
    assert!(entry["message"]["text"].as_str().unwrap().contains("gerne"));
    assert!(!entry["message"]["text"].as_str().unwrap().contains("<b>"));
    assert_eq!(t.get("/api/v1/mail/status").await.body["unread"], 1);

    let r = t.send(Method::POST, &format!("{path}/read"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["marked"], 1);
    assert_eq!(
        t.get(&format!("/api/v1/customers/{id}")).await.body["unread_messages"],
        0
    );
    assert_eq!(
        t.send(Method::POST, "/api/v1/customers/999/messages/read", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A stranger writes: "Nicht zugeordnet", unread, until assigned to Greta.
    receive(
        &t,
        2,
        "From: <unbekannt@example.net>\r\nMessage-ID: <x-2@example.net>\r\nSubject: Frage\r\n\r\nHaben Sie samstags offen?\r\n"
            .to_string(),
    );
    let r = t.get("/api/v1/messages/unassigned").await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{}", r.text);
    let mid = r.body[0]["id"].as_u64().unwrap();
    assert_eq!(r.body[0]["customer"], Value::Null);
    let status = t.get("/api/v1/mail/status").await.body;
    assert_eq!(
        (
            status["unread"].clone(),
            status["unread_unassigned"].clone()
        ),
        (json!(1), json!(1))
    );
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/messages/{mid}/read"),
            Some(json!({"read": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["unread"], false);
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/messages/{mid}/assign"),
            Some(json!({"customer": 999})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/messages/{sent_id}/assign"),
            Some(json!({"customer": other})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an outgoing mail stays: {}",
        r.text
    );
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/messages/{mid}/assign"),
            Some(json!({"customer": other})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["customer"], other);
    assert_eq!(r.body["by"], "Anna");
    assert_eq!(t.get("/api/v1/messages/unassigned").await.body, json!([]));
    let r = t.get(&format!("/api/v1/customers/{other}/messages")).await;
    assert_eq!(r.body[0]["subject"], "Frage", "{}", r.text);
    assert_eq!(
        t.get("/api/v1/customers/999/messages").await.status,
        StatusCode::NOT_FOUND
    );
    let _ = CustomerId(id);
}

/// Waits for `done` up to `limit`, checking every 20 ms.
async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_real_mail_servers_a_failed_send_is_retried_and_the_reply_shows_on_the_card() {
    let servers = kartei_test_mail::MailServers::start().expect("mail servers (scripts/setup)");
    let account = servers.account();
    let t = TestApp::logged_in().await;
    let mut s = json!({
        "address": account.address, "sender_name": "Salon Sonne",
        "smtp_host": "127.0.0.1", "smtp_port": servers.smtp_starttls_port(), "smtp_security": "start_tls",
        "imap_host": "127.0.0.1", "imap_port": servers.imap_tls_port(), "imap_security": "tls",
        "user": account.user, "password": "falsch", "extra_ca_pem": servers.ca_pem()
    });
    let r = t
        .send(Method::PUT, "/api/v1/mail/settings", Some(s.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let _worker = t.kartei.start_mail().unwrap();
    let id = customer(&t, "Jörg", json!({"email": "joerg@example.org"})).await;
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/messages"),
            Some(json!({"subject": "Grüße", "text": "Bis Dienstag!"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let mid = r.body["id"].as_u64().unwrap();

    // The wrong password fails it for good, with the reason.
    let mut failed = Value::Null;
    for _ in 0..250 {
        failed = t.get("/api/v1/messages/failed").await.body;
        if failed.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert_eq!(failed[0]["id"], mid, "{failed}\n{}", servers.logs());
    assert!(
        failed[0]["delivery"]["error"]
            .as_str()
            .unwrap()
            .contains("Passwort"),
        "{failed}"
    );
    assert_eq!(t.get("/api/v1/mail/status").await.body["failed"], 1);
    let r = t.send(Method::POST, "/api/v1/mail/test", None).await;
    assert_eq!(r.body["ok"], false, "{}", r.text);
    assert_eq!(r.body["sent"]["ok"], false, "{}", r.text);
    assert!(
        r.body["sent"]["error"]
            .as_str()
            .unwrap()
            .contains("Passwort"),
        "{}",
        r.text
    );

    // Fixed, sent again: it goes out once.
    s["password"] = json!(account.password);
    let r = t.send(Method::PUT, "/api/v1/mail/settings", Some(s)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = t
        .send(Method::POST, &format!("/api/v1/messages/{mid}/retry"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(
        wait_for(Duration::from_secs(15), || !servers.sent_out().is_empty()).await,
        "{}",
        servers.logs()
    );
    let out = servers.sent_out();
    assert_eq!(out.len(), 1);
    let raw = String::from_utf8_lossy(&out[0].raw).to_string();
    let header = raw
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID:")
                .or_else(|| l.strip_prefix("Message-Id:"))
        })
        .unwrap()
        .trim()
        .to_string();

    // The reply appears on the right card, unread, within 2 s.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reply = format!(
        "From: <joerg@example.org>\r\nTo: {}\r\nMessage-ID: <antwort-1@example.org>\r\nIn-Reply-To: {header}\r\n\
         Subject: Re: Grüße\r\n\r\nDanke, bis dann!\r\n",
        account.address
    );
    servers.deliver_to_inbox(reply.as_bytes()).unwrap();
    let delivered = Instant::now();
    let mut unread = Value::Null;
    while delivered.elapsed() < Duration::from_secs(2) {
        unread = t.get(&format!("/api/v1/customers/{id}")).await.body["unread_messages"].clone();
        if unread == json!(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("reply on the card after {:?}", delivered.elapsed());
    assert_eq!(unread, json!(1), "{}", servers.logs());

    let r = t.send(Method::POST, "/api/v1/mail/test", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ok"], true, "{}", r.text);
    assert!(r.body["arrived_ms"].as_u64().is_some(), "{}", r.text);
}
