//! The phone web app's pages and files: `/login` (with the plain `http://IP:PORT` address and its
//! QR code, because not every phone resolves `.local` names), the app shell for every app route
//! (only with a session, else a redirect to `/login`), and the static assets (no login needed;
//! they hold no personal data). Everything is embedded in the binary. The login and logout pages
//! are rendered in the request's language with words from the core's catalogue.

use crate::session::PageSession;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kartei_core::i18n::Word;
use kartei_core::Lang;

/// The routes of the app shell (all need a session). One table, so the test that walks every
/// route without a session cannot miss one.
pub const APP_ROUTES: &[&str] = &[
    "/",
    "/new",
    "/stats",
    "/appointments/new",
    "/import",
    "/messages",
    "/mail",
    "/newsletter",
    "/customers/{*rest}",
];

/// A static file: URL path, content type, bytes.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $type:literal) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../assets/", $file)),
        }
    };
}

/// Every static file, served without login.
pub const ASSETS: &[Asset] = &[
    asset!("/assets/app.js", "app.js", "text/javascript; charset=utf-8"),
    asset!(
        "/assets/login.js",
        "login.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("/assets/app.css", "app.css", "text/css; charset=utf-8"),
    asset!("/assets/icon.svg", "icon.svg", "image/svg+xml"),
    asset!("/assets/icon-192.png", "icon-192.png", "image/png"),
    // At the root: a service worker controls only pages below its own path.
    asset!("/sw.js", "sw.js", "text/javascript; charset=utf-8"),
    asset!(
        "/manifest.webmanifest",
        "manifest.webmanifest",
        "application/manifest+json"
    ),
];

const APP_HTML: &str = include_str!("../assets/app.html");
const LOGIN_HTML: &str = include_str!("../assets/login.html");

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route("/login", get(login))
        .route("/logout", get(logout_page).post(logout))
        .route("/healthz", get(healthz));
    for path in APP_ROUTES {
        router = router.route(path, get(app_shell));
    }
    for asset in ASSETS {
        router = router.route(asset.path, get(move || async move { serve(asset) }));
    }
    router
}

fn serve(asset: &'static Asset) -> Response {
    ([(header::CONTENT_TYPE, asset.content_type)], asset.bytes).into_response()
}

/// Readiness: 200 once the server answers (the card file is open by then).
async fn healthz() -> &'static str {
    "ok"
}

async fn app_shell(_: PageSession) -> Html<&'static str> {
    Html(APP_HTML)
}

async fn login(
    State(state): State<AppState>,
    session: Option<PageSession>,
    lang: crate::extract::ReqLang,
) -> Response {
    if session.is_some() {
        return Redirect::to("/").into_response();
    }
    let salon = state.kartei.settings().salon_name;
    let salon = if salon.trim().is_empty() {
        "Kartei".to_string()
    } else {
        salon
    };
    let address = &state.config.public_url;
    let lang = lang.0;
    let word = |w: Word| escape_html(w.text(lang));
    let page = LOGIN_HTML
        .replace("{{LANG}}", lang.code())
        .replace("{{LOGIN_TITLE}}", &word(Word::LoginTitle))
        .replace("{{NAME}}", &word(Word::FieldName))
        .replace("{{LOGIN_BUTTON}}", &word(Word::LoginButton))
        .replace("{{LOGIN_ADDRESS}}", &word(Word::LoginAddress))
        .replace("{{NO_CONNECTION}}", &word(Word::LoginNoConnection))
        .replace("{{SALON_NAME}}", &escape_html(&salon))
        .replace("{{ADDRESS}}", &escape_html(address))
        .replace("{{QR_SVG}}", &qr_svg(address));
    (StatusCode::OK, Html(page)).into_response()
}

/// `GET /logout`: a page with the logout button (a GET must not end the session: a link on
/// another site could do it), or to the login page when there is no session.
async fn logout_page(session: Option<PageSession>, lang: crate::extract::ReqLang) -> Response {
    let Some(PageSession(session)) = session else {
        return Redirect::to("/login").into_response();
    };
    let lang = lang.0;
    let (title, who, back) = (
        Word::Logout.text(lang),
        Word::LoggedInAsLabel.text(lang),
        Word::Back.text(lang),
    );
    let button = title;
    let page = format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body class=\"login\"><main><h1>{title}</h1><p>{who} <strong>{name}</strong></p>\
         <form method=\"post\" action=\"/logout\"><button type=\"submit\" id=\"logout\">{button}</button></form>\
         <p><a href=\"/\">{back}</a></p></main></body></html>",
        code = lang.code(),
        name = escape_html(&session.staff),
    );
    Html(page).into_response()
}

/// `POST /logout` (the form on every screen): ends the session, clears the cookie, back to
/// the login page. Without a session it just goes there.
async fn logout(State(state): State<AppState>, session: Option<PageSession>) -> Response {
    if let Some(PageSession(session)) = session {
        state.sessions.end(&session.token);
    }
    (
        [(header::SET_COOKIE, crate::session::clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

/// The longest part of an unknown address the 404 page repeats.
const NOT_FOUND_PATH_CHARS: usize = 80;

/// The 404 page: what happened, the address asked for (escaped, cut at
/// [`NOT_FOUND_PATH_CHARS`]), and a link to the start page (the list, or the login page for a
/// visitor without a session).
pub fn not_found_page(lang: Lang, path: &str) -> Response {
    let mut shown: String = path.chars().take(NOT_FOUND_PATH_CHARS).collect();
    if path.chars().nth(NOT_FOUND_PATH_CHARS).is_some() {
        shown.push('…');
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{title} – Kartei</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head>\
         <body class=\"login not-found\"><main><h1>{title}</h1>\
         <p>{text} <code id=\"not-found-path\">{path}</code></p>\
         <p><a class=\"button\" id=\"to-start\" href=\"/\">{start}</a></p></main></body></html>",
        code = lang.code(),
        title = escape_html(Word::NotFoundTitle.text(lang)),
        text = escape_html(Word::NotFoundText.text(lang)),
        start = escape_html(Word::ToStart.text(lang)),
        path = escape_html(&shown),
    );
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

/// The QR code of `text` as inline SVG (empty if the text is too long for a QR code).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape_html(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn qr_is_svg() {
        let svg = qr_svg("http://192.168.1.20:8080");
        assert!(svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("<script"));
    }
}
