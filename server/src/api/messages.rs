//! Messages on a card (issue 16), for every staff member: the customer's messages, writing one
//! (or filling a template to edit first), marking them read, asking for newsletter consent by
//! mail (double opt-in), and the received mails nobody could be matched to ("Nicht zugeordnet")
//! with assigning them, marking them read and sending a failed message again. Everything is
//! stored first and sent by the appliance's outbox; nothing here talks to a mail server.

use super::docs::{ComposeInput, DraftDoc, MessageDoc};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Path, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kartei_core::i18n::Msg;
use kartei_core::model::{CustomerId, Message, MessageId};
use kartei_core::CoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, write))
        .routes(routes!(mark_read))
        .routes(routes!(consent_request))
        .routes(routes!(unassigned))
        .routes(routes!(failed))
        .routes(routes!(assign))
        .routes(routes!(retry))
        .routes(routes!(set_read))
}

/// The longest template key taken.
const MAX_KEY: usize = 100;

/// `{subject, text}` to send, or `{template}` to have it filled for the customer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compose {
    pub template: Option<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
}

/// A template filled for one customer, to edit before sending.
#[derive(Debug, Serialize)]
pub struct Draft {
    pub subject: String,
    pub text: String,
}

/// A customer's messages, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/messages", tag = "messages",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, body = Vec<MessageDoc>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
) -> ApiResult<Json<Vec<Message>>> {
    let messages = state
        .blocking(move |k| k.messages_of(CustomerId(id)))
        .await?;
    Ok(Json(messages))
}

/// Writes to the customer (`{subject, text}`: stored at once, 201, sent by the outbox), or
/// fills a template for them (`{template}`: 200 with `{subject, text}`, nothing sent).
/// Without mail settings or an address on the card: 403 with the reason.
#[utoipa::path(post, path = "/api/v1/customers/{id}/messages", tag = "messages",
    params(("id" = u64, Path, description = "Customer id")), request_body = ComposeInput,
    responses((status = 201, description = "Stored and queued", body = MessageDoc),
              (status = 200, description = "The template filled", body = DraftDoc),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "Mail not set up, or no address", body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn write(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(input): Json<Compose>,
) -> ApiResult<Response> {
    let customer = CustomerId(id);
    if let (Some(key), None, None) = (&input.template, &input.subject, &input.text) {
        if key.chars().count() > MAX_KEY {
            return Err(CoreError::invalid("template", Msg::TooLong { max: MAX_KEY }).into());
        }
        let key = key.clone();
        let (subject, text) = state.blocking(move |k| k.compose(customer, &key)).await?;
        return Ok(Json(Draft { subject, text }).into_response());
    }
    let subject = input.subject.unwrap_or_default();
    let text = input.text.unwrap_or_default();
    let message = state
        .blocking(move |k| k.send_message(customer, &subject, &text, &session.staff))
        .await?;
    Ok((StatusCode::CREATED, Json(message)).into_response())
}

/// How many messages were marked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: usize,
}

/// Marks the customer's received messages as read (the phone opened their history).
#[utoipa::path(post, path = "/api/v1/customers/{id}/messages/read", tag = "messages",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
) -> ApiResult<Json<Marked>> {
    let marked = state
        .blocking(move |k| {
            k.customer_view(CustomerId(id))?;
            k.mark_read(CustomerId(id))
        })
        .await?;
    Ok(Json(Marked { marked }))
}

/// Sends the customer the newsletter confirmation mail (double opt-in); the consent counts
/// once the answer is in, which the consent log then shows with its proof.
#[utoipa::path(post, path = "/api/v1/customers/{id}/consent-request", tag = "messages",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 201, body = MessageDoc), (status = 401, body = ErrorBody),
              (status = 403, description = "Mail not set up, or no address", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn consent_request(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let message = state
        .blocking(move |k| k.request_consent(CustomerId(id), &session.staff, lang))
        .await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// Received mails nobody could be matched to, newest first.
#[utoipa::path(get, path = "/api/v1/messages/unassigned", tag = "messages",
    responses((status = 200, body = Vec<MessageDoc>), (status = 401, body = ErrorBody)))]
async fn unassigned(State(state): State<AppState>, _: Session) -> ApiResult<Json<Vec<Message>>> {
    let messages = state.blocking(|k| k.unassigned_messages()).await?;
    Ok(Json(messages))
}

/// Messages that were not sent (given up after retries, or refused), newest first.
#[utoipa::path(get, path = "/api/v1/messages/failed", tag = "messages",
    responses((status = 200, body = Vec<MessageDoc>), (status = 401, body = ErrorBody)))]
async fn failed(State(state): State<AppState>, _: Session) -> ApiResult<Json<Vec<Message>>> {
    let messages = state.blocking(|k| k.failed_messages()).await?;
    Ok(Json(messages))
}

/// Whose a received mail is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The customer's id.
    pub customer: u64,
}

/// Gives a received mail to a customer: it moves into their history.
#[utoipa::path(post, path = "/api/v1/messages/{id}/assign", tag = "messages",
    params(("id" = u64, Path, description = "Message id")), request_body = AssignInput,
    responses((status = 200, body = MessageDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(input): Json<AssignInput>,
) -> ApiResult<Json<Message>> {
    let message = state
        .blocking(move |k| {
            let m = k.message(MessageId(id))?;
            if m.direction != kartei_core::model::Direction::In {
                return Err(CoreError::invalid("id", Msg::InvalidInput));
            }
            k.assign_message(MessageId(id), CustomerId(input.customer), &session.staff)
        })
        .await?;
    Ok(Json(message))
}

/// Sends a failed message again (403 for one that did not fail).
#[utoipa::path(post, path = "/api/v1/messages/{id}/retry", tag = "messages",
    params(("id" = u64, Path, description = "Message id")),
    responses((status = 200, body = MessageDoc), (status = 401, body = ErrorBody),
              (status = 403, description = "Not a failed message", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn retry(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
) -> ApiResult<Json<Message>> {
    let message = state
        .blocking(move |k| k.retry_message(MessageId(id)))
        .await?;
    Ok(Json(message))
}

/// Read or unread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    pub read: bool,
}

/// Marks one received message as read (or, with `{"read": false}`, unread).
#[utoipa::path(post, path = "/api/v1/messages/{id}/read", tag = "messages",
    params(("id" = u64, Path, description = "Message id")), request_body = ReadInput,
    responses((status = 200, body = MessageDoc), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn set_read(
    State(state): State<AppState>,
    _: Session,
    Path(id): Path<u64>,
    Json(ReadInput { read }): Json<ReadInput>,
) -> ApiResult<Json<Message>> {
    let message = state
        .blocking(move |k| k.set_message_read(MessageId(id), read))
        .await?;
    Ok(Json(message))
}
