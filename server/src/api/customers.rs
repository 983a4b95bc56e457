//! Customers: the list (search as you type, filters, sort, keyset pages), the card, create,
//! edit (optimistic version check), erase, and notes.

use super::docs::{
    CardDoc, ConflictDoc, CustomerDoc, CustomerInput, CustomerPage, CustomerPatchDoc, ListQuery,
    NoteDoc, NoteInput,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{Json, Path, Query, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kartei_core::card::{CustomerCard, CustomerView};
use kartei_core::i18n::Msg;
use kartei_core::model::{CustomerDraft, CustomerId, Note, NoteDraft, NoteKind, Source};
use kartei_core::search::{SearchPage, SearchRequest};
use kartei_core::CoreError;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(card, update, patch, erase))
        .routes(routes!(add_note))
}

/// The customer list: search, filter, sort, one page.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListQuery),
    responses((status = 200, body = CustomerPage), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _: Session,
    Query(query): Query<ListQuery>,
) -> ApiResult<axum::Json<SearchPage>> {
    let request = search_request(&state, query)?;
    Ok(axum::Json(state.heavy(move |k| k.search(&request)).await?))
}

/// Turns the query string into a core search request (names of filters, sorts and groups).
pub fn search_request(state: &AppState, query: ListQuery) -> ApiResult<SearchRequest> {
    let bad = |field: &str| CoreError::invalid(field, Msg::InvalidInput);
    let filter = match query.filter.as_deref() {
        None | Some("") => Default::default(),
        Some(f) => f.parse().map_err(|_| bad("filter"))?,
    };
    let sort = match query.sort.as_deref() {
        None | Some("") => Default::default(),
        Some(s) => s.parse().map_err(|_| bad("sort"))?,
    };
    let group = match query.group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(state.kartei.group_id_named(name)?),
    };
    Ok(SearchRequest {
        q: query.q.unwrap_or_default(),
        filter,
        group,
        sort,
        limit: query.limit.unwrap_or(0),
        cursor: query.cursor.filter(|c| !c.is_empty()),
        include_deactivated: false,
    })
}

/// A new customer card.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerInput,
    responses((status = 201, body = CustomerDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(body): Json<Value>,
) -> ApiResult<(StatusCode, axum::Json<CustomerView>)> {
    let form = CustomerForm::parse(body)?;
    let view = state
        .blocking(move |k| {
            let customer = k.create_customer(&form.draft, Source::Manual, &session.staff)?;
            for note in &form.notes {
                k.add_note(customer.id, note, &session.staff)?;
            }
            k.customer_view(customer.id)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// The whole card of one customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, body = CardDoc), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn card(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
) -> ApiResult<axum::Json<CustomerCard>> {
    let card = state
        .blocking(move |k| k.open_card(CustomerId(id), lang, &session.staff))
        .await?;
    Ok(axum::Json(card))
}

/// Saves an edit made on `version`.
#[utoipa::path(put, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Customer id")), request_body = CustomerInput,
    responses((status = 200, body = CustomerDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Somebody saved in between", body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(body): Json<Value>,
) -> ApiResult<axum::Json<CustomerView>> {
    let form = CustomerForm::parse(body)?;
    let Some(version) = form.version else {
        return Err(CoreError::invalid("version", Msg::Required).into());
    };
    let view = state
        .blocking(move |k| {
            k.update_customer(CustomerId(id), version, &form.draft, &session.staff)?;
            k.customer_view(CustomerId(id))
        })
        .await?;
    Ok(axum::Json(view))
}

/// Saves a partial edit: only the fields in the merge patch change (see `CustomerPatchDoc`).
/// A patch that changes nothing writes nothing. On 409 the body also holds `current`, the
/// card as saved now.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Customer id")), request_body = CustomerPatchDoc,
    responses((status = 200, body = CustomerDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Somebody saved in between", body = ConflictDoc)))]
async fn patch(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
    Json(body): Json<Value>,
) -> ApiResult<Response> {
    let Value::Object(mut changes) = body else {
        return Err(CoreError::invalid("body", Msg::InvalidInput).into());
    };
    let version = match changes.remove("version") {
        None | Some(Value::Null) => return Err(CoreError::invalid("version", Msg::Required).into()),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| CoreError::invalid("version", Msg::InvalidInput))?,
    };
    let id = CustomerId(id);
    let outcome = state
        .blocking(move |k| {
            match k.patch_customer(id, version, &Value::Object(changes), &session.staff) {
                Ok(_) => Ok(Ok(k.customer_view(id)?)),
                Err(conflict @ CoreError::Conflict { .. }) => {
                    Ok(Err((conflict, k.customer_view(id)?)))
                }
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(view) => Ok(axum::Json(view).into_response()),
        Err((conflict, current)) => {
            let body = ApiError::from(conflict).body(lang);
            let doc = serde_json::json!({
                "error": body.error,
                "message": body.message,
                "fields": body.fields,
                "current": current,
            });
            Ok((StatusCode::CONFLICT, axum::Json(doc)).into_response())
        }
    }
}

/// Erases the customer and everything about them (GDPR Art. 17). Owners only, with the
/// customer's name confirmed in `confirm_name` (the app asks with the name).
#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = u64, Path, description = "Customer id"), EraseQuery),
    responses((status = 204, description = "Erased"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, description = "Not an owner", body = ErrorBody),
              (status = 404, body = ErrorBody)))]
async fn erase(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Query(query): Query<EraseQuery>,
) -> ApiResult<StatusCode> {
    let confirmed = query.confirm_name.unwrap_or_default();
    state
        .blocking(move |k| {
            k.erase_customer_as(CustomerId(id), session.role, &session.staff, &confirmed)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The confirmation of an erasure.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct EraseQuery {
    /// The customer's name as shown on the card ("Anna Müller").
    pub confirm_name: Option<String>,
}

/// Adds a note (an allergy note makes the card and the list warn).
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "customers",
    params(("id" = u64, Path, description = "Customer id")), request_body = NoteInput,
    responses((status = 201, body = NoteDoc), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<u64>,
    Json(draft): Json<NoteDraft>,
) -> ApiResult<(StatusCode, axum::Json<Note>)> {
    let note = state
        .blocking(move |k| k.add_note(CustomerId(id), &draft, &session.staff))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(note)))
}

/// The customer form as the API accepts it: the core's draft, plus `version` (edits) and
/// `notes` (new cards). Lenient where the list items' own shape differs from the draft's
/// (`marketing_consent` as the object the card returns, `phones` with `display`).
#[derive(Debug)]
pub struct CustomerForm {
    pub draft: CustomerDraft,
    pub version: Option<u64>,
    pub notes: Vec<NoteDraft>,
}

impl CustomerForm {
    pub fn parse(body: Value) -> ApiResult<CustomerForm> {
        let Value::Object(mut map) = body else {
            return Err(ApiError::bad_request("JSON object"));
        };
        let version = match map.remove("version") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| CoreError::invalid("version", Msg::InvalidInput))?,
            ),
        };
        let notes = match map.remove("notes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(text)) if text.trim().is_empty() => Vec::new(),
            Some(Value::String(text)) => vec![NoteDraft {
                kind: NoteKind::General,
                text,
                ..Default::default()
            }],
            Some(list @ Value::Array(_)) => crate::extract::from_value("notes", list)?,
            Some(_) => return Err(CoreError::invalid("notes", Msg::InvalidInput).into()),
        };
        for consent in ["marketing_consent", "reminder_consent"] {
            if let Some(Value::Object(obj)) = map.get(consent) {
                let given = obj.get("given").cloned().unwrap_or(Value::Null);
                map.insert(consent.into(), given);
            }
        }
        for key in [
            "id",
            "created_at",
            "updated_at",
            "customer_since",
            "source",
            "consent_log",
            "allergy",
            "last_visit",
        ] {
            map.remove(key);
        }
        if let Some(Value::Null) = map.get("email") {
            map.insert("email".into(), Value::String(String::new()));
        }
        if let Some(Value::Null) = map.get("birthday") {
            map.insert("birthday".into(), Value::String(String::new()));
        }
        let draft: CustomerDraft = crate::extract::from_value("", Value::Object(map))?;
        for note in &notes {
            note.validate().map_err(CoreError::Invalid)?;
        }
        Ok(CustomerForm {
            draft,
            version,
            notes,
        })
    }
}
