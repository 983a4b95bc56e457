//! Retention for owners (DSGVO Art. 5(1)(e)): the customers past the retention period, the
//! period itself, and anonymising a customer. Erasing goes through `DELETE /api/v1/customers/{id}`.
//! The rules are the core's (`kartei_core::retention`).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Json;
use crate::extract::Path;
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use chrono::NaiveDate;
use kartei_core::model::CustomerId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(review))
        .routes(routes!(set_years))
        .routes(routes!(anonymise))
}

/// A customer past the retention period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    pub id: u64,
    pub name: String,
    /// The last visit or booking; absent if there never was one.
    pub last_visit: Option<NaiveDate>,
    pub created: NaiveDate,
}

/// The review: the period and who is past it, longest ago first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionView {
    pub years: u32,
    pub due: Vec<CandidateView>,
}

/// The retention period to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RetentionSettings {
    /// Whole years, 1–30.
    pub years: u32,
}

fn view(
    k: &kartei_core::Kartei,
    role: kartei_core::model::Role,
) -> kartei_core::Result<RetentionView> {
    let due = k.retention_review(role)?;
    Ok(RetentionView {
        years: k.settings().retention_years,
        due: due
            .into_iter()
            .map(|c| CandidateView {
                id: c.id.0,
                name: c.name,
                last_visit: c.last_visit,
                created: c.created,
            })
            .collect(),
    })
}

/// Customers without a visit or booking for the retention period (owners only).
#[utoipa::path(get, path = "/api/v1/retention", tag = "retention",
    responses((status = 200, body = RetentionView), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn review(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<axum::Json<RetentionView>> {
    let out = state.blocking(move |k| view(k, session.role)).await?;
    Ok(axum::Json(out))
}

/// Sets the retention period (owners only).
#[utoipa::path(put, path = "/api/v1/retention/settings", tag = "retention",
    request_body = RetentionSettings,
    responses((status = 200, body = RetentionView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn set_years(
    State(state): State<AppState>,
    session: Session,
    Json(input): Json<RetentionSettings>,
) -> ApiResult<axum::Json<RetentionView>> {
    let out = state
        .blocking(move |k| {
            k.set_retention_years(session.role, input.years)?;
            view(k, session.role)
        })
        .await?;
    Ok(axum::Json(out))
}

/// Anonymises a customer (owners only): the person goes, the visits stay.
#[utoipa::path(post, path = "/api/v1/customers/{id}/anonymise", tag = "retention",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, body = RetentionView), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn anonymise(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
) -> ApiResult<axum::Json<RetentionView>> {
    let out = state
        .blocking(move |k| {
            k.anonymise_customer(CustomerId(id), session.role, &session.staff)?;
            view(k, session.role)
        })
        .await?;
    Ok(axum::Json(out))
}
