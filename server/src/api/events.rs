//! `GET /api/v1/events`: server-sent events from the core's change notifications, so open lists
//! and cards update live. Event names: `customer_created`, `customer_changed`,
//! `customer_deleted`, `catalog_changed`, `backups_changed`, `messages_changed`; data `{"type": …, "id": …}`. A client that fell behind
//! gets `resync` (reload what you show). Streams end when the server shuts down.

use crate::error::ErrorBody;
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Live change events (`text/event-stream`).
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "An event stream", content_type = "text/event-stream"),
              (status = 401, body = ErrorBody)))]
async fn events(
    State(state): State<AppState>,
    _: Session,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let changes = BroadcastStream::new(state.kartei.subscribe()).map(|item| {
        let event = match item {
            Ok(change) => Event::default()
                .event(change.name())
                .json_data(change)
                .unwrap_or_else(|_| Event::default().event("resync").data("{}")),
            Err(BroadcastStreamRecvError::Lagged(_)) => Event::default().event("resync").data("{}"),
        };
        Ok(event)
    });
    let hello =
        futures_util::stream::once(async { Ok(Event::default().event("hello").data("{}")) });
    let mut closing = state.closing.clone();
    let stream = hello.chain(changes).take_until(async move {
        let _ = closing.wait_for(|closed| *closed).await;
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
