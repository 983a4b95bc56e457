//! The catalogue of words for the phone app: `GET /api/v1/words` sends every
//! `kartei_core::i18n::Word` by its key in one language, so app.js shows the same words as the
//! kiosk, the export and the command line. The language is `?lang=` if given, else the
//! request's `Accept-Language` (German by default). The answer carries an `ETag` of its words
//! and must be revalidated (`no-cache`): a phone asks every start, and gets `304` until a new
//! Kartei brings other words.

use crate::error::ErrorBody;
use crate::extract::{Query, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kartei_core::i18n::word_table;
use kartei_core::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(words))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WordsQuery {
    /// `de` or `en` (a language tag or an `Accept-Language` value); without it, the request's
    /// `Accept-Language` decides.
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Words {
    /// The language of the words: `de` or `en`.
    pub lang: &'static str,
    /// The Kartei version the words belong to (the phone keeps them for offline use by it).
    pub version: &'static str,
    /// Every word by its key (`channel_phone` → `Telefon`); texts may hold `{name}`
    /// placeholders.
    pub words: BTreeMap<&'static str, &'static str>,
}

/// The words of the phone app in one language.
#[utoipa::path(get, path = "/api/v1/words", tag = "words", params(WordsQuery),
    responses((status = 200, body = Words), (status = 401, body = ErrorBody)))]
async fn words(
    _: Session,
    ReqLang(lang): ReqLang,
    Query(query): Query<WordsQuery>,
    request_headers: HeaderMap,
) -> Response {
    let lang = query
        .lang
        .as_deref()
        .map_or(lang, Lang::from_accept_language);
    let words = word_table(lang);
    let etag = etag(lang, &words);
    let headers = [
        (header::CACHE_CONTROL, "private, no-cache".to_string()),
        (header::VARY, "Accept-Language".to_string()),
        (header::CONTENT_LANGUAGE, lang.code().to_string()),
        (header::ETAG, etag.clone()),
    ];
    let unchanged = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if unchanged {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let body = Words {
        lang: lang.code(),
        version: env!("CARGO_PKG_VERSION"),
        words,
    };
    (headers, axum::Json(body)).into_response()
}

/// A strong validator of the words in `lang` (the same words, the same tag, in this binary).
fn etag(lang: Lang, words: &BTreeMap<&'static str, &'static str>) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    (lang.code(), words).hash(&mut hasher);
    format!("\"{}-{:016x}\"", lang.code(), hasher.finish())
}
