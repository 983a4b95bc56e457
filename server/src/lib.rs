//! `kartei-server`: the LAN face of Kartei — the JSON API v1 and the staff phone web app over
//! `kartei-core`, advertised by mDNS. It never touches the kiosk's screen; the kiosk and the
//! command line start it with [`run`] on a listener they bound.
//!
//! Layout:
//! - [`app`]: the whole router (areas merged in one place, cross-cutting layers around them:
//!   brotli/gzip for text, security headers, error rendering, origin check, body limit; an
//!   unknown address is the German/English 404 page, or the JSON error under `/api/`).
//! - [`api`]: one router per area of the JSON API, with the OpenAPI document.
//! - [`pages`]: login page, app shell, embedded static assets.
//! - [`session`]: session cookie, session table, the session extractors.
//! - [`error`]: [`error::ApiError`], the one error type of the boundary.
//! - [`security`]: security headers and the origin (CSRF) check.
//! - [`heavy`]: the pool for searches, exports and imports (two at once, niced).
//! - [`listen`]: the accept loop with header/idle timeouts and the connection cap.
//! - [`mdns`]: advertising and discovering appliances on the LAN.

pub mod api;
pub mod error;
pub mod extract;
pub mod heavy;
pub mod listen;
pub mod mdns;
pub mod pages;
pub mod security;
pub mod session;
pub mod state;

use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use error::{ApiError, ErrorKind};
use kartei_core::Kartei;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tokio::net::TcpListener;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};

pub use state::{AppState, ServerConfig};

/// The whole application: API, pages and assets, with the security headers, the error
/// rendering, the origin check and the body limit around every route, and compression
/// around all of it.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.body_limit;
    let hosts = security::AllowedHosts::new(&state.config.allowed_hosts);
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .fallback(not_found)
        .layer(middleware::from_fn(security::check_origin))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(hosts, security::check_host))
        .layer(middleware::from_fn(error::render))
        .layer(middleware::from_fn(security::headers))
        .layer(compression())
        .with_state(state)
}

/// Brotli or gzip, as the client's `Accept-Encoding` asks, for text: the app's HTML, JS and
/// CSS (about a fifth of their size over a salon's Wi-Fi) and the JSON. Not compressed: the
/// event stream (a compressor holds bytes back until its buffer fills, so live updates would
/// stop arriving), images and photos, and the downloads that are zip files already (xlsx) or
/// binary. Replies under 32 bytes are not worth it.
fn compression() -> CompressionLayer<impl Predicate> {
    let predicate = DefaultPredicate::new()
        // Named here too, so the rule is visible where it matters (the default has it).
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/octet-stream"));
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(predicate)
}

/// An unknown address: the JSON error under `/api/`, else the 404 page in the request's
/// language. The page is the same with or without a session (it shows nothing but the
/// address asked for, escaped), so it tells a visitor nothing about who is logged in.
async fn not_found(uri: Uri, lang: extract::ReqLang) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(ErrorKind::NoRoute).into_response()
    } else {
        pages::not_found_page(lang.0, uri.path())
    }
}

/// Serves `kartei` on `listener` until `shutdown` completes, then finishes open requests,
/// ends event streams and withdraws the mDNS advertisement.
pub async fn run(
    listener: TcpListener,
    kartei: Kartei,
    config: ServerConfig,
    mdns: Option<mdns::MdnsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    api::export::remove_stale_downloads(kartei.data_dir());
    let state = AppState::new(kartei, config);
    let advertiser = match mdns {
        Some(config) => match mdns::Advertiser::start(&config) {
            Ok(a) => {
                log::info!("mDNS: advertising {}", a.host);
                Some(a)
            }
            Err(err) => {
                log::warn!("mDNS unavailable: {err}");
                None
            }
        },
        None => None,
    };
    let closer = state.clone();
    let config = state.config.clone();
    let result = listen::serve(listener, app(state), &config, async move {
        shutdown.await;
        closer.close();
    })
    .await;
    if let Some(advertiser) = advertiser {
        let _ = tokio::task::spawn_blocking(move || advertiser.stop()).await;
    }
    result
}

/// The plain address people type or scan: the listener's own IP, or for `0.0.0.0` the first
/// LAN address of the machine.
pub fn public_url(local: SocketAddr) -> String {
    let ip = if local.ip().is_unspecified() {
        mdns::lan_addresses()
            .into_iter()
            .find(IpAddr::is_ipv4)
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    } else {
        local.ip()
    };
    match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{}", local.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}", local.port()),
    }
}
