//! Excel export downloads: the customer list (`GET /api/v1/export.xlsx`, the list's own query
//! parameters) and one customer's data (GDPR right of access, `…/customers/{id}/export.xlsx` and
//! `.json`).
//!
//! The core writes the workbook on the blocking pool into a temporary file in the data folder
//! (never `/tmp`, a RAM disk on the appliance). The file is opened and its name removed before
//! the first byte goes out, so the download streams from an open handle that is the only
//! reference left: when the response ends — finished, failed or the phone went away — the
//! handle closes and the disk space is free. Memory stays flat however large the file is.

use super::customers::search_request;
use super::docs::ListQuery;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::extract::{Path, Query, ReqLang};
use crate::session::Session;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kartei_core::export::{self, ExportQuery, ExportScope};
use kartei_core::i18n::Msg;
use kartei_core::model::CustomerId;
use kartei_core::{CoreError, Kartei, Lang};
use serde::Deserialize;
use std::fs::File;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// How the temporary files of downloads begin (hidden, so nobody mistakes one for an export).
const DOWNLOAD_PREFIX: &str = ".download-";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_xlsx))
        .routes(routes!(customer_xlsx))
        .routes(routes!(customer_json))
        .routes(routes!(audit_xlsx))
}

/// The filters of an export: the customer list's, without paging.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// What was typed into the search box.
    pub q: Option<String>,
    /// `all`, `with_bookings`, `no_recent_visit`, `regular`, `new`.
    pub filter: Option<String>,
    /// A group name.
    pub group: Option<String>,
    /// `name_asc`, `name_desc`, `last_visit`, `newest`.
    pub sort: Option<String>,
}

/// The customer list as an Excel file (sheets Kunden, Termine, Notizen; deactivated customers
/// included), filtered like the list. Owners only (staff get 403). Named `kunden-YYYY-MM-DD.xlsx` (`customers-…` in English).
#[utoipa::path(get, path = "/api/v1/export.xlsx", tag = "export", params(ExportParams),
    responses((status = 200, description = "The workbook, as a download", content_type = XLSX),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner, or not enough space in the data folder",
               body = ErrorBody)))]
async fn list_xlsx(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Query(params): Query<ExportParams>,
) -> ApiResult<Response> {
    export::check_may_export_list(session.role)?;
    let request = search_request(
        &state,
        ListQuery {
            q: params.q,
            filter: params.filter,
            group: params.group,
            sort: params.sort,
            limit: None,
            cursor: None,
        },
    )?;
    let query = ExportQuery {
        q: request.q,
        filter: request.filter,
        group: request.group,
        sort: request.sort,
    };
    let name = export::file_name(lang, state.kartei.today());
    let file = state
        .heavy(move |k| write_to_open_file(k, &query.scope(), lang, &session.staff))
        .await?;
    download(file, &name, XLSX).await
}

/// Everything about one customer as an Excel file (GDPR Art. 15), named
/// `kunde-ID-NAME-YYYY-MM-DD.xlsx`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/export.xlsx", tag = "export",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, description = "The workbook, as a download", content_type = XLSX),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn customer_xlsx(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    let customer = CustomerId(id);
    let (name, file) = state
        .heavy(move |k| {
            let name = customer_file_name(k, customer, lang, "xlsx")?;
            let file =
                write_to_open_file(k, &ExportScope::Customer(customer), lang, &session.staff)?;
            Ok((name, file))
        })
        .await
        .map_err(|e| customer_missing(e, id))?;
    download(file, &name, XLSX).await
}

/// Everything about one customer as JSON (GDPR Art. 15): master data, notes, patch tests,
/// appointments, photo metadata. Named `kunde-ID-NAME-YYYY-MM-DD.json`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/export.json", tag = "export",
    params(("id" = u64, Path, description = "Customer id")),
    responses((status = 200, description = "The customer's data, as a download", content_type = "application/json"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn customer_json(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
    Path(id): Path<u64>,
) -> ApiResult<Response> {
    let customer = CustomerId(id);
    let (name, json) = state
        .heavy(move |k| {
            let name = customer_file_name(k, customer, lang, "json")?;
            let data = export::customer_data(k, customer, &session.staff)?;
            let json = serde_json::to_vec_pretty(&data)
                .map_err(|e| CoreError::Store(format!("customer data as JSON: {e}")))?;
            Ok((name, json))
        })
        .await
        .map_err(|e| customer_missing(e, id))?;
    let mut response = ([(header::CONTENT_TYPE, "application/json")], json).into_response();
    set_download_headers(&mut response, &name);
    Ok(response)
}

/// A missing customer says which one.
fn customer_missing(error: ApiError, id: u64) -> ApiError {
    match error.kind.as_ref() {
        ErrorKind::Core(CoreError::NotFound {
            what: "customer", ..
        }) => ErrorKind::Missing(Msg::CustomerNotFound { id }).into(),
        _ => error,
    }
}

/// `kunde-1234-Jörg-Weiß-2026-11-24.xlsx` (`customer-…` in English).
fn customer_file_name(
    kartei: &Kartei,
    id: CustomerId,
    lang: Lang,
    extension: &str,
) -> kartei_core::Result<String> {
    let customer = kartei.customer(id)?;
    Ok(customer_download_name(
        id,
        &customer.display_name(),
        lang,
        kartei.today(),
        extension,
    ))
}

fn customer_download_name(
    id: CustomerId,
    name: &str,
    lang: Lang,
    today: NaiveDate,
    extension: &str,
) -> String {
    let stem = kartei_core::i18n::Word::FileCustomer.text(lang);
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = format!("{stem}-{}", id.0);
    for w in words {
        out.push('-');
        out.push_str(&w);
    }
    format!("{out}-{}.{extension}", today.format("%Y-%m-%d"))
}

/// The audit log as an Excel file (owners only), named `protokoll-YYYY-MM-DD.xlsx`
/// (`audit-log-…` in English).
#[utoipa::path(get, path = "/api/v1/audit.xlsx", tag = "audit",
    responses((status = 200, description = "The workbook, as a download", content_type = XLSX),
              (status = 401, body = ErrorBody),
              (status = 403, description = "Not an owner", body = ErrorBody)))]
async fn audit_xlsx(
    State(state): State<AppState>,
    session: Session,
    ReqLang(lang): ReqLang,
) -> ApiResult<Response> {
    kartei_core::audit::check_may_read(session.role)?;
    let stem = kartei_core::i18n::Word::AuditFileStem.text(lang);
    let name = format!("{stem}-{}.xlsx", state.kartei.today().format("%Y-%m-%d"));
    let file = state
        .heavy(move |k| {
            open_written(k, |path| {
                export::write_audit_xlsx(k, session.role, lang, path).map(|_| ())
            })
        })
        .await?;
    download(file, &name, XLSX).await
}

/// Writes the workbook into a temporary file in the data folder and returns it open, its name
/// already removed.
fn write_to_open_file(
    kartei: &Kartei,
    scope: &ExportScope,
    lang: Lang,
    by: &str,
) -> kartei_core::Result<File> {
    open_written(kartei, |path| {
        export::write_xlsx(kartei, scope, lang, path, by, |_| {}).map(|_| ())
    })
}

/// Lets `write` fill a hidden temporary file in the data folder and returns it open, its name
/// already removed (nothing is left behind, whatever happens to the download).
fn open_written(
    kartei: &Kartei,
    write: impl FnOnce(&std::path::Path) -> kartei_core::Result<()>,
) -> kartei_core::Result<File> {
    let temp = tempfile::Builder::new()
        .prefix(DOWNLOAD_PREFIX)
        .suffix(".xlsx")
        .tempfile_in(kartei.data_dir())
        .map_err(disk_full)?
        .into_temp_path();
    write(&temp).map_err(disk_full_core)?;
    let file = File::open(&temp)?;
    temp.close()?;
    Ok(file)
}

/// Removes downloads a crash left behind: a download's name is removed before it is sent, so
/// only a crash while the core writes it leaves one. Called when the server starts.
pub fn remove_stale_downloads(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(DOWNLOAD_PREFIX)
        {
            if let Err(e) = std::fs::remove_file(entry.path()) {
                log::warn!("cannot remove {}: {e}", entry.path().display());
            }
        }
    }
}

fn disk_full(e: std::io::Error) -> CoreError {
    disk_full_core(CoreError::Io(e))
}

fn disk_full_core(e: CoreError) -> CoreError {
    kartei_core::usb::disk_full_as_message(e)
}

/// Streams an open file as a download.
async fn download(file: File, name: &str, content_type: &'static str) -> ApiResult<Response> {
    let length = file.metadata().map_err(CoreError::Io)?.len();
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        Body::from_stream(stream),
    )
        .into_response();
    set_download_headers(&mut response, name);
    Ok(response)
}

fn set_download_headers(response: &mut Response, name: &str) {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&content_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
}

/// `attachment; filename="…"` with an ASCII name (umlauts spelled out, anything else `_`), and
/// the real name as `filename*` (RFC 6266, RFC 5987) when it is not plain ASCII.
pub fn content_disposition(name: &str) -> String {
    let mut ascii = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => ascii.push(c),
            'ä' => ascii.push_str("ae"),
            'ö' => ascii.push_str("oe"),
            'ü' => ascii.push_str("ue"),
            'Ä' => ascii.push_str("Ae"),
            'Ö' => ascii.push_str("Oe"),
            'Ü' => ascii.push_str("Ue"),
            'ß' => ascii.push_str("ss"),
            _ => ascii.push('_'),
        }
    }
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_dispositions() {
        let check = |name: &str, expected: &str| assert_eq!(content_disposition(name), expected);
        check(
            "kunden-2026-11-24.xlsx",
            "attachment; filename=\"kunden-2026-11-24.xlsx\"",
        );
        check(
            "kunde-7-Jörg-Weiß-2026-11-24.json",
            "attachment; filename=\"kunde-7-Joerg-Weiss-2026-11-24.json\"; \
             filename*=UTF-8''kunde-7-J%C3%B6rg-Wei%C3%9F-2026-11-24.json",
        );
        check(
            "kunde-8-Zoë-\"x\".xlsx",
            "attachment; filename=\"kunde-8-Zo_-_x_.xlsx\"; \
             filename*=UTF-8''kunde-8-Zo%C3%AB-%22x%22.xlsx",
        );
    }

    #[test]
    fn stale_downloads_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".download-a1b2.xlsx",
            "kunden-2026-11-24.xlsx",
            "store.redb",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        remove_stale_downloads(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["kunden-2026-11-24.xlsx", "store.redb"]);
    }

    #[test]
    fn customer_download_names() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let check = |name: &str, lang: Lang, expected: &str| {
            assert_eq!(
                customer_download_name(CustomerId(1234), name, lang, day, "xlsx"),
                expected
            );
        };
        check(
            "Jörg Weiß",
            Lang::De,
            "kunde-1234-Jörg-Weiß-2026-11-24.xlsx",
        );
        check(
            "Anna Müller",
            Lang::En,
            "customer-1234-Anna-Müller-2026-11-24.xlsx",
        );
        check("", Lang::De, "kunde-1234-2026-11-24.xlsx");
        check(
            "../../etc/passwd",
            Lang::De,
            "kunde-1234-etc-passwd-2026-11-24.xlsx",
        );
        check(
            "Dr. O'Neil & Co.",
            Lang::De,
            "kunde-1234-Dr-O-Neil-Co-2026-11-24.xlsx",
        );
    }
}
