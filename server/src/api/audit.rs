//! The audit log for owners (DSGVO): the whole log page by page, and one customer's entries
//! (shown on the card). The download is `GET /api/v1/audit.xlsx` in [`super::export`]. The
//! entries themselves are written by the core.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::ReqLang;
use crate::extract::{Path, Query};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use kartei_core::audit::{AuditAction, AuditEntry};
use kartei_core::model::CustomerId;
use kartei_core::Lang;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(log))
        .routes(routes!(of_customer))
        .routes(routes!(record_of_processing))
}

/// The record of processing activities (DSGVO Art. 30) as Markdown, to check, complete and sign
/// (owners only). Named `verarbeitungsverzeichnis-YYYY-MM-DD.md` (`record-of-processing-…`).
#[utoipa::path(get, path = "/api/v1/gdpr/record.md", tag = "audit",
    responses((status = 200, description = "The record, as a download", content_type = "text/markdown"),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn record_of_processing(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let record = state
        .blocking(move |k| kartei_core::gdpr_record::record_of_processing(k, session.role, lang))
        .await?;
    let stem = kartei_core::i18n::Word::GdprRecordFileStem.text(lang);
    let name = format!("{stem}-{}.md", state.kartei.today().format("%Y-%m-%d"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                super::export::content_disposition(&name),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        record,
    )
        .into_response())
}

/// One entry as the phone shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Who (a staff member's name, "Kiosk", "Kommandozeile").
    pub by: String,
    /// `viewed`, `viewed_health`, `created`, `changed`, `note_written`, `exported`,
    /// `list_exported`, `merged`, `erased`.
    #[schema(value_type = String)]
    pub action: AuditAction,
    /// The action in the request's language.
    pub label: String,
    pub customer_id: Option<u64>,
    /// Field names, a format, a count or an id; never a customer's data.
    pub detail: String,
}

fn view(e: AuditEntry, lang: Lang) -> AuditEntryView {
    AuditEntryView {
        seq: e.seq,
        at: e.at,
        by: e.by,
        action: e.action,
        label: e.action.label(lang).to_string(),
        customer_id: e.customer.map(|c| c.0),
        detail: e.detail,
    }
}

/// A page of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries older than this entry number (the previous page's `next_before`).
    pub before: Option<u64>,
    /// Entries per page (1–500, default 100).
    pub limit: Option<usize>,
}

/// The whole audit log, newest first (owners only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn log(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Query(params): Query<AuditParams>,
) -> ApiResult<axum::Json<AuditPage>> {
    let limit = params.limit.unwrap_or(100);
    let entries = state
        .blocking(move |k| k.audit_log(session.role, params.before, limit))
        .await?;
    let full = entries.len() >= limit.clamp(1, kartei_core::audit::MAX_PAGE);
    let next_before = entries.last().filter(|_| full).map(|e| e.seq);
    Ok(axum::Json(AuditPage {
        items: entries.into_iter().map(|e| view(e, lang)).collect(),
        next_before,
    }))
}

/// What the log holds about one customer, newest first (owners only). Kept after an erasure.
#[utoipa::path(get, path = "/api/v1/customers/{id}/audit", tag = "audit",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn of_customer(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
) -> ApiResult<axum::Json<Vec<AuditEntryView>>> {
    let entries = state
        .blocking(move |k| k.audit_of(CustomerId(id), session.role))
        .await?;
    Ok(axum::Json(
        entries.into_iter().map(|e| view(e, lang)).collect(),
    ))
}
