//! Cross-cutting protections, as middleware: security headers on every response (CSP with no
//! inline script, nosniff, no referrer, no caching of personal data), and the origin check of
//! requests that change data (the browser's `Origin` must match `Host`; clients that send no
//! `Origin` must send `X-Kartei-CSRF: 1`, which a cross-site form cannot), and the `Host`
//! check against DNS rebinding ([`check_host`]: only the appliance's own names and addresses).

use crate::error::{ApiError, ErrorKind};
use axum::extract::{Request, State};
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

/// The names a request's `Host` may carry besides IP literals and `localhost`
/// ([`crate::ServerConfig::allowed_hosts`]), lower case, without a trailing dot.
#[derive(Debug, Clone)]
pub struct AllowedHosts(std::sync::Arc<Vec<String>>);

impl AllowedHosts {
    pub fn new(names: &[String]) -> AllowedHosts {
        let mut names: Vec<String> = names
            .iter()
            .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        AllowedHosts(std::sync::Arc::new(names))
    }

    /// Whether `host` (a `Host` header's value) names this appliance: an IP literal (IPv6 in
    /// brackets), `localhost` or one of the allowed names, each with or without a port.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        let name = if let Some(rest) = host.strip_prefix('[') {
            // `[v6]` or `[v6]:port`.
            let Some((inside, after)) = rest.split_once(']') else {
                return false;
            };
            if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
                return false;
            }
            return inside.parse::<std::net::Ipv6Addr>().is_ok();
        } else {
            match host.rsplit_once(':') {
                Some((name, port)) if is_port(port) => name,
                Some(_) => return false,
                None => host,
            }
        };
        if name.parse::<std::net::Ipv4Addr>().is_ok() {
            return true;
        }
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        name == "localhost" || self.0.contains(&name)
    }
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// Middleware: refuses a request whose `Host` is not one of the appliance's own names or
/// addresses (421), before any session, login or handler runs. A page on `evil.example` whose
/// name the attacker re-points at the appliance's address (DNS rebinding) is same-origin to the
/// browser, but its requests carry `Host: evil.example`. A request without `Host` (HTTP/1.0)
/// passes: it does not come from a browser, and nothing else would be gained by refusing it.
pub async fn check_host(
    State(hosts): State<AllowedHosts>,
    request: Request,
    next: Next,
) -> Response {
    let host: Option<String> = match request.headers().get(header::HOST) {
        None => return next.run(request).await,
        Some(value) => value.to_str().ok().map(str::to_owned),
    };
    if host.as_deref().is_some_and(|h| hosts.allows(h)) {
        return next.run(request).await;
    }
    log::debug!("request for host {host:?} refused (not this appliance's name)");
    if request.uri().path().starts_with("/api/") {
        return ApiError::new(ErrorKind::WrongHost).into_response();
    }
    let lang = crate::error::request_lang(request.headers());
    let text = kartei_core::i18n::Msg::WrongHost.text(lang);
    let page = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Kartei</title><p>{text}</p></html>",
        lang.code()
    );
    (
        axum::http::StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// Middleware: the security headers, and `Cache-Control` (API and pages carry personal data
/// and are never stored; static assets are revalidated).
pub async fn headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_asset = crate::pages::ASSETS.iter().any(|a| a.path == path);
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

    fn host(host: &str, expected: bool) {
        let hosts = AllowedHosts::new(&["Kartei.local".into(), "salon.fritz.box.".into()]);
        assert_eq!(hosts.allows(host), expected, "{host}");
    }

    #[test]
    fn host_rules() {
        for ok in [
            "kartei.local:8080",
            "KARTEI.LOCAL",
            "kartei.local.:8080",
            "salon.fritz.box",
            "192.168.1.20:8080",
            "127.0.0.1",
            "[::1]:8080",
            "[fe80::1]",
            "localhost:8080",
        ] {
            host(ok, true);
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "kartei.local.evil.example",
            "kartei.local:http",
            "::1",
            "[::1",
            "[::1]x",
            "[evil.example]:80",
            "192.168.1.20:99999999",
            "",
        ] {
            host(bad, false);
        }
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
