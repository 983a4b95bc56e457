//! The change log the search index follows: one sequence number per write that changes what search sees.

use super::*;

impl Store {
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

/// [`Store::change_mark`] inside a write transaction.
pub(super) fn change_mark_in(txn: &WriteTransaction) -> Result<u64> {
    let table = txn.open_table(SEQUENCES)?;
    let mark = table.get("change")?.map(|v| v.value()).unwrap_or(0);
    Ok(mark)
}

pub(super) fn record_change(txn: &WriteTransaction, customer: CustomerId) -> Result<u64> {
    let seq = next_id(txn, "change")?;
    txn.open_table(CHANGES)?.insert(seq, customer.0)?;
    Ok(seq)
}
