//! The redb table definitions: the stored format of the card file.
//!
//! Values are JSON (serde) so that fields can be added with `#[serde(default)]`; the layout is
//! append-only: a change of meaning gets a new table or a migration in [`super::schema`], never an
//! edit of an existing definition.

use redb::TableDefinition;

/// `schema_version` (u32 LE), `settings` (JSON).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Next id per kind (`customer`, `note`, …) and the change sequence (`change`).
pub const SEQUENCES: TableDefinition<&str, u64> = TableDefinition::new("sequences");

pub const CUSTOMERS: TableDefinition<u64, &[u8]> = TableDefinition::new("customers");
pub const NOTES: TableDefinition<u64, &[u8]> = TableDefinition::new("notes");
/// (customer, note) → note kind; lets start-up find allergy flags without decoding notes.
pub const NOTES_BY_CUSTOMER: TableDefinition<(u64, u64), u8> =
    TableDefinition::new("notes_by_customer");
pub const PATCH_TESTS: TableDefinition<u64, &[u8]> = TableDefinition::new("patch_tests");
pub const PATCH_TESTS_BY_CUSTOMER: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("patch_tests_by_customer");

pub const SERVICES: TableDefinition<u64, &[u8]> = TableDefinition::new("services");
pub const APPOINTMENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("appointments");
/// (customer, start as unix seconds, appointment) → status; visits and history per customer.
pub const APPOINTMENTS_BY_CUSTOMER: TableDefinition<(u64, i64, u64), u8> =
    TableDefinition::new("appointments_by_customer");
/// (start as unix seconds, appointment) → customer; the appointment book by time.
pub const APPOINTMENTS_BY_START: TableDefinition<(i64, u64), u64> =
    TableDefinition::new("appointments_by_start");

pub const GROUPS: TableDefinition<u64, &[u8]> = TableDefinition::new("groups");
pub const STAFF: TableDefinition<&str, &[u8]> = TableDefinition::new("staff");

/// Change sequence → customer whose searchable data changed. The search index records the last
/// sequence it has seen, so a stale index catches up from here.
pub const CHANGES: TableDefinition<u64, u64> = TableDefinition::new("changes");

/// Photo id → photo metadata (JSON); the pictures themselves are files (`crate::photos::files`).
pub const PHOTOS: TableDefinition<u64, &[u8]> = TableDefinition::new("photos");
/// (customer, taken at as unix seconds, photo) → 1 if favourite; galleries in time order.
pub const PHOTOS_BY_CUSTOMER: TableDefinition<(u64, i64, u64), u8> =
    TableDefinition::new("photos_by_customer");
/// (content hash, photo) → (); which photos use a pair of files, so that files shared by two
/// photos outlive the first delete, and start-up knows which files are orphans.
pub const PHOTOS_BY_HASH: TableDefinition<(&str, u64), ()> = TableDefinition::new("photos_by_hash");

/// Audit log: entry number → entry (JSON, `crate::audit::AuditEntry`). Append-only; ids and
/// field names, never a customer's data.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// (customer, entry number) → (); one customer's entries.
pub const AUDIT_BY_CUSTOMER: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("audit_by_customer");

/// Messages (mails sent and received): id → message (JSON, `crate::model::Message`).
pub const MESSAGES: TableDefinition<u64, &[u8]> = TableDefinition::new("messages");
/// (customer, message) → (); one customer's messages.
pub const MESSAGES_BY_CUSTOMER: TableDefinition<(u64, u64), ()> =
    TableDefinition::new("messages_by_customer");
/// A mail's `Message-ID` → message: replies find what they answer, a mail seen twice (a
/// restart, a new UIDVALIDITY) is stored once.
pub const MESSAGE_HEADERS: TableDefinition<&str, u64> = TableDefinition::new("message_headers");
/// (next try as unix seconds, message) → (): the outbox, due first.
pub const OUTBOX: TableDefinition<(i64, u64), ()> = TableDefinition::new("outbox");
/// (customer or 0 for unassigned, message) → (): received messages nobody has opened yet.
pub const UNREAD: TableDefinition<(u64, u64), ()> = TableDefinition::new("unread");
/// Received messages matched to nobody ("Nicht zugeordnet"): message → ().
pub const UNASSIGNED: TableDefinition<u64, ()> = TableDefinition::new("unassigned");
/// Newsletter id → newsletter (JSON, `crate::model::Newsletter`).
pub const NEWSLETTERS: TableDefinition<u64, &[u8]> = TableDefinition::new("newsletters");
/// Mailbox name → how far the inbox has been read (JSON: UIDVALIDITY and the last UID).
pub const MAILBOX_STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("mailbox_state");
/// Appointment → the reminder message sent for it (each appointment is reminded once).
pub const REMINDERS_SENT: TableDefinition<u64, u64> = TableDefinition::new("reminders_sent");
/// (customer, year) → the birthday greeting sent that year.
pub const GREETINGS_SENT: TableDefinition<(u64, u64), u64> = TableDefinition::new("greetings_sent");
/// Customer id → how and when the card was erased or anonymised (JSON,
/// `crate::store::Erasure`): ids and times only, never the person's data. Written in the
/// erasure's own transaction and carried by every backup, so a restore of an older backup
/// leaves the person out (`crate::backup`).
pub const ERASED: TableDefinition<u64, &[u8]> = TableDefinition::new("erased");
