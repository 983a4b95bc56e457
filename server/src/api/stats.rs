//! Dashboard figures and the salon's customer groups.

use super::docs::{GroupDoc, StatsDoc};
use crate::error::ErrorBody;
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use kartei_core::model::Group;
use kartei_core::stats::Stats;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(groups))
}

/// Total customers, new this week, regulars vs occasional, visits per month, birthdays today.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats",
    responses((status = 200, body = StatsDoc), (status = 401, body = ErrorBody)))]
async fn stats(State(state): State<AppState>, _: Session) -> axum::Json<Stats> {
    axum::Json(state.kartei.stats())
}

/// The customer groups the salon defined.
#[utoipa::path(get, path = "/api/v1/groups", tag = "stats",
    responses((status = 200, body = Vec<GroupDoc>), (status = 401, body = ErrorBody)))]
async fn groups(State(state): State<AppState>, _: Session) -> axum::Json<Vec<Group>> {
    axum::Json(state.kartei.groups())
}
