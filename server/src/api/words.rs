//! The catalogue of words for the phone app: `GET /api/v1/words` sends every
//! `kartei_core::i18n::Word` by its key in one language, so app.js shows the same words as the
//! kiosk, the export and the command line. The language is `?lang=` if given, else the
//! request's `Accept-Language` (German by default).

use crate::error::ErrorBody;
use crate::extract::{Query, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::http::header;
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
async fn words(_: Session, ReqLang(lang): ReqLang, Query(query): Query<WordsQuery>) -> Response {
    let lang = query
        .lang
        .as_deref()
        .map_or(lang, Lang::from_accept_language);
    let body = Words {
        lang: lang.code(),
        version: env!("CARGO_PKG_VERSION"),
        words: word_table(lang),
    };
    (
        [
            (header::CACHE_CONTROL, "private, max-age=3600"),
            (header::VARY, "Accept-Language"),
            (header::CONTENT_LANGUAGE, lang.code()),
        ],
        axum::Json(body),
    )
        .into_response()
}
