//! The JSON API v1 (`/api/v1/…`), one router per area, merged in [`router`] together with the
//! OpenAPI document that `utoipa` derives from the same handlers (so the document lists exactly
//! the routes that exist).
//!
//! - [`auth`]: login, logout, who am I.
//! - [`customers`]: the list (search, filters, sort, pages), cards, new notes.
//! - [`notes`]: editing, pinning and deleting notes; recording patch tests.
//! - [`appointments`], [`services`]: the calendar side.
//! - [`stats`]: dashboard figures and groups.
//! - [`photos`]: customer photos: upload, gallery, thumbnails and full images, edit, delete.
//! - [`export`]: Excel downloads of the list and one customer's data (xlsx, JSON).
//! - [`import`]: contact import: upload → preview with an id → commit of the chosen rows.
//! - [`audit`]: the audit log for owners (whole, and per customer).
//! - [`retention`]: customers past the retention period, the period, anonymising.
//! - [`settings`]: the owner's other settings (how long a phone session lasts).
//! - [`backups`]: the backup status line, "Jetzt sichern" and the backup settings.
//! - [`mail`]: the salon's mail account (owners), its test, the mail status, the templates.
//! - [`messages`]: messages on a card, consent requests, the "Nicht zugeordnet" list.
//! - [`newsletters`]: preview, test, sending, progress and pausing (owners).
//! - [`events`]: server-sent events for live updates.
//! - [`words`]: the catalogue of words for the phone app, in the request's language.
//! - [`docs`]: documentation-only schemas of the wire format.

pub mod appointments;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod customers;
pub mod docs;
pub mod events;
pub mod export;
pub mod import;
pub mod mail;
pub mod messages;
pub mod newsletters;
pub mod notes;
pub mod photos;
pub mod retention;
pub mod services;
pub mod settings;
pub mod stats;
pub mod words;

use crate::session::Session;
use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kartei API",
        description = "The JSON API of a Kartei appliance. Every route except `POST /api/v1/login` \
                       needs the session cookie of a logged-in staff member. Changing requests \
                       from a browser must come from the same origin; other clients send \
                       `X-Kartei-CSRF: 1`. Errors are `{\"error\", \"message\", \"fields\"}`."
    ),
    components(schemas(crate::error::ErrorBody, docs::FilterDoc, docs::SortDoc))
)]
struct ApiDoc;

/// All API routes with their OpenAPI description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(customers::router())
        .merge(notes::router())
        .merge(appointments::router())
        .merge(services::router())
        .merge(stats::router())
        .merge(photos::router())
        .merge(export::router())
        .merge(import::router())
        .merge(backups::router())
        .merge(audit::router())
        .merge(retention::router())
        .merge(settings::router())
        .merge(mail::router())
        .merge(messages::router())
        .merge(newsletters::router())
        .merge(events::router())
        .merge(words::router())
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = routes().split_for_parts().1;
    document_common_statuses(&mut doc);
    doc
}

/// Adds the answers every operation can give because of the layers and extractors around all
/// of them, where a handler's annotation does not list them already: 400 (a path id, query or
/// body value that does not fit, from `extract.rs`), 421 (a `Host` that is not the
/// appliance's, `security::check_host`), and for changing methods 403 (another origin without
/// the CSRF header, `security::check_origin`) and 413 (a body over the limit).
fn document_common_statuses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let changing = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        let reading = [&mut item.get];
        for (op, changes) in changing
            .into_iter()
            .map(|o| (o, true))
            .chain(reading.into_iter().map(|o| (o, false)))
        {
            let Some(op) = op.as_mut() else { continue };
            let mut common = vec![
                (
                    "400",
                    "A path, query or body value that does not fit (named in `fields`)",
                ),
                (
                    "421",
                    "The `Host` is not one of the appliance's names (DNS rebinding)",
                ),
            ];
            if changes {
                common.push(("403", "From another origin without `X-Kartei-CSRF: 1`"));
                common.push(("413", "The body is larger than the limit"));
            }
            for (status, description) in common {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description).into());
            }
        }
    }
}

/// The API router, with `GET /api/v1/openapi.json` serving its own description.
pub fn router() -> Router<AppState> {
    let (router, mut doc) = routes().split_for_parts();
    document_common_statuses(&mut doc);
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move |_: Session| {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
}
