//! The `Host` check against DNS rebinding: a page on a name the attacker re-points at the
//! appliance is refused before any login or handler runs; the appliance's own names and every
//! IP literal pass.

use crate::support::TestApp;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

fn request(t: &TestApp, method: Method, path: &str, host: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("x-kartei-csrf", "1");
    if let Some(h) = host {
        b = b.header(header::HOST, h);
    }
    if let Some(c) = &t.cookie {
        b = b.header(header::COOKIE, c);
    }
    if method == Method::POST {
        b.header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                json!({"name": "Anna", "pin": "1234"}).to_string(),
            ))
            .unwrap()
    } else {
        b.body(Body::empty()).unwrap()
    }
}

#[tokio::test]
async fn a_rebinding_name_is_refused_before_login_or_handler() {
    let t = TestApp::logged_in().await;
    for host in [
        "evil.example",
        "evil.example:8080",
        "kartei.local.evil.example",
    ] {
        // With a valid session cookie (a rebinding page would carry none, but even so).
        let r = t
            .call(request(&t, Method::GET, "/api/v1/customers", Some(host)))
            .await;
        assert_eq!(
            r.status,
            StatusCode::MISDIRECTED_REQUEST,
            "{host}: {}",
            r.text
        );
        assert_eq!(r.body["error"], "wrong_host", "{host}: {}", r.text);
        assert!(
            r.body["message"].as_str().unwrap_or("").contains("Adresse"),
            "German by default: {}",
            r.text
        );
        // The login itself is refused: no PIN is checked, so nothing counts against the name.
        let r = t
            .call(request(&t, Method::POST, "/api/v1/login", Some(host)))
            .await;
        assert_eq!(
            r.status,
            StatusCode::MISDIRECTED_REQUEST,
            "{host}: {}",
            r.text
        );
        assert!(r.headers.get(header::SET_COOKIE).is_none(), "{host}");
        // The login page is a short page, not the form.
        let r = t.call(request(&t, Method::GET, "/login", Some(host))).await;
        assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(!r.text.contains("<form"), "{}", r.text);
        assert!(r.text.contains("Adresse"), "{}", r.text);
    }
    let mut english = request(&t, Method::GET, "/api/v1/customers", Some("evil.example"));
    english
        .headers_mut()
        .insert(header::ACCEPT_LANGUAGE, "en".parse().unwrap());
    let r = t.call(english).await;
    assert!(
        r.body["message"].as_str().unwrap_or("").contains("address"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn the_appliances_own_names_and_ip_literals_pass() {
    let t = TestApp::logged_in().await;
    for host in [
        Some("kartei.local:8080"),
        Some("kartei.local"),
        Some("192.168.1.20:8080"),
        Some("[::1]:8080"),
        Some("127.0.0.1"),
        Some("localhost:8080"),
        // HTTP/1.0 clients send no Host; no browser does, so nothing is gained by refusing.
        None,
    ] {
        let r = t
            .call(request(&t, Method::GET, "/api/v1/customers", host))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{host:?}: {}", r.text);
        // Logged in, the login page sends the phone on to the app.
        let r = t.call(request(&t, Method::GET, "/login", host)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{host:?}");
        let r = t
            .call(request(&t, Method::POST, "/api/v1/login", host))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{host:?}: {}", r.text);
    }
}
