//! Documentation-only schemas: the wire format of the core's types as the OpenAPI document
//! shows it. The core knows nothing of HTTP, so these live here; the handlers send the core's
//! own serde types, which these mirror.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The staff member's name.
    pub name: String,
    /// 4–12 digits.
    pub pin: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub name: String,
    /// `owner` or `staff`.
    pub role: String,
}

/// What a phone number is: `mobile`, `private` (at home) or `business`, as
/// `kartei_core::model::PhoneLabel` takes it.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhoneLabelDoc {
    Mobile,
    Private,
    Business,
}

/// The customer list's filter, as `kartei_core::search::Filter` parses it.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FilterDoc {
    All,
    WithBookings,
    NoRecentVisit,
    Regular,
    New,
}

/// The customer list's order, as `kartei_core::search::Sort` parses it.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortDoc {
    NameAsc,
    NameDesc,
    LastVisit,
    Newest,
}

/// How a customer likes to be contacted (`kartei_core::model::ContactChannel`).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannelDoc {
    Phone,
    Sms,
    Email,
    None,
}

/// An appointment's state (`kartei_core::model::AppointmentStatus`).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatusDoc {
    Booked,
    Completed,
    Cancelled,
    NoShow,
}

#[derive(Serialize, ToSchema)]
pub struct PhoneDoc {
    pub label: PhoneLabelDoc,
    /// E.164, e.g. `+4917012345678`.
    pub number: String,
    /// As people write it, e.g. `0170 12345678`.
    pub display: String,
}

#[derive(Serialize, ToSchema)]
pub struct ListItemDoc {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneDoc>,
    pub email: Option<String>,
    /// `YYYY-MM-DD` or `--MM-DD`.
    pub birthday: Option<String>,
    /// `YYYY-MM-DD`.
    pub last_visit: Option<String>,
    pub groups: Vec<String>,
    /// The customer has an allergy note.
    pub allergy: bool,
    pub deactivated: bool,
    /// Found only with a typo tolerated.
    pub fuzzy: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerPage {
    pub items: Vec<ListItemDoc>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    pub total: usize,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// What was typed into the search box (names from the first letter, e-mail, phone,
    /// birthday `24.11.`, appointment dates).
    pub q: Option<String>,
    /// `all`, `with_bookings`, `no_recent_visit`, `regular`, `new`.
    #[param(value_type = Option<FilterDoc>)]
    pub filter: Option<String>,
    /// A group name.
    pub group: Option<String>,
    /// `name_asc`, `name_desc`, `last_visit`, `newest`.
    #[param(value_type = Option<SortDoc>)]
    pub sort: Option<String>,
    /// Page size (default 50, at most 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AddressDoc {
    pub street: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 code, `DE` when empty.
    pub country: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PhoneInputDoc {
    /// `mobile` when left out.
    pub label: Option<PhoneLabelDoc>,
    pub number: String,
}

/// The customer form. `PUT` also needs `version`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CustomerInput {
    /// Only for `PUT`: the version that was edited (409 when somebody saved in between).
    pub version: Option<u64>,
    /// `Frau`, `Herr`, `Divers` or empty.
    pub salutation: Option<String>,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phones: Option<Vec<PhoneInputDoc>>,
    pub email: Option<String>,
    pub address: Option<AddressDoc>,
    /// `YYYY-MM-DD`, `--MM-DD`, `24.11.1985` or `24.11.`.
    pub birthday: Option<String>,
    pub preferred_contact: Option<ContactChannelDoc>,
    /// Group names.
    pub groups: Option<Vec<String>>,
    pub stylist: Option<String>,
    /// Newsletter opt-in (`true`/`false`, or an object with `given`).
    pub marketing_consent: Option<bool>,
    pub reminder_consent: Option<bool>,
    /// Only for `POST`: a first note (text), or a list of notes.
    pub notes: Option<String>,
}

/// A partial edit (`PATCH`): a JSON merge patch (RFC 7396) of the customer form with the
/// version it was made on. Only the keys given change; `null` clears a field; `phones` and
/// `groups` are replaced as a whole, `address` is merged key by key.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CustomerPatchDoc {
    /// The version the edit started from (409 when somebody saved in between).
    pub version: u64,
    /// Any keys of the customer form (`CustomerInput` without `version` and `notes`), plus
    /// `consent_how` (how a consent change was obtained) and `deactivated`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

/// 409 on a partial edit: the error, and the card as it is saved now, so the client can show
/// the user their value next to the one saved in between and let them choose.
#[derive(Serialize, ToSchema)]
pub struct ConflictDoc {
    /// `conflict`.
    pub error: String,
    pub message: String,
    pub fields: std::collections::BTreeMap<String, String>,
    pub current: CustomerDoc,
}

/// The customer's master data as stored (`GET` returns it inside the card).
#[derive(Serialize, ToSchema)]
pub struct CustomerDoc {
    pub id: u64,
    pub version: u64,
    pub salutation: String,
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneDoc>,
    pub email: Option<String>,
    pub address: AddressDoc,
    pub birthday: Option<String>,
    pub preferred_contact: ContactChannelDoc,
    pub groups: Vec<String>,
    pub stylist: String,
    /// `{given, at, by, how}`.
    #[schema(value_type = Object)]
    pub marketing_consent: serde_json::Value,
    #[schema(value_type = Object)]
    pub reminder_consent: serde_json::Value,
    pub source: String,
    pub customer_since: String,
    pub deactivated: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NoteInput {
    /// `general`, `allergy`, `colour_formula`, `preference`, `personal`.
    pub kind: Option<String>,
    pub text: String,
    pub pinned: Option<bool>,
    /// Colour formulas only: `{products, developer, processing_minutes, result}`.
    #[schema(value_type = Option<Object>)]
    pub formula: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteDoc {
    pub id: u64,
    pub customer_id: u64,
    pub kind: String,
    pub text: String,
    pub author: String,
    pub created_at: String,
    pub updated_at: String,
    pub pinned: bool,
    /// Colour formulas: `{products, developer, processing_minutes, result}`.
    #[schema(value_type = Option<Object>)]
    pub formula: Option<serde_json::Value>,
    /// Whether it may still be changed (a colour formula: 24 hours; its pin always).
    /// In the card and in answers to `PUT`/`PATCH`.
    pub editable: Option<bool>,
    /// Whether it may be deleted on its own (not colour formulas).
    pub deletable: Option<bool>,
    /// Why it can no longer be edited, in the request's language; `null` while editable.
    pub locked: Option<String>,
}

/// A JSON merge patch of a note (RFC 7396): only the keys given change.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NotePatchDoc {
    /// `general`, `allergy`, `colour_formula`, `preference`, `personal`.
    pub kind: Option<String>,
    pub text: Option<String>,
    pub pinned: Option<bool>,
    /// Merged key by key; `null` removes the formula.
    #[schema(value_type = Option<Object>)]
    pub formula: Option<serde_json::Value>,
}

/// A patch test as entered.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PatchTestInput {
    /// `YYYY-MM-DD`; today when left out; not in the future.
    pub date: Option<String>,
    /// The product tested, at most 200 characters.
    pub product: Option<String>,
    /// `pending`, `passed`, `failed`.
    pub result: Option<String>,
    /// At most 1,000 characters.
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PatchTestDoc {
    pub id: u64,
    pub customer_id: u64,
    pub date: String,
    pub product: String,
    /// `pending`, `passed`, `failed`.
    pub result: String,
    /// Who recorded it.
    pub by: String,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentDoc {
    pub id: u64,
    pub customer_id: u64,
    pub customer_name: String,
    /// RFC 3339.
    pub start: String,
    pub end: String,
    /// `[{id, name}]`.
    #[schema(value_type = Vec<Object>)]
    pub services: Vec<serde_json::Value>,
    pub staff: String,
    pub status: AppointmentStatusDoc,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppointmentsDoc {
    /// Newest first.
    pub past: Vec<AppointmentDoc>,
    /// Soonest first.
    pub upcoming: Vec<AppointmentDoc>,
}

/// The whole card.
#[derive(Serialize, ToSchema)]
pub struct CardDoc {
    pub customer: CustomerDoc,
    /// Pinned first, newest first; each with `editable`, `deletable`.
    pub notes: Vec<NoteDoc>,
    /// `[{kind: allergy|patch_test_missing, message}]`.
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<serde_json::Value>,
    pub patch_tests: Vec<PatchTestDoc>,
    /// The newest patch test with `valid` (today) and `valid_until` (passed tests only).
    #[schema(value_type = Option<Object>)]
    pub latest_patch_test: Option<serde_json::Value>,
    pub appointments: AppointmentsDoc,
    /// `[{name, count}]`, at most 3.
    #[schema(value_type = Vec<Object>)]
    pub top_services: Vec<serde_json::Value>,
    /// `[{at, kind: appointment|note|message_out|message_in, title, detail, message?}]`,
    /// newest first; a mail entry carries its whole `message` (see `MessageDoc`).
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
    pub visit_count: usize,
    pub last_visit: Option<String>,
    /// Received messages in the history nobody has opened yet.
    pub unread_messages: usize,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AppointmentInput {
    pub customer_id: u64,
    /// RFC 3339.
    pub start: String,
    /// Defaults to start + the services' durations.
    pub end: Option<String>,
    pub service_ids: Option<Vec<u64>>,
    pub staff: Option<String>,
    /// `booked` when left out.
    pub status: Option<AppointmentStatusDoc>,
    pub note: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    /// RFC 3339; default: the start of today.
    pub from: Option<String>,
    /// RFC 3339; default: 30 days after `from`; at most 366 days after it.
    pub to: Option<String>,
    /// Page size (default 200, at most 500).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of appointments.
#[derive(Serialize, ToSchema)]
pub struct AppointmentPageDoc {
    /// Soonest first.
    pub items: Vec<AppointmentDoc>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ServiceDoc {
    pub id: Option<u64>,
    pub name: String,
    pub duration_minutes: u32,
    /// Euro cents.
    pub price_cents: u32,
    pub requires_patch_test: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GroupDoc {
    pub id: u64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDoc {
    pub total_customers: usize,
    pub new_this_week: usize,
    pub regulars: usize,
    pub occasional: usize,
    /// `[{month: "2026-11", visits}]`, the last 12 months, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub visits_per_month: Vec<serde_json::Value>,
    pub birthdays_today: Vec<ListItemDoc>,
}

// ---- messages, mail settings, newsletters (issue 16) ------------------------------------

/// A mail in a customer's history, sent or received.
#[derive(Serialize, ToSchema)]
pub struct MessageDoc {
    pub id: u64,
    /// `null`: a received mail nobody could be matched to ("Nicht zugeordnet").
    pub customer: Option<u64>,
    /// `out` (the salon wrote it) or `in`.
    pub direction: String,
    /// `personal`, `newsletter`, `reminder`, `birthday`, `consent_request`, `test`.
    pub kind: String,
    pub at: String,
    /// Who wrote or assigned it; empty for the appliance.
    pub by: String,
    /// The other side's address.
    pub address: String,
    pub display_name: String,
    pub subject: String,
    /// Plain text (of an HTML-only mail: its text); show it escaped.
    pub text: String,
    /// The mail's `Message-ID` without angle brackets.
    pub header_id: String,
    pub refers_to: Vec<String>,
    /// `[{name, mime, size}]`: listed, kept in the mailbox on the server.
    #[schema(value_type = Vec<Object>)]
    pub attachments: Vec<serde_json::Value>,
    pub unread: bool,
    /// `{state: queued, attempts, next_try, last_error}`, `{state: paused}`,
    /// `{state: sent, at}`, `{state: failed, at, attempts, error}`, `{state: received}`.
    #[schema(value_type = Object)]
    pub delivery: serde_json::Value,
    pub newsletter: Option<u64>,
    pub appointment: Option<u64>,
    pub in_sent_folder: bool,
    /// `consent_confirmed` or `unsubscribed` when the mail changed a consent.
    pub effect: Option<String>,
}

/// `{subject, text}` to send, or `{template}` alone to fill that template for the customer.
#[derive(Deserialize, ToSchema)]
pub struct ComposeInput {
    /// A template key from `GET /api/v1/mail/templates`.
    pub template: Option<String>,
    /// At most 200 characters, one line.
    pub subject: Option<String>,
    /// At most 20,000 characters.
    pub text: Option<String>,
}

/// A template filled for one customer.
#[derive(Serialize, ToSchema)]
pub struct DraftDoc {
    pub subject: String,
    pub text: String,
}

/// A template as staff pick it.
#[derive(Serialize, ToSchema)]
pub struct TemplateDoc {
    pub key: String,
    pub name: String,
    /// `message` or `newsletter`.
    #[serde(rename = "use")]
    pub use_for: String,
    /// `de` or `en`.
    pub lang: String,
}

/// The salon's mail account. Sent back without the password: `password_set` says whether one
/// is stored, and an empty `password` on saving keeps it.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct MailSettingsDoc {
    pub address: String,
    pub sender_name: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `tls` (465) or `start_tls` (587).
    pub smtp_security: String,
    pub imap_host: String,
    pub imap_port: u16,
    /// `tls` (993) or `start_tls` (143).
    pub imap_security: String,
    pub user: String,
    /// Write-only: always empty in answers.
    pub password: String,
    /// Only in answers.
    pub password_set: bool,
    /// A PEM certificate to trust (a salon's own mail server).
    pub extra_ca_pem: String,
    pub sent_folder: String,
    /// 1–600.
    pub newsletter_per_minute: u32,
    /// 0: no reminders.
    pub reminder_hours: u32,
    pub birthday_greetings: bool,
    /// `[{key, name, use, lang, subject, body}]`.
    #[schema(value_type = Vec<Object>)]
    pub templates: Vec<serde_json::Value>,
}

/// `{"type": "group", "group": 3}`, `{"type": "customers", "ids": [1, 2]}` or the list as
/// filtered: `{"type": "list", "q": "…", "filter": "regular", "group": "Stammkunden"}`.
#[derive(Deserialize, ToSchema)]
pub struct AudienceDoc {
    #[schema(value_type = Object)]
    pub audience: serde_json::Value,
}

/// Who gets the newsletter and who is left out, and why.
#[derive(Serialize, ToSchema)]
pub struct PreviewDoc {
    pub recipients_count: usize,
    pub left_out_count: usize,
    /// `[{id, name, email}]`.
    #[schema(value_type = Vec<Object>)]
    pub recipients: Vec<serde_json::Value>,
    /// `[{id, name, reason, reason_text}]`.
    #[schema(value_type = Vec<Object>)]
    pub left_out: Vec<serde_json::Value>,
}

#[derive(Deserialize, ToSchema)]
pub struct TestInput {
    pub subject: String,
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewsletterInput {
    /// As for the preview.
    #[schema(value_type = Object)]
    pub audience: serde_json::Value,
    /// How the audience is named in the list of newsletters.
    pub label: String,
    /// Placeholders `{Vorname}` … are filled per recipient.
    pub subject: String,
    pub text: String,
}

/// A newsletter and how far it has got.
#[derive(Serialize, ToSchema)]
pub struct ProgressDoc {
    /// `{id, subject, text, by, at, audience, recipients, left_out, paused}`.
    #[schema(value_type = Object)]
    pub newsletter: serde_json::Value,
    pub total: u32,
    pub sent: u32,
    pub failed: u32,
    pub waiting: u32,
}
