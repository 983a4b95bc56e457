//! Newsletters for owners (issue 16): who a newsletter to a group or to the list as staff
//! filtered it reaches and who is left out and why, a test to the salon's own address, sending
//! (stored at once, sent throttled by the outbox), the progress of each and pausing. Only
//! customers with confirmed marketing consent get one; the rules are core's
//! (`Kartei::newsletter_preview`).

use super::docs::{AudienceDoc, ListQuery, NewsletterInput, PreviewDoc, ProgressDoc, TestInput};
use super::mail::check_owner;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use kartei_core::kartei::{NewsletterPreview, NewsletterProgress};
use kartei_core::model::{Audience, CustomerId, GroupId, Message, NewsletterId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview))
        .routes(routes!(test))
        .routes(routes!(list, send))
        .routes(routes!(progress))
        .routes(routes!(pause))
}

/// Who a newsletter goes to, as the phone says it.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AudienceInput {
    /// A group of the salon.
    Group { group: u64 },
    /// Chosen customers.
    Customers { ids: Vec<u64> },
    /// The customer list as filtered now (the list's query: `q`, `filter`, `group`).
    List {
        #[serde(default)]
        q: Option<String>,
        #[serde(default)]
        filter: Option<String>,
        #[serde(default)]
        group: Option<String>,
    },
}

impl AudienceInput {
    /// The core's audience; a list is searched page by page (deactivated cards are not in it).
    fn resolve(self, state: &AppState) -> ApiResult<Audience> {
        Ok(match self {
            AudienceInput::Group { group } => Audience::Group {
                group: GroupId(group),
            },
            AudienceInput::Customers { ids } => Audience::Customers {
                ids: ids.into_iter().map(CustomerId).collect(),
            },
            AudienceInput::List { q, filter, group } => {
                let mut ids = Vec::new();
                let mut cursor = None;
                loop {
                    let query = ListQuery {
                        q: q.clone(),
                        filter: filter.clone(),
                        group: group.clone(),
                        sort: None,
                        limit: Some(kartei_core::search::MAX_PAGE),
                        cursor: cursor.take(),
                    };
                    let request = super::customers::search_request(state, query)?;
                    let page = state.kartei.search(&request)?;
                    ids.extend(page.items.iter().map(|i| i.id));
                    match page.next_cursor {
                        Some(next) if ids.len() < 100_000 => cursor = Some(next),
                        _ => break,
                    }
                }
                Audience::Customers { ids }
            }
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewInput {
    pub audience: AudienceInput,
}

/// Who gets it, who is left out (with the reason in the request's language).
#[derive(Debug, Serialize)]
pub struct PreviewView {
    pub recipients_count: usize,
    pub left_out_count: usize,
    #[serde(flatten)]
    pub preview: NewsletterPreview,
}

/// Who a newsletter to `audience` reaches and who not, and why (owners only).
#[utoipa::path(post, path = "/api/v1/newsletters/preview", tag = "newsletters",
    request_body = AudienceDoc,
    responses((status = 200, body = PreviewDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn preview(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Json(input): Json<PreviewInput>,
) -> ApiResult<Json<PreviewView>> {
    check_owner(&session)?;
    let audience = resolve(&state, input.audience).await?;
    let view = state
        .blocking(move |k| {
            let preview = k.newsletter_preview(&audience, lang)?;
            Ok(PreviewView {
                recipients_count: preview.recipients.len(),
                left_out_count: preview.left_out.len(),
                preview,
            })
        })
        .await?;
    Ok(Json(view))
}

/// The audience resolved on the heavy pool (a list is a search, page by page).
async fn resolve(state: &AppState, input: AudienceInput) -> ApiResult<Audience> {
    let pool = state.heavy_pool.clone();
    let state = state.clone();
    pool.run(move || input.resolve(&state))
        .await
        .unwrap_or_else(|| {
            Err(kartei_core::CoreError::Internal("a heavy job failed".into()).into())
        })
}

/// Subject and text of a newsletter's test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestBody {
    pub subject: String,
    pub text: String,
}

/// Sends the newsletter as a test to the salon's own address, placeholders filled with sample
/// values (owners only).
#[utoipa::path(post, path = "/api/v1/newsletters/test", tag = "newsletters",
    request_body = TestInput,
    responses((status = 202, description = "Queued", body = super::docs::MessageDoc),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner, or mail not set up", body = ErrorBody)))]
async fn test(
    State(state): State<AppState>,
    session: Session,
    Json(input): Json<TestBody>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    check_owner(&session)?;
    let message = state
        .blocking(move |k| k.send_newsletter_test(&input.subject, &input.text, &session.staff))
        .await?;
    Ok((StatusCode::ACCEPTED, Json(message)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    pub audience: AudienceInput,
    /// How the audience is named in the list of newsletters ("Gruppe Stammkunden").
    #[serde(default)]
    pub label: String,
    pub subject: String,
    pub text: String,
}

/// Sends a newsletter to the recipients of its preview (owners only): one message each,
/// stored at once, sent throttled; 201 with its progress.
#[utoipa::path(post, path = "/api/v1/newsletters", tag = "newsletters",
    request_body = NewsletterInput,
    responses((status = 201, body = ProgressDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner, or mail not set up", body = ErrorBody),
              (status = 413, body = ErrorBody)))]
async fn send(
    State(state): State<AppState>,
    session: Session,
    Json(input): Json<SendBody>,
) -> ApiResult<(StatusCode, Json<NewsletterProgress>)> {
    check_owner(&session)?;
    let audience = resolve(&state, input.audience).await?;
    let progress = state
        .blocking(move |k| {
            let n = k.send_newsletter(
                &audience,
                &input.label,
                &input.subject,
                &input.text,
                &session.staff,
            )?;
            k.newsletter_progress(n.id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(progress)))
}

/// The newsletters sent, newest first, each with its progress (owners only).
#[utoipa::path(get, path = "/api/v1/newsletters", tag = "newsletters",
    responses((status = 200, body = Vec<ProgressDoc>), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<NewsletterProgress>>> {
    check_owner(&session)?;
    let list = state
        .blocking(|k| {
            let mut out = Vec::new();
            for n in k.newsletters()? {
                out.push(k.newsletter_progress(n.id)?);
            }
            out.sort_by_key(|p| std::cmp::Reverse(p.newsletter.at));
            Ok(out)
        })
        .await?;
    Ok(Json(list))
}

/// How far a newsletter has got (owners only).
#[utoipa::path(get, path = "/api/v1/newsletters/{id}", tag = "newsletters",
    params(("id" = u64, Path, description = "Newsletter id")),
    responses((status = 200, body = ProgressDoc), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn progress(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
) -> ApiResult<Json<NewsletterProgress>> {
    check_owner(&session)?;
    let p = state
        .blocking(move |k| k.newsletter_progress(NewsletterId(id)))
        .await?;
    Ok(Json(p))
}

/// Pause or go on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseInput {
    pub paused: bool,
}

/// Pauses a newsletter (its waiting mails stay back) or resumes it (owners only).
#[utoipa::path(post, path = "/api/v1/newsletters/{id}/pause", tag = "newsletters",
    params(("id" = u64, Path, description = "Newsletter id")), request_body = PauseInput,
    responses((status = 200, body = ProgressDoc), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn pause(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(input): Json<PauseInput>,
) -> ApiResult<Json<NewsletterProgress>> {
    check_owner(&session)?;
    let p = state
        .blocking(move |k| k.pause_newsletter(NewsletterId(id), input.paused))
        .await?;
    Ok(Json(p))
}
