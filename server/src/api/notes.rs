//! Notes and patch tests on a card: edit a note (`PUT` the whole note, or `PATCH` a merge patch
//! such as `{"pinned": true}`), delete it, and record a patch test. The rules are the core's: a
//! colour formula is locked 24 hours after it was written (only its pin still changes) and is
//! deleted only with its customer; both refusals are 403 with the reason as the message.

use super::docs::{NoteDoc, NoteInput, NotePatchDoc, PatchTestDoc, PatchTestInput};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use kartei_core::card::NoteView;
use kartei_core::model::{CustomerId, Note, NoteDraft, NoteId, PatchTest, PatchTestDraft};
use kartei_core::{Kartei, Lang};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(replace, patch, remove))
        .routes(routes!(add_patch_test))
}

/// The note as the card shows it, with whether it may still be edited and deleted.
fn view(k: &Kartei, note: Note, lang: Lang) -> NoteView {
    NoteView::new(note, k.now(), lang)
}

/// Replaces a note's kind, text, pin and formula.
#[utoipa::path(put, path = "/api/v1/notes/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Note id")), request_body = NoteInput,
    responses((status = 200, body = NoteDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "A colour formula older than 24 hours", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn replace(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
    Json(draft): Json<NoteDraft>,
) -> ApiResult<axum::Json<NoteView>> {
    let note = state
        .blocking(move |k| {
            let note = k.update_note(NoteId(id), &draft, &session.staff)?;
            Ok(view(k, note, lang))
        })
        .await?;
    Ok(axum::Json(note))
}

/// Changes only what the merge patch names (`{"pinned": false}`, `{"text": "…"}`,
/// `{"formula": {"developer": "9 %"}}`). A patch that changes nothing writes nothing.
#[utoipa::path(patch, path = "/api/v1/notes/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Note id")), request_body = NotePatchDoc,
    responses((status = 200, body = NoteDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "A colour formula older than 24 hours", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn patch(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
    Json(changes): Json<Value>,
) -> ApiResult<axum::Json<NoteView>> {
    let note = state
        .blocking(move |k| {
            let note = k.patch_note(NoteId(id), &changes, &session.staff)?;
            Ok(view(k, note, lang))
        })
        .await?;
    Ok(axum::Json(note))
}

/// Deletes a note. Colour formulas stay until their customer is erased (403).
#[utoipa::path(delete, path = "/api/v1/notes/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Note id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 403, description = "A colour formula", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    state
        .blocking(move |k| k.delete_note(NoteId(id), &session.staff))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records a patch test (allergy skin test) done by the logged-in staff member; `date` is
/// today when left out and may not lie in the future.
#[utoipa::path(post, path = "/api/v1/customers/{id}/patch-tests", tag = "customers",
    params(("id" = u64, Path, description = "Customer id")), request_body = PatchTestInput,
    responses((status = 201, body = PatchTestDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_patch_test(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(draft): Json<PatchTestDraft>,
) -> ApiResult<(StatusCode, axum::Json<PatchTest>)> {
    let test = state
        .blocking(move |k| k.add_patch_test(CustomerId(id), &draft, &session.staff))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(test)))
}
