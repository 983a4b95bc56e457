//! The router driven without a socket (`app(state)` + `oneshot`): the JSON API contract, the
//! session rule on every route, the origin check, limits, errors and live events.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

async fn create(t: &TestApp, body: Value) -> Value {
    let r = t.send(Method::POST, "/api/v1/customers", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

/// Every API route of the OpenAPI document (the same handlers the router serves) and every
/// page route answers 401 / a redirect to /login without a session.
#[tokio::test]
async fn every_route_needs_a_session() {
    let t = TestApp::new();
    let doc = kartei_server::api::openapi();
    let mut checked = 0;
    let mut paths: Vec<(String, Method)> = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        for (method, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ] {
            if op.is_some() {
                paths.push((path.replace("{id}", "1"), method));
            }
        }
    }
    paths.push(("/api/v1/openapi.json".into(), Method::GET));
    assert!(paths.len() >= 15, "{paths:?}");
    for (path, method) in paths {
        if path == "/api/v1/login" {
            continue;
        }
        let r = t.send(method.clone(), &path, Some(json!({}))).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {}",
            r.text
        );
        assert_eq!(r.body["error"], "unauthorized", "{method} {path}");
        checked += 1;
    }
    for route in kartei_server::pages::APP_ROUTES {
        let path = route.replace("{*rest}", "7");
        let r = t.send(Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers[header::LOCATION], "/login", "{path}");
        checked += 1;
    }
    assert!(checked > 20);
    // … and the public ones are public.
    for path in ["/login", "/healthz"] {
        assert_eq!(
            t.send(Method::GET, path, None).await.status,
            StatusCode::OK,
            "{path}"
        );
    }
    for asset in kartei_server::pages::ASSETS {
        let r = t.send(Method::GET, asset.path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", asset.path);
    }
}

#[tokio::test]
async fn openapi_document_is_served_and_true_to_the_contract() {
    let t = TestApp::logged_in().await;
    let r = t.send(Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = r.body["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/login", &["post"][..]),
        ("/api/v1/logout", &["post"]),
        ("/api/v1/customers", &["get", "post"]),
        ("/api/v1/customers/{id}", &["get", "put", "delete"]),
        ("/api/v1/customers/{id}/notes", &["post"]),
        ("/api/v1/notes/{id}", &["put", "patch", "delete"]),
        ("/api/v1/customers/{id}/patch-tests", &["post"]),
        ("/api/v1/services", &["get", "post"]),
        ("/api/v1/appointments", &["get", "post"]),
        ("/api/v1/appointments/{id}", &["put", "delete"]),
        ("/api/v1/stats", &["get"]),
        ("/api/v1/groups", &["get"]),
        ("/api/v1/events", &["get"]),
        ("/api/v1/export.xlsx", &["get"]),
        ("/api/v1/customers/{id}/export.xlsx", &["get"]),
        ("/api/v1/customers/{id}/export.json", &["get"]),
        ("/api/v1/import", &["post"]),
        ("/api/v1/import/{id}/commit", &["post"]),
        ("/api/v1/settings/session", &["get", "put"]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
}

/// The phone labels the document promises are the ones the core takes, and each is accepted.
#[tokio::test]
async fn the_documented_phone_labels_are_the_ones_the_api_takes() {
    let t = TestApp::logged_in().await;
    let r = t.send(Method::GET, "/api/v1/openapi.json", None).await;
    let documented: Vec<String> = r.body["components"]["schemas"]["PhoneLabelDoc"]["enum"]
        .as_array()
        .expect("the labels are an enum")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    let core: Vec<String> = [
        kartei_core::model::PhoneLabel::Mobile,
        kartei_core::model::PhoneLabel::Private,
        kartei_core::model::PhoneLabel::Business,
    ]
    .iter()
    .map(|l| {
        serde_json::to_value(l)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    })
    .collect();
    assert_eq!(documented, core);
    for (i, label) in documented.iter().enumerate() {
        let body = json!({"first_name": "Lara", "last_name": format!("Label{}", "x".repeat(i + 1)),
            "phones": [{"label": label, "number": "0171 2345678"}]});
        let r = t.send(Method::POST, "/api/v1/customers", Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{label}: {}", r.text);
    }
}

#[tokio::test]
async fn login_wrong_pin_then_throttled_with_retry_after() {
    let t = TestApp::new();
    let wrong = json!({"name": "Anna", "pin": "0000"});
    for _ in 0..5 {
        let r = t
            .send(Method::POST, "/api/v1/login", Some(wrong.clone()))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        assert_eq!(r.body["error"], "wrong_pin");
    }
    let right = json!({"name": "Anna", "pin": "1234"});
    let r = t.send(Method::POST, "/api/v1/login", Some(right)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.body["error"], "throttled");
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains(&retry.to_string()),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn wrong_pins_from_one_phone_do_not_lock_out_another() {
    let t = TestApp::new();
    let from = |ip: &str, pin: &str| {
        let mut request = t.json_request(
            Method::POST,
            "/api/v1/login",
            Some(json!({"name": "Anna", "pin": pin})),
        );
        let peer: std::net::SocketAddr = format!("{ip}:50000").parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    for _ in 0..5 {
        let r = t.call(from("192.168.1.66", "0000")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    }
    let r = t.call(from("192.168.1.66", "1234")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let r = t.call(from("192.168.1.20", "1234")).await;
    assert_eq!(r.status, StatusCode::OK, "the owner's phone: {}", r.text);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let t = TestApp::logged_in().await;
    assert_eq!(
        t.send(Method::GET, "/api/v1/me", None).await.body["name"],
        "Anna"
    );
    let r = t.send(Method::POST, "/api/v1/logout", None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        t.send(Method::GET, "/api/v1/me", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn customers_create_search_card_edit_conflict_erase() {
    let t = TestApp::logged_in().await;
    let created = create(&t, json!({
            "salutation": "Frau", "first_name": "Berta", "last_name": "Brandt",
            "phones": [{"label": "mobile", "number": "0170 1234567"}],
            "email": "berta@example.com", "birthday": "--03-14",
            "address": {"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
            "preferred_contact": "sms", "groups": ["VIP"], "marketing_consent": true,
            "notes": "Mag Tee."
        }))
        .await;
    let id = created["id"].as_u64().unwrap();
    assert_eq!(created["version"], 1);
    assert_eq!(created["birthday"], "--03-14");
    assert_eq!(created["marketing_consent"]["given"], true);
    assert_eq!(created["phones"][0]["number"], "+491701234567");

    let list = t
        .send(Method::GET, "/api/v1/customers?q=b&sort=name_asc", None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 1);
    let item = &list.body["items"][0];
    for key in [
        "id",
        "first_name",
        "last_name",
        "phones",
        "email",
        "birthday",
        "last_visit",
        "groups",
        "allergy",
    ] {
        assert!(item.get(key).is_some(), "item lacks {key}: {item}");
    }
    assert!(list.body.get("next_cursor").is_some());
    let vip = t
        .send(Method::GET, "/api/v1/customers?group=vip&filter=all", None)
        .await;
    assert_eq!(vip.body["total"], 1, "{}", vip.text);
    let bad = t
        .send(Method::GET, "/api/v1/customers?filter=nope", None)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["fields"].get("filter").is_some(), "{}", bad.text);

    let card = t
        .send(Method::GET, &format!("/api/v1/customers/{id}"), None)
        .await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(card.body["customer"]["last_name"], "Brandt");
    assert_eq!(card.body["notes"][0]["text"], "Mag Tee.");
    for key in ["appointments", "top_services", "history"] {
        assert!(card.body.get(key).is_some(), "card lacks {key}");
    }
    assert!(card.body["appointments"].get("past").is_some());
    assert!(card.body["appointments"].get("upcoming").is_some());

    // Edit with the version that was read: ok. With it again: stale → 409.
    let mut edit = card.body["customer"].clone();
    edit["first_name"] = json!("Bertha");
    let r = t
        .send(
            Method::PUT,
            &format!("/api/v1/customers/{id}"),
            Some(edit.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["version"], 2);
    let r = t
        .send(Method::PUT, &format!("/api/v1/customers/{id}"), Some(edit))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.body["error"], "conflict");

    let r = t
        .send(
            Method::DELETE,
            &format!("/api/v1/customers/{id}?confirm_name=Bertha%20Brandt"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = t
        .send(Method::GET, &format!("/api/v1/customers/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"], "not_found");
    let list = t
        .send(Method::GET, "/api/v1/customers?q=brandt", None)
        .await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test]
async fn the_phone_app_gets_its_words_in_the_request_language() {
    let t = TestApp::logged_in().await;
    let words = |lang: &'static str| {
        let mut request = t.json_request(Method::GET, "/api/v1/words", None);
        request
            .headers_mut()
            .insert(header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        t.call(request)
    };
    let de = words("en;q=0.1, de").await;
    assert_eq!(de.status, StatusCode::OK, "{}", de.text);
    assert_eq!(de.body["lang"], "de");
    assert_eq!(de.body["words"]["channel_phone"], "Telefon");
    assert_eq!(de.body["words"]["kind_allergy"], "Allergie");
    assert_eq!(de.headers[header::CONTENT_LANGUAGE], "de");
    let en = words("fr, en;q=0.5").await;
    assert_eq!(en.body["lang"], "en");
    assert_eq!(en.body["words"]["channel_phone"], "Phone");
    assert_eq!(en.body["words"]["logged_in_as"], "Logged in: {name}");
    // Every word, in both languages; `?lang=` overrides the header.
    let all = kartei_core::i18n::Word::ALL.len();
    assert_eq!(de.body["words"].as_object().unwrap().len(), all);
    assert_eq!(en.body["words"].as_object().unwrap().len(), all);
    let asked = t.send(Method::GET, "/api/v1/words?lang=en", None).await;
    assert_eq!(asked.body["lang"], "en");
    // Unknown languages get German.
    assert_eq!(words("fr").await.body["lang"], "de");
    // Cacheable: the same words answer 304 to their tag, the other language does not.
    let tag = de.headers[header::ETAG].to_str().unwrap().to_string();
    let mut again = t.json_request(Method::GET, "/api/v1/words", None);
    again
        .headers_mut()
        .insert(header::IF_NONE_MATCH, tag.parse().unwrap());
    assert_eq!(t.call(again).await.status, StatusCode::NOT_MODIFIED);
    let mut other = t.json_request(Method::GET, "/api/v1/words?lang=en", None);
    other
        .headers_mut()
        .insert(header::IF_NONE_MATCH, tag.parse().unwrap());
    assert_eq!(t.call(other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn validation_errors_name_the_fields_in_the_request_language() {
    let t = TestApp::logged_in().await;
    let body =
        json!({"first_name": "", "last_name": "", "email": "kein-at", "birthday": "31.02.1990"});
    let r = t
        .send(Method::POST, "/api/v1/customers", Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], "invalid");
    let fields = r.body["fields"].as_object().unwrap();
    for f in ["last_name", "email", "birthday"] {
        assert!(fields.contains_key(f), "{}", r.text);
    }
    let mut request = t.json_request(Method::POST, "/api/v1/customers", Some(body));
    request.headers_mut().insert(
        header::ACCEPT_LANGUAGE,
        "en-GB,en;q=0.9,de;q=0.5".parse().unwrap(),
    );
    let en = t.call(request).await;
    assert_ne!(en.body["fields"]["email"], r.body["fields"]["email"]);
    assert!(
        en.body["message"].as_str().unwrap().is_ascii(),
        "{}",
        en.text
    );
    // Nothing was saved.
    assert_eq!(t.kartei.customer_count(), 0);
    // Malformed JSON is a 400 JSON error too.
    let mut broken = t.json_request(Method::POST, "/api/v1/customers", None);
    broken
        .headers_mut()
        .insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    *broken.body_mut() = Body::from("{\"first_name\": ");
    let r = t.call(broken).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], "bad_request");
}

#[tokio::test]
async fn changing_requests_from_other_origins_are_refused() {
    let t = TestApp::logged_in().await;
    let body = json!({"last_name": "Fremd"});
    let mut foreign = t.json_request(Method::POST, "/api/v1/customers", Some(body.clone()));
    foreign.headers_mut().remove("x-kartei-csrf");
    foreign
        .headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    let r = t.call(foreign).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "cross_origin");
    let mut bare = t.json_request(Method::POST, "/api/v1/customers", Some(body.clone()));
    bare.headers_mut().remove("x-kartei-csrf");
    assert_eq!(t.call(bare).await.status, StatusCode::FORBIDDEN);
    let mut same = t.json_request(Method::POST, "/api/v1/customers", Some(body));
    same.headers_mut().remove("x-kartei-csrf");
    same.headers_mut()
        .insert(header::ORIGIN, "http://192.168.1.20:8080".parse().unwrap());
    assert_eq!(t.call(same).await.status, StatusCode::CREATED);
    assert_eq!(t.kartei.customer_count(), 1);
}

#[tokio::test]
async fn oversized_bodies_are_413_json() {
    let t = TestApp::logged_in().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": huge})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        &r.text[..r.text.len().min(200)]
    );
    assert_eq!(r.body["error"], "too_large");
    assert_eq!(t.kartei.customer_count(), 0);
}

#[tokio::test]
async fn allergy_note_flags_list_and_card() {
    let t = TestApp::logged_in().await;
    let id = create(&t, json!({"first_name": "Ali", "last_name": "Allergisch"})).await["id"]
        .as_u64()
        .unwrap();
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/notes"),
            Some(json!({"kind": "allergy", "text": "Nickel, PPD"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let list = t.send(Method::GET, "/api/v1/customers?q=all", None).await;
    assert_eq!(list.body["items"][0]["allergy"], true);
    let card = t
        .send(Method::GET, &format!("/api/v1/customers/{id}"), None)
        .await;
    assert_eq!(card.body["warnings"][0]["kind"], "allergy");
    assert!(card.body["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("PPD"));
}

#[tokio::test]
async fn hostile_cursors_and_far_off_dates_are_400s_naming_the_field() {
    let t = TestApp::logged_in().await;
    let r = t.get("/api/v1/customers?cursor=a%C3%A9b").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"].get("cursor").is_some(), "{}", r.text);
    let id = create(&t, json!({"first_name": "Clara", "last_name": "Termin"})).await["id"]
        .as_u64()
        .unwrap();
    for (start, end, field) in [
        ("+262142-12-31T23:59:00Z", None, "start"),
        ("9999-01-01T10:00:00Z", None, "start"),
        ("1850-01-01T10:00:00Z", None, "start"),
        (
            "2026-12-01T10:00:00Z",
            Some("+262142-12-31T23:59:00Z"),
            "end",
        ),
    ] {
        let r = t
            .send(
                Method::POST,
                "/api/v1/appointments",
                Some(json!({"customer_id": id, "start": start, "end": end})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{start}: {}", r.text);
        assert!(r.body["fields"].get(field).is_some(), "{start}: {}", r.text);
    }
    let r = t
        .get("/api/v1/appointments?from=9999-12-31T00:00:00Z")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"].get("from").is_some(), "{}", r.text);
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"last_name": "Alt", "birthday": "01.01.1850"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"].get("birthday").is_some(), "{}", r.text);
}

#[tokio::test]
async fn over_long_texts_and_over_long_lists_are_400s_naming_the_field() {
    let t = TestApp::logged_in().await;
    let long = "x".repeat(40_000);
    let id = create(&t, json!({"first_name": "Clara", "last_name": "Lang"})).await["id"]
        .as_u64()
        .unwrap();
    let phones: Vec<_> = (0..2500)
        .map(|i| json!({"label": "mobile", "number": format!("+49 170 {:07}", i)}))
        .collect();
    let cases = [
        (
            "/api/v1/customers",
            json!({"last_name": "A", "phones": phones}),
            "phones",
        ),
        (
            "/api/v1/customers",
            json!({"last_name": "A", "address": {"postal_code": long}}),
            "address.postal_code",
        ),
        (
            "/api/v1/customers",
            json!({"last_name": "A", "address": {"country": long}}),
            "address.country",
        ),
        (
            "/api/v1/services",
            json!({"name": long, "duration_minutes": 30, "price_cents": 100}),
            "name",
        ),
        (
            "/api/v1/appointments",
            json!({"customer_id": id, "start": "2026-12-01T10:00:00Z", "note": long}),
            "note",
        ),
        (
            "/api/v1/appointments",
            json!({"customer_id": id, "start": "2026-12-01T10:00:00Z", "staff": long}),
            "staff",
        ),
    ];
    for (path, body, field) in cases {
        let r = t.send(Method::POST, path, Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{path} {field}: {}",
            r.text
        );
        assert!(
            r.body["fields"].get(field).is_some(),
            "{path} {field}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn services_appointments_stats_groups() {
    let t = TestApp::logged_in().await;
    let id = create(&t, json!({"first_name": "Clara", "last_name": "Termin"})).await["id"]
        .as_u64()
        .unwrap();
    let s = t
        .send(
            Method::POST,
            "/api/v1/services",
            Some(json!({"name": "Schnitt", "duration_minutes": 45, "price_cents": 3900})),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.text);
    let service = s.body["id"].as_u64().unwrap();
    let services = t.send(Method::GET, "/api/v1/services", None).await;
    assert!(services
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "Schnitt"));

    let start = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let a = t
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(json!({"customer_id": id, "start": start, "service_ids": [service]})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let appt = a.body["id"].as_u64().unwrap();
    assert_eq!(a.body["customer_name"], "Clara Termin");
    let list = t.send(Method::GET, "/api/v1/appointments", None).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        list.text
    );
    let card = t
        .send(Method::GET, &format!("/api/v1/customers/{id}"), None)
        .await;
    assert_eq!(card.body["appointments"]["upcoming"][0]["id"], appt);

    let later = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let r = t
        .send(
            Method::PUT,
            &format!("/api/v1/appointments/{appt}"),
            Some(json!({"customer_id": id, "start": later, "service_ids": [service], "status": "booked"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let unknown = t
        .send(
            Method::POST,
            "/api/v1/appointments",
            Some(json!({"customer_id": 999_999, "start": later})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    let r = t
        .send(
            Method::DELETE,
            &format!("/api/v1/appointments/{appt}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t
        .send(
            Method::DELETE,
            &format!("/api/v1/appointments/{appt}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let stats = t.send(Method::GET, "/api/v1/stats", None).await;
    assert_eq!(stats.body["total_customers"], 1);
    let groups = t.send(Method::GET, "/api/v1/groups", None).await;
    assert!(groups
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["name"] == "VIP"));
}

#[tokio::test]
async fn pages_login_shows_address_and_qr_and_escapes_the_salon_name() {
    let t = TestApp::new();
    let mut settings = t.kartei.settings();
    settings.salon_name = "<script>alert(1)</script> & Co".into();
    t.kartei.set_settings(settings).unwrap();
    let r = t.send(Method::GET, "/login", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("http://192.168.1.20:8080"));
    assert!(r.text.contains("<svg"));
    assert!(!r.text.contains("<script>alert"));
    assert!(r
        .text
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(r.headers[header::REFERRER_POLICY], "no-referrer");
    // With a session the app shell is served.
    let t = TestApp::logged_in().await;
    let r = t.send(Method::GET, "/customers/12", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<html"));
    let r = t.send(Method::GET, "/login", None).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "logged in: /login leads to the app"
    );
    assert_eq!(r.headers[header::LOCATION], "/");
    let api = t.send(Method::GET, "/api/v1/stats", None).await;
    assert_eq!(api.headers[header::CACHE_CONTROL], "no-store");
    let nothing = t.send(Method::GET, "/api/v1/nothing", None).await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND);
    assert_eq!(nothing.body["error"], "not_found");
}

#[tokio::test]
async fn events_stream_announces_changes() {
    let t = TestApp::logged_in().await;
    let response = t
        .app
        .clone()
        .oneshot(t.json_request(Method::GET, "/api/v1/events", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = response.into_body();
    let mut seen = String::new();
    seen.push_str(&next_event(&mut body).await);
    assert!(seen.contains("event: hello"), "{seen}");
    let id = create(&t, json!({"last_name": "Live"})).await["id"]
        .as_u64()
        .unwrap();
    let event = next_event(&mut body).await;
    assert!(event.contains("event: customer_created"), "{event}");
    assert!(event.contains(&format!("\"id\":{id}")), "{event}");
}

async fn next_event(body: &mut Body) -> String {
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .expect("an event within 5 s")
        .expect("the stream is open")
        .expect("a frame");
    String::from_utf8(frame.into_data().expect("data").to_vec()).expect("UTF-8")
}
