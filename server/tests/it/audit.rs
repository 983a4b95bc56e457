//! The audit log over HTTP: opening a card on a phone is logged under the session's name (as a
//! view of health data when the card has an allergy note), edits and exports too; owners read
//! the log whole (paged) and per customer and download it as a workbook that calamine reads
//! back; staff get 403.

use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use kartei_core::model::Role;
use serde_json::json;

#[tokio::test]
async fn phones_views_and_edits_are_logged_by_name_and_only_owners_read_the_log() {
    let mut t = TestApp::logged_in().await;
    t.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let owner = t.cookie.clone();

    let r = t
        .send(
            Method::POST,
            "/api/v1/customers",
            Some(json!({"first_name": "Jürgen", "last_name": "Groß"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_u64().unwrap();
    let r = t
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/notes"),
            Some(json!({"kind": "allergy", "text": "Latexallergie"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // A stylist opens the card twice (once logged), exports it, and may not read the log.
    t.cookie = Some(t.login_as("Lena", "1357").await);
    for _ in 0..2 {
        let r = t.get(&format!("/api/v1/customers/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = t.get(&format!("/api/v1/customers/{id}/export.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["audit"][0]["action"], "exported", "{}", r.text);
    for path in [
        "/api/v1/audit".to_string(),
        format!("/api/v1/customers/{id}/audit"),
        "/api/v1/audit.xlsx".to_string(),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text);
        assert!(
            r.body["message"].as_str().unwrap().contains("Inhaber"),
            "{}",
            r.text
        );
    }

    assert_eq!(
        t.get("/api/v1/gdpr/record.md").await.status,
        StatusCode::FORBIDDEN
    );

    t.cookie = owner;
    let r = t.get("/api/v1/gdpr/record.md").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("verarbeitungsverzeichnis-"));
    assert!(
        r.text.contains("Art. 30 DSGVO") && r.text.contains("- Lena (Mitarbeiter/in)"),
        "{}",
        r.text
    );
    let r = t.get(&format!("/api/v1/customers/{id}/audit")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let seen: Vec<(String, String, String)> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["by"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expect = |by: &str, action: &str, label: &str| {
        (by.to_string(), action.to_string(), label.to_string())
    };
    assert_eq!(
        seen,
        vec![
            expect("Lena", "exported", "Daten exportiert"),
            expect("Lena", "viewed_health", "angesehen (Gesundheitsdaten)"),
            expect("Anna", "note_written", "Notiz geschrieben"),
            expect("Anna", "created", "angelegt"),
        ]
    );
    assert!(
        !r.text.contains("Latex") && !r.text.contains("Groß"),
        "{}",
        r.text
    );

    // Paged, newest first.
    let r = t.get("/api/v1/audit?limit=2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    let before = r.body["next_before"].as_u64().unwrap();
    let r = t
        .get(&format!("/api/v1/audit?limit=2&before={before}"))
        .await;
    assert_eq!(r.body["items"][0]["seq"].as_u64().unwrap(), before - 1);

    // The download opens in a real reader.
    let r = t.get("/api/v1/audit.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    let disposition = r.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("protokoll-"), "{disposition}");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(r.bytes)).unwrap();
    let sheet = book.worksheet_range("Protokoll").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows[0][3], Data::String("Was".into()));
    assert!(rows.len() >= 5, "{} rows", rows.len());
    assert!(rows.iter().any(|row| row[2] == Data::String("Lena".into())
        && row[3] == Data::String("angesehen (Gesundheitsdaten)".into())));
}
