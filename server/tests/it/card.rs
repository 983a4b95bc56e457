//! The card's notes, patch tests and appointments over real HTTP: the server runs with
//! [`kartei_server::run`] on 127.0.0.1 (port 0) over a card file with a fixed clock (so the
//! 24-hour lock of colour formulas is tested without waiting), and a hyper client logs in as
//! Anna and drives it with the app's CSRF header, as the phone does.

use crate::support::{read_reply, Reply};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use kartei_core::clock::FixedClock;
use kartei_core::model::Role;
use kartei_core::Kartei;
use serde_json::{json, Value};
use std::sync::Arc;

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

struct Live {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    cookie: String,
    clock: FixedClock,
    served: crate::support::Served,
    _dir: tempfile::TempDir,
}

impl Live {
    /// An empty card file with the owner Anna on a free port, logged in.
    async fn start() -> Live {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::new(start_time());
        let (kartei, _) = Kartei::open_with_clock(dir.path(), Arc::new(clock.clone())).unwrap();
        kartei.add_staff("Anna", "1234", Role::Owner).unwrap();
        let served = crate::support::Served::start(kartei).await;
        let mut live = Live {
            base: served.base.clone(),
            client: served.client.clone(),
            cookie: String::new(),
            clock,
            served,
            _dir: dir,
        };
        live.login().await;
        live
    }

    async fn login(&mut self) {
        self.cookie = self.served.login("Anna", "1234").await;
    }

    /// The clock `by` later. A phone idle for longer than the session length (12 hours) has to
    /// log in again, as Anna does here.
    async fn later(&mut self, by: Duration) {
        self.clock.advance(by);
        if by >= Duration::hours(12) {
            self.login().await;
        }
    }

    async fn stop(self) {
        self.served.stop().await;
    }

    fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
    }

    async fn call(&self, builder: axum::http::request::Builder, body: Option<Value>) -> Reply {
        let request = match body {
            Some(v) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::from(v.to_string())),
            None => builder.body(Full::default()),
        }
        .unwrap();
        read_reply(self.client.request(request).await.unwrap()).await
    }

    /// A request as the phone app sends it (same session, CSRF header).
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let builder = self.request(method, path).header("x-kartei-csrf", "1");
        self.call(builder, body).await
    }

    async fn send_in(&self, lang: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
        let builder = self
            .request(method, path)
            .header("x-kartei-csrf", "1")
            .header(header::ACCEPT_LANGUAGE, lang);
        self.call(builder, body).await
    }

    async fn card(&self, id: u64) -> Value {
        let r = self
            .send(Method::GET, &format!("/api/v1/customers/{id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.body
    }

    async fn customer(&self, first: &str, last: &str) -> u64 {
        let r = self
            .send(
                Method::POST,
                "/api/v1/customers",
                Some(json!({"first_name": first, "last_name": last})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body["id"].as_u64().unwrap()
    }

    async fn note(&self, customer: u64, note: Value) -> Value {
        let r = self
            .send(
                Method::POST,
                &format!("/api/v1/customers/{customer}/notes"),
                Some(note),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }
}

#[tokio::test]
async fn notes_are_edited_pinned_and_deleted() {
    let live = Live::start().await;
    let id = live.customer("Nele", "Notiz").await;
    let older = live
        .note(id, json!({"kind": "preference", "text": "Mag Tee"}))
        .await;
    live.clock.advance(Duration::minutes(5));
    let newer = live
        .note(id, json!({"kind": "general", "text": "Neu"}))
        .await;
    let path = format!("/api/v1/notes/{}", older["id"]);

    // Pin the older note: only the pin changes, and it comes first on the card.
    let r = live
        .send(Method::PATCH, &path, Some(json!({"pinned": true})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (&r.body["pinned"], &r.body["text"], &r.body["editable"]),
        (&json!(true), &json!("Mag Tee"), &json!(true))
    );
    assert!(r.body["locked"].is_null());
    let card = live.card(id).await;
    assert_eq!(card["notes"][0]["id"], older["id"]);
    assert_eq!(card["notes"][1]["id"], newer["id"]);

    // Edit with PUT (the whole note); the author and creation time stay.
    let r = live
        .send(
            Method::PUT,
            &path,
            Some(json!({"kind": "allergy", "text": "Duftstoffe", "pinned": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["author"], "Anna");
    assert_eq!(r.body["created_at"], older["created_at"]);
    let card = live.card(id).await;
    assert_eq!(card["notes"][0]["text"], "Duftstoffe");
    assert_eq!(card["warnings"][0]["kind"], "allergy");

    // Unpin; a bad value is refused naming the field, in the request's language.
    let r = live
        .send(Method::PATCH, &path, Some(json!({"pinned": false})))
        .await;
    assert_eq!(r.body["pinned"], false);
    let r = live
        .send_in("en", Method::PATCH, &path, Some(json!({"pinned": "yes"})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["pinned"].is_string(), "{}", r.text);
    let r = live
        .send(
            Method::PUT,
            &path,
            Some(json!({"kind": "general", "text": " "})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"]["text"].is_string(), "{}", r.text);
    let long = "x".repeat(10_001);
    let r = live
        .send(Method::PATCH, &path, Some(json!({"text": long})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);

    // Delete; it is gone from the card, and a second delete is 404.
    let r = live.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let card = live.card(id).await;
    assert_eq!(card["notes"].as_array().unwrap().len(), 1);
    assert!(card["warnings"].as_array().unwrap().is_empty());
    let r = live.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = live
        .send(
            Method::PATCH,
            "/api/v1/notes/999",
            Some(json!({"pinned": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Without the app's CSRF header (another site's form), nothing changes.
    let other = format!("/api/v1/notes/{}", newer["id"]);
    let builder = live
        .request(Method::DELETE, &other)
        .header(header::ORIGIN, "http://evil.example");
    let r = live.call(builder, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "cross_origin");
    assert_eq!(live.card(id).await["notes"].as_array().unwrap().len(), 1);
    live.stop().await;
}

#[tokio::test]
async fn a_colour_formula_locks_after_24_hours_and_says_why() {
    let mut live = Live::start().await;
    let id = live.customer("Fara", "Farbe").await;
    let formula = json!({"products": "Koleston 7/1 30 g + 6/0 30 g", "developer": "6 %",
                         "processing_minutes": 35, "result": "gleichmäßig"});
    let note = live
        .note(
            id,
            json!({"kind": "colour_formula", "text": "", "formula": formula}),
        )
        .await;
    let path = format!("/api/v1/notes/{}", note["id"]);
    // Within 24 hours the formula can be corrected, key by key.
    live.later(Duration::hours(23)).await;
    let r = live
        .send(
            Method::PATCH,
            &path,
            Some(json!({"formula": {"developer": "9 %"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["formula"]["developer"], "9 %");
    assert_eq!(r.body["formula"]["products"], formula["products"]);
    assert_eq!(r.body["formula"]["processing_minutes"], 35);

    live.later(Duration::hours(2)).await;
    let card = live.card(id).await;
    assert_eq!(
        (
            &card["notes"][0]["editable"],
            &card["notes"][0]["deletable"]
        ),
        (&json!(false), &json!(false))
    );
    assert_eq!(
        card["notes"][0]["locked"],
        "Farbrezepte können nach 24 Stunden nicht mehr geändert werden."
    );
    for (lang, message) in [
        (
            "de",
            "Farbrezepte können nach 24 Stunden nicht mehr geändert werden.",
        ),
        ("en", "Colour formulas cannot be changed after 24 hours."),
    ] {
        let r = live
            .send_in(
                lang,
                Method::PATCH,
                &path,
                Some(json!({"formula": {"result": "zu dunkel"}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
        assert_eq!(
            (r.body["error"].as_str(), r.body["message"].as_str()),
            (Some("forbidden"), Some(message))
        );
    }
    let r = live
        .send(
            Method::PUT,
            &path,
            Some(json!({"kind": "general", "text": "kein Rezept mehr"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = live.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        r.body["message"],
        "Farbrezepte werden nur zusammen mit der Kundin/dem Kunden gelöscht."
    );
    // The pin is not part of the record: it still changes.
    let r = live
        .send(Method::PATCH, &path, Some(json!({"pinned": true})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let card = live.card(id).await;
    assert_eq!(card["notes"][0]["pinned"], true);
    assert_eq!(card["notes"][0]["formula"]["developer"], "9 %");
    live.stop().await;
}

#[tokio::test]
async fn a_recorded_patch_test_ends_the_warning() {
    let mut live = Live::start().await;
    let id = live.customer("Paula", "Patch").await;
    live.note(
        id,
        json!({"kind": "colour_formula", "text": "", "formula": {"products": "Majirel 6.3"}}),
    )
    .await;
    let card = live.card(id).await;
    assert_eq!(card["warnings"][0]["kind"], "patch_test_missing");
    assert!(card["latest_patch_test"].is_null());

    let path = format!("/api/v1/customers/{id}/patch-tests");
    let r = live
        .send(
            Method::POST,
            &path,
            Some(json!({"date": "2026-11-25", "product": "Majirel", "result": "passed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body["fields"]["date"],
        "Das Datum des Allergietests liegt in der Zukunft."
    );
    let r = live
        .send(
            Method::POST,
            &path,
            Some(json!({"product": "x".repeat(201), "result": "passed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["product"].is_string());
    let r = live
        .send(Method::POST, &path, Some(json!({"result": "maybe"})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = live
        .send(
            Method::POST,
            "/api/v1/customers/999/patch-tests",
            Some(json!({"result": "passed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);

    let r = live
        .send(
            Method::POST,
            &path,
            Some(json!({"date": "2026-11-24", "product": "Majirel", "result": "passed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        (&r.body["by"], &r.body["result"]),
        (&json!("Anna"), &json!("passed"))
    );
    let card = live.card(id).await;
    assert!(
        card["warnings"].as_array().unwrap().is_empty(),
        "{}",
        card["warnings"]
    );
    let latest = &card["latest_patch_test"];
    assert_eq!(
        (&latest["valid"], &latest["valid_until"], &latest["product"]),
        (&json!(true), &json!("2027-05-24"), &json!("Majirel"))
    );
    // Half a year and a day later it no longer counts.
    live.later(Duration::days(182)).await;
    let card = live.card(id).await;
    assert_eq!(card["latest_patch_test"]["valid"], false);
    assert_eq!(card["warnings"][0]["kind"], "patch_test_missing");
    live.stop().await;
}

#[tokio::test]
async fn appointments_are_moved_cancelled_and_marked_no_show() {
    let live = Live::start().await;
    let id = live.customer("Tina", "Termin").await;
    let s = live
        .send(
            Method::POST,
            "/api/v1/services",
            Some(json!({"name": "Schnitt", "duration_minutes": 45, "price_cents": 3900})),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text);
    let service = &s.body["id"];
    let book = |start: DateTime<Utc>| json!({"customer_id": id, "start": start.to_rfc3339(), "service_ids": [service], "staff": "Lena"});
    let soon = live
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(book(start_time() + Duration::days(2))),
        )
        .await;
    assert_eq!(soon.status, StatusCode::CREATED, "{}", soon.text);
    let past = live
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(book(start_time() - Duration::hours(3))),
        )
        .await;
    let soon_path = format!("/api/v1/appointments/{}", soon.body["id"]);
    let past_path = format!("/api/v1/appointments/{}", past.body["id"]);

    // Move: a new start, the same length, services and stylist.
    let moved_to = start_time() + Duration::days(3) + Duration::hours(2);
    let r = live
        .send(
            Method::PUT,
            &soon_path,
            Some(json!({"customer_id": id, "start": moved_to.to_rfc3339(),
                        "end": (moved_to + Duration::minutes(45)).to_rfc3339(),
                        "service_ids": [service], "staff": "Lena", "status": "booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let card = live.card(id).await;
    let upcoming = &card["appointments"]["upcoming"][0];
    let start: DateTime<Utc> = upcoming["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(start, moved_to);
    assert_eq!(
        (&upcoming["staff"], &upcoming["services"][0]["name"]),
        (&json!("Lena"), &json!("Schnitt"))
    );

    // A no-show before the start is refused naming the field; cancelling is fine.
    let mut draft = json!({"customer_id": id, "start": moved_to.to_rfc3339(),
                           "service_ids": [service], "staff": "Lena", "status": "no_show"});
    let r = live
        .send(Method::PUT, &soon_path, Some(draft.clone()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(
        r.body["fields"]["status"],
        "„Nicht erschienen“ geht erst, wenn der Termin begonnen hat."
    );
    draft["status"] = json!("cancelled");
    let r = live.send(Method::PUT, &soon_path, Some(draft)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "cancelled");

    // The past one is marked as a no-show: it no longer counts as a visit.
    assert_eq!(live.card(id).await["visit_count"], 1);
    let r = live
        .send(
            Method::PUT,
            &past_path,
            Some(
                json!({"customer_id": id, "start": (start_time() - Duration::hours(3)).to_rfc3339(),
                        "service_ids": [service], "staff": "Lena", "status": "no_show"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let card = live.card(id).await;
    assert_eq!(card["appointments"]["past"][0]["status"], "no_show");
    assert_eq!(card["appointments"]["upcoming"][0]["status"], "cancelled");
    assert_eq!(card["visit_count"], 0);
    live.stop().await;
}
