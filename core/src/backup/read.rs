//! Reading a backup file part by part: the header is checked first, every part is hashed while
//! it is read (and, for a restore, written into a staging folder), and at the end the hashes and
//! counts are compared with the manifest. Any difference names the part.

use super::format::{self, Header, Manifest, Part};
use super::hashing::HashingReader;
use crate::error::{CoreError, Result};
use crate::i18n::{BackupMsg, Msg};
use crate::store::Loader;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where a restore puts what it reads; a dry run has none.
pub(super) struct Staging {
    pub loader: Loader,
    /// Where photo files go; `None` only hashes them (a verification after a backup).
    pub photo_dir: Option<PathBuf>,
}

fn damaged(part: &str) -> CoreError {
    CoreError::Forbidden(Msg::Backup(BackupMsg::Damaged { part: part.into() }))
}

fn not_a_backup() -> CoreError {
    CoreError::Forbidden(Msg::Backup(BackupMsg::NotABackup))
}

fn open(file: &Path) -> Result<tar::Archive<BufReader<File>>> {
    let f = File::open(file).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => CoreError::Forbidden(Msg::Backup(BackupMsg::FileMissing {
            file: file.display().to_string(),
        })),
        _ => CoreError::Io(e),
    })?;
    Ok(tar::Archive::new(BufReader::with_capacity(1 << 20, f)))
}

/// The header of a backup file, checked to be one this program can restore.
pub fn read_header(file: &Path) -> Result<Header> {
    let mut archive = open(file)?;
    let mut entries = archive.entries().map_err(|_| not_a_backup())?;
    let first = entries
        .next()
        .ok_or_else(not_a_backup)?
        .map_err(|_| not_a_backup())?;
    header_from(first)
}

fn header_from(entry: tar::Entry<'_, impl Read>) -> Result<Header> {
    if entry.path_bytes().as_ref() != format::HEADER_PART.as_bytes() {
        return Err(not_a_backup());
    }
    let header: Header = read_json(entry).map_err(|_| not_a_backup())?;
    header.check_supported()?;
    Ok(header)
}

fn read_json<T: serde::de::DeserializeOwned>(entry: impl Read) -> io::Result<T> {
    let mut bytes = Vec::new();
    entry
        .take(format::MAX_JSON_PART + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > format::MAX_JSON_PART {
        return Err(io::Error::other("too large"));
    }
    serde_json::from_slice(&bytes).map_err(io::Error::other)
}

/// Reads the whole backup, verifying every part; with `staging`, also writes the tables and
/// photo files there. Returns the manifest once everything matched.
pub(super) fn read_all(file: &Path, mut staging: Option<&mut Staging>) -> Result<Manifest> {
    let mut archive = open(file)?;
    let mut entries = archive.entries().map_err(|_| not_a_backup())?;
    let header = match entries.next() {
        Some(Ok(first)) => header_from(first)?,
        _ => return Err(not_a_backup()),
    };
    let known_tables = crate::store::backed_up_tables();
    let mut seen: Vec<Part> = Vec::new();
    let mut rows: BTreeMap<String, u64> = BTreeMap::new();
    let mut photo_files = 0u64;
    let mut manifest: Option<Manifest> = None;
    for entry in entries {
        let Ok(entry) = entry else {
            // A header that cannot be read: the file is cut off or overwritten here.
            let after = seen.last().map_or(format::HEADER_PART, |p| p.path.as_str());
            return Err(damaged(after));
        };
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if manifest.is_some() || seen.iter().any(|p| p.path == path) {
            return Err(damaged(&path));
        }
        if path == format::MANIFEST_PART {
            manifest = Some(read_json(entry).map_err(|_| damaged(&path))?);
            continue;
        }
        let size = entry.size();
        let mut hashing = HashingReader::new(entry);
        if let Some(table) = format::table_of(&path) {
            if !known_tables.iter().any(|t| t == table) {
                return Err(damaged(&path));
            }
            let loaded = {
                let decoder = zstd::Decoder::new(&mut hashing).map_err(|_| damaged(&path))?;
                let mut lines = BufReader::with_capacity(256 * 1024, decoder);
                Loader::load_table(staging.as_deref().map(|s| &s.loader), table, &mut lines)?
            };
            let n = loaded.map_err(|reason| {
                log::warn!("backup part {path} unreadable: {reason}");
                damaged(&path)
            })?;
            rows.insert(table.to_string(), n);
        } else if let Some(name) = format::photo_of(&path) {
            let copied = match staging.as_deref_mut().and_then(|s| s.photo_dir.as_ref()) {
                Some(dir) => {
                    let mut out = File::create_new(dir.join(name))?;
                    io::copy(&mut hashing, &mut out)
                }
                None => io::copy(&mut hashing, &mut io::sink()),
            }
            .map_err(|_| damaged(&path))?;
            if copied != size {
                return Err(damaged(&path));
            }
            photo_files += 1;
        } else {
            return Err(damaged(&path));
        }
        let (bytes, sha256) = hashing.finish().map_err(|_| damaged(&path))?;
        seen.push(Part {
            path,
            bytes,
            sha256,
        });
    }
    let manifest = manifest.ok_or(CoreError::Forbidden(Msg::Backup(BackupMsg::Incomplete)))?;
    if manifest.header != header {
        return Err(damaged(format::MANIFEST_PART));
    }
    for expected in &manifest.parts {
        match seen.iter().find(|p| p.path == expected.path) {
            Some(found) if found == expected => {}
            _ => return Err(damaged(&expected.path)),
        }
    }
    if let Some(extra) = seen.iter().find(|p| !manifest.parts.contains(p)) {
        return Err(damaged(&extra.path));
    }
    if manifest.tables != rows || manifest.photo_files != photo_files {
        return Err(damaged(format::MANIFEST_PART));
    }
    Ok(manifest)
}
