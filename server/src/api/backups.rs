//! Automatic backups from a phone: the status line every staff member's app can show, and for
//! owners "Jetzt sichern" and the backup settings (on/off, time of night, folder, USB sticks).
//! The runs themselves are core's (`kartei_core::backup::automatic`).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use kartei_core::backup::automatic::check_may_manage;
use kartei_core::backup::schedule::hh_mm;
use kartei_core::backup::status::{Health, TargetKind};
use kartei_core::backup::BackupSettings;
use kartei_core::i18n::Msg;
use kartei_core::{CoreError, Kartei, Lang};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status, run_now))
        .routes(routes!(settings))
}

/// How the backups stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupsView {
    /// `good`: a verified backup from the last two days and the last run went well.
    pub health: HealthView,
    /// The status line ("letzte Sicherung 03.12.2026 02:30 geprüft ✓" or the warning).
    pub text: String,
    pub last_verified: Option<DateTime<Utc>>,
    /// A backup is being written now.
    pub running: bool,
    pub settings: BackupSettingsView,
    pub targets: Vec<TargetView>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthView {
    Good,
    Warning,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKindView {
    /// A folder of the appliance (its own `backups` folder, or a NAS mount).
    Folder,
    /// A USB stick plugged into the appliance.
    Stick,
}

/// One place backups go, and what became of the last run there.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    /// The stick's label or the folder.
    pub label: String,
    pub kind: TargetKindView,
    pub last_attempt: Option<DateTime<Utc>>,
    /// Why the last run there failed, in the request's language.
    pub error: Option<String>,
    /// When the newest verified backup there was taken.
    pub last_good_at: Option<DateTime<Utc>>,
    pub last_good_file: Option<String>,
    pub last_good_bytes: Option<u64>,
    pub last_good_customers: Option<u64>,
}

/// The owner's backup settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupSettingsView {
    /// Back up every night.
    pub automatic: bool,
    /// Local time of night, `HH:MM`.
    #[schema(example = "02:30")]
    pub time: String,
    /// A full path on the appliance (a NAS mount); empty or missing: the appliance's own folder.
    pub folder: Option<String>,
    /// Also onto every USB stick plugged into the appliance.
    pub usb_sticks: bool,
}

impl BackupSettingsView {
    fn of(settings: &BackupSettings) -> BackupSettingsView {
        BackupSettingsView {
            automatic: settings.automatic,
            time: settings.time.format("%H:%M").to_string(),
            folder: settings.folder.as_ref().map(|f| f.display().to_string()),
            usb_sticks: settings.usb_sticks,
        }
    }

    fn parse(self) -> kartei_core::Result<BackupSettings> {
        let time =
            hh_mm::parse(&self.time).ok_or_else(|| CoreError::invalid("time", Msg::BadTime))?;
        let folder = self
            .folder
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from);
        Ok(BackupSettings {
            automatic: self.automatic,
            time,
            folder,
            usb_sticks: self.usb_sticks,
        })
    }
}

fn view(kartei: &Kartei, lang: Lang) -> BackupsView {
    let status = kartei.backup_status();
    let summary = status.summary(kartei.now(), lang);
    BackupsView {
        health: match summary.health {
            Health::Good => HealthView::Good,
            Health::Warning => HealthView::Warning,
        },
        text: summary.text,
        last_verified: summary.last_verified,
        running: kartei.backup_running(),
        settings: BackupSettingsView::of(&kartei.settings().backup),
        targets: status
            .targets
            .iter()
            .map(|t| TargetView {
                label: t.label.clone(),
                kind: match t.kind {
                    TargetKind::Folder => TargetKindView::Folder,
                    TargetKind::Stick => TargetKindView::Stick,
                },
                last_attempt: t.last_attempt,
                error: t.error.as_ref().map(|e| e.get(lang).to_string()),
                last_good_at: t.last_good.as_ref().map(|g| g.at),
                last_good_file: t
                    .last_good
                    .as_ref()
                    .and_then(|g| g.file.file_name().map(|n| n.to_string_lossy().into_owned())),
                last_good_bytes: t.last_good.as_ref().map(|g| g.bytes),
                last_good_customers: t.last_good.as_ref().map(|g| g.customers),
            })
            .collect(),
    }
}

/// The backup status line, the targets and the settings.
#[utoipa::path(get, path = "/api/v1/backups", tag = "backups",
    responses((status = 200, body = BackupsView), (status = 401, body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    _: Session,
    ReqLang(lang): ReqLang,
) -> Json<BackupsView> {
    Json(view(&state.kartei, lang))
}

/// "Jetzt sichern": starts a backup to every target (owners only) and answers at once; the
/// status turns `running: false` when it is done (a `backups_changed` event says so).
#[utoipa::path(post, path = "/api/v1/backups", tag = "backups",
    responses((status = 202, description = "Started", body = BackupsView),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 409, description = "A backup is being written already", body = ErrorBody)))]
async fn run_now(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
) -> ApiResult<(StatusCode, Json<BackupsView>)> {
    check_may_manage(session.role)?;
    state.kartei.start_backups(state.config.usb_roots.clone())?;
    Ok((StatusCode::ACCEPTED, Json(view(&state.kartei, lang))))
}

/// Changes the backup settings (owners only).
#[utoipa::path(put, path = "/api/v1/backups/settings", tag = "backups",
    request_body = BackupSettingsView,
    responses((status = 200, body = BackupsView), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn settings(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Json(input): Json<BackupSettingsView>,
) -> ApiResult<Json<BackupsView>> {
    let settings = input.parse()?;
    state
        .blocking(move |k| k.set_backup_settings(session.role, settings))
        .await?;
    Ok(Json(view(&state.kartei, lang)))
}
