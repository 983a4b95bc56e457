//! The salon's service catalog.

use super::docs::ServiceDoc;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Json;
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use kartei_core::model::{Service, ServiceDraft};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create))
}

/// All services.
#[utoipa::path(get, path = "/api/v1/services", tag = "services",
    responses((status = 200, body = Vec<ServiceDoc>), (status = 401, body = ErrorBody)))]
async fn list(State(state): State<AppState>, _: Session) -> ApiResult<axum::Json<Vec<Service>>> {
    Ok(axum::Json(state.blocking(|k| k.services()).await?))
}

/// A new service.
#[utoipa::path(post, path = "/api/v1/services", tag = "services", request_body = ServiceDoc,
    responses((status = 201, body = ServiceDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    _: Session,
    Json(draft): Json<ServiceDraft>,
) -> ApiResult<(StatusCode, axum::Json<Service>)> {
    let service = state.blocking(move |k| k.create_service(&draft)).await?;
    Ok((StatusCode::CREATED, axum::Json(service)))
}
