//! Partial edits over HTTP (`PATCH /api/v1/customers/{id}`, a JSON merge patch with `version`)
//! and who may erase a customer: the router driven without a socket.

use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

/// A card with every field of the form set.
async fn full_card(t: &TestApp) -> Value {
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({
                "salutation": "Frau", "title": "Dr.", "first_name": "Berta", "last_name": "Brandt",
                "company": "Brandt & Söhne",
                "phones": [{"label": "mobile", "number": "0170 1234567"},
                           {"label": "private", "number": "030 1234567"}],
                "email": "berta@example.com", "birthday": "14.03.1980",
                "address": {"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
                "preferred_contact": "sms", "groups": ["VIP", "Stammkunde"], "stylist": "Lena",
                "marketing_consent": true, "reminder_consent": true
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn patch(t: &TestApp, id: &Value, body: Value) -> crate::support::Reply {
    t.send(
        Method::PATCH,
        &format!("/api/v1/customers/{id}"),
        Some(body),
    )
    .await
}

/// Everything of the card but what a save always changes.
fn master(c: &Value) -> Value {
    let mut c = c.clone();
    for key in ["version", "updated_at"] {
        c.as_object_mut().unwrap().remove(key);
    }
    c
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent() {
    let t = TestApp::logged_in().await;
    let card = full_card(&t).await;
    let id = &card["id"];

    // Nothing changed: 200 with the card as it was, same version.
    let r = patch(&t, id, json!({"version": card["version"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, card);

    // One field: only it changes; the second phone, stylist, title, company stay.
    let r = patch(
        &t,
        id,
        json!({"version": card["version"], "address": {"city": "Potsdam"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["version"], card["version"].as_u64().unwrap() + 1);
    let mut expected = master(&card);
    expected["address"]["city"] = json!("Potsdam");
    assert_eq!(master(&r.body), expected);
    let saved = t.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(saved.body["customer"], r.body);

    // PUT still works for clients that send the whole form.
    let mut whole = r.body.clone();
    whole["stylist"] = json!("Mehmet");
    let put = t
        .send(Method::PUT, &format!("/api/v1/customers/{id}"), Some(whole))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.body["stylist"], "Mehmet");
    assert_eq!(put.body["phones"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn patch_conflict_returns_the_saved_card() {
    let t = TestApp::logged_in().await;
    let card = full_card(&t).await;
    let id = &card["id"];
    let first = patch(
        &t,
        id,
        json!({"version": card["version"], "stylist": "Mehmet"}),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    // A second phone, still on the version it loaded.
    let r = patch(
        &t,
        id,
        json!({"version": card["version"], "stylist": "Aylin"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert_eq!(r.body["error"], "conflict");
    assert!(r.body["message"].as_str().unwrap().len() > 10, "{}", r.text);
    assert_eq!(
        r.body["current"], first.body,
        "the card as saved in between"
    );
    let saved = t.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(
        saved.body["customer"]["stylist"], "Mehmet",
        "nothing was written"
    );
}

#[tokio::test]
async fn patch_errors_name_the_field_and_change_nothing() {
    let t = TestApp::logged_in().await;
    let card = full_card(&t).await;
    let id = &card["id"];
    let v = &card["version"];
    for (body, field) in [
        (json!({"version": v, "email": "berta@"}), "email"),
        (
            json!({"version": v, "phones": [{"label": "mobile", "number": "12"}]}),
            "phones.0.number",
        ),
        (
            json!({"version": v, "phones": [{"label": "fax", "number": "0170 1"}]}),
            "phones.0.label",
        ),
        (json!({"version": v, "nickname": "B"}), "nickname"),
        (json!({"version": v, "birthday": "31.02.1990"}), "birthday"),
        (json!({"email": "b@example.com"}), "version"),
        (json!({"version": "neu"}), "version"),
    ] {
        let r = patch(&t, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
        assert_eq!(r.body["error"], "invalid", "{body}");
        assert!(
            r.body["fields"][field]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body}: {}",
            r.text
        );
    }
    let saved = t.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(saved.body["customer"], card);

    let r = patch(&t, &json!(999), json!({"version": 1, "title": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let anonymous = TestApp::new();
    let r = patch(&anonymous, id, json!({"version": 1, "title": "x"})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
}

/// A session for another staff member (added to the card file first).
async fn session_of(t: &TestApp, name: &str, pin: &str, role: kartei_core::model::Role) -> String {
    t.kartei.add_staff(name, pin, role).unwrap();
    t.login_as(name, pin).await
}

#[tokio::test]
async fn only_owners_erase_customers_and_only_with_the_name() {
    let mut t = TestApp::logged_in().await;
    let card = full_card(&t).await;
    let id = &card["id"];
    let owner = t.cookie.clone();
    t.cookie = Some(session_of(&t, "Lena", "1357", kartei_core::model::Role::Staff).await);
    let path = format!("/api/v1/customers/{id}?confirm_name=Berta%20Brandt");
    let r = t.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(
        r.body["message"],
        "Kunden löschen kann nur ein Inhaber-Zugang."
    );
    t.cookie = owner;
    let r = t
        .send(Method::DELETE, &format!("/api/v1/customers/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["confirm_name"]
        .as_str()
        .unwrap()
        .contains("Berta Brandt"));
    assert_eq!(
        t.get(&format!("/api/v1/customers/{id}")).await.status,
        StatusCode::OK
    );
    let r = t.send(Method::DELETE, &path, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(
        t.get(&format!("/api/v1/customers/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn logout_page_and_form_end_the_session() {
    let t = TestApp::logged_in().await;
    let page = t.get("/logout").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Angemeldet als <strong>Anna</strong>"),
        "{}",
        page.text
    );
    assert!(page.text.contains("action=\"/logout\""), "{}", page.text);
    let r = t.send(Method::POST, "/logout", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers[axum::http::header::LOCATION], "/login");
    assert!(r.headers[axum::http::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(t.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let again = t.get("/logout").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}
