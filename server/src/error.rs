//! [`ApiError`]: the one error type of the HTTP boundary. Every [`CoreError`] variant maps to one
//! documented status and the JSON body `{"error": CODE, "message": TEXT, "fields": {…}}`, with the
//! message in the request's language. Handlers just return `ApiError` (or `?` a `CoreError`); the
//! [`render`] middleware writes the body in the request's language (`Accept-Language`) and logs
//! internal failures once. The client sees only a generic message (no paths, no stack traces).

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kartei_core::i18n::Msg;
use kartei_core::{CoreError, Lang};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code: `invalid`, `unauthorized`, `not_found`, `conflict`, …
    pub error: &'static str,
    /// One sentence for a person, in the request's language.
    pub message: String,
    /// Per-field messages for validation errors (`email`, `phones.0.number`, …).
    pub fields: BTreeMap<String, String>,
}

/// What went wrong. Rendered by [`render`] in the request's language.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: Arc<ErrorKind>,
}

#[derive(Debug)]
pub enum ErrorKind {
    Core(CoreError),
    /// No (valid) session.
    Unauthorized,
    /// The request was malformed (JSON syntax, unknown query value, bad id).
    BadRequest(String),
    /// A changing request from another origin, without the CSRF header.
    CrossOrigin,
    /// The body is larger than the limit.
    TooLarge,
    /// An uploaded file is larger than its route accepts (413), with the message that says
    /// the limit (also under `fields.file`).
    FileTooLarge(Msg),
    /// A thing the route names does not exist (404), with a message that says which.
    Missing(Msg),
    /// The route does not exist.
    NoRoute,
    /// The request's `Host` is not one of the appliance's names (DNS rebinding), 421.
    WrongHost,
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> ApiError {
        ApiError::new(ErrorKind::Core(err))
    }
}

impl From<ErrorKind> for ApiError {
    fn from(kind: ErrorKind) -> ApiError {
        ApiError::new(kind)
    }
}

impl ApiError {
    pub fn new(kind: ErrorKind) -> ApiError {
        ApiError {
            kind: Arc::new(kind),
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(ErrorKind::Unauthorized)
    }

    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadRequest(detail.into()))
    }

    pub fn status(&self) -> StatusCode {
        match self.kind.as_ref() {
            ErrorKind::Core(e) => match e {
                CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                CoreError::Conflict { .. } => StatusCode::CONFLICT,
                CoreError::Invalid(_) => StatusCode::BAD_REQUEST,
                CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                CoreError::WrongPin => StatusCode::UNAUTHORIZED,
                CoreError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                CoreError::AlreadyInUse(_)
                | CoreError::DataDir { .. }
                | CoreError::SchemaTooNew { .. }
                | CoreError::Store(_)
                | CoreError::Index(_)
                | CoreError::Io(_)
                | CoreError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::BadRequest(_) => StatusCode::BAD_REQUEST,
            ErrorKind::CrossOrigin => StatusCode::FORBIDDEN,
            ErrorKind::TooLarge | ErrorKind::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Missing(_) => StatusCode::NOT_FOUND,
            ErrorKind::NoRoute => StatusCode::NOT_FOUND,
            ErrorKind::WrongHost => StatusCode::MISDIRECTED_REQUEST,
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        let (error, message, fields) = match self.kind.as_ref() {
            ErrorKind::Core(e) => {
                let code = match e {
                    CoreError::NotFound { .. } => "not_found",
                    CoreError::Conflict { .. } => "conflict",
                    CoreError::Invalid(_) => "invalid",
                    CoreError::Forbidden(_) => "forbidden",
                    CoreError::WrongPin => "wrong_pin",
                    CoreError::Throttled { .. } => "throttled",
                    _ => "internal",
                };
                let fields = match e {
                    CoreError::Invalid(errors) => errors.texts(lang),
                    _ => BTreeMap::new(),
                };
                (code, e.user_message(lang), fields)
            }
            ErrorKind::Unauthorized => (
                "unauthorized",
                Msg::LoginRequired.text(lang),
                BTreeMap::new(),
            ),
            ErrorKind::BadRequest(detail) => {
                let head = Msg::InvalidInput.text(lang);
                let message = if detail.is_empty() {
                    head
                } else {
                    format!("{head} ({detail})")
                };
                ("bad_request", message, BTreeMap::new())
            }
            ErrorKind::CrossOrigin => {
                ("cross_origin", Msg::CrossOrigin.text(lang), BTreeMap::new())
            }
            ErrorKind::TooLarge => (
                "too_large",
                Msg::RequestTooLarge.text(lang),
                BTreeMap::new(),
            ),
            ErrorKind::FileTooLarge(msg) => {
                let text = msg.text(lang);
                let fields = BTreeMap::from([("file".to_string(), text.clone())]);
                ("too_large", text, fields)
            }
            ErrorKind::Missing(msg) => ("not_found", msg.text(lang), BTreeMap::new()),
            ErrorKind::NoRoute => ("not_found", Msg::NotFound.text(lang), BTreeMap::new()),
            ErrorKind::WrongHost => ("wrong_host", Msg::WrongHost.text(lang), BTreeMap::new()),
        };
        ErrorBody {
            error,
            message,
            fields,
        }
    }
}

impl ApiError {
    /// The response in `lang`; the error itself rides along in the extensions for [`render`].
    fn response(&self, lang: Lang) -> Response {
        let mut response = (self.status(), axum::Json(self.body(lang))).into_response();
        if let ErrorKind::Core(CoreError::Throttled { retry_after_secs }) = self.kind.as_ref() {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.response(Lang::De);
        response.extensions_mut().insert(self);
        response
    }
}

/// Middleware: renders every [`ApiError`] in the request's language and logs internal errors
/// (once, with the details the client does not see).
pub async fn render(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<ApiError>().cloned() else {
        return response;
    };
    if error.status().is_server_error() {
        log::error!("internal error: {:?}", error.kind);
    }
    let mut rendered = error.response(lang);
    for (name, value) in response.headers() {
        if name != header::CONTENT_LENGTH && !rendered.headers().contains_key(name) {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

/// The language of a request: its `Accept-Language`, German by default.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

pub type ApiResult<T> = Result<T, ApiError>;
