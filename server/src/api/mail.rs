//! The salon's mail account from a phone (issue 16): the owner's settings (the password goes in
//! and never comes out: the answer has `password_set` instead), "Testnachricht senden" with each
//! step's outcome, the status line every staff member's app shows (the mail thread's last
//! errors, the unread total, failed sends) and the templates staff pick from when writing.
//! The mail itself is core's (`kartei_core::mail`).

use super::docs::{MailSettingsDoc, TemplateDoc};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use kartei_core::i18n::{MailMsg, Msg};
use kartei_core::mail::{MailSettings, TemplateUse};
use kartei_core::{Kartei, Lang};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(test))
        .routes(routes!(status))
        .routes(routes!(templates))
}

/// Mail settings and newsletters are the owner's (the rule is core's).
pub fn check_owner(session: &Session) -> kartei_core::Result<()> {
    kartei_core::mail::check_may_manage(session.role)
}

/// The settings as a face sees them: everything but the password.
#[derive(Debug, Serialize)]
pub struct SettingsView {
    #[serde(flatten)]
    pub settings: MailSettings,
    /// A password is stored (sending an empty one keeps it).
    pub password_set: bool,
}

fn settings_view(k: &Kartei) -> SettingsView {
    let settings = k.mail_settings();
    SettingsView {
        password_set: !settings.password.is_empty(),
        settings: settings.public(),
    }
}

/// The mail settings without the password (owners only).
#[utoipa::path(get, path = "/api/v1/mail/settings", tag = "mail",
    responses((status = 200, body = MailSettingsDoc), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn get_settings(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<SettingsView>> {
    check_owner(&session)?;
    Ok(Json(settings_view(&state.kartei)))
}

/// Saves the mail settings (owners only). An empty `password` keeps the stored one; errors
/// name the field (`smtp_host`, `templates.3.body`, …).
#[utoipa::path(put, path = "/api/v1/mail/settings", tag = "mail",
    request_body = MailSettingsDoc,
    responses((status = 200, body = MailSettingsDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn put_settings(
    State(state): State<AppState>,
    session: Session,
    Json(input): Json<MailSettings>,
) -> ApiResult<Json<SettingsView>> {
    check_owner(&session)?;
    let view = state
        .blocking(move |k| {
            k.set_mail_settings(input, &session.staff)?;
            Ok(settings_view(k))
        })
        .await?;
    Ok(Json(view))
}

/// One step of the settings' test.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub ok: bool,
    /// What went wrong, in the request's language.
    pub error: Option<String>,
}

/// What "Testnachricht senden" found, step by step.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestView {
    /// Logged in to the SMTP server; the mail was accepted.
    pub sent: StepView,
    /// Logged in to the IMAP server.
    pub read: StepView,
    /// A copy went into the Sent folder.
    pub sent_folder: StepView,
    /// The test mail arrived in the inbox.
    pub arrived: StepView,
    /// After how many milliseconds it arrived.
    pub arrived_ms: Option<u64>,
    /// Every step went well.
    pub ok: bool,
}

fn step<T>(result: &Result<T, MailMsg>, lang: Lang) -> StepView {
    StepView {
        ok: result.is_ok(),
        error: result
            .as_ref()
            .err()
            .map(|m| Msg::Mail(m.clone()).text(lang)),
    }
}

/// Sends a test mail to the salon's own address and looks for it in the inbox (owners only;
/// takes up to some 20 seconds). Uses the saved settings.
#[utoipa::path(post, path = "/api/v1/mail/test", tag = "mail",
    responses((status = 200, body = TestView), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn test(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
) -> ApiResult<Json<TestView>> {
    check_owner(&session)?;
    let report = state.blocking(|k| Ok(k.test_mail())).await?;
    let view = TestView {
        sent: step(&report.sent, lang),
        read: step(&report.read, lang),
        sent_folder: step(&report.sent_folder, lang),
        arrived: step(&report.arrived_ms, lang),
        arrived_ms: report.arrived_ms.as_ref().ok().copied(),
        ok: report.sent.is_ok()
            && report.read.is_ok()
            && report.sent_folder.is_ok()
            && report.arrived_ms.is_ok(),
    };
    Ok(Json(view))
}

/// How mail stands: for the header's unread badge and the warning lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    /// Server, address and password are set.
    pub configured: bool,
    /// The appliance's mail thread runs.
    pub running: bool,
    pub inbox_checked_at: Option<DateTime<Utc>>,
    /// Why the inbox cannot be read now, in the request's language.
    pub inbox_error: Option<String>,
    /// Why the last send failed.
    pub send_error: Option<String>,
    pub sent_folder_error: Option<String>,
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Unread received messages, in all.
    pub unread: u64,
    /// Unread messages nobody could be matched to ("Nicht zugeordnet").
    pub unread_unassigned: u64,
    /// Messages that were not sent (given up).
    pub failed: usize,
}

/// The mail status, the unread total and the failed count (every staff member).
#[utoipa::path(get, path = "/api/v1/mail/status", tag = "mail",
    responses((status = 200, body = StatusView), (status = 401, body = ErrorBody)))]
async fn status(
    State(state): State<AppState>,
    _: Session,
    ReqLang(lang): ReqLang,
) -> ApiResult<Json<StatusView>> {
    let view = state
        .blocking(move |k| {
            let s = k.mail_status();
            let (unread, per_customer) = k.unread_counts()?;
            let text = |m: &Option<MailMsg>| m.as_ref().map(|m| Msg::Mail(m.clone()).text(lang));
            Ok(StatusView {
                configured: k.mail_settings().is_configured(),
                running: s.running,
                inbox_checked_at: s.inbox_checked_at,
                inbox_error: text(&s.inbox_error),
                send_error: text(&s.send_error),
                sent_folder_error: text(&s.sent_folder_error),
                last_sent_at: s.last_sent_at,
                unread,
                unread_unassigned: per_customer
                    .iter()
                    .filter(|(c, _)| c.is_none())
                    .map(|(_, n)| n)
                    .sum(),
                failed: k.failed_messages()?.len(),
            })
        })
        .await?;
    Ok(Json(view))
}

/// A template staff can pick when writing to a customer.
#[derive(Debug, Serialize)]
pub struct TemplateView {
    pub key: String,
    pub name: String,
    #[serde(rename = "use")]
    pub use_for: TemplateUse,
    pub lang: Lang,
}

/// The templates for personal messages and newsletters (every staff member; the texts are
/// filled per customer by `POST /api/v1/customers/{id}/messages` with `template`).
#[utoipa::path(get, path = "/api/v1/mail/templates", tag = "mail",
    responses((status = 200, body = Vec<TemplateDoc>), (status = 401, body = ErrorBody)))]
async fn templates(State(state): State<AppState>, _: Session) -> Json<Vec<TemplateView>> {
    let settings = state.kartei.mail_settings();
    Json(
        settings
            .templates
            .iter()
            .filter(|t| matches!(t.use_for, TemplateUse::Message | TemplateUse::Newsletter))
            .map(|t| TemplateView {
                key: t.key.clone(),
                name: t.name.clone(),
                use_for: t.use_for,
                lang: t.lang,
            })
            .collect(),
    )
}
