//! Appointments: list a time range, create (naming the customer by id), change, delete.

use super::docs::{AppointmentDoc, AppointmentInput, AppointmentPageDoc, AppointmentQuery};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use kartei_core::card::AppointmentView;
use kartei_core::i18n::Msg;
use kartei_core::kartei::AppointmentPage;
use kartei_core::model::{AppointmentDraft, AppointmentId};
use kartei_core::CoreError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
}

fn parse_time(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, CoreError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| CoreError::invalid(field, Msg::BadDate)),
    }
}

/// Appointments in a time range of at most 366 days, soonest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/appointments", tag = "appointments", params(AppointmentQuery),
    responses((status = 200, body = AppointmentPageDoc),
              (status = 400, description = "A bad time, a range over 366 days, a bad cursor or limit", body = ErrorBody),
              (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Session,
    Query(query): Query<AppointmentQuery>,
) -> ApiResult<axum::Json<AppointmentPage>> {
    let from = match parse_time("from", query.from.as_deref())? {
        Some(t) => t,
        None => start_of_today(state.kartei.today()),
    };
    let to = match parse_time("to", query.to.as_deref())? {
        Some(t) => t,
        None => from
            .checked_add_signed(Duration::days(30))
            .ok_or_else(|| CoreError::invalid("from", Msg::BadDate))?,
    };
    let limit = query.limit.unwrap_or(0);
    let cursor = query.cursor;
    let page = state
        .blocking(move |k| k.appointments_page(from, to, cursor.as_deref(), limit))
        .await?;
    Ok(axum::Json(page))
}

fn start_of_today(today: chrono::NaiveDate) -> DateTime<Utc> {
    let midnight = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// A new appointment; it appears in the customer's history.
#[utoipa::path(post, path = "/api/v1/appointments", tag = "appointments",
    request_body = AppointmentInput,
    responses((status = 201, body = AppointmentDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    _: Session,
    Json(draft): Json<AppointmentDraft>,
) -> ApiResult<(StatusCode, axum::Json<AppointmentView>)> {
    let view = state
        .blocking(move |k| k.create_appointment(&draft))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Changes an appointment (time, services, status, or its customer).
#[utoipa::path(put, path = "/api/v1/appointments/{id}", tag = "appointments",
    params(("id" = u64, Path, description = "Appointment id")), request_body = AppointmentInput,
    responses((status = 200, body = AppointmentDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    Json(draft): Json<AppointmentDraft>,
) -> ApiResult<axum::Json<AppointmentView>> {
    let view = state
        .blocking(move |k| k.update_appointment(AppointmentId(id), &draft))
        .await?;
    Ok(axum::Json(view))
}

/// Deletes an appointment.
#[utoipa::path(delete, path = "/api/v1/appointments/{id}", tag = "appointments",
    params(("id" = u64, Path, description = "Appointment id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    state
        .blocking(move |k| k.delete_appointment(AppointmentId(id)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
