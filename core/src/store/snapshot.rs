//! A read snapshot of the whole store for the passes that walk everything (exports, the
//! duplicates report, import previews): every pass over one [`Snapshot`] sees the same state,
//! however many writes happen meanwhile.

use super::tables::*;
use crate::error::Result;
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};
use serde::{de::DeserializeOwned, Deserialize};

/// One redb read transaction; cheap to keep for the length of an export.
pub struct Snapshot {
    txn: ReadTransaction,
}

/// The name fields of a stored customer, decoded without the rest of the record.
#[derive(Deserialize)]
struct NameFields {
    id: CustomerId,
    first_name: String,
    last_name: String,
    #[serde(default)]
    company: String,
}

impl Snapshot {
    pub(super) fn new(txn: ReadTransaction) -> Snapshot {
        Snapshot { txn }
    }

    /// The read transaction, for the table walk of backups ([`super::dump`]).
    pub(super) fn txn(&self) -> &ReadTransaction {
        &self.txn
    }

    pub fn customer_count(&self) -> Result<u64> {
        Ok(self.txn.open_table(CUSTOMERS)?.len()?)
    }

    pub fn appointment_count(&self) -> Result<u64> {
        Ok(self.txn.open_table(APPOINTMENTS)?.len()?)
    }

    pub fn note_count(&self) -> Result<u64> {
        Ok(self.txn.open_table(NOTES)?.len()?)
    }

    /// Calls `f` for every customer in id order.
    pub fn for_each_customer(&self, f: impl FnMut(Customer) -> Result<()>) -> Result<()> {
        self.for_each(CUSTOMERS, f)
    }

    /// Calls `f` with the id and display name ("Anna Müller", or the company) of every
    /// customer in id order, or of each of `ids` that exists; faster than decoding the
    /// customers, as the rest of each record is skipped.
    pub fn for_each_customer_name(
        &self,
        ids: Option<&[CustomerId]>,
        mut f: impl FnMut(CustomerId, String),
    ) -> Result<()> {
        let name = |n: NameFields| {
            f(n.id, display_name(&n.first_name, &n.last_name, &n.company));
            Ok(())
        };
        match ids {
            None => self.for_each(CUSTOMERS, name),
            Some(ids) => self.for_each_of(CUSTOMERS, ids, name),
        }
    }

    /// Calls `f` for each of these customers that exists, in the given order.
    pub fn for_each_customer_of(
        &self,
        ids: &[CustomerId],
        f: impl FnMut(Customer) -> Result<()>,
    ) -> Result<()> {
        self.for_each_of(CUSTOMERS, ids, f)
    }

    /// Calls `f` for every appointment in id order.
    pub fn for_each_appointment(&self, f: impl FnMut(Appointment) -> Result<()>) -> Result<()> {
        self.for_each(APPOINTMENTS, f)
    }

    /// Calls `f` for every note in id order.
    pub fn for_each_note(&self, f: impl FnMut(Note) -> Result<()>) -> Result<()> {
        self.for_each(NOTES, f)
    }

    fn for_each_of<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &'static [u8]>,
        ids: &[CustomerId],
        mut f: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        let table = self.txn.open_table(table)?;
        for id in ids {
            if let Some(v) = table.get(id.0)? {
                f(serde_json::from_slice(v.value())?)?;
            }
        }
        Ok(())
    }

    fn for_each<T: DeserializeOwned>(
        &self,
        table: redb::TableDefinition<u64, &'static [u8]>,
        mut f: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        for entry in self.txn.open_table(table)?.iter()? {
            let (_, v) = entry?;
            f(serde_json::from_slice(v.value())?)?;
        }
        Ok(())
    }
}
