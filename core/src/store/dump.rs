//! Every table of the store as JSON lines, and back: the store's side of backups
//! (`crate::backup` owns the file format around it).
//!
//! One generic walk over [`visit_tables`], the single list of backed-up tables, so dumping and
//! loading cannot disagree and a new table is one line here. A backup refuses to run when the
//! store holds a table this list does not know ([`Snapshot::unknown_tables`]), and a test reads
//! `tables.rs` and fails when a definition there is missing from the list.
//!
//! A line is a JSON object `{"k": key, "v": value}`. Keys and small values are plain JSON (numbers,
//! strings, arrays for tuple keys, `null` for `()`); byte values are the JSON document itself when
//! they are one (every record is) and `"hex": "…"` instead of `"v"` otherwise (the schema version), so a
//! record round-trips byte for byte and stays readable without Kartei.

use super::tables::*;
use super::Snapshot;
use crate::error::{CoreError, Result};
use redb::{
    Database, Durability, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle,
    WriteTransaction,
};
use serde::{de::DeserializeOwned, Serialize};
use std::io::{BufRead, Write};
use std::path::Path;

/// Rows per write transaction while loading: bounds the memory redb holds for dirty pages.
const LOAD_BATCH: u64 = 20_000;

/// A key (or plain value) type of a table, with an owned form that serde can write and read.
pub(crate) trait Column: redb::Value + 'static {
    type Owned: Serialize + DeserializeOwned;
    fn own(v: Self::SelfType<'_>) -> Self::Owned;
    fn borrow(o: &Self::Owned) -> Self::SelfType<'_>;
}

macro_rules! plain_column {
    ($($t:ty),*) => {$(
        impl Column for $t {
            type Owned = $t;
            fn own(v: $t) -> $t { v }
            fn borrow(o: &$t) -> $t { *o }
        }
    )*};
}
plain_column!(u64, i64, u8);

impl Column for () {
    type Owned = ();
    fn own(_: ()) {}
    fn borrow(_: &()) {}
}

impl Column for &'static str {
    type Owned = String;
    fn own(v: &str) -> String {
        v.to_string()
    }
    fn borrow(o: &String) -> &str {
        o.as_str()
    }
}

impl<A: Column, B: Column> Column for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn own(v: Self::SelfType<'_>) -> Self::Owned {
        (A::own(v.0), B::own(v.1))
    }
    fn borrow(o: &Self::Owned) -> Self::SelfType<'_> {
        (A::borrow(&o.0), B::borrow(&o.1))
    }
}

impl<A: Column, B: Column, C: Column> Column for (A, B, C) {
    type Owned = (A::Owned, B::Owned, C::Owned);
    fn own(v: Self::SelfType<'_>) -> Self::Owned {
        (A::own(v.0), B::own(v.1), C::own(v.2))
    }
    fn borrow(o: &Self::Owned) -> Self::SelfType<'_> {
        (A::borrow(&o.0), B::borrow(&o.1), C::borrow(&o.2))
    }
}

/// A value type of a table: how it is written after the key (`,"v":…` or `,"hex":"…"`) and
/// read back from there.
pub(crate) trait Cell: redb::Value + 'static {
    type Owned;
    fn write(v: Self::SelfType<'_>, out: &mut Vec<u8>) -> Result<()>;
    /// `rest` is the line after the key, without the closing `}`.
    fn read(rest: &str) -> std::result::Result<Self::Owned, String>;
    fn borrow(o: &Self::Owned) -> Self::SelfType<'_>;
}

const VALUE_FIELD: &str = ",\"v\":";
const HEX_FIELD: &str = ",\"hex\":";

macro_rules! plain_cell {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            type Owned = <$t as Column>::Owned;
            fn write(v: Self::SelfType<'_>, out: &mut Vec<u8>) -> Result<()> {
                out.extend_from_slice(VALUE_FIELD.as_bytes());
                serde_json::to_writer(&mut *out, &<$t as Column>::own(v))?;
                Ok(())
            }
            fn read(rest: &str) -> std::result::Result<Self::Owned, String> {
                let json = rest.strip_prefix(VALUE_FIELD).ok_or("no value")?;
                serde_json::from_str(json).map_err(|e| e.to_string())
            }
            fn borrow(o: &Self::Owned) -> Self::SelfType<'_> {
                <$t as Column>::borrow(o)
            }
        }
    )*};
}
plain_cell!(u64, u8, ());

/// Byte values: JSON documents (every record) are written as they are, so a record
/// round-trips byte for byte and stays readable; other bytes (the schema version) in hex.
impl Cell for &'static [u8] {
    type Owned = Vec<u8>;
    fn write(v: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let is_json = !v.is_empty()
            && !v.contains(&b'\n')
            && serde_json::from_slice::<serde::de::IgnoredAny>(v).is_ok();
        if is_json {
            out.extend_from_slice(VALUE_FIELD.as_bytes());
            out.extend_from_slice(v);
        } else {
            out.extend_from_slice(HEX_FIELD.as_bytes());
            serde_json::to_writer(&mut *out, &hex::encode(v))?;
        }
        Ok(())
    }
    fn read(rest: &str) -> std::result::Result<Vec<u8>, String> {
        if let Some(json) = rest.strip_prefix(VALUE_FIELD) {
            serde_json::from_str::<serde::de::IgnoredAny>(json).map_err(|e| e.to_string())?;
            return Ok(json.as_bytes().to_vec());
        }
        let text = rest.strip_prefix(HEX_FIELD).ok_or("no value")?;
        let text: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        hex::decode(text).map_err(|e| e.to_string())
    }
    fn borrow(o: &Vec<u8>) -> &[u8] {
        o
    }
}

/// One line: `{"k":KEY,"v":VALUE}` (or `"hex"` instead of `"v"`), appended to `out`.
fn write_line<K: Column, V: Cell>(
    k: K::SelfType<'_>,
    v: V::SelfType<'_>,
    out: &mut Vec<u8>,
) -> Result<()> {
    out.extend_from_slice(b"{\"k\":");
    serde_json::to_writer(&mut *out, &K::own(k))?;
    V::write(v, out)?;
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn read_line<K: Column, V: Cell>(line: &str) -> std::result::Result<(K::Owned, V::Owned), String> {
    let inner = line
        .trim_end_matches(['\n', '\r'])
        .strip_prefix("{\"k\":")
        .and_then(|l| l.strip_suffix('}'))
        .ok_or("not a {\"k\":…} line")?;
    let mut keys = serde_json::Deserializer::from_str(inner).into_iter::<K::Owned>();
    let key = keys.next().ok_or("no key")?.map_err(|e| e.to_string())?;
    let value = V::read(&inner[keys.byte_offset()..])?;
    Ok((key, value))
}

/// Something done to every backed-up table in turn.
pub(crate) trait TableVisitor {
    fn visit<K: Column + redb::Key, V: Cell>(
        &mut self,
        table: TableDefinition<'static, K, V>,
    ) -> Result<()>;
}

/// THE list of tables a backup holds, in restore order. Every table of [`super::tables`]
/// belongs here (`every_table_definition_is_backed_up` checks).
pub(crate) fn visit_tables(v: &mut impl TableVisitor) -> Result<()> {
    v.visit(META)?;
    v.visit(SEQUENCES)?;
    v.visit(CUSTOMERS)?;
    v.visit(NOTES)?;
    v.visit(NOTES_BY_CUSTOMER)?;
    v.visit(PATCH_TESTS)?;
    v.visit(PATCH_TESTS_BY_CUSTOMER)?;
    v.visit(SERVICES)?;
    v.visit(APPOINTMENTS)?;
    v.visit(APPOINTMENTS_BY_CUSTOMER)?;
    v.visit(APPOINTMENTS_BY_START)?;
    v.visit(GROUPS)?;
    v.visit(STAFF)?;
    v.visit(CHANGES)?;
    v.visit(PHOTOS)?;
    v.visit(PHOTOS_BY_CUSTOMER)?;
    v.visit(PHOTOS_BY_HASH)?;
    v.visit(AUDIT)?;
    v.visit(AUDIT_BY_CUSTOMER)?;
    v.visit(MESSAGES)?;
    v.visit(MESSAGES_BY_CUSTOMER)?;
    v.visit(MESSAGE_HEADERS)?;
    v.visit(OUTBOX)?;
    v.visit(UNREAD)?;
    v.visit(UNASSIGNED)?;
    v.visit(NEWSLETTERS)?;
    v.visit(MAILBOX_STATE)?;
    v.visit(REMINDERS_SENT)?;
    v.visit(GREETINGS_SENT)?;
    v.visit(ERASED)?;
    Ok(())
}

/// The names of the backed-up tables, in restore order.
pub fn backed_up_tables() -> Vec<String> {
    struct Names(Vec<String>);
    impl TableVisitor for Names {
        fn visit<K: Column + redb::Key, V: Cell>(
            &mut self,
            table: TableDefinition<'static, K, V>,
        ) -> Result<()> {
            self.0.push(table.name().to_string());
            Ok(())
        }
    }
    let mut names = Names(Vec::new());
    // Collecting names cannot fail.
    let _ = visit_tables(&mut names);
    names.0
}

impl Snapshot {
    /// Tables in the store that the backup list does not know (should always be empty).
    pub fn unknown_tables(&self) -> Result<Vec<String>> {
        let known = backed_up_tables();
        let mut unknown = Vec::new();
        for handle in self.txn().list_tables()? {
            if !known.iter().any(|k| k == handle.name()) {
                unknown.push(handle.name().to_string());
            }
        }
        Ok(unknown)
    }

    /// Writes table `name` as JSON lines to `out`; returns the number of rows.
    pub fn dump_table(&self, name: &str, out: &mut dyn Write) -> Result<u64> {
        struct Dump<'a> {
            snapshot: &'a Snapshot,
            name: &'a str,
            out: &'a mut dyn Write,
            rows: Option<u64>,
        }
        impl TableVisitor for Dump<'_> {
            fn visit<K: Column + redb::Key, V: Cell>(
                &mut self,
                table: TableDefinition<'static, K, V>,
            ) -> Result<()> {
                if table.name() != self.name {
                    return Ok(());
                }
                let table = match self.snapshot.txn().open_table(table) {
                    Ok(t) => t,
                    // A table an older store never created is an empty table.
                    Err(redb::TableError::TableDoesNotExist(_)) => {
                        self.rows = Some(0);
                        return Ok(());
                    }
                    Err(e) => return Err(e.into()),
                };
                let mut rows = 0;
                let mut line = Vec::with_capacity(1024);
                for entry in table.iter()? {
                    let (k, v) = entry?;
                    line.clear();
                    write_line::<K, V>(k.value(), v.value(), &mut line)?;
                    self.out.write_all(&line)?;
                    rows += 1;
                }
                debug_assert_eq!(rows, table.len()?);
                self.rows = Some(rows);
                Ok(())
            }
        }
        let mut dump = Dump {
            snapshot: self,
            name,
            out,
            rows: None,
        };
        visit_tables(&mut dump)?;
        dump.rows
            .ok_or_else(|| CoreError::Store(format!("no such table: {name}")))
    }

    /// Every content hash some photo uses, in this snapshot.
    pub fn photo_hashes(&self) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for entry in self.txn().open_table(PHOTOS_BY_HASH)?.iter()? {
            let (k, _) = entry?;
            let hash = k.value().0;
            if out.last().map(String::as_str) != Some(hash) {
                out.push(hash.to_string());
            }
        }
        Ok(out)
    }
}

/// Writes tables from JSON lines into a new store file (a restore's staging folder). Rows are
/// committed in batches without fsync; [`Loader::finish`] makes everything durable at once.
/// Opening the file with [`super::Store::open`] afterwards migrates an older schema.
pub struct Loader {
    db: Database,
}

impl Loader {
    /// Creates the store file `path`, which must not exist.
    pub fn create(path: &Path) -> Result<Loader> {
        if path.exists() {
            return Err(CoreError::Store(format!("{} exists", path.display())));
        }
        Ok(Loader {
            // The store's small page cache: with redb's default (1 GiB) a restore of 100,000
            // customers grew by 400 MB, too much for a Pi.
            db: Database::builder()
                .set_cache_size(super::CACHE_BYTES)
                .create(path)?,
        })
    }

    /// Reads JSON lines of table `name` from `input` and inserts them; `None` (a dry run) only
    /// checks that every line is well formed. Returns the number of rows, or `Ok(Err(reason))`
    /// when the input is not readable (damaged or cut off); `Err` is a failure of the store.
    pub fn load_table(
        loader: Option<&Loader>,
        name: &str,
        input: &mut dyn BufRead,
    ) -> Result<std::result::Result<u64, String>> {
        struct Load<'a> {
            db: Option<&'a Database>,
            name: &'a str,
            input: &'a mut dyn BufRead,
            rows: Option<std::result::Result<u64, String>>,
        }
        impl TableVisitor for Load<'_> {
            fn visit<K: Column + redb::Key, V: Cell>(
                &mut self,
                table: TableDefinition<'static, K, V>,
            ) -> Result<()> {
                if table.name() != self.name {
                    return Ok(());
                }
                let mut txn = self.db.map(begin_batch).transpose()?;
                let mut rows = 0u64;
                let mut line = String::new();
                loop {
                    line.clear();
                    match self.input.read_line(&mut line) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) => {
                            self.rows = Some(Err(format!("line {}: {e}", rows + 1)));
                            return Ok(());
                        }
                    }
                    let (k, v) = match read_line::<K, V>(&line) {
                        Ok(kv) => kv,
                        Err(e) => {
                            self.rows = Some(Err(format!("line {}: {e}", rows + 1)));
                            return Ok(());
                        }
                    };
                    if let Some(t) = &txn {
                        t.open_table(table)?.insert(K::borrow(&k), V::borrow(&v))?;
                    }
                    rows += 1;
                    if rows.is_multiple_of(LOAD_BATCH) {
                        if let (Some(t), Some(db)) = (txn.take(), self.db) {
                            t.commit()?;
                            txn = Some(begin_batch(db)?);
                        }
                    }
                }
                if let Some(t) = txn {
                    // Creates the table even when it has no rows.
                    t.open_table(table)?;
                    t.commit()?;
                }
                self.rows = Some(Ok(rows));
                Ok(())
            }
        }
        let mut load = Load {
            db: loader.map(|l| &l.db),
            name,
            input,
            rows: None,
        };
        visit_tables(&mut load)?;
        Ok(load
            .rows
            .unwrap_or_else(|| Err(format!("unknown table {name}"))))
    }

    /// Makes everything loaded durable and closes the file.
    pub fn finish(self) -> Result<()> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(Durability::Immediate)?;
        txn.commit()?;
        Ok(())
    }
}

fn begin_batch(db: &Database) -> Result<WriteTransaction> {
    let mut txn = db.begin_write()?;
    txn.set_durability(Durability::None)?;
    Ok(txn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_definition_is_backed_up() {
        let source = include_str!("tables.rs");
        let defined: Vec<&str> = source
            .split("TableDefinition::new(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(defined.len() >= 17, "found {defined:?}");
        let backed_up = backed_up_tables();
        for name in &defined {
            assert!(
                backed_up.iter().any(|b| b == name),
                "table {name} is defined in store/tables.rs but not in dump::visit_tables"
            );
        }
        assert_eq!(
            backed_up.len(),
            defined.len(),
            "{backed_up:?} vs {defined:?}"
        );
    }

    fn round_trip<K: Column, V: Cell>(
        k: K::SelfType<'_>,
        v: V::SelfType<'_>,
        expected: &str,
    ) -> (K::Owned, V::Owned) {
        let mut line = Vec::new();
        write_line::<K, V>(k, v, &mut line).unwrap();
        assert_eq!(String::from_utf8(line.clone()).unwrap(), expected);
        read_line::<K, V>(std::str::from_utf8(&line).unwrap()).unwrap()
    }

    #[test]
    fn records_stay_readable_json_and_other_bytes_are_hex() {
        let check = |bytes: &[u8], expected: &str| {
            let (k, v) = round_trip::<&str, &[u8]>("key", bytes, expected);
            assert_eq!((k.as_str(), v.as_slice()), ("key", bytes));
        };
        check(
            br#"{"a":1,"b":"x\ny"}"#,
            "{\"k\":\"key\",\"v\":{\"a\":1,\"b\":\"x\\ny\"}}\n",
        );
        check(
            &1u32.to_le_bytes(),
            "{\"k\":\"key\",\"hex\":\"01000000\"}\n",
        );
        check(b" {\"a\":1}", "{\"k\":\"key\",\"v\": {\"a\":1}}\n");
        check(
            b"{\"a\":\n1}",
            "{\"k\":\"key\",\"hex\":\"7b2261223a0a317d\"}\n",
        );
        check(b"", "{\"k\":\"key\",\"hex\":\"\"}\n");
    }

    #[test]
    fn tuple_keys_are_json_arrays() {
        let (k, ()) =
            round_trip::<(&str, u64), ()>(("ab", 3), (), "{\"k\":[\"ab\",3],\"v\":null}\n");
        assert_eq!(k, ("ab".to_string(), 3));
        let (k, v) = round_trip::<(u64, i64, u64), u8>((1, -5, 7), 1, "{\"k\":[1,-5,7],\"v\":1}\n");
        assert_eq!((k, v), ((1, -5, 7), 1));
        assert!(read_line::<u64, u64>("{\"k\":1,\"v\":}").is_err());
        assert!(read_line::<u64, u64>("{\"k\":1}").is_err());
        assert!(read_line::<u64, u64>("[1,2]").is_err());
    }
}
