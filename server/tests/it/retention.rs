//! Retention over HTTP: owners see the review and the period, set it (a bad number is refused
//! naming the field) and anonymise a customer, who is then no longer found by name; staff
//! get 403.

use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use kartei_core::model::Role;
use serde_json::json;

#[tokio::test]
async fn owners_review_set_the_period_and_anonymise_and_staff_may_not() {
    let mut t = TestApp::logged_in().await;
    t.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"first_name": "Olga", "last_name": "Alt", "email": "olga@example.de"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_u64().unwrap();

    let r = t.get("/api/v1/retention").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"years": 3, "due": []}));
    let r = t
        .send(
            Method::PUT,
            "/api/v1/retention/settings",
            Some(json!({"years": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.body["fields"]["years"]
            .as_str()
            .unwrap()
            .contains("1 bis 30"),
        "{}",
        r.text
    );
    let r = t
        .send(
            Method::PUT,
            "/api/v1/retention/settings",
            Some(json!({"years": 5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["years"], 5);

    let owner = t.cookie.clone();
    t.cookie = Some(t.login_as("Lena", "1357").await);
    assert_eq!(
        t.get("/api/v1/retention").await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/anonymise"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    t.cookie = owner;
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/anonymise"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let card = t.get(&format!("/api/v1/customers/{id}")).await;
    assert_eq!(
        card.body["customer"]["last_name"], "Anonymisiert",
        "{}",
        card.text
    );
    assert_eq!(card.body["customer"]["email"], serde_json::Value::Null);
    let found = t.get("/api/v1/customers?q=Olga").await;
    assert_eq!(
        found.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        found.text
    );
}
