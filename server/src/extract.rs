//! Extractors of the API: [`Json`], [`Query`], [`Path`] and [`Multipart`] wrap axum's own and
//! turn every rejection into an [`ApiError`] with a JSON body in the user's language. A body or
//! query string that does not fit its type names the field that is wrong
//! (`{"fields": {"phones[0].label": "Nicht erlaubt; möglich sind: mobile, private, business."}}`,
//! found with `serde_path_to_error`); an oversized body is 413. [`ReqLang`] is the request's
//! language.

use crate::error::{request_lang, ApiError, ErrorKind};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kartei_core::i18n::Msg;
use kartei_core::{CoreError, Lang};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A JSON body in, or a JSON body out.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::bad_request("Content-Type: application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorKind::TooLarge)
            } else {
                ApiError::bad_request("")
            }
        })?;
        from_json(&bytes).map(Json)
    }
}

/// Reads `bytes` as a `T`, naming the field of the first value that does not fit.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => field_error(&path, &inner.to_string()),
            _ => ApiError::bad_request("JSON"),
        }
    })?;
    de.end().map_err(|_| ApiError::bad_request("JSON"))?;
    Ok(value)
}

/// Reads a JSON value already parsed (a part of a body) as a `T`, naming the field under
/// `prefix` (`notes` → `notes[0].kind`) of the first value that does not fit.
pub fn from_value<T: DeserializeOwned>(
    prefix: &str,
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = match (prefix, e.path().to_string()) {
            ("", path) => path,
            (prefix, path) if path == "." => prefix.to_string(),
            (prefix, path) if path.starts_with('[') => format!("{prefix}{path}"),
            (prefix, path) => format!("{prefix}.{path}"),
        };
        field_error(&path, &e.into_inner().to_string())
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(Ok(value)) = headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (sub.eq_ignore_ascii_case("json")
            || sub.len() > 5 && sub[sub.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// The error of a value that did not fit at `path` (`.` is the whole body), from serde's
/// message: a missing field is named itself, an unknown enum value lists the allowed ones,
/// anything else is "not of the expected kind".
pub fn field_error(path: &str, message: &str) -> ApiError {
    // serde_json appends " at line L column C"; serde_urlencoded does not.
    let message = message.split(" at line ").next().unwrap_or(message);
    let join = |name: &str| match path {
        "" | "." => name.to_string(),
        parent => format!("{parent}.{name}"),
    };
    let (field, msg) = if let Some(rest) = message.strip_prefix("missing field `") {
        (join(rest.trim_end_matches('`')), Msg::Required)
    } else if message.starts_with("unknown variant") || message.starts_with("unknown field") {
        let allowed = message
            .split_once("expected ")
            .map(|(_, list)| {
                list.trim_start_matches("one of ")
                    .replace('`', "")
                    .replace(" or ", ", ")
            })
            .unwrap_or_default();
        let field = if message.starts_with("unknown field") {
            let name = message
                .trim_start_matches("unknown field `")
                .split('`')
                .next()
                .unwrap_or("");
            join(name)
        } else {
            path.to_string()
        };
        (field, Msg::NotOneOf { allowed })
    } else {
        (path.to_string(), Msg::WrongKind)
    };
    let field = match field.as_str() {
        "" | "." => "body".to_string(),
        _ => field,
    };
    CoreError::invalid(&field, msg).into()
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// The query string.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        from_query(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Reads a query string as a `T`, naming the parameter that does not fit.
pub fn from_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        field_error(&path, &e.into_inner().to_string())
    })
}

/// Path parameters (ids).
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind as PathError;
        use axum::extract::rejection::PathRejection;
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|rejection| match rejection {
                PathRejection::FailedToDeserializePathParams(e) => {
                    let field = match e.kind() {
                        PathError::ParseErrorAtKey { key, .. }
                        | PathError::DeserializeError { key, .. } => key.clone(),
                        _ => "id".to_string(),
                    };
                    CoreError::invalid(&field, Msg::WrongKind).into()
                }
                other => ApiError::bad_request(other.body_text()),
            })
    }
}

/// A `multipart/form-data` upload (photos, contact files). A body that is not one (no
/// boundary, another content type) is a JSON error on `file`, not axum's plain text.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(Multipart)
            .map_err(|_| CoreError::invalid("file", Msg::BadUpload).into())
    }
}

/// A part of a multipart body that could not be read: 413 when it is over the limit (with
/// `too_large`'s error), else a JSON error on `file`.
pub fn multipart_error(
    e: axum::extract::multipart::MultipartError,
    too_large: impl FnOnce() -> ApiError,
) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        CoreError::invalid("file", Msg::BadUpload).into()
    }
}

/// The request's language, from `Accept-Language` (German by default).
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(request_lang(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Card {
        name: String,
        #[serde(default)]
        phones: Vec<Phone>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Phone {
        label: Label,
        number: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Label {
        Mobile,
        Private,
    }

    fn check(body: &str, field: &str, msg: Msg) {
        let err = from_json::<Card>(body.as_bytes()).expect_err(body);
        let ErrorKind::Core(CoreError::Invalid(fields)) = err.kind.as_ref() else {
            panic!("{body}: {:?}", err.kind);
        };
        assert_eq!(fields.get(field), Some(&msg), "{body}: {fields:?}");
    }

    #[test]
    fn every_value_that_does_not_fit_names_its_field() {
        check(
            r#"{"name":"A","phones":[{"label":"mobile","number":"1"},{"label":"home","number":"2"}]}"#,
            "phones[1].label",
            Msg::NotOneOf {
                allowed: "mobile, private".into(),
            },
        );
        check(r#"{"name":5}"#, "name", Msg::WrongKind);
        check(r#"{"name":"A","phones":{}}"#, "phones", Msg::WrongKind);
        check(r#"{"phones":[]}"#, "name", Msg::Required);
        check(
            r#"{"name":"A","phones":[{"label":"mobile"}]}"#,
            "phones[0].number",
            Msg::Required,
        );
        check("[]", "body", Msg::WrongKind);
    }
}
