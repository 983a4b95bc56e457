//! The backup file: a plain tar archive, readable with any `tar`, in this order:
//!
//! 1. `kartei-backup.json`, the [`Header`]: format, Kartei and schema versions. First, so a
//!    restore refuses a newer backup before it reads anything else.
//! 2. `tables/<table>.jsonl.zst`: each store table as JSON lines (`crate::store::dump`),
//!    zstd-compressed with a frame checksum.
//! 3. `photos/<hash>.jpg` and `photos/<hash>.thumb.jpg`: the photo files by content hash, stored
//!    as they are (so restic and similar tools can deduplicate them across backups).
//! 4. `manifest.json`, the [`Manifest`]: counts and the SHA-256 of every part. Last, because it
//!    is computed while the parts are written; a backup without it is cut off.

use crate::i18n::{BackupMsg, Msg};
use crate::CoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of this layout. A reader refuses a higher one.
pub const FORMAT_VERSION: u32 = 1;
pub const HEADER_PART: &str = "kartei-backup.json";
pub const MANIFEST_PART: &str = "manifest.json";
pub const TABLES_PREFIX: &str = "tables/";
pub const TABLE_SUFFIX: &str = ".jsonl.zst";
pub const PHOTOS_PREFIX: &str = "photos/";
/// Backup files are called `kartei-backup-YYYYMMDD-HHMMSS.tar`.
pub const FILE_PREFIX: &str = "kartei-backup-";
pub const FILE_SUFFIX: &str = ".tar";
/// The header and the manifest are small; anything bigger is not a Kartei backup.
pub const MAX_JSON_PART: u64 = 16 * 1024 * 1024;

/// The Kartei version writing backups.
pub const KARTEI_VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub kartei_version: String,
    pub schema_version: u32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub header: Header,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
    /// How many photo files (full pictures and thumbnails).
    pub photo_files: u64,
    /// Every part but the manifest itself, in archive order.
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub path: String,
    pub bytes: u64,
    /// SHA-256 of the part's bytes as stored in the archive, lowercase hex.
    pub sha256: String,
}

impl Header {
    pub fn now(created_at: DateTime<Utc>) -> Header {
        Header {
            format: FORMAT_VERSION,
            kartei_version: KARTEI_VERSION.to_string(),
            schema_version: crate::store::SCHEMA_VERSION,
            created_at,
        }
    }

    /// Refuses a backup this program cannot restore faithfully.
    pub fn check_supported(&self) -> crate::Result<()> {
        let newer_program = parse_version(&self.kartei_version) > parse_version(KARTEI_VERSION);
        if self.format > FORMAT_VERSION
            || self.schema_version > crate::store::SCHEMA_VERSION
            || newer_program
        {
            return Err(CoreError::Forbidden(Msg::Backup(BackupMsg::TooNew {
                version: self.kartei_version.clone(),
                schema: self.schema_version,
                ours: KARTEI_VERSION.to_string(),
            })));
        }
        Ok(())
    }
}

/// `"1.12.3"` → `[1, 12, 3]`; parts that are not numbers count as 0.
fn parse_version(v: &str) -> Vec<u64> {
    v.split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect()
}

pub fn table_part(table: &str) -> String {
    format!("{TABLES_PREFIX}{table}{TABLE_SUFFIX}")
}

/// The table a part path names, if it is a table part.
pub fn table_of(part: &str) -> Option<&str> {
    part.strip_prefix(TABLES_PREFIX)?.strip_suffix(TABLE_SUFFIX)
}

/// The file name of a photo part, if the path is one and the name is safe: 64 hex digits and
/// `.jpg` or `.thumb.jpg`, nothing that could lead out of the photo folder.
pub fn photo_of(part: &str) -> Option<&str> {
    let name = part.strip_prefix(PHOTOS_PREFIX)?;
    let hash = name
        .strip_suffix(".thumb.jpg")
        .or_else(|| name.strip_suffix(".jpg"))?;
    is_content_hash(hash).then_some(name)
}

pub fn is_content_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `kartei-backup-20261202-183842.tar`.
pub fn file_name(at: DateTime<Utc>) -> String {
    format!("{FILE_PREFIX}{}{FILE_SUFFIX}", at.format("%Y%m%d-%H%M%S"))
}

/// When a backup file of this name was taken (for retention), if it is one.
pub fn time_of_file(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.strip_prefix(FILE_PREFIX)?.strip_suffix(FILE_SUFFIX)?;
    // Two backups in one second get a `-2` suffix.
    let stamp = stamp.get(..15)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_versions_are_refused() {
        let check = |kartei: &str, schema: u32, format: u32, ok: bool| {
            let h = Header {
                format,
                kartei_version: kartei.into(),
                schema_version: schema,
                created_at: Utc::now(),
            };
            assert_eq!(
                h.check_supported().is_ok(),
                ok,
                "{kartei} {schema} {format}"
            );
        };
        let schema = crate::store::SCHEMA_VERSION;
        check(KARTEI_VERSION, schema, FORMAT_VERSION, true);
        check("0.0.1", schema, FORMAT_VERSION, true);
        check("99.0.0", schema, FORMAT_VERSION, false);
        check(KARTEI_VERSION, schema + 1, FORMAT_VERSION, false);
        check(KARTEI_VERSION, schema, FORMAT_VERSION + 1, false);
    }

    #[test]
    fn only_safe_photo_names_are_accepted() {
        let hash = "a".repeat(64);
        assert_eq!(
            photo_of(&format!("photos/{hash}.jpg")),
            Some(format!("{hash}.jpg").as_str())
        );
        assert!(photo_of(&format!("photos/{hash}.thumb.jpg")).is_some());
        assert!(photo_of("photos/../../etc/passwd.jpg").is_none());
        assert!(photo_of(&format!("photos/{}.jpg", "A".repeat(64))).is_none());
        assert!(photo_of(&format!("photos/x/{hash}.jpg")).is_none());
        assert!(photo_of(&format!("other/{hash}.jpg")).is_none());
    }

    #[test]
    fn file_names_carry_the_time() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-02T18:38:42Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(file_name(at), "kartei-backup-20261202-183842.tar");
        assert_eq!(time_of_file(&file_name(at)), Some(at));
        assert_eq!(
            time_of_file("kartei-backup-20261202-183842-2.tar"),
            Some(at)
        );
        assert_eq!(time_of_file("notes.tar"), None);
        assert_eq!(table_of("tables/customers.jsonl.zst"), Some("customers"));
    }
}
