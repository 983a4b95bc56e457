//! The redb store: the source of truth. This module owns the tables ([`tables`]) and is the only
//! code that opens transactions.
//!
//! Every write runs in one transaction committed with `Durability::Immediate` (on disk before the
//! call returns) and quick-repair on, so a power cut costs seconds at the next boot, not a full
//! repair. Writes that change what search sees append to the `changes` log in the same
//! transaction; the index follows that log.
//!
//! The write methods are `pub(crate)`: they are called only from inside `Kartei::commit`, which
//! also brings the list rows and the index overlay up to date and announces the change. Other
//! crates get the readers. `owned.rs` is the one list of the tables that hang off a customer.

mod dump;
mod owned;
mod photos;
mod schema;
mod snapshot;
pub mod tables;

pub use dump::{backed_up_tables, Loader};
pub use owned::{not_customer_owned_tables, Owned};
pub use schema::{force_schema_version, SCHEMA_VERSION};
pub use snapshot::Snapshot;

use crate::error::{CoreError, Result};
use crate::i18n::{FieldErrors, Msg};
use crate::model::*;
use crate::settings::Settings;
use chrono::{DateTime, NaiveDate, Utc};
use redb::{
    Database, Durability, MultimapTableHandle, ReadTransaction, ReadableDatabase, ReadableTable,
    ReadableTableMetadata, TableHandle, WriteTransaction,
};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use tables::*;

/// What search and the customer list need to know about one customer.
#[derive(Debug, Clone)]
pub struct CustomerFacts {
    pub customer: Customer,
    /// (start as unix seconds, status) of every appointment, oldest first.
    pub appointments: Vec<(i64, AppointmentStatus)>,
    pub allergy: bool,
}

/// A customer with everything that comes along in a bulk load (demo data, imports).
#[derive(Debug, Clone)]
pub struct BulkCustomer {
    pub customer: Customer,
    pub notes: Vec<Note>,
    pub appointments: Vec<Appointment>,
}

/// A completion of an existing card by an import.
#[derive(Debug, Clone)]
pub struct ImportUpdate {
    pub id: CustomerId,
    /// The version the preview was made from.
    pub expected_version: u64,
    /// The card's master data after the completion.
    pub valid: ValidDraft,
    /// Notes to add (ids and customer are assigned here).
    pub notes: Vec<Note>,
}

/// What [`Store::apply_import`] wrote, with the change sequence of each card.
#[derive(Debug, Clone, Default)]
pub struct ImportWrite {
    pub created: Vec<(CustomerId, u64)>,
    pub updated: Vec<(CustomerId, u64)>,
}

/// redb's page cache. Start-up reads every customer once; the working set after that is small,
/// and the Pi has little memory to spare.
pub(crate) const CACHE_BYTES: usize = 32 * 1024 * 1024;

pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store file, refuses a newer schema, migrates an older one.
    pub fn open(path: &Path) -> Result<Store> {
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .map_err(|e| match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    CoreError::AlreadyInUse(path.parent().unwrap_or(path).display().to_string())
                }
                other => CoreError::Store(other.to_string()),
            })?;
        let store = Store {
            db,
            path: path.to_path_buf(),
        };
        store.write(schema::init_or_migrate)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one durable write transaction; an error aborts it and changes nothing.
    fn write<T>(&self, f: impl FnOnce(&WriteTransaction) -> Result<T>) -> Result<T> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        txn.set_quick_repair(true);
        let out = f(&txn)?;
        txn.commit()?;
        Ok(out)
    }

    fn read(&self) -> Result<ReadTransaction> {
        Ok(self.db.begin_read()?)
    }

    // ---- settings -------------------------------------------------------------------------

    pub fn settings(&self) -> Result<Settings> {
        let txn = self.read()?;
        let table = txn.open_table(META)?;
        Ok(match table.get("settings")? {
            Some(v) => serde_json::from_slice(v.value())?,
            None => Settings::default(),
        })
    }

    pub(crate) fn put_settings(&self, settings: &Settings) -> Result<()> {
        self.write(|txn| {
            let bytes = serde_json::to_vec(settings)?;
            txn.open_table(META)?.insert("settings", bytes.as_slice())?;
            Ok(())
        })
    }

    /// The PIN throttle's saved state (empty when none was saved).
    pub fn throttle(&self) -> Result<crate::auth::ThrottleState> {
        let txn = self.read()?;
        let table = txn.open_table(META)?;
        Ok(match table.get("pin_throttle")? {
            // A state that does not read (a newer format) starts afresh rather than lock out.
            Some(v) => serde_json::from_slice(v.value()).unwrap_or_default(),
            None => Default::default(),
        })
    }

    pub(crate) fn put_throttle(&self, state: &crate::auth::ThrottleState) -> Result<()> {
        self.write(|txn| {
            let bytes = serde_json::to_vec(state)?;
            txn.open_table(META)?
                .insert("pin_throttle", bytes.as_slice())?;
            Ok(())
        })
    }

    // ---- customers ------------------------------------------------------------------------

    pub fn customer(&self, id: CustomerId) -> Result<Customer> {
        let txn = self.read()?;
        get_json(&txn.open_table(CUSTOMERS)?, id.0)?
            .ok_or_else(|| CoreError::not_found("customer", id))
    }

    pub fn customer_count(&self) -> Result<u64> {
        let txn = self.read()?;
        let table = txn.open_table(CUSTOMERS)?;
        Ok(table.len()?)
    }

    /// A read snapshot for passes over everything (exports, reports).
    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot::new(self.read()?))
    }

    /// Calls `f` for every customer in id order (reindexing, reports), in one read snapshot.
    pub fn for_each_customer(&self, f: impl FnMut(Customer) -> Result<()>) -> Result<()> {
        self.snapshot()?.for_each_customer(f)
    }

    pub fn facts(&self, id: CustomerId) -> Result<Option<CustomerFacts>> {
        let txn = self.read()?;
        let Some(customer) = get_json::<Customer>(&txn.open_table(CUSTOMERS)?, id.0)? else {
            return Ok(None);
        };
        let mut appointments = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_CUSTOMER)?
            .range((id.0, i64::MIN, 0)..=(id.0, i64::MAX, u64::MAX))?
        {
            let (k, v) = entry?;
            appointments.push((k.value().1, AppointmentStatus::from_u8(v.value())));
        }
        let mut allergy = false;
        for entry in txn
            .open_table(NOTES_BY_CUSTOMER)?
            .range((id.0, 0)..=(id.0, u64::MAX))?
        {
            let (_, kind) = entry?;
            allergy |= NoteKind::from_u8(kind.value()) == NoteKind::Allergy;
        }
        Ok(Some(CustomerFacts {
            customer,
            appointments,
            allergy,
        }))
    }

    /// Calls `f` with the facts of every customer in id order, for building the in-memory list
    /// and the index at start-up. One read snapshot; the three tables are walked side by side
    /// (all are keyed by customer first), so nothing but the current customer is held.
    pub fn for_each_facts(&self, mut f: impl FnMut(CustomerFacts) -> Result<()>) -> Result<()> {
        let txn = self.read()?;
        let customers = txn.open_table(CUSTOMERS)?;
        let appts_table = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
        let notes_table = txn.open_table(NOTES_BY_CUSTOMER)?;
        let mut appts = appts_table.iter()?.peekable();
        let mut notes = notes_table.iter()?.peekable();
        for entry in customers.iter()? {
            let (k, v) = entry?;
            let id = k.value();
            let mut facts = CustomerFacts {
                customer: serde_json::from_slice(v.value())?,
                appointments: Vec::new(),
                allergy: false,
            };
            while let Some(Ok((key, _))) = appts.peek() {
                let (customer, start, _) = key.value();
                if customer > id {
                    break;
                }
                if let Some(Ok((_, status))) = appts.next() {
                    if customer == id {
                        facts
                            .appointments
                            .push((start, AppointmentStatus::from_u8(status.value())));
                    }
                }
            }
            while let Some(Ok((key, _))) = notes.peek() {
                let (customer, _) = key.value();
                if customer > id {
                    break;
                }
                if let Some(Ok((_, kind))) = notes.next() {
                    facts.allergy |=
                        customer == id && NoteKind::from_u8(kind.value()) == NoteKind::Allergy;
                }
            }
            f(facts)?;
        }
        Ok(())
    }

    pub(crate) fn create_customer(
        &self,
        valid: ValidDraft,
        source: Source,
        actor: &str,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(Customer, u64)> {
        self.write(|txn| {
            let groups = resolve_groups(txn, &valid.group_names)?;
            let id = CustomerId(next_id(txn, "customer")?);
            let customer = Customer::new(id, valid, groups, source, actor, now, today);
            put_json(&mut txn.open_table(CUSTOMERS)?, id.0, &customer)?;
            let seq = record_change(txn, id)?;
            Ok((customer, seq))
        })
    }

    /// Saves an edit if `expected_version` is still the current one.
    pub(crate) fn update_customer(
        &self,
        id: CustomerId,
        expected_version: u64,
        valid: ValidDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Customer, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(CUSTOMERS)?;
            let mut customer: Customer =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("customer", id))?;
            if customer.version != expected_version {
                return Err(CoreError::Conflict {
                    expected: expected_version,
                    current: customer.version,
                });
            }
            let groups = resolve_groups(txn, &valid.group_names)?;
            customer.apply(valid, groups, actor, now);
            put_json(&mut table, id.0, &customer)?;
            drop(table);
            let seq = record_change(txn, id)?;
            Ok((customer, seq))
        })
    }

    /// Erases the customer and everything about them: every kind of record in [`Owned`] (notes,
    /// patch tests, appointments, photo rows). Returns the change sequence and the content hashes of photo files that no photo
    /// refers to any more (the caller removes those files).
    pub(crate) fn delete_customer(&self, id: CustomerId) -> Result<(u64, Vec<String>)> {
        self.write(|txn| {
            if txn.open_table(CUSTOMERS)?.remove(id.0)?.is_none() {
                return Err(CoreError::not_found("customer", id));
            }
            let freed = owned::erase_all(txn, id)?;
            Ok((record_change(txn, id)?, freed))
        })
    }

    /// Writes many complete customers in one transaction (demo data, imports): all or nothing.
    /// Ids of `customer`, notes and appointments are assigned here. Returns the new ids with
    /// their change sequences.
    pub(crate) fn bulk_insert(&self, batch: Vec<BulkCustomer>) -> Result<Vec<(CustomerId, u64)>> {
        self.write(|txn| {
            let ids = insert_new_customers(txn, batch)?;
            ids.into_iter()
                .map(|id| Ok((id, record_change(txn, id)?)))
                .collect()
        })
    }

    /// Commits an import in one transaction: new cards (with their notes) and completions of
    /// existing cards, planned against the card file as it was at `planned_at` (a
    /// [`Store::change_mark`]). If any card changed since then (another import, a save on the
    /// other face), nothing is written and `None` comes back: the caller plans again. If a card
    /// named in `updates` is not at its version, the whole import is refused with
    /// [`CoreError::Conflict`] and nothing is written.
    pub(crate) fn apply_import(
        &self,
        planned_at: u64,
        creates: Vec<BulkCustomer>,
        updates: Vec<ImportUpdate>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ImportWrite>> {
        self.write(|txn| {
            if change_mark_in(txn)? != planned_at {
                return Ok(None);
            }
            let mut written = ImportWrite::default();
            for update in updates {
                let mut table = txn.open_table(CUSTOMERS)?;
                let mut customer: Customer = get_json(&table, update.id.0)?
                    .ok_or_else(|| CoreError::not_found("customer", update.id))?;
                if customer.version != update.expected_version {
                    return Err(CoreError::Conflict {
                        expected: update.expected_version,
                        current: customer.version,
                    });
                }
                let groups = resolve_groups(txn, &update.valid.group_names)?;
                customer.apply(update.valid, groups, actor, now);
                put_json(&mut table, update.id.0, &customer)?;
                drop(table);
                let mut notes = txn.open_table(NOTES)?;
                let mut notes_by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
                for mut note in update.notes {
                    note.id = NoteId(next_id(txn, "note")?);
                    note.customer_id = update.id;
                    put_json(&mut notes, note.id.0, &note)?;
                    notes_by_customer.insert((update.id.0, note.id.0), note.kind.as_u8())?;
                }
                drop((notes, notes_by_customer));
                written
                    .updated
                    .push((update.id, record_change(txn, update.id)?));
            }
            let created = insert_new_customers(txn, creates)?;
            for id in created {
                written.created.push((id, record_change(txn, id)?));
            }
            Ok(Some(written))
        })
    }

    /// A mark that moves with every write that changes a card (the change sequence counter;
    /// unlike [`Store::last_change`] it does not go back when the log is pruned). Plans made
    /// from what was read after taking a mark are still true while the mark stands.
    pub(crate) fn change_mark(&self) -> Result<u64> {
        let txn = self.read()?;
        let table = txn.open_table(SEQUENCES)?;
        Ok(table.get("change")?.map(|v| v.value()).unwrap_or(0))
    }

    /// Merges card `remove` into card `keep` in one transaction: `keep` gets `valid` (the
    /// master data the user chose), everything owned by `remove` moves to `keep`
    /// ([`owned::move_all`]), and `remove` is deleted. Both versions must be current.
    pub(crate) fn merge_customers(
        &self,
        keep: (CustomerId, u64),
        remove: (CustomerId, u64),
        valid: ValidDraft,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Customer, Vec<(CustomerId, u64)>)> {
        self.write(|txn| {
            let mut table = txn.open_table(CUSTOMERS)?;
            let mut kept: Customer = get_json(&table, keep.0 .0)?
                .ok_or_else(|| CoreError::not_found("customer", keep.0))?;
            let removed: Customer = get_json(&table, remove.0 .0)?
                .ok_or_else(|| CoreError::not_found("customer", remove.0))?;
            for (customer, expected) in [(&kept, keep.1), (&removed, remove.1)] {
                if customer.version != expected {
                    return Err(CoreError::Conflict {
                        expected,
                        current: customer.version,
                    });
                }
            }
            let groups = resolve_groups(txn, &valid.group_names)?;
            kept.apply(valid, groups, actor, now);
            absorb_history(&mut kept, &removed);
            put_json(&mut table, keep.0 .0, &kept)?;
            table.remove(remove.0 .0)?;
            drop(table);
            owned::move_all(txn, remove.0, keep.0)?;
            let seqs = vec![
                (keep.0, record_change(txn, keep.0)?),
                (remove.0, record_change(txn, remove.0)?),
            ];
            Ok((kept, seqs))
        })
    }

    /// How many records of each customer-owned kind `customer` has (what a merge moves).
    pub fn owned_counts(&self, customer: CustomerId) -> Result<Vec<(Owned, usize)>> {
        owned::counts(&self.read()?, customer)
    }

    /// Every table in the file with its number of entries (checks and tests that walk the
    /// whole store).
    pub fn table_sizes(&self) -> Result<Vec<(String, u64)>> {
        let txn = self.read()?;
        let mut out = Vec::new();
        for handle in txn.list_tables()? {
            let name = handle.name().to_string();
            out.push((name, txn.open_untyped_table(handle)?.len()?));
        }
        for handle in txn.list_multimap_tables()? {
            let name = handle.name().to_string();
            out.push((name, txn.open_untyped_multimap_table(handle)?.len()?));
        }
        Ok(out)
    }

    // ---- notes and patch tests ------------------------------------------------------------

    pub fn notes(&self, customer: CustomerId) -> Result<Vec<Note>> {
        let txn = self.read()?;
        let ids = keys_in(&txn.open_table(NOTES_BY_CUSTOMER)?, customer.0)?;
        let table = txn.open_table(NOTES)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(note) = get_json(&table, id)? {
                out.push(note);
            }
        }
        Ok(out)
    }

    pub fn note(&self, id: NoteId) -> Result<Note> {
        let txn = self.read()?;
        get_json(&txn.open_table(NOTES)?, id.0)?.ok_or_else(|| CoreError::not_found("note", id))
    }

    pub(crate) fn add_note(
        &self,
        customer: CustomerId,
        draft: &NoteDraft,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(Note, u64)> {
        self.write(|txn| {
            ensure_customer(txn, customer)?;
            let note = Note {
                id: NoteId(next_id(txn, "note")?),
                customer_id: customer,
                kind: draft.kind,
                text: draft.text.trim().to_string(),
                author: author.to_string(),
                created_at: now,
                updated_at: now,
                pinned: draft.pinned,
                formula: draft.formula.clone(),
            };
            put_json(&mut txn.open_table(NOTES)?, note.id.0, &note)?;
            txn.open_table(NOTES_BY_CUSTOMER)?
                .insert((customer.0, note.id.0), note.kind.as_u8())?;
            let seq = record_change(txn, customer)?;
            Ok((note, seq))
        })
    }

    /// Edits a note; colour formulas only within 24 hours of writing.
    pub(crate) fn update_note(
        &self,
        id: NoteId,
        draft: &NoteDraft,
        now: DateTime<Utc>,
    ) -> Result<(Note, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(NOTES)?;
            let mut note: Note =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("note", id))?;
            // Once locked, only the pin may change (it is not part of the record).
            let pin_only = !note.content_differs(draft) && note.pinned != draft.pinned;
            if (!note.editable(now) && !pin_only)
                || (note.kind == NoteKind::ColourFormula && draft.kind != note.kind)
            {
                return Err(CoreError::Forbidden(Msg::FormulaLocked));
            }
            note.kind = draft.kind;
            note.text = draft.text.trim().to_string();
            note.pinned = draft.pinned;
            note.formula = draft.formula.clone();
            note.updated_at = now;
            put_json(&mut table, id.0, &note)?;
            drop(table);
            txn.open_table(NOTES_BY_CUSTOMER)?
                .insert((note.customer_id.0, id.0), note.kind.as_u8())?;
            let seq = record_change(txn, note.customer_id)?;
            Ok((note, seq))
        })
    }

    /// Deletes a note; colour formulas are kept until the customer is deleted.
    pub(crate) fn delete_note(&self, id: NoteId) -> Result<(CustomerId, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(NOTES)?;
            let note: Note =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("note", id))?;
            if !note.deletable() {
                return Err(CoreError::Forbidden(Msg::FormulaNotDeletable));
            }
            table.remove(id.0)?;
            drop(table);
            txn.open_table(NOTES_BY_CUSTOMER)?
                .remove((note.customer_id.0, id.0))?;
            let seq = record_change(txn, note.customer_id)?;
            Ok((note.customer_id, seq))
        })
    }

    pub fn patch_tests(&self, customer: CustomerId) -> Result<Vec<PatchTest>> {
        let txn = self.read()?;
        let ids = keys_in(&txn.open_table(PATCH_TESTS_BY_CUSTOMER)?, customer.0)?;
        let table = txn.open_table(PATCH_TESTS)?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(test) = get_json(&table, id)? {
                out.push(test);
            }
        }
        Ok(out)
    }

    pub(crate) fn add_patch_test(
        &self,
        customer: CustomerId,
        draft: &PatchTestDraft,
        by: &str,
        today: NaiveDate,
    ) -> Result<PatchTest> {
        self.write(|txn| {
            ensure_customer(txn, customer)?;
            let test = PatchTest {
                id: PatchTestId(next_id(txn, "patch_test")?),
                customer_id: customer,
                date: draft.date.unwrap_or(today),
                product: draft.product.trim().to_string(),
                result: draft.result,
                by: by.to_string(),
                note: draft.note.trim().to_string(),
            };
            put_json(&mut txn.open_table(PATCH_TESTS)?, test.id.0, &test)?;
            txn.open_table(PATCH_TESTS_BY_CUSTOMER)?
                .insert((customer.0, test.id.0), ())?;
            Ok(test)
        })
    }

    // ---- services and appointments ---------------------------------------------------------

    pub fn services(&self) -> Result<Vec<Service>> {
        let txn = self.read()?;
        all_json(&txn.open_table(SERVICES)?)
    }

    pub(crate) fn create_service(&self, draft: &ServiceDraft) -> Result<Service> {
        draft.validate().map_err(CoreError::Invalid)?;
        self.write(|txn| {
            let service = Service {
                id: ServiceId(next_id(txn, "service")?),
                name: draft.name.trim().to_string(),
                duration_minutes: draft.duration_minutes,
                price_cents: draft.price_cents,
                requires_patch_test: draft.requires_patch_test,
            };
            put_json(&mut txn.open_table(SERVICES)?, service.id.0, &service)?;
            Ok(service)
        })
    }

    pub fn appointment(&self, id: AppointmentId) -> Result<Appointment> {
        let txn = self.read()?;
        get_json(&txn.open_table(APPOINTMENTS)?, id.0)?
            .ok_or_else(|| CoreError::not_found("appointment", id))
    }

    /// A customer's appointments, oldest first.
    pub fn appointments_of(&self, customer: CustomerId) -> Result<Vec<Appointment>> {
        let txn = self.read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let mut out = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_CUSTOMER)?
            .range((customer.0, i64::MIN, 0)..=(customer.0, i64::MAX, u64::MAX))?
        {
            let (k, _) = entry?;
            if let Some(a) = get_json(&table, k.value().2)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Appointments starting in `[from, to)`, by start time.
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>> {
        let txn = self.read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let mut out = Vec::new();
        for entry in txn
            .open_table(APPOINTMENTS_BY_START)?
            .range((from.timestamp(), 0)..(to.timestamp(), 0))?
        {
            let (k, _) = entry?;
            if let Some(a) = get_json(&table, k.value().1)? {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Creates (`id == None`) or replaces an appointment. Returns it and the change sequences
    /// of the customers it touched (two when it moved to another customer).
    pub(crate) fn save_appointment(
        &self,
        id: Option<AppointmentId>,
        draft: &AppointmentDraft,
        now: DateTime<Utc>,
    ) -> Result<(Appointment, Vec<(CustomerId, u64)>)> {
        self.write(|txn| {
            ensure_customer(txn, draft.customer_id)?;
            let services: Vec<Service> = all_json(&txn.open_table(SERVICES)?)?;
            let mut errors = FieldErrors::default();
            let mut minutes = 0i64;
            for sid in &draft.service_ids {
                match services.iter().find(|s| s.id == *sid) {
                    Some(s) => minutes += i64::from(s.duration_minutes),
                    None => errors.add("service_ids", Msg::UnknownService),
                }
            }
            use crate::model::appointment::*;
            use crate::model::values::{check_count, check_len};
            check_len(&mut errors, "note", &draft.note, MAX_APPOINTMENT_NOTE);
            check_len(&mut errors, "staff", &draft.staff, MAX_STAFF_NAME);
            let services_booked = draft.service_ids.len();
            check_count(
                &mut errors,
                "service_ids",
                services_booked,
                MAX_APPOINTMENT_SERVICES,
            );
            if let Err(msg) = crate::model::values::check_time(draft.start) {
                errors.add("start", msg);
            }
            if let Some(Err(msg)) = draft.end.map(crate::model::values::check_time) {
                errors.add("end", msg);
            }
            if draft.status == AppointmentStatus::NoShow && draft.start > now {
                errors.add("status", Msg::NoShowBeforeStart);
            }
            errors.into_result()?;
            let end = match draft.end {
                Some(end) => end,
                None => chrono::Duration::try_minutes(minutes.max(15))
                    .and_then(|d| draft.start.checked_add_signed(d))
                    .ok_or_else(|| CoreError::invalid("start", Msg::BadDate))?,
            };
            if end <= draft.start {
                return Err(CoreError::invalid("end", Msg::EndBeforeStart));
            }

            let mut table = txn.open_table(APPOINTMENTS)?;
            let mut by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
            let mut by_start = txn.open_table(APPOINTMENTS_BY_START)?;
            let mut touched = vec![draft.customer_id];
            let (appt_id, created_at) = match id {
                Some(id) => {
                    let old: Appointment = get_json(&table, id.0)?
                        .ok_or_else(|| CoreError::not_found("appointment", id))?;
                    let old_start = old.start.timestamp();
                    by_customer.remove((old.customer_id.0, old_start, id.0))?;
                    by_start.remove((old_start, id.0))?;
                    if old.customer_id != draft.customer_id {
                        touched.push(old.customer_id);
                    }
                    (id, old.created_at)
                }
                None => (AppointmentId(next_id(txn, "appointment")?), now),
            };
            let appt = Appointment {
                id: appt_id,
                customer_id: draft.customer_id,
                start: draft.start,
                end,
                services: draft.service_ids.clone(),
                staff: draft.staff.trim().to_string(),
                status: draft.status,
                note: draft.note.trim().to_string(),
                created_at,
                updated_at: now,
            };
            put_json(&mut table, appt.id.0, &appt)?;
            let start = appt.start.timestamp();
            by_customer.insert((appt.customer_id.0, start, appt.id.0), appt.status.as_u8())?;
            by_start.insert((start, appt.id.0), appt.customer_id.0)?;
            drop((table, by_customer, by_start));
            let mut seqs = Vec::new();
            for c in touched {
                seqs.push((c, record_change(txn, c)?));
            }
            Ok((appt, seqs))
        })
    }

    pub(crate) fn delete_appointment(&self, id: AppointmentId) -> Result<(CustomerId, u64)> {
        self.write(|txn| {
            let mut table = txn.open_table(APPOINTMENTS)?;
            let appt: Appointment =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("appointment", id))?;
            table.remove(id.0)?;
            let start = appt.start.timestamp();
            txn.open_table(APPOINTMENTS_BY_CUSTOMER)?
                .remove((appt.customer_id.0, start, id.0))?;
            txn.open_table(APPOINTMENTS_BY_START)?
                .remove((start, id.0))?;
            drop(table);
            let seq = record_change(txn, appt.customer_id)?;
            Ok((appt.customer_id, seq))
        })
    }

    // ---- groups ---------------------------------------------------------------------------

    pub fn groups(&self) -> Result<Vec<Group>> {
        let txn = self.read()?;
        all_json(&txn.open_table(GROUPS)?)
    }

    pub(crate) fn create_group(&self, name: &str) -> Result<Group> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::invalid("name", Msg::Required));
        }
        self.write(|txn| {
            let existing: Vec<Group> = all_json(&txn.open_table(GROUPS)?)?;
            if Group::named(&existing, name).is_some() {
                return Err(CoreError::invalid("name", Msg::DuplicateGroup));
            }
            let group = Group {
                id: GroupId(next_id(txn, "group")?),
                name: name.to_string(),
            };
            put_json(&mut txn.open_table(GROUPS)?, group.id.0, &group)?;
            Ok(group)
        })
    }

    // ---- staff ----------------------------------------------------------------------------

    pub fn staff(&self) -> Result<Vec<Staff>> {
        let txn = self.read()?;
        let table = txn.open_table(STAFF)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (_, v) = entry?;
            out.push(serde_json::from_slice(v.value())?);
        }
        Ok(out)
    }

    pub fn staff_member(&self, name: &str) -> Result<Option<Staff>> {
        let txn = self.read()?;
        let table = txn.open_table(STAFF)?;
        Ok(match table.get(staff_key(name).as_str())? {
            Some(v) => Some(serde_json::from_slice(v.value())?),
            None => None,
        })
    }

    pub(crate) fn add_staff(&self, staff: &Staff) -> Result<()> {
        self.write(|txn| {
            let mut table = txn.open_table(STAFF)?;
            let key = staff_key(&staff.name);
            if table.get(key.as_str())?.is_some() {
                return Err(CoreError::invalid("name", Msg::StaffExists));
            }
            let bytes = serde_json::to_vec(staff)?;
            table.insert(key.as_str(), bytes.as_slice())?;
            Ok(())
        })
    }

    /// Removes a staff member; the last owner stays.
    pub(crate) fn remove_staff(&self, name: &str) -> Result<()> {
        self.write(|txn| {
            let mut table = txn.open_table(STAFF)?;
            let key = staff_key(name);
            let member: Staff = match table.get(key.as_str())? {
                Some(v) => serde_json::from_slice(v.value())?,
                None => return Err(CoreError::not_found("staff", name)),
            };
            if member.role == Role::Owner {
                let mut owners = 0;
                for entry in table.iter()? {
                    let (_, v) = entry?;
                    let s: Staff = serde_json::from_slice(v.value())?;
                    owners += usize::from(s.role == Role::Owner);
                }
                if owners <= 1 {
                    return Err(CoreError::Forbidden(Msg::LastOwner));
                }
            }
            table.remove(key.as_str())?;
            Ok(())
        })
    }

    // ---- the change log the index follows --------------------------------------------------

    /// The newest change sequence (0 when nothing was ever written).
    pub fn last_change(&self) -> Result<u64> {
        let txn = self.read()?;
        let table = txn.open_table(CHANGES)?;
        let last = table.last()?.map(|(k, _)| k.value()).unwrap_or(0);
        Ok(last)
    }

    /// Changes after `seq`, oldest first, at most `limit`.
    pub fn changes_since(&self, seq: u64, limit: usize) -> Result<Vec<(u64, CustomerId)>> {
        let txn = self.read()?;
        let table = txn.open_table(CHANGES)?;
        let mut out = Vec::new();
        for entry in table.range(seq.saturating_add(1)..)? {
            let (k, v) = entry?;
            out.push((k.value(), CustomerId(v.value())));
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Forgets changes the index has durably seen.
    pub(crate) fn prune_changes(&self, up_to: u64) -> Result<()> {
        self.write(|txn| {
            let mut table = txn.open_table(CHANGES)?;
            table.retain_in(..=up_to, |_, _| false)?;
            Ok(())
        })
    }
}

// ---- helpers used inside transactions --------------------------------------------------------

/// Writes new cards with their notes and appointments, assigning every id. Records no changes:
/// the caller does, once the whole transaction's writes are known.
fn insert_new_customers(
    txn: &WriteTransaction,
    batch: Vec<BulkCustomer>,
) -> Result<Vec<CustomerId>> {
    let mut customers = txn.open_table(CUSTOMERS)?;
    let mut notes = txn.open_table(NOTES)?;
    let mut notes_by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
    let mut appts = txn.open_table(APPOINTMENTS)?;
    let mut appts_by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
    let mut appts_by_start = txn.open_table(APPOINTMENTS_BY_START)?;
    let mut ids = Vec::with_capacity(batch.len());
    for mut item in batch {
        let id = CustomerId(next_id(txn, "customer")?);
        item.customer.id = id;
        put_json(&mut customers, id.0, &item.customer)?;
        for mut note in item.notes {
            note.id = NoteId(next_id(txn, "note")?);
            note.customer_id = id;
            put_json(&mut notes, note.id.0, &note)?;
            notes_by_customer.insert((id.0, note.id.0), note.kind.as_u8())?;
        }
        for mut appt in item.appointments {
            appt.id = AppointmentId(next_id(txn, "appointment")?);
            appt.customer_id = id;
            put_json(&mut appts, appt.id.0, &appt)?;
            let start = appt.start.timestamp();
            appts_by_customer.insert((id.0, start, appt.id.0), appt.status.as_u8())?;
            appts_by_start.insert((start, appt.id.0), id.0)?;
        }
        ids.push(id);
    }
    Ok(ids)
}

/// What a merged card keeps of the card merged into it besides the chosen master data: the
/// earlier "customer since", and the consent log (proof of consent must not be lost). A consent
/// recorded more recently on the removed card wins over an older one on the kept card.
fn absorb_history(kept: &mut Customer, removed: &Customer) {
    kept.customer_since = kept.customer_since.min(removed.customer_since);
    kept.created_at = kept.created_at.min(removed.created_at);
    kept.consent_log.extend(removed.consent_log.iter().cloned());
    kept.consent_log.sort_by_key(|c| c.at);
    for (mine, theirs) in [
        (&mut kept.marketing_consent, &removed.marketing_consent),
        (&mut kept.reminder_consent, &removed.reminder_consent),
    ] {
        if theirs.at.is_some() && theirs.at > mine.at {
            *mine = theirs.clone();
        }
    }
}

fn staff_key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn next_id(txn: &WriteTransaction, kind: &str) -> Result<u64> {
    let mut table = txn.open_table(SEQUENCES)?;
    let next = table.get(kind)?.map(|v| v.value()).unwrap_or(0) + 1;
    table.insert(kind, next)?;
    Ok(next)
}

/// [`Store::change_mark`] inside a write transaction.
fn change_mark_in(txn: &WriteTransaction) -> Result<u64> {
    let table = txn.open_table(SEQUENCES)?;
    let mark = table.get("change")?.map(|v| v.value()).unwrap_or(0);
    Ok(mark)
}

fn record_change(txn: &WriteTransaction, customer: CustomerId) -> Result<u64> {
    let seq = next_id(txn, "change")?;
    txn.open_table(CHANGES)?.insert(seq, customer.0)?;
    Ok(seq)
}

fn ensure_customer(txn: &WriteTransaction, id: CustomerId) -> Result<()> {
    match txn.open_table(CUSTOMERS)?.get(id.0)? {
        Some(_) => Ok(()),
        None => Err(CoreError::not_found("customer", id)),
    }
}

fn resolve_groups(txn: &WriteTransaction, names: &[String]) -> Result<Vec<GroupId>> {
    let groups: Vec<Group> = all_json(&txn.open_table(GROUPS)?)?;
    let mut errors = FieldErrors::default();
    let mut ids = Vec::new();
    for name in names {
        match Group::named(&groups, name) {
            Some(g) => ids.push(g.id),
            None => errors.add("groups", Msg::UnknownGroup { name: name.clone() }),
        }
    }
    errors.into_result()?;
    Ok(ids)
}

/// The second keys of `(owner, id)` entries for one owner.
fn keys_in<V: redb::Value + 'static>(
    table: &impl ReadableTable<(u64, u64), V>,
    owner: u64,
) -> Result<Vec<u64>> {
    let mut out = Vec::new();
    for entry in table.range((owner, 0)..=(owner, u64::MAX))? {
        let (k, _) = entry?;
        out.push(k.value().1);
    }
    Ok(out)
}

fn get_json<T: DeserializeOwned>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    key: u64,
) -> Result<Option<T>> {
    Ok(match table.get(key)? {
        Some(v) => Some(serde_json::from_slice(v.value())?),
        None => None,
    })
}

fn all_json<T: DeserializeOwned>(table: &impl ReadableTable<u64, &'static [u8]>) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (_, v) = entry?;
        out.push(serde_json::from_slice(v.value())?);
    }
    Ok(out)
}

fn put_json<T: Serialize>(
    table: &mut redb::Table<u64, &'static [u8]>,
    key: u64,
    value: &T,
) -> Result<()> {
    let bytes = serde_json::to_vec(value)?;
    table.insert(key, bytes.as_slice())?;
    Ok(())
}
