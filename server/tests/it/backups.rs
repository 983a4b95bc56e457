//! The backup routes over HTTP: every staff member sees the status line, only owners start a
//! backup or change the settings, "Jetzt sichern" answers at once and the status follows; bad
//! settings are refused naming the field.

use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use kartei_core::model::Role;
use serde_json::{json, Value};

async fn wait_until_done(t: &TestApp) -> Value {
    for _ in 0..600 {
        let r = t.get("/api/v1/backups").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        if r.body["running"] == false && r.body["last_verified"].is_string() {
            return r.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the backup did not finish within 30 s");
}

#[tokio::test]
async fn an_owner_backs_up_now_and_everyone_sees_the_verified_status() {
    let mut t = TestApp::logged_in().await;
    t.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    let owner = t.cookie.clone();
    t.cookie = Some(t.login_as("Lena", "1357").await);

    let r = t.get("/api/v1/backups").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["health"], "warning");
    assert_eq!(
        r.body["text"],
        "Achtung: es gibt noch keine geprüfte Sicherung."
    );
    let r = t.send(Method::POST, "/api/v1/backups", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.body["message"].as_str().unwrap().contains("nur Inhaber"));

    t.cookie = owner;
    let r = t.send(Method::POST, "/api/v1/backups", None).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let done = wait_until_done(&t).await;
    assert_eq!(done["health"], "good", "{done}");
    assert!(
        done["text"].as_str().unwrap().ends_with("geprüft ✓"),
        "{done}"
    );
    let target = &done["targets"][0];
    assert_eq!(target["kind"], "folder");
    assert_eq!(target["error"], Value::Null);
    let file = target["last_good_file"].as_str().unwrap();
    assert!(
        file.starts_with("kartei-backup-") && file.ends_with(".tar"),
        "{file}"
    );
    assert!(t.dir.path().join("backups").join(file).exists());

    // The staff member's phone sees the same line.
    t.cookie = Some(t.login_as("Lena", "1357").await);
    let r = t.get("/api/v1/backups").await;
    assert_eq!(r.body["health"], "good");
}

#[tokio::test]
async fn backup_settings_are_for_owners_and_bad_values_name_their_field() {
    let mut t = TestApp::logged_in().await;
    let put = |body: Value| (Method::PUT, "/api/v1/backups/settings", Some(body));

    let (m, p, b) =
        put(json!({"automatic": true, "time": "25:00", "folder": "", "usb_sticks": true}));
    let r = t.send(m, p, b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["fields"]["time"].is_string(), "{}", r.text);

    let (m, p, b) = put(
        json!({"automatic": true, "time": "03:15", "folder": "nas/kartei", "usb_sticks": true}),
    );
    let r = t.send(m, p, b).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(
        r.body["fields"]["folder"]
            .as_str()
            .unwrap()
            .contains("vollständigen Pfad"),
        "{}",
        r.text
    );
    assert_eq!(
        t.kartei.settings().backup,
        Default::default(),
        "nothing changed"
    );

    let nas = t.dir.path().join("nas");
    let (m, p, b) =
        put(json!({"automatic": false, "time": "3:15", "folder": nas, "usb_sticks": false}));
    let r = t.send(m, p, b).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body["settings"],
        json!({"automatic": false, "time": "03:15", "folder": nas, "usb_sticks": false})
    );
    let saved = t.kartei.settings().backup;
    assert!(!saved.automatic);
    assert_eq!(saved.folder.as_deref(), Some(nas.as_path()));

    t.kartei.add_staff("Lena", "1357", Role::Staff).unwrap();
    t.cookie = Some(t.login_as("Lena", "1357").await);
    let (m, p, b) =
        put(json!({"automatic": true, "time": "02:30", "folder": "", "usb_sticks": true}));
    let r = t.send(m, p, b).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(!t.kartei.settings().backup.automatic, "unchanged");
}

#[tokio::test]
async fn the_backup_routes_are_in_the_openapi_document() {
    let t = TestApp::logged_in().await;
    let doc = t.get("/api/v1/openapi.json").await.body;
    assert!(doc["paths"]["/api/v1/backups"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/backups"]["post"]["responses"]["409"].is_object());
    assert!(doc["paths"]["/api/v1/backups/settings"]["put"].is_object());
}
