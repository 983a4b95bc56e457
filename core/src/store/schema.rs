//! The schema version of the store file, and the migrations between versions.
//!
//! A file without a version is new: it gets every table, the default groups and the current
//! version. A file with a newer version is refused (an older Kartei must not write data it does
//! not understand). An older file is migrated step by step by [`MIGRATIONS`], in the same
//! transaction, so a failed migration leaves the file as it was.

use super::tables::*;
use crate::error::{CoreError, Result};
use crate::model::{Group, GroupId, DEFAULT_GROUPS};
use redb::{ReadableTable, WriteTransaction};

/// The version this program writes.
pub const SCHEMA_VERSION: u32 = 1;

/// `MIGRATIONS[i]` upgrades a file from version `i + 1` to `i + 2`. Append only.
const MIGRATIONS: &[Migration] = &[];

const _: () = assert!(MIGRATIONS.len() as u32 + 1 == SCHEMA_VERSION);

pub(super) fn init_or_migrate(txn: &WriteTransaction) -> Result<()> {
    create_tables(txn)?;
    let mut meta = txn.open_table(META)?;
    let found = match meta.get("schema_version")? {
        Some(v) => {
            let bytes: [u8; 4] = v
                .value()
                .try_into()
                .map_err(|_| CoreError::Store("schema_version is not 4 bytes".into()))?;
            Some(u32::from_le_bytes(bytes))
        }
        None => None,
    };
    match found {
        None => {
            meta.insert("schema_version", SCHEMA_VERSION.to_le_bytes().as_slice())?;
            drop(meta);
            seed(txn)
        }
        Some(v) if v > SCHEMA_VERSION => Err(CoreError::SchemaTooNew {
            found: v,
            supported: SCHEMA_VERSION,
        }),
        Some(v) => {
            drop(meta);
            migrate(txn, v, MIGRATIONS)
        }
    }
}

type Migration = fn(&WriteTransaction) -> Result<()>;

/// Runs the steps from version `from` on and stamps the version they lead to.
fn migrate(txn: &WriteTransaction, from: u32, steps: &[Migration]) -> Result<()> {
    let first = (from.max(1) - 1) as usize;
    for step in steps.get(first..).unwrap_or_default() {
        step(txn)?;
    }
    let reached = steps.len() as u32 + 1;
    txn.open_table(META)?
        .insert("schema_version", reached.to_le_bytes().as_slice())?;
    Ok(())
}

fn create_tables(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(META)?;
    txn.open_table(SEQUENCES)?;
    txn.open_table(CUSTOMERS)?;
    txn.open_table(NOTES)?;
    txn.open_table(NOTES_BY_CUSTOMER)?;
    txn.open_table(PATCH_TESTS)?;
    txn.open_table(PATCH_TESTS_BY_CUSTOMER)?;
    txn.open_table(SERVICES)?;
    txn.open_table(APPOINTMENTS)?;
    txn.open_table(APPOINTMENTS_BY_CUSTOMER)?;
    txn.open_table(APPOINTMENTS_BY_START)?;
    txn.open_table(GROUPS)?;
    txn.open_table(STAFF)?;
    txn.open_table(CHANGES)?;
    // Added without a version bump: new tables only, nothing existing changes meaning, and an
    // older Kartei ignores tables it does not know.
    txn.open_table(PHOTOS)?;
    txn.open_table(PHOTOS_BY_CUSTOMER)?;
    txn.open_table(PHOTOS_BY_HASH)?;
    txn.open_table(AUDIT)?;
    txn.open_table(AUDIT_BY_CUSTOMER)?;
    for table in [MESSAGES, NEWSLETTERS] {
        txn.open_table(table)?;
    }
    txn.open_table(MESSAGES_BY_CUSTOMER)?;
    txn.open_table(MESSAGE_HEADERS)?;
    txn.open_table(OUTBOX)?;
    txn.open_table(UNREAD)?;
    txn.open_table(UNASSIGNED)?;
    txn.open_table(MAILBOX_STATE)?;
    txn.open_table(REMINDERS_SENT)?;
    txn.open_table(GREETINGS_SENT)?;
    txn.open_table(ERASED)?;
    Ok(())
}

fn seed(txn: &WriteTransaction) -> Result<()> {
    let mut groups = txn.open_table(GROUPS)?;
    let mut sequences = txn.open_table(SEQUENCES)?;
    for (i, name) in DEFAULT_GROUPS.iter().enumerate() {
        let group = Group {
            id: GroupId(i as u64 + 1),
            name: name.to_string(),
        };
        let bytes = serde_json::to_vec(&group)?;
        groups.insert(group.id.0, bytes.as_slice())?;
    }
    sequences.insert("group", DEFAULT_GROUPS.len() as u64)?;
    Ok(())
}

/// For tests: stamps a store file with another schema version.
#[doc(hidden)]
pub fn force_schema_version(path: &std::path::Path, version: u32) -> Result<()> {
    let db = redb::Database::create(path)?;
    let txn = db.begin_write()?;
    txn.open_table(META)?
        .insert("schema_version", version.to_le_bytes().as_slice())?;
    txn.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::ReadableDatabase;

    fn version(db: &redb::Database) -> u32 {
        let txn = db.begin_read().unwrap();
        let meta = txn.open_table(META).unwrap();
        let bytes = meta
            .get("schema_version")
            .unwrap()
            .unwrap()
            .value()
            .to_vec();
        u32::from_le_bytes(bytes.try_into().unwrap())
    }

    fn v1_to_v2(txn: &WriteTransaction) -> Result<()> {
        txn.open_table(META)?.insert("marker", b"v2".as_slice())?;
        Ok(())
    }

    fn v2_to_v3(txn: &WriteTransaction) -> Result<()> {
        let mut meta = txn.open_table(META)?;
        let seen = meta
            .get("marker")?
            .map(|v| v.value().to_vec())
            .unwrap_or_default();
        meta.insert("marker", [seen.as_slice(), b"+v3"].concat().as_slice())?;
        Ok(())
    }

    #[test]
    fn an_older_store_is_migrated_step_by_step_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("s.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("schema_version", 1u32.to_le_bytes().as_slice())
            .unwrap();
        migrate(&txn, 1, &[v1_to_v2, v2_to_v3]).unwrap();
        txn.commit().unwrap();
        assert_eq!(version(&db), 3);
        let txn = db.begin_read().unwrap();
        let marker = txn
            .open_table(META)
            .unwrap()
            .get("marker")
            .unwrap()
            .unwrap()
            .value()
            .to_vec();
        assert_eq!(marker, b"v2+v3");
    }

    #[test]
    fn a_failing_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("s.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("schema_version", 1u32.to_le_bytes().as_slice())
            .unwrap();
        txn.commit().unwrap();
        fn broken(_: &WriteTransaction) -> Result<()> {
            Err(CoreError::Store("disk full".into()))
        }
        let txn = db.begin_write().unwrap();
        assert!(migrate(&txn, 1, &[v1_to_v2, broken]).is_err());
        drop(txn);
        assert_eq!(version(&db), 1);
        let txn = db.begin_read().unwrap();
        assert!(txn
            .open_table(META)
            .unwrap()
            .get("marker")
            .unwrap()
            .is_none());
    }
}
