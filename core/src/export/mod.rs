//! The Excel export: the whole card file (or one filtered list, or one customer) as one `.xlsx`
//! with the sheets Kunden, Termine and Notizen, headers in the user's language.
//!
//! - [`write_xlsx`]: writes the workbook to a path, streaming from one store snapshot per sheet
//!   with rust_xlsxwriter's constant-memory mode, so memory stays flat with size.
//! - [`customer_data`]: everything about one customer as JSON (GDPR right of access); the xlsx
//!   form is [`write_xlsx`] with [`ExportScope::Customer`].
//! - [`sheet`]: typed cells and the sheet writer. The USB stick face is [`crate::usb`].

mod audit_log;
mod pipeline;
pub mod sheet;

pub use audit_log::write_audit_xlsx;

use crate::audit::{AuditAction, AuditDraft};
use crate::card::{group_names, AppointmentView, CustomerView};
use crate::error::{CoreError, Result};
use crate::i18n::{Lang, Msg, Word};
use crate::model::*;
use crate::search::{Filter, SearchRequest, Sort};
use crate::Kartei;
use chrono::{DateTime, Utc};
use pipeline::pipelined;
use rust_xlsxwriter::Workbook;
use serde::{Deserialize, Serialize};
use sheet::{xlsx, Cell, Column, Formats, Kind, SheetWriter};
use std::collections::HashMap;
use std::path::Path;

/// Which customers to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportScope {
    /// The customer list as the list would show it for this request, in its order. The default
    /// request (everyone, deactivated included, name A–Z) is streamed straight from the store in
    /// card-number order instead, which keeps memory flat for the whole card file.
    List(SearchRequest),
    /// One customer (data export on request, GDPR Art. 15).
    Customer(CustomerId),
}

/// The query parameters of an export (`kartei export`, `GET /api/v1/export.xlsx`): the same as
/// the customer list's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    pub q: String,
    pub filter: Filter,
    pub group: Option<GroupId>,
    pub sort: Sort,
}

impl ExportQuery {
    pub fn scope(&self) -> ExportScope {
        ExportScope::List(SearchRequest {
            q: self.q.clone(),
            filter: self.filter,
            group: self.group,
            sort: self.sort,
            include_deactivated: true,
            ..Default::default()
        })
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub customers: u64,
    pub appointments: u64,
    pub notes: u64,
}

/// How far the export is, for a progress bar: `done` of `total` steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// Who may export the customer list (whole or filtered): an owner. Anyone logged in may export
/// one customer's data ([`ExportScope::Customer`]), which a customer may ask for at any time
/// (GDPR Art. 15); the whole card file in a stylist's pocket is what the rule keeps out.
pub fn check_may_export_list(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Staff => Err(CoreError::Forbidden(Msg::ExportOwnerOnly)),
    }
}

/// The download name: `kunden-2026-11-24.xlsx` (`customers-…` in English).
pub fn file_name(lang: Lang, today: chrono::NaiveDate) -> String {
    let stem = Word::FileCustomers.text(lang);
    format!("{stem}-{}.xlsx", today.format("%Y-%m-%d"))
}

/// Counts the export's steps (one per record read) and reports every thousandth.
struct Steps<F: FnMut(Progress)> {
    done: u64,
    total: u64,
    report: F,
}

impl<F: FnMut(Progress)> Steps<F> {
    fn step(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(1000) {
            (self.report)(Progress {
                done: self.done.min(self.total),
                total: self.total,
            });
        }
    }

    /// A pass is over: `done` is where it ends (records a filter skipped count too).
    fn reach(&mut self, done: u64) {
        self.done = done.min(self.total);
        (self.report)(Progress {
            done: self.done,
            total: self.total,
        });
    }
}

/// Per-customer figures derived from appointments.
#[derive(Default)]
struct Visits {
    count: u32,
    last: Option<DateTime<Utc>>,
    services: Vec<(ServiceId, u32)>,
}

impl Visits {
    fn add(&mut self, visit: &Appointment) {
        self.count += 1;
        self.last = self.last.max(Some(visit.start));
        for s in &visit.services {
            match self.services.iter_mut().find(|(id, _)| id == s) {
                Some((_, n)) => *n += 1,
                None => self.services.push((*s, 1)),
            }
        }
    }

    fn top_service(&self) -> Option<ServiceId> {
        self.services
            .iter()
            .max_by_key(|(id, n)| (*n, std::cmp::Reverse(id.0)))
            .map(|(id, _)| *id)
    }
}

/// Writes the export to `path` (created or replaced). `progress` is called now and then.
/// Temporary files of the constant-memory mode go to the data folder, not to `/tmp` (a RAM
/// disk on the appliance).
///
/// Everything is read from one store snapshot, each record once: the customers' names first
/// (a light pass), then the appointments, which fill the Termine sheet and the visit figures
/// at the same time, then the customers for the Kunden sheet (the first sheet, written last:
/// constant-memory sheets can be filled in any order), then the notes.
pub fn write_xlsx(
    kartei: &Kartei,
    scope: &ExportScope,
    lang: Lang,
    path: &Path,
    by: &str,
    progress: impl FnMut(Progress),
) -> Result<ExportSummary> {
    let snapshot = kartei.store().snapshot()?;
    let ids: Option<Vec<CustomerId>> = match scope {
        ExportScope::List(request) if is_everything(request) => None,
        ExportScope::List(request) => Some(kartei.search_all(request)?),
        ExportScope::Customer(id) => {
            kartei.store().customer(*id)?;
            Some(vec![*id])
        }
    };
    let total_customers = match &ids {
        Some(v) => v.len() as u64,
        None => snapshot.customer_count()?,
    };
    // One step per record read, in the order of the passes: appointments, customers, notes.
    let appointments_end = snapshot.appointment_count()?;
    let customers_end = appointments_end + total_customers;
    let mut steps = Steps {
        done: 0,
        total: customers_end + snapshot.note_count()?,
        report: progress,
    };
    steps.reach(0);

    let services: HashMap<ServiceId, String> = kartei
        .services()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let groups = kartei.groups();
    let now = kartei.now();

    // The names of the exported customers, for the Termine and Notizen sheets.
    let mut names: HashMap<CustomerId, String> = HashMap::new();
    snapshot.for_each_customer_name(ids.as_deref(), |id, name| {
        names.insert(id, name);
    })?;

    let mut workbook = Workbook::new();
    workbook.set_tempdir(kartei.data_dir()).map_err(xlsx)?;
    // Zip level 2: measured on 100k customers, the zip takes 1.1 s instead of 3.7 s at the
    // default level 6, for a file of 68 MB instead of 57 MB (level 1: 0.9 s but 92 MB).
    workbook.set_zip_compression_level(2);
    let formats = Formats::new();
    let mut summary = ExportSummary::default();
    let mut customers = SheetWriter::new(
        &mut workbook,
        &formats,
        sheet_name(Sheet::Customers, lang),
        columns(CUSTOMER_COLUMNS, lang),
    )?;

    // Termine, and the visit figures of the Kunden sheet.
    let mut visits: HashMap<CustomerId, Visits> = HashMap::with_capacity(names.len());
    let mut sheet = SheetWriter::new(
        &mut workbook,
        &formats,
        sheet_name(Sheet::Appointments, lang),
        columns(APPOINTMENT_COLUMNS, lang),
    )?;
    let mut service_names = String::new();
    let read_appointments = |emit: &mut dyn FnMut(Appointment) -> Result<()>| {
        snapshot.for_each_appointment(|a| {
            steps.step();
            emit(a)
        })
    };
    pipelined(read_appointments, |a| {
        let Some(name) = names.get(&a.customer_id) else {
            return Ok(());
        };
        if a.status.is_visit() && a.start <= now {
            visits.entry(a.customer_id).or_default().add(&a);
        }
        service_names.clear();
        for name in a.services.iter().filter_map(|s| services.get(s)) {
            if !service_names.is_empty() {
                service_names.push_str(", ");
            }
            service_names.push_str(name);
        }
        sheet.write_row(
            &mut workbook,
            &[
                Cell::Number(a.id.0 as f64),
                Cell::Number(a.customer_id.0 as f64),
                Cell::Text(name),
                Cell::DateTime(a.start),
                Cell::DateTime(a.end),
                Cell::Text(&service_names),
                Cell::Text(&a.staff),
                Cell::Text(a.status.label(lang)),
                Cell::Text(&a.note),
            ],
        )
    })?;
    summary.appointments = sheet.finish(&mut workbook)?;
    steps.reach(appointments_end);

    // Kunden.
    let write_customer = |c: Customer| -> Result<()> {
        let v = visits.get(&c.id);
        let top = v
            .and_then(Visits::top_service)
            .and_then(|id| services.get(&id));
        customers.write_row(&mut workbook, &customer_cells(&c, &groups, v, top, lang))
    };
    let read_customers = |emit: &mut dyn FnMut(Customer) -> Result<()>| {
        let mut counted = |c: Customer| {
            steps.step();
            emit(c)
        };
        match &ids {
            None => snapshot.for_each_customer(&mut counted),
            Some(ids) => snapshot.for_each_customer_of(ids, &mut counted),
        }
    };
    pipelined(read_customers, write_customer)?;
    summary.customers = customers.finish(&mut workbook)?;
    steps.reach(customers_end);
    drop(visits);

    // Notizen.
    let mut sheet = SheetWriter::new(
        &mut workbook,
        &formats,
        sheet_name(Sheet::Notes, lang),
        columns(NOTE_COLUMNS, lang),
    )?;
    snapshot.for_each_note(|n| {
        steps.step();
        let Some(name) = names.get(&n.customer_id) else {
            return Ok(());
        };
        let formula = n.formula.clone().unwrap_or_default();
        sheet.write_row(
            &mut workbook,
            &[
                Cell::Number(n.id.0 as f64),
                Cell::Number(n.customer_id.0 as f64),
                Cell::Text(name),
                Cell::Text(n.kind.label(lang)),
                Cell::Text(&n.text),
                Cell::Owned(formula.products),
                Cell::Owned(formula.developer),
                formula
                    .processing_minutes
                    .map(|m| Cell::Number(f64::from(m)))
                    .unwrap_or(Cell::Empty),
                Cell::Owned(formula.result),
                Cell::Text(&n.author),
                Cell::DateTime(n.created_at),
                Cell::DateTime(n.updated_at),
                Cell::Text(yes_no(n.pinned, lang)),
            ],
        )
    })?;
    summary.notes = sheet.finish(&mut workbook)?;
    steps.reach(steps.total);

    workbook.save(path).map_err(xlsx)?;
    // Who took which data out of the appliance (the audit log).
    let entry = match scope {
        ExportScope::Customer(id) => {
            AuditDraft::new(by, AuditAction::Exported, Some(*id)).with_detail("xlsx")
        }
        ExportScope::List(_) => AuditDraft::new(by, AuditAction::ListExported, None)
            .with_detail(summary.customers.to_string()),
    };
    kartei.record_audit(&[entry])?;
    Ok(summary)
}

fn is_everything(request: &SearchRequest) -> bool {
    request.q.trim().is_empty()
        && request.filter == Filter::All
        && request.group.is_none()
        && request.include_deactivated
        && request.sort == Sort::NameAsc
}

#[derive(Clone, Copy)]
pub enum Sheet {
    Customers,
    Appointments,
    Notes,
}

/// The sheet names: Kunden / Termine / Notizen (Customers / Appointments / Notes).
pub fn sheet_name(sheet: Sheet, lang: Lang) -> &'static str {
    match sheet {
        Sheet::Customers => Word::SheetCustomers,
        Sheet::Appointments => Word::SheetAppointments,
        Sheet::Notes => Word::SheetNotes,
    }
    .text(lang)
}

/// A column as the tables below list it: its header (from the catalogue), width, kind.
type ColumnSpec = (Word, f64, Kind);

fn columns(list: &[ColumnSpec], lang: Lang) -> Vec<Column> {
    list.iter()
        .map(|(word, width, kind)| Column {
            header: word.text(lang).to_string(),
            width: *width,
            kind: *kind,
        })
        .collect()
}

/// The columns of the Kunden sheet. The import maps these headers back.
pub const CUSTOMER_COLUMNS: &[ColumnSpec] = &[
    (Word::ColCustomerNo, 11.0, Kind::Number),
    (Word::Salutation, 8.0, Kind::Text),
    (Word::Title, 7.0, Kind::Text),
    (Word::FirstName, 16.0, Kind::Text),
    (Word::LastName, 18.0, Kind::Text),
    (Word::FieldCompany, 16.0, Kind::Text),
    (Word::PlabelMobile, 18.0, Kind::Text),
    (Word::FieldPhonePrivate, 18.0, Kind::Text),
    (Word::FieldPhoneBusiness, 18.0, Kind::Text),
    (Word::Email, 30.0, Kind::Text),
    (Word::Street, 24.0, Kind::Text),
    (Word::PostalCode, 8.0, Kind::Text),
    (Word::City, 16.0, Kind::Text),
    (Word::FieldCountry, 6.0, Kind::Text),
    (Word::FieldBirthday, 12.0, Kind::Date),
    (Word::ColPreferredContact, 12.0, Kind::Text),
    (Word::Groups, 18.0, Kind::Text),
    (Word::FieldStylist, 12.0, Kind::Text),
    (Word::ColNewsletter, 10.0, Kind::Text),
    (Word::ColNewsletterSince, 12.0, Kind::DateTime),
    (Word::ColReminders, 10.0, Kind::Text),
    (Word::ColSource, 10.0, Kind::Text),
    (Word::ColCustomerSince, 12.0, Kind::Date),
    (Word::ColCreated, 16.0, Kind::DateTime),
    (Word::ColChanged, 16.0, Kind::DateTime),
    (Word::LastVisit, 12.0, Kind::Date),
    (Word::VisitCount, 8.0, Kind::Number),
    (Word::ColTopService, 22.0, Kind::Text),
    (Word::ColDeactivated, 10.0, Kind::Text),
];

/// The columns of the Termine sheet.
pub const APPOINTMENT_COLUMNS: &[ColumnSpec] = &[
    (Word::ColAppointmentNo, 11.0, Kind::Number),
    (Word::ColCustomerNo, 11.0, Kind::Number),
    (Word::Customer, 24.0, Kind::Text),
    (Word::Start, 16.0, Kind::DateTime),
    (Word::ColEnd, 16.0, Kind::DateTime),
    (Word::ColServices, 30.0, Kind::Text),
    (Word::ColStaff, 12.0, Kind::Text),
    (Word::ColStatus, 14.0, Kind::Text),
    (Word::Note, 30.0, Kind::Text),
];

/// The columns of the Notizen sheet.
pub const NOTE_COLUMNS: &[ColumnSpec] = &[
    (Word::ColNoteNo, 10.0, Kind::Number),
    (Word::ColCustomerNo, 11.0, Kind::Number),
    (Word::Customer, 24.0, Kind::Text),
    (Word::ColKind, 14.0, Kind::Text),
    (Word::ColText, 40.0, Kind::Text),
    (Word::ColFormulaProducts, 30.0, Kind::Text),
    (Word::FDeveloper, 10.0, Kind::Text),
    (Word::ColProcessing, 10.0, Kind::Number),
    (Word::FResult, 24.0, Kind::Text),
    (Word::ColAuthor, 12.0, Kind::Text),
    (Word::ColCreated, 16.0, Kind::DateTime),
    (Word::ColChanged, 16.0, Kind::DateTime),
    (Word::ColPinned, 9.0, Kind::Text),
];

fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b { Word::Yes } else { Word::No }.text(lang)
}

fn phones_of(c: &Customer, label: PhoneLabel) -> String {
    c.phones
        .iter()
        .filter(|p| p.label == label)
        .map(|p| p.display())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The salutation as the forms show it.
pub fn salutation_text(s: Salutation, lang: Lang) -> &'static str {
    match s {
        Salutation::None => "",
        Salutation::Frau => Word::SalutationFrau.text(lang),
        Salutation::Herr => Word::SalutationHerr.text(lang),
        Salutation::Divers => Word::SalutationDivers.text(lang),
    }
}

/// The preferred contact channel, as every face names it.
pub fn channel_word(c: ContactChannel) -> Word {
    match c {
        ContactChannel::Phone => Word::ChannelPhone,
        ContactChannel::Sms => Word::ChannelSms,
        ContactChannel::Email => Word::ChannelEmail,
        ContactChannel::None => Word::ChannelNone,
    }
}

pub fn channel_text(c: ContactChannel, lang: Lang) -> &'static str {
    channel_word(c).text(lang)
}

fn source_text(s: Source, lang: Lang) -> &'static str {
    match s {
        Source::Manual => Word::SourceManual,
        Source::Booking => Word::SourceBooking,
        Source::Import => Word::SourceImport,
    }
    .text(lang)
}

fn customer_cells<'c>(
    c: &'c Customer,
    groups: &[Group],
    visits: Option<&Visits>,
    top_service: Option<&'c String>,
    lang: Lang,
) -> Vec<Cell<'c>> {
    let birthday = match c.birthday {
        Some(Birthday::Full(d)) => Cell::Date(d),
        Some(b) => Cell::Owned(b.display()),
        None => Cell::Empty,
    };
    vec![
        Cell::Number(c.id.0 as f64),
        Cell::Text(salutation_text(c.salutation, lang)),
        Cell::Text(&c.title),
        Cell::Text(&c.first_name),
        Cell::Text(&c.last_name),
        Cell::Text(&c.company),
        Cell::Owned(phones_of(c, PhoneLabel::Mobile)),
        Cell::Owned(phones_of(c, PhoneLabel::Private)),
        Cell::Owned(phones_of(c, PhoneLabel::Business)),
        Cell::Owned(c.email.as_ref().map(|e| e.to_string()).unwrap_or_default()),
        Cell::Text(&c.address.street),
        Cell::Text(&c.address.postal_code),
        Cell::Text(&c.address.city),
        Cell::Text(&c.address.country),
        birthday,
        Cell::Text(channel_text(c.preferred_contact, lang)),
        Cell::Owned(group_names(&c.groups, groups).join(", ")),
        Cell::Text(&c.stylist),
        Cell::Text(yes_no(c.marketing_consent.given, lang)),
        match c.marketing_consent.given {
            true => Cell::opt_datetime(c.marketing_consent.at),
            false => Cell::Empty,
        },
        Cell::Text(yes_no(c.reminder_consent.given, lang)),
        Cell::Text(source_text(c.source, lang)),
        Cell::Date(c.customer_since),
        Cell::DateTime(c.created_at),
        Cell::DateTime(c.updated_at),
        Cell::opt_date(
            visits
                .and_then(|v| v.last)
                .and_then(|t| crate::search::text::local_day(t.timestamp())),
        ),
        Cell::Number(f64::from(visits.map(|v| v.count).unwrap_or(0))),
        top_service.map(|s| Cell::Text(s)).unwrap_or(Cell::Empty),
        Cell::Text(yes_no(c.deactivated, lang)),
    ]
}

/// Everything the card file holds about one customer, for the JSON data export.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerData {
    pub exported_at: DateTime<Utc>,
    pub customer: CustomerView,
    pub notes: Vec<Note>,
    pub patch_tests: Vec<PatchTest>,
    pub appointments: Vec<AppointmentView>,
    /// The photos' metadata, oldest first; the pictures themselves come from
    /// `Kartei::photo_full` (content hash = file name under `photos/`).
    pub photos: Vec<crate::photos::Photo>,
    /// What the audit log holds about the customer (who viewed, changed, exported), newest
    /// first.
    pub audit: Vec<crate::audit::AuditEntry>,
}

/// Everything about one customer (GDPR Art. 15), as the JSON download serializes it.
/// `by` is who asked for it (the audit log); the data includes what the log holds about the
/// customer, this export included.
pub fn customer_data(kartei: &Kartei, id: CustomerId, by: &str) -> Result<CustomerData> {
    let store = kartei.store();
    let customer = store.customer(id)?;
    let services = kartei.services()?;
    let name = customer.display_name();
    kartei.record_audit(&[
        AuditDraft::new(by, AuditAction::Exported, Some(id)).with_detail("json")
    ])?;
    Ok(CustomerData {
        audit: store.audit_of(id)?,
        exported_at: kartei.now(),
        customer: CustomerView::new(&customer, &kartei.groups()),
        notes: store.notes(id)?,
        patch_tests: store.patch_tests(id)?,
        appointments: store
            .appointments_of(id)?
            .iter()
            .map(|a| AppointmentView::new(a, &name, &services))
            .collect(),
        photos: store.photos_of(id, crate::photos::PhotoFilter::Oldest)?,
    })
}
