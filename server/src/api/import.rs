//! Contact import in two steps: `POST /api/v1/import` uploads a vCard, CSV or Excel file
//! (multipart field `file`, at most [`import::MAX_FILE_BYTES`]) and answers the preview — what
//! would happen to each contact — with an id; nothing is written. `POST /api/v1/import/{id}/commit`
//! takes the rows the user picked, in one transaction, through the core (which also announces the
//! new and completed cards to every open list).
//!
//! Previews wait in [`AppState::imports`] (the core's [`PendingImports`]: in memory, a few at a
//! time, half an hour). The preview's texts — reasons, warnings, field names — come in the
//! request's language.
//!
//! [`PendingImports`]: kartei_core::import::pending::PendingImports

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::extract::{Json, Multipart, Path, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use kartei_core::i18n::Msg;
use kartei_core::import::{self, ImportPreview, PreviewRow, RowAction};
use kartei_core::{CoreError, Lang};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest upload request: the core's file limit plus room for the multipart framing.
pub const IMPORT_BODY_LIMIT: usize = import::MAX_FILE_BYTES + 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    // Only the upload may be large; the commit keeps the server's small limit.
    let upload = OpenApiRouter::new()
        .routes(routes!(preview))
        .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT));
    OpenApiRouter::new().merge(upload).routes(routes!(commit))
}

/// The multipart form of an upload (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// A vCard (`.vcf`), CSV or Excel (`.xlsx`) file, at most 20 MB.
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
}

/// What an import would do. Nothing has been written yet.
#[derive(Serialize, ToSchema)]
pub struct PreviewBody {
    /// Pass to `POST /api/v1/import/{id}/commit`; kept for 30 minutes.
    pub id: String,
    pub filename: String,
    /// `vcard`, `csv` or `xlsx`.
    pub format: String,
    pub counts: CountsBody,
    /// One per contact, in file order.
    pub rows: Vec<RowBody>,
    /// Spreadsheet columns that were recognised, with the field they fill.
    pub mapped_columns: Vec<MappedColumn>,
    /// Known columns that are not imported (figures Kartei derives itself, other systems' ids).
    pub ignored_columns: Vec<String>,
    /// Columns nobody knows: not imported.
    pub unknown_columns: Vec<String>,
    /// Groups the file names that the card file does not have: created when a row naming
    /// them is taken.
    pub new_groups: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CountsBody {
    pub new: usize,
    pub merge: usize,
    /// Already in the card file, or twice in the file.
    pub duplicate: usize,
    pub invalid: usize,
    /// New and merge rows with a warning (a value kept in the card's import note, …): take
    /// or leave them one by one.
    pub with_warnings: usize,
}

#[derive(Serialize, ToSchema)]
pub struct MappedColumn {
    /// The header as the file has it.
    pub column: String,
    /// What it fills, in the request's language.
    pub field: String,
}

/// One contact of the file and what would happen to it.
#[derive(Serialize, ToSchema)]
pub struct RowBody {
    /// The row's key for choosing it: the spreadsheet row (header = 1) or the card's number in
    /// a vCard file (from 1).
    pub line: usize,
    pub name: String,
    /// As the file has them.
    pub phones: Vec<String>,
    pub email: String,
    /// As the file has it (`1985-03-02`, `--03-02`, `02.03.1985` …).
    pub birthday: String,
    pub action: ActionBody,
    /// New and merge rows can be taken (the app preselects them).
    pub choosable: bool,
    /// Things to know, in the request's language (a group that does not exist, …).
    pub warnings: Vec<String>,
    /// The contact has a photo; it is put on the card when the row is taken.
    pub has_photo: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ActionBody {
    /// `new`, `merge` (completes a card), `duplicate` (the card has everything already),
    /// `duplicate_in_file` (the same person earlier in the file) or `invalid`.
    pub kind: &'static str,
    /// `merge` and `duplicate`: the card's id.
    pub into: Option<u64>,
    /// `merge` and `duplicate`: the card's name.
    pub name: Option<String>,
    /// `merge`: the fields the contact fills or adds to, in the request's language.
    pub adds: Vec<String>,
    /// `merge`: fields where card and contact differ; the card keeps its value.
    pub conflicts: Vec<ConflictBody>,
    /// `duplicate_in_file`: the earlier line.
    pub line: Option<usize>,
    /// `invalid` and `duplicate_in_file`: why, one sentence each, in the request's language.
    pub reasons: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConflictBody {
    /// The field, in the request's language.
    pub field: String,
    /// What the card has (and keeps).
    pub current: String,
    pub imported: String,
}

/// The rows to take.
#[derive(Deserialize, ToSchema)]
pub struct CommitRequest {
    /// `line` of each chosen row (new or merge rows only).
    pub lines: Vec<usize>,
}

/// What the commit did.
#[derive(Serialize, ToSchema)]
pub struct CommitBody {
    /// New cards.
    pub created: Vec<u64>,
    /// Cards completed with the contacts' data.
    pub merged: Vec<u64>,
    /// Chosen rows the card file has by now (e.g. imported meanwhile from another device).
    pub skipped: usize,
    /// Photos embedded in the contacts that were put on the cards.
    pub photos_added: usize,
    /// Embedded photos that could not be read; their contacts were imported without them.
    pub photos_refused: usize,
}

/// Reads a file of contacts and shows what importing them would do. Writes nothing.
#[utoipa::path(post, path = "/api/v1/import", tag = "import",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = PreviewBody),
              (status = 400, description = "Not a contacts file, damaged, empty, no name column", body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 413, description = "Larger than 20 MB", body = ErrorBody)))]
async fn preview(
    State(state): State<AppState>,
    _: Session,
    ReqLang(lang): ReqLang,
    Multipart(mut form): Multipart,
) -> ApiResult<axum::Json<PreviewBody>> {
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = form.next_field().await.map_err(upload_error)? {
        if field.name() != Some("file") {
            continue;
        }
        if upload.is_some() {
            return Err(ApiError::bad_request("one file per request"));
        }
        let filename = field.file_name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(upload_error)? {
            if bytes.len() + chunk.len() > import::MAX_FILE_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some((filename, bytes));
    }
    let Some((filename, bytes)) = upload else {
        return Err(CoreError::invalid("file", Msg::Required).into());
    };
    let preview = state
        .heavy(move |k| import::preview(k, &bytes, &filename))
        .await?;
    let mut body = PreviewBody::new(&preview, lang);
    body.id = state.imports.insert(preview);
    Ok(axum::Json(body))
}

fn too_large() -> ApiError {
    ErrorKind::FileTooLarge(Msg::ImportTooLarge {
        max_mb: (import::MAX_FILE_BYTES / (1024 * 1024)) as u64,
    })
    .into()
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    crate::extract::multipart_error(e, too_large)
}

/// Takes the chosen rows of a preview, all in one transaction. Rows the card file has by now
/// are skipped, so committing twice creates nothing twice. The preview is gone afterwards.
#[utoipa::path(post, path = "/api/v1/import/{id}/commit", tag = "import",
    params(("id" = String, Path, description = "The preview's id")), request_body = CommitRequest,
    responses((status = 200, body = CommitBody),
              (status = 400, description = "A line that is not a new or merge row", body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 404, description = "No such preview (expired, taken, server restarted)", body = ErrorBody),
              (status = 409, description = "A card changed since the preview", body = ErrorBody)))]
async fn commit(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Json(request): Json<CommitRequest>,
) -> ApiResult<axum::Json<CommitBody>> {
    let Some(preview) = state.imports.get(&id) else {
        return Err(ErrorKind::Missing(Msg::ImportPreviewGone).into());
    };
    let outcome = state
        .heavy(move |k| import::commit(k, &preview, &request.lines, &session.staff))
        .await?;
    state.imports.remove(&id);
    Ok(axum::Json(CommitBody {
        created: outcome.created.iter().map(|id| id.0).collect(),
        merged: outcome.merged.iter().map(|id| id.0).collect(),
        skipped: outcome.skipped,
        photos_added: outcome.photos_added,
        photos_refused: outcome.photos_refused,
    }))
}

impl PreviewBody {
    fn new(p: &ImportPreview, lang: Lang) -> PreviewBody {
        let format = serde_json::to_value(p.format)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        PreviewBody {
            id: String::new(),
            filename: p.filename.clone(),
            format,
            counts: CountsBody {
                new: p.counts.new,
                merge: p.counts.merge,
                duplicate: p.counts.duplicate,
                invalid: p.counts.invalid,
                with_warnings: p.counts.with_warnings,
            },
            rows: p.rows.iter().map(|r| RowBody::new(r, lang)).collect(),
            mapped_columns: p
                .mapped_columns
                .iter()
                .map(|(column, field)| MappedColumn {
                    column: column.clone(),
                    field: serde_json::to_value(field)
                        .ok()
                        .and_then(|v| v.as_str().map(|key| field_label(key, lang)))
                        .unwrap_or_default(),
                })
                .collect(),
            ignored_columns: p.ignored_columns.clone(),
            unknown_columns: p.unknown_columns.clone(),
            new_groups: p.new_groups.clone(),
        }
    }
}

impl RowBody {
    fn new(row: &PreviewRow, lang: Lang) -> RowBody {
        let mut action = ActionBody {
            kind: "new",
            into: None,
            name: None,
            adds: Vec::new(),
            conflicts: Vec::new(),
            line: None,
            reasons: Vec::new(),
        };
        match &row.action {
            RowAction::New => {}
            RowAction::Merge {
                into,
                card_name: name,
                adds,
                conflicts,
            } => {
                action.kind = "merge";
                action.into = Some(into.0);
                action.name = Some(name.clone());
                action.adds = adds.iter().map(|f| field_label(f, lang)).collect();
                action.conflicts = conflicts
                    .iter()
                    .map(|c| ConflictBody {
                        field: field_label(&c.field, lang),
                        current: c.current.clone(),
                        imported: c.imported.clone(),
                    })
                    .collect();
            }
            RowAction::Duplicate {
                of,
                card_name: name,
            } => {
                action.kind = "duplicate";
                action.into = Some(of.0);
                action.name = Some(name.clone());
            }
            RowAction::DuplicateInFile { line } => {
                action.kind = "duplicate_in_file";
                action.line = Some(*line);
                action.reasons = vec![Msg::DuplicateInFile { line: *line }.text(lang)];
            }
            RowAction::Invalid { reasons } => {
                action.kind = "invalid";
                action.reasons = reasons
                    .iter()
                    .map(|r| format!("{}: {}", field_label(&r.field, lang), r.message.text(lang)))
                    .collect();
            }
        }
        RowBody {
            line: row.line,
            name: row.name.clone(),
            phones: row.phones.clone(),
            email: row.email.clone(),
            birthday: row.birthday.clone(),
            action,
            choosable: row.choosable(),
            warnings: row.warnings.iter().map(|w| w.text(lang)).collect(),
            has_photo: row.has_photo,
        }
    }
}

/// A field of the customer form (`email`, `phones.1.number`, `address.postal_code`) or an
/// import column's field (`full_name`, `phone_private`) as people call it (the words are
/// `kartei_core::i18n::field_word`'s). Unknown keys stay.
pub fn field_label(key: &str, lang: Lang) -> String {
    let mut parts = key.split('.');
    let head = parts.next().unwrap_or_default();
    let index = parts.next().and_then(|i| i.parse::<usize>().ok());
    let sub = key.rsplit('.').next().unwrap_or_default();
    // `address.city` is the city; any other `address.…` is the address.
    let field = match (head, sub) {
        ("address", "street" | "postal_code" | "city" | "country") => sub,
        _ => head,
    };
    let Some(word) = kartei_core::i18n::field_word(field) else {
        return key.to_string();
    };
    let label = word.text(lang);
    match (head, index) {
        // The second phone of a contact is "Telefon 2".
        ("phones", Some(i)) if i > 0 => format!("{label} {}", i + 1),
        _ => label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_labels() {
        let check = |key: &str, lang: Lang, expected: &str| {
            assert_eq!(field_label(key, lang), expected, "{key}")
        };
        check("email", Lang::De, "E-Mail");
        check("email", Lang::En, "E-mail");
        check("phones.0.number", Lang::De, "Telefon");
        check("phones.1.number", Lang::De, "Telefon 2");
        check("phones", Lang::En, "Phone");
        check("address.postal_code", Lang::De, "PLZ");
        check("address", Lang::De, "Adresse");
        check("last_name", Lang::De, "Nachname");
        check("full_name", Lang::En, "Name");
        check("phone_business", Lang::De, "Telefon geschäftlich");
        check("notes", Lang::De, "Notizen");
        check("something_new", Lang::De, "something_new");
    }
}
