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

mod appointments;
mod audit;
mod changes;
mod customers;
mod dump;
mod erased;
mod groups;
mod message_rows;
mod messages;
mod notes;
mod owned;
mod photo_rows;
mod schema;
mod settings;
mod snapshot;
mod staff;
pub mod tables;

pub use customers::{BulkCustomer, CustomerFacts, ImportUpdate, ImportWrite};
pub use dump::{backed_up_tables, Loader};
pub use erased::{Compaction, Erasure};
pub(crate) use messages::ConsentUpdate;
pub use messages::{MailboxState, UnreadCounts};
pub use owned::{not_customer_owned_tables, Owned};
pub use schema::{force_schema_version, SCHEMA_VERSION};
pub use snapshot::Snapshot;

use crate::error::{CoreError, Result};
use crate::i18n::{FieldErrors, Msg};
use crate::model::*;
use crate::settings::Settings;
use changes::{change_mark_in, record_change};
use chrono::{DateTime, NaiveDate, Utc};
use groups::resolve_groups;
use redb::{
    Database, Durability, MultimapTableHandle, ReadTransaction, ReadableDatabase, ReadableTable,
    ReadableTableMetadata, TableHandle, WriteTransaction,
};
use serde::{de::DeserializeOwned, Serialize};
use std::path::{Path, PathBuf};
use tables::*;

/// redb's page cache. Start-up reads every customer once; the working set after that is small,
/// and the Pi has little memory to spare.
pub(crate) const CACHE_BYTES: usize = 32 * 1024 * 1024;

pub struct Store {
    /// Behind a lock only for [`Store::compact`], which needs the database to itself for a
    /// moment after an erasure; every transaction takes the read side just to begin (redb's
    /// transactions do not borrow the database), so readers and writers never wait on each other.
    db: std::sync::RwLock<Database>,
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
            db: std::sync::RwLock::new(db),
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
        let mut txn = self.database().begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        txn.set_quick_repair(true);
        let out = f(&txn)?;
        txn.commit()?;
        Ok(out)
    }

    fn read(&self) -> Result<ReadTransaction> {
        Ok(self.database().begin_read()?)
    }

    /// The database, to begin a transaction (the guard is dropped right after).
    fn database(&self) -> std::sync::RwLockReadGuard<'_, Database> {
        self.db.read().unwrap_or_else(|p| p.into_inner())
    }
}

// ---- helpers used inside transactions --------------------------------------------------------

fn next_id(txn: &WriteTransaction, kind: &str) -> Result<u64> {
    let mut table = txn.open_table(SEQUENCES)?;
    let next = table.get(kind)?.map(|v| v.value()).unwrap_or(0) + 1;
    table.insert(kind, next)?;
    Ok(next)
}

fn ensure_customer(txn: &WriteTransaction, id: CustomerId) -> Result<()> {
    match txn.open_table(CUSTOMERS)?.get(id.0)? {
        Some(_) => Ok(()),
        None => Err(CoreError::not_found("customer", id)),
    }
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
