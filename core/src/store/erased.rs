//! The erased list and the compaction that makes an erasure real on disk.
//!
//! [`Erasure`]s (table `erased`: customer id → when, and whether the card was anonymised rather
//! than removed) are written in the erasure's own transaction and hold no personal data. Every
//! backup carries the table, and a restore applies the erasures it knows of to the restored card
//! file (`crate::backup`), so an older backup does not bring an erased person back.
//!
//! redb frees the pages of a deleted record but does not overwrite them; [`Store::compact`]
//! moves the live pages into the holes and cuts the file, so the freed bytes are gone from the
//! file (checked by `an_erased_customer_leaves_no_trace_in_any_file_of_the_data_folder`,
//! core/tests/it/erasure.rs). If a long read (a backup, an export) keeps the file busy, the
//! compaction is marked as owed in `meta` and done at the next start or backup.

use super::tables::*;
use super::{put_json, Store};
use crate::error::{CoreError, Result};
use crate::model::CustomerId;
use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// `meta` key set while a compaction after an erasure is still owed.
const COMPACT_OWED: &str = "compact_owed";

/// One erased (or anonymised) card: ids and times only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub at: DateTime<Utc>,
    /// Anonymised (the card and its appointments stay, the person goes) instead of erased.
    #[serde(default)]
    pub anonymised: bool,
}

/// What [`Store::compact`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compaction {
    /// The file was compacted; no freed page holds old bytes any more.
    Done,
    /// Reads kept the file busy longer than the patience allowed; the compaction is owed and
    /// runs at the next start or backup ([`Store::compact_if_owed`]).
    Owed,
}

/// Inside an erasure's transaction: records it (an earlier entry of the same id is kept, the
/// first erasure is the one that counts).
/// The compaction it calls for is owed until [`Store::compact`] has run.
pub(super) fn record(txn: &WriteTransaction, id: CustomerId, erasure: Erasure) -> Result<()> {
    list(txn, id, erasure)?;
    txn.open_table(META)?
        .insert(COMPACT_OWED, [1u8].as_slice())?;
    Ok(())
}

fn list(txn: &WriteTransaction, id: CustomerId, erasure: Erasure) -> Result<()> {
    let mut table = txn.open_table(ERASED)?;
    if table.get(id.0)?.is_none() {
        put_json(&mut table, id.0, &erasure)?;
    }
    Ok(())
}

impl Store {
    /// Every erasure this card file knows of, by customer id.
    pub fn erasures(&self) -> Result<Vec<(CustomerId, Erasure)>> {
        let txn = self.read()?;
        let table = txn.open_table(ERASED)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.push((CustomerId(k.value()), serde_json::from_slice(v.value())?));
        }
        Ok(out)
    }

    /// Applies erasures known from elsewhere (a restore: the newer backups of the rotation) to
    /// this card file, in one transaction: a card of such an id that existed at the erasure
    /// (created before it) is erased or anonymised as it was then, and every erasure goes into
    /// the list. Returns the ids left out and the photo files no photo uses any more (the caller
    /// removes them). A card created after the erasure is another customer that got the number
    /// again, and stays.
    pub(crate) fn apply_erasures(
        &self,
        known: &[(CustomerId, Erasure)],
        anonymised_name: &str,
    ) -> Result<(Vec<CustomerId>, Vec<String>)> {
        let mut left_out = Vec::new();
        let mut freed = Vec::new();
        for (id, erasure) in known {
            let existing = match self.customer(*id) {
                Ok(c) => Some(c),
                Err(CoreError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            };
            match existing {
                Some(c) if c.created_at <= erasure.at => {
                    let files = if erasure.anonymised {
                        if c.anonymised {
                            // Already anonymised in this backup.
                            continue;
                        }
                        self.anonymise_customer(*id, anonymised_name, erasure.at)?.2
                    } else {
                        self.delete_customer(*id, erasure.at)?.1
                    };
                    freed.extend(files);
                    left_out.push(*id);
                }
                _ => {}
            }
        }
        // The caller compacts if anything was left out.
        self.write(|txn| {
            for (id, erasure) in known {
                list(txn, *id, *erasure)?;
            }
            Ok(())
        })?;
        Ok((left_out, freed))
    }

    /// Compacts the file so that the pages an erasure freed no longer hold its bytes: waits
    /// (up to `patience`) until no read or write is under way, then has the database to itself
    /// for the compaction. New transactions wait meanwhile.
    pub(crate) fn compact(&self, patience: Duration) -> Result<Compaction> {
        let start = Instant::now();
        loop {
            let mut db = self.db.write().unwrap_or_else(|p| p.into_inner());
            match db.compact() {
                Ok(_) => {
                    drop(db);
                    self.write(|txn| {
                        txn.open_table(META)?.remove(COMPACT_OWED)?;
                        Ok(())
                    })?;
                    return Ok(Compaction::Done);
                }
                Err(redb::CompactionError::TransactionInProgress) => {
                    drop(db);
                    if start.elapsed() >= patience {
                        log::warn!("store busy; compaction after an erasure owed to the next start or backup");
                        return Ok(Compaction::Owed);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(CoreError::Store(format!("compaction: {e}"))),
            }
        }
    }

    /// Runs a compaction an earlier erasure still owes (at start, after a backup).
    pub(crate) fn compact_if_owed(&self, patience: Duration) -> Result<Option<Compaction>> {
        let txn = self.read()?;
        let owed = txn.open_table(META)?.get(COMPACT_OWED)?.is_some();
        drop(txn);
        if !owed {
            return Ok(None);
        }
        self.compact(patience).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compaction_kept_waiting_by_a_read_is_owed_and_done_once_the_read_is_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kartei.redb")).unwrap();
        let erasure = Erasure {
            at: Utc::now(),
            anonymised: false,
        };
        store
            .write(|txn| record(txn, CustomerId(7), erasure))
            .unwrap();
        let reading = store.snapshot().unwrap();
        assert_eq!(
            store.compact(Duration::from_millis(50)).unwrap(),
            Compaction::Owed
        );
        drop(reading);
        assert_eq!(
            store.compact_if_owed(Duration::ZERO).unwrap(),
            Some(Compaction::Done)
        );
        assert_eq!(store.compact_if_owed(Duration::ZERO).unwrap(), None);
        assert_eq!(store.erasures().unwrap(), vec![(CustomerId(7), erasure)]);
    }
}
