//! Cross-cutting protections, as middleware: security headers on every response (CSP with no
//! inline script, nosniff, no referrer, no caching of personal data), and the origin check of
//! requests that change data (the browser's `Origin` must match `Host`; clients that send no
//! `Origin` must send `X-Kartei-CSRF: 1`, which a cross-site form cannot).

use crate::error::{ApiError, ErrorKind};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The header non-browser clients send instead of an `Origin`.
pub const CSRF_HEADER: &str = "x-kartei-csrf";

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
     manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Middleware: refuses changing requests from another origin.
pub async fn check_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || same_origin(request.headers()) {
        next.run(request).await
    } else {
        ApiError::new(ErrorKind::CrossOrigin).into_response()
    }
}

/// Whether a changing request may pass: its `Origin` is this host, or it has no `Origin` and
/// carries the CSRF header.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match headers.get(header::ORIGIN).map(|v| v.to_str()) {
        Some(Ok(origin)) => {
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
        Some(Err(_)) => false,
        None => headers
            .get(CSRF_HEADER)
            .is_some_and(|v| v.as_bytes() == b"1"),
    }
}

/// Middleware: the security headers, and `Cache-Control` (API and pages carry personal data
/// and are never stored; static assets are revalidated).
pub async fn headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(
            h,
            header::CACHE_CONTROL,
            if is_asset { "no-cache" } else { "no-store" },
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(origin: Option<&str>, csrf: bool, host: &str, expected: bool) {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        if csrf {
            h.insert(CSRF_HEADER, HeaderValue::from_static("1"));
        }
        assert_eq!(same_origin(&h), expected, "{origin:?} {csrf} {host}");
    }

    #[test]
    fn origin_rules() {
        check(
            Some("http://192.168.1.5:8080"),
            false,
            "192.168.1.5:8080",
            true,
        );
        check(
            Some("http://kartei.local:8080"),
            false,
            "kartei.local:8080",
            true,
        );
        check(
            Some("http://evil.example"),
            false,
            "192.168.1.5:8080",
            false,
        );
        check(Some("http://evil.example"), true, "192.168.1.5:8080", false);
        check(Some("null"), true, "192.168.1.5:8080", false);
        check(None, true, "192.168.1.5:8080", true);
        check(None, false, "192.168.1.5:8080", false);
    }
}
