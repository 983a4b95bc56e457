//! The audit log's table: appending entries and reading them (all, newest first, or one
//! customer's). Nothing here edits or deletes an entry.

use super::*;
use crate::audit::{AuditDraft, AuditEntry};

impl Store {
    /// Appends `entries`, numbered after the last one, in one durable transaction.
    pub(crate) fn append_audit(&self, entries: &[AuditDraft], at: DateTime<Utc>) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        self.write(|txn| {
            let mut log = txn.open_table(AUDIT)?;
            let mut by_customer = txn.open_table(AUDIT_BY_CUSTOMER)?;
            let mut seq = log.last()?.map(|(k, _)| k.value()).unwrap_or(0);
            for draft in entries {
                seq += 1;
                let entry = AuditEntry {
                    seq,
                    at,
                    by: draft.by.clone(),
                    action: draft.action,
                    customer: draft.customer,
                    detail: draft.detail.clone(),
                };
                put_json(&mut log, seq, &entry)?;
                if let Some(customer) = draft.customer {
                    by_customer.insert((customer.0, seq), ())?;
                }
            }
            Ok(())
        })
    }

    /// Up to `limit` entries older than entry `before` (all when `None`), newest first.
    pub fn audit_page(&self, before: Option<u64>, limit: usize) -> Result<Vec<AuditEntry>> {
        let txn = self.read()?;
        let log = txn.open_table(AUDIT)?;
        let mut out = Vec::new();
        for entry in log.range(..before.unwrap_or(u64::MAX))?.rev().take(limit) {
            let (_, v) = entry?;
            out.push(serde_json::from_slice(v.value())?);
        }
        Ok(out)
    }

    /// Every entry about `customer`, newest first.
    pub fn audit_of(&self, customer: CustomerId) -> Result<Vec<AuditEntry>> {
        let txn = self.read()?;
        let seqs = keys_in(&txn.open_table(AUDIT_BY_CUSTOMER)?, customer.0)?;
        let log = txn.open_table(AUDIT)?;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs.into_iter().rev() {
            if let Some(entry) = get_json(&log, seq)? {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// How many entries the log holds.
    pub fn audit_len(&self) -> Result<u64> {
        Ok(self.read()?.open_table(AUDIT)?.len()?)
    }
}
