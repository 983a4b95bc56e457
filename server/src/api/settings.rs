//! The owner's settings that are not an area of their own: for now how long a phone session
//! lasts without a request (`GET`/`PUT /api/v1/settings/session`). The rule (owners only,
//! 15 minutes to 24 hours) is the core's (`Kartei::set_session_idle_minutes`); the session
//! table reads the setting at every request, so a change applies to running sessions at once.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Json;
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use kartei_core::settings::{SESSION_IDLE_CHOICES, SESSION_IDLE_MINUTES};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(session_settings, set_session_settings))
}

/// How long a phone session lasts without a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSettingsView {
    /// The session length now, in minutes.
    pub minutes: u32,
    /// The shortest and longest length an owner may set.
    pub min: u32,
    pub max: u32,
    /// The lengths the faces offer to pick from.
    pub choices: Vec<u32>,
}

/// The session length to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SessionSettings {
    /// Whole minutes, 15–1440.
    pub minutes: u32,
}

fn view(k: &kartei_core::Kartei) -> SessionSettingsView {
    SessionSettingsView {
        minutes: u32::try_from(k.session_idle().as_secs() / 60).unwrap_or(u32::MAX),
        min: *SESSION_IDLE_MINUTES.start(),
        max: *SESSION_IDLE_MINUTES.end(),
        choices: SESSION_IDLE_CHOICES.to_vec(),
    }
}

/// The session length (every staff member may read it; it is no secret).
#[utoipa::path(get, path = "/api/v1/settings/session", tag = "settings",
    responses((status = 200, body = SessionSettingsView), (status = 401, body = ErrorBody)))]
async fn session_settings(
    State(state): State<AppState>,
    _: Session,
) -> axum::Json<SessionSettingsView> {
    axum::Json(view(&state.kartei))
}

/// Sets the session length (owners only); the sessions already running follow it from their
/// next request on.
#[utoipa::path(put, path = "/api/v1/settings/session", tag = "settings",
    request_body = SessionSettings,
    responses((status = 200, body = SessionSettingsView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn set_session_settings(
    State(state): State<AppState>,
    session: Session,
    Json(input): Json<SessionSettings>,
) -> ApiResult<axum::Json<SessionSettingsView>> {
    let out = state
        .blocking(move |k| {
            k.set_session_idle_minutes(session.role, input.minutes)?;
            Ok(view(k))
        })
        .await?;
    Ok(axum::Json(out))
}
