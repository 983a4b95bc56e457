//! Customer photos: upload (multipart, one picture per request, with its own body limit), the
//! gallery list with its filter, thumbnail and full image (immutable: `ETag` = content hash,
//! `Cache-Control: private, immutable`), describe (kind, caption, favourite) and delete.
//!
//! Decoding and encoding run on the blocking pool; the core refuses what is not a picture.

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::extract::{Json, Multipart, Path, Query};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kartei_core::i18n::Msg;
use kartei_core::model::CustomerId;
use kartei_core::photos::{decode, Photo, PhotoData, PhotoFilter, PhotoId, PhotoKind, PhotoPatch};
use kartei_core::CoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest upload request: the core's file limit plus room for the multipart framing and
/// the small text fields.
pub const UPLOAD_BODY_LIMIT: usize = decode::MAX_FILE_BYTES + 64 * 1024;

/// How long a browser may keep a thumbnail or full image: a photo's pictures never change (a
/// new picture is a new photo id), so a year, without asking again.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

pub fn router() -> OpenApiRouter<AppState> {
    // Only the upload may be large; every other route keeps the server's small limit.
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(list))
        .merge(uploads)
        .routes(routes!(thumb))
        .routes(routes!(full))
        .routes(routes!(update, remove))
}

/// A photo as the API sends it (the core's `Photo`).
#[derive(Serialize, ToSchema)]
pub struct PhotoDoc {
    pub id: u64,
    pub customer_id: u64,
    /// `before`, `after`, `inspiration`, `generated`, `other`.
    pub kind: String,
    pub caption: String,
    /// When it was taken: the camera's EXIF time, else the upload time (RFC 3339, UTC).
    pub taken_at: String,
    pub taken_at_from_exif: bool,
    pub added_by: String,
    pub added_at: String,
    pub favourite: bool,
    /// SHA-256 of the uploaded file; the `ETag` of thumbnail and full image.
    pub hash: String,
    /// Full image size in pixels (longest side at most 2560).
    pub width: u32,
    pub height: u32,
    /// Thumbnail size in pixels (longest side at most 320).
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub bytes: u64,
    pub thumb_bytes: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PhotoList {
    /// In the order the filter asks for.
    pub photos: Vec<PhotoDoc>,
}

#[derive(Serialize)]
struct PhotoListBody {
    photos: Vec<Photo>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhotoQuery {
    /// `newest` (default), `oldest` or `favourites` (newest first).
    pub filter: Option<String>,
}

/// The multipart form of an upload (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// The picture: JPEG, PNG or WebP, at most 32 MB. One per request.
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
    /// `before`, `after`, `inspiration`, `generated`, `other` (default `other`).
    pub kind: Option<String>,
    pub caption: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PhotoPatchDoc {
    /// `before`, `after`, `inspiration`, `generated`, `other`.
    pub kind: Option<String>,
    pub caption: Option<String>,
    pub favourite: Option<bool>,
}

/// A customer's photos, metadata only (galleries then load the thumbnails).
#[utoipa::path(get, path = "/api/v1/customers/{id}/photos", tag = "photos",
    params(("id" = u64, Path, description = "Customer id"), PhotoQuery),
    responses((status = 200, body = PhotoList), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    Query(query): Query<PhotoQuery>,
) -> ApiResult<axum::Json<PhotoListBody>> {
    let filter = match query.filter.as_deref() {
        None | Some("") => PhotoFilter::Newest,
        Some(f) => f
            .parse()
            .map_err(|_| CoreError::invalid("filter", Msg::InvalidInput))?,
    };
    let photos = state
        .blocking(move |k| k.photos(CustomerId(id), filter))
        .await?;
    Ok(axum::Json(PhotoListBody { photos }))
}

/// Uploads one picture (multipart field `file`, optional `kind` and `caption`). It is stored
/// upright, at most 2560 px, without EXIF/GPS; a refused file stores nothing.
#[utoipa::path(post, path = "/api/v1/customers/{id}/photos", tag = "photos",
    params(("id" = u64, Path, description = "Customer id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = PhotoDoc),
              (status = 400, description = "Not a picture, HEIC, damaged, too many pixels", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Multipart(mut form): Multipart,
) -> ApiResult<(StatusCode, axum::Json<Photo>)> {
    let mut file: Option<Vec<u8>> = None;
    let mut kind = PhotoKind::Other;
    let mut caption = String::new();
    while let Some(field) = form.next_field().await.map_err(upload_error)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                if file.is_some() {
                    return Err(ApiError::bad_request("one file per request"));
                }
                file = Some(field.bytes().await.map_err(upload_error)?.to_vec());
            }
            "kind" => {
                let text = field.text().await.map_err(upload_error)?;
                kind = text
                    .trim()
                    .parse()
                    .map_err(|_| CoreError::invalid("kind", Msg::InvalidInput))?;
            }
            "caption" => caption = field.text().await.map_err(upload_error)?,
            _ => {}
        }
    }
    let Some(bytes) = file else {
        return Err(CoreError::invalid("file", Msg::Required).into());
    };
    let photo = state
        .blocking(move |k| k.add_photo(CustomerId(id), &bytes, kind, &caption, &session.staff))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(photo)))
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    crate::extract::multipart_error(e, || ApiError::new(ErrorKind::TooLarge))
}

/// The thumbnail (JPEG, longest side at most 320 px).
#[utoipa::path(get, path = "/api/v1/photos/{id}/thumb", tag = "photos",
    params(("id" = u64, Path, description = "Photo id")),
    responses((status = 200, description = "image/jpeg"), (status = 304, description = "Unchanged"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn thumb(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    picture(state, PhotoId(id), headers, |k, id| k.photo_thumb(id)).await
}

/// The full image (JPEG, longest side at most 2560 px).
#[utoipa::path(get, path = "/api/v1/photos/{id}/full", tag = "photos",
    params(("id" = u64, Path, description = "Photo id")),
    responses((status = 200, description = "image/jpeg"), (status = 304, description = "Unchanged"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn full(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    picture(state, PhotoId(id), headers, |k, id| k.photo_full(id)).await
}

/// Answers 304 when the browser has this content already, else the JPEG with its ETag.
async fn picture(
    state: AppState,
    id: PhotoId,
    headers: HeaderMap,
    read: fn(&kartei_core::Kartei, PhotoId) -> kartei_core::Result<PhotoData>,
) -> ApiResult<Response> {
    let known = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (hash, bytes) = state
        .blocking(move |k| {
            let hash = k.photo(id)?.content.hash;
            if known.is_some_and(|tags| etag_matches(&tags, &hash)) {
                return Ok((hash, None));
            }
            let data = read(k, id)?;
            Ok((data.hash, Some(data.bytes)))
        })
        .await?;
    let mut response = match bytes {
        None => StatusCode::NOT_MODIFIED.into_response(),
        Some(bytes) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"))],
            bytes,
        )
            .into_response(),
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{hash}\"")) {
        h.insert(header::ETAG, tag);
    }
    Ok(response)
}

/// Whether an `If-None-Match` list names this content (`*`, or the quoted hash, weak or not).
fn etag_matches(header: &str, hash: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == hash)
}

/// Changes kind, caption or the favourite mark.
#[utoipa::path(patch, path = "/api/v1/photos/{id}", tag = "photos",
    params(("id" = u64, Path, description = "Photo id")), request_body = PhotoPatchDoc,
    responses((status = 200, body = PhotoDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    Json(patch): Json<PhotoPatch>,
) -> ApiResult<axum::Json<Photo>> {
    let photo = state
        .blocking(move |k| k.update_photo(PhotoId(id), &patch))
        .await?;
    Ok(axum::Json(photo))
}

/// Deletes a photo (its files too, unless another photo shows the same picture).
#[utoipa::path(delete, path = "/api/v1/photos/{id}", tag = "photos",
    params(("id" = u64, Path, description = "Photo id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    state.blocking(move |k| k.delete_photo(PhotoId(id))).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::etag_matches;

    #[test]
    fn if_none_match_lists() {
        let check = |header: &str, expected: bool| {
            assert_eq!(etag_matches(header, "abc"), expected, "{header}");
        };
        check("\"abc\"", true);
        check("W/\"abc\"", true);
        check("\"x\", \"abc\"", true);
        check("*", true);
        check("\"abcd\"", false);
        check("", false);
    }
}
