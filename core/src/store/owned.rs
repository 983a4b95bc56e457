//! The records that hang off a customer, in one place: [`Owned`] lists every kind (notes, patch
//! tests, appointments, photos) with its tables, and says how each is erased with its customer
//! ([`erase_all`], GDPR Art. 17), moved on a merge ([`move_all`]) and counted for the merge
//! preview ([`super::Store::owned_counts`]). [`not_customer_owned_tables`] lists the tables that
//! are deliberately not here.
//!
//! A new customer-owned table is added to a variant's [`Owned::tables`] (or a new variant, which
//! the compiler then asks to be erased, moved and counted); the test
//! `every_table_is_customer_owned_or_listed_as_not` (core/tests/it/store.rs) fails for a table in
//! neither list.

use super::tables::*;
use super::{get_json, keys_in, message_rows, photo_rows, put_json};
use crate::error::Result;
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, TableHandle, WriteTransaction};

/// A kind of record that belongs to one customer and goes wherever the customer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owned {
    Notes,
    PatchTests,
    Appointments,
    Photos,
    /// Mails to and from the customer, their outbox entries and "sent once" marks.
    Messages,
}

impl Owned {
    pub const ALL: [Owned; 5] = [
        Owned::Notes,
        Owned::PatchTests,
        Owned::Appointments,
        Owned::Photos,
        Owned::Messages,
    ];

    /// The redb tables that hold this kind (records and their per-customer indexes).
    pub fn tables(self) -> Vec<String> {
        match self {
            Owned::Notes => [NOTES.name(), NOTES_BY_CUSTOMER.name()]
                .map(str::to_string)
                .to_vec(),
            Owned::PatchTests => [PATCH_TESTS.name(), PATCH_TESTS_BY_CUSTOMER.name()]
                .map(str::to_string)
                .to_vec(),
            Owned::Appointments => [
                APPOINTMENTS.name(),
                APPOINTMENTS_BY_CUSTOMER.name(),
                APPOINTMENTS_BY_START.name(),
            ]
            .map(str::to_string)
            .to_vec(),
            Owned::Photos => [
                PHOTOS.name(),
                PHOTOS_BY_CUSTOMER.name(),
                PHOTOS_BY_HASH.name(),
            ]
            .map(str::to_string)
            .to_vec(),
            Owned::Messages => [
                MESSAGES.name(),
                MESSAGES_BY_CUSTOMER.name(),
                MESSAGE_HEADERS.name(),
                OUTBOX.name(),
                UNREAD.name(),
                REMINDERS_SENT.name(),
                GREETINGS_SENT.name(),
            ]
            .map(str::to_string)
            .to_vec(),
        }
    }

    /// How many records of this kind `customer` has.
    fn count(self, txn: &ReadTransaction, customer: CustomerId) -> Result<usize> {
        Ok(match self {
            Owned::Notes => keys_in(&txn.open_table(NOTES_BY_CUSTOMER)?, customer.0)?.len(),
            Owned::PatchTests => {
                keys_in(&txn.open_table(PATCH_TESTS_BY_CUSTOMER)?, customer.0)?.len()
            }
            Owned::Appointments => txn
                .open_table(APPOINTMENTS_BY_CUSTOMER)?
                .range(appointment_range(customer))?
                .count(),
            Owned::Photos => photo_rows::count_of(txn, customer)?,
            Owned::Messages => keys_in(&txn.open_table(MESSAGES_BY_CUSTOMER)?, customer.0)?.len(),
        })
    }

    /// Removes every record of this kind of `customer`; content hashes of photo files that no
    /// photo uses any more are added to `freed` (the caller removes the files after the commit).
    pub(super) fn erase(
        self,
        txn: &WriteTransaction,
        customer: CustomerId,
        freed: &mut Vec<String>,
    ) -> Result<()> {
        match self {
            Owned::Notes => {
                let ids = keys_in(&txn.open_table(NOTES_BY_CUSTOMER)?, customer.0)?;
                let mut notes = txn.open_table(NOTES)?;
                let mut by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
                for note in ids {
                    notes.remove(note)?;
                    by_customer.remove((customer.0, note))?;
                }
            }
            Owned::PatchTests => {
                let ids = keys_in(&txn.open_table(PATCH_TESTS_BY_CUSTOMER)?, customer.0)?;
                let mut tests = txn.open_table(PATCH_TESTS)?;
                let mut by_customer = txn.open_table(PATCH_TESTS_BY_CUSTOMER)?;
                for test in ids {
                    tests.remove(test)?;
                    by_customer.remove((customer.0, test))?;
                }
            }
            Owned::Appointments => {
                let mut appts = txn.open_table(APPOINTMENTS)?;
                let mut by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
                let mut by_start = txn.open_table(APPOINTMENTS_BY_START)?;
                for (c, start, appt) in appointment_keys(&by_customer, customer)? {
                    appts.remove(appt)?;
                    by_customer.remove((c, start, appt))?;
                    by_start.remove((start, appt))?;
                }
            }
            Owned::Photos => {
                for hash in photo_rows::delete_photos_of(txn, customer)? {
                    if !freed.contains(&hash) {
                        freed.push(hash);
                    }
                }
            }
            Owned::Messages => message_rows::erase_messages_of(txn, customer)?,
        }
        Ok(())
    }

    /// Gives every record of this kind of `from` to `to`.
    fn move_to(self, txn: &WriteTransaction, from: CustomerId, to: CustomerId) -> Result<()> {
        match self {
            Owned::Notes => {
                let ids = keys_in(&txn.open_table(NOTES_BY_CUSTOMER)?, from.0)?;
                let mut notes = txn.open_table(NOTES)?;
                let mut by_customer = txn.open_table(NOTES_BY_CUSTOMER)?;
                for id in ids {
                    if let Some(mut note) = get_json::<Note>(&notes, id)? {
                        note.customer_id = to;
                        put_json(&mut notes, id, &note)?;
                        by_customer.remove((from.0, id))?;
                        by_customer.insert((to.0, id), note.kind.as_u8())?;
                    }
                }
            }
            Owned::PatchTests => {
                let ids = keys_in(&txn.open_table(PATCH_TESTS_BY_CUSTOMER)?, from.0)?;
                let mut tests = txn.open_table(PATCH_TESTS)?;
                let mut by_customer = txn.open_table(PATCH_TESTS_BY_CUSTOMER)?;
                for id in ids {
                    if let Some(mut test) = get_json::<PatchTest>(&tests, id)? {
                        test.customer_id = to;
                        put_json(&mut tests, id, &test)?;
                        by_customer.remove((from.0, id))?;
                        by_customer.insert((to.0, id), ())?;
                    }
                }
            }
            Owned::Appointments => {
                let mut appts = txn.open_table(APPOINTMENTS)?;
                let mut by_customer = txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
                let mut by_start = txn.open_table(APPOINTMENTS_BY_START)?;
                for (_, start, id) in appointment_keys(&by_customer, from)? {
                    if let Some(mut appt) = get_json::<Appointment>(&appts, id)? {
                        appt.customer_id = to;
                        put_json(&mut appts, id, &appt)?;
                        by_customer.remove((from.0, start, id))?;
                        by_customer.insert((to.0, start, id), appt.status.as_u8())?;
                        by_start.insert((start, id), to.0)?;
                    }
                }
            }
            // The files are shared by content hash, so only the rows move.
            Owned::Photos => photo_rows::move_photos_of(txn, from, to)?,
            Owned::Messages => message_rows::move_messages_of(txn, from, to)?,
        }
        Ok(())
    }
}

/// The tables that do not hang off one customer, each for a reason: `meta` and `sequences`
/// (the file's own bookkeeping), `customers` (the card itself, removed or merged by the caller),
/// `services`, `groups` and `staff` (the salon's catalogue, shared by all cards), `changes` (the
/// log the index follows; it keeps only customer numbers and is pruned once indexed).
pub fn not_customer_owned_tables() -> Vec<String> {
    [
        META.name(),
        SEQUENCES.name(),
        CUSTOMERS.name(),
        SERVICES.name(),
        GROUPS.name(),
        STAFF.name(),
        CHANGES.name(),
        // The audit log outlives the customer on purpose (proof of an erasure); it holds ids
        // and field names only.
        AUDIT.name(),
        AUDIT_BY_CUSTOMER.name(),
        // Received mails nobody could be matched to have no customer yet; once assigned they
        // are the customer's like any message.
        UNASSIGNED.name(),
        // Newsletters hold their text and counts, not who got them (that is on each message).
        NEWSLETTERS.name(),
        // How far the inbox has been read: mailbox names and numbers.
        MAILBOX_STATE.name(),
        // Which customers were erased or anonymised, and when: ids and times, kept so that a
        // restored older backup leaves them out.
        ERASED.name(),
    ]
    .map(str::to_string)
    .to_vec()
}

/// Inside an erasure: removes everything `customer` owns. Returns the content hashes of photo
/// files no photo uses any more.
pub(super) fn erase_all(txn: &WriteTransaction, customer: CustomerId) -> Result<Vec<String>> {
    let mut freed = Vec::new();
    for kind in Owned::ALL {
        kind.erase(txn, customer, &mut freed)?;
    }
    Ok(freed)
}

/// Inside a merge: moves everything `from` owns to `to`.
pub(super) fn move_all(txn: &WriteTransaction, from: CustomerId, to: CustomerId) -> Result<()> {
    for kind in Owned::ALL {
        kind.move_to(txn, from, to)?;
    }
    Ok(())
}

/// How many records of each kind `customer` has, in the order of [`Owned::ALL`].
pub(super) fn counts(txn: &ReadTransaction, customer: CustomerId) -> Result<Vec<(Owned, usize)>> {
    Owned::ALL
        .into_iter()
        .map(|kind| Ok((kind, kind.count(txn, customer)?)))
        .collect()
}

fn appointment_range(customer: CustomerId) -> std::ops::RangeInclusive<(u64, i64, u64)> {
    (customer.0, i64::MIN, 0)..=(customer.0, i64::MAX, u64::MAX)
}

fn appointment_keys(
    by_customer: &impl ReadableTable<(u64, i64, u64), u8>,
    customer: CustomerId,
) -> Result<Vec<(u64, i64, u64)>> {
    Ok(by_customer
        .range(appointment_range(customer))?
        .map(|e| e.map(|(k, _)| k.value()))
        .collect::<std::result::Result<_, _>>()?)
}
