//! Taking a backup inside the running process: one read snapshot of the store, the photo files
//! it refers to, written under a temporary name, fsynced and renamed, so a pulled stick or a
//! full disk never leaves a half backup under a real name and never touches older backups.
//! Every backup also brings the folder's list of erased customers up to date
//! ([`super::erased::SIDE_FILE`]).

use super::format::{self, Header, Manifest, Part};
use super::hashing::HashingWriter;
use crate::error::{CoreError, Result};
use crate::i18n::Msg;
use crate::photos::files::PHOTOS_DIR;
use crate::Kartei;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// zstd level for the table parts: fast, and JSON lines shrink about tenfold.
const ZSTD_LEVEL: i32 = 3;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    pub manifest: Manifest,
    /// Photo files a row refers to but that were missing on disk (deleted meanwhile, or lost).
    pub missing_photo_files: Vec<String>,
}

/// Writes a backup of `kartei` into the folder `out_dir` (created if missing) as
/// `kartei-backup-YYYYMMDD-HHMMSS.tar`.
pub fn create(kartei: &Kartei, out_dir: &Path) -> Result<BackupSummary> {
    fs::create_dir_all(out_dir).map_err(space_or_io)?;
    let created_at = kartei.now();
    let name = free_name(out_dir, &format::file_name(created_at));
    let target = out_dir.join(&name);
    let temp = out_dir.join(format!(".{name}.partial"));
    let result = write_to(kartei, &temp, created_at).and_then(|(manifest, missing)| {
        // The folder's list of erased customers first: a backup that counts always has it
        // beside it, even once the newer backups are gone.
        super::erased::update_side_file(out_dir, &kartei.store().erasures()?)?;
        fs::rename(&temp, &target)?;
        sync_dir(out_dir)?;
        Ok((manifest, missing))
    });
    match result {
        Ok((manifest, missing_photo_files)) => Ok(BackupSummary {
            bytes: fs::metadata(&target).map(|m| m.len()).unwrap_or(0),
            path: target,
            manifest,
            missing_photo_files,
        }),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(match e {
                CoreError::Io(io) => space_or_io(io),
                other => other,
            })
        }
    }
}

fn write_to(
    kartei: &Kartei,
    temp: &Path,
    created_at: chrono::DateTime<chrono::Utc>,
) -> Result<(Manifest, Vec<String>)> {
    let snapshot = kartei.store().snapshot()?;
    let unknown = snapshot.unknown_tables()?;
    if !unknown.is_empty() {
        // A table the backup does not know would be silently lost: refuse instead.
        return Err(CoreError::Store(format!(
            "tables missing from the backup list: {unknown:?}"
        )));
    }
    let header = Header::now(created_at);
    let mut archive = tar::Builder::new(BufWriter::with_capacity(1 << 20, File::create_new(temp)?));
    let mtime = created_at.timestamp().max(0) as u64;
    append_json(&mut archive, format::HEADER_PART, &header, mtime)?;

    let mut parts = Vec::new();
    let mut tables = BTreeMap::new();
    for table in crate::store::backed_up_tables() {
        let path = format::table_part(&table);
        let mut rows = 0;
        let part = append_streamed(&mut archive, &path, mtime, |out| {
            let mut encoder = zstd::Encoder::new(out, ZSTD_LEVEL)?;
            encoder.include_checksum(true)?;
            let mut buffered = BufWriter::with_capacity(256 * 1024, encoder);
            rows = snapshot.dump_table(&table, &mut buffered)?;
            let encoder = buffered.into_inner().map_err(|e| e.into_error())?;
            encoder.finish()?;
            Ok(())
        })?;
        parts.push(part);
        tables.insert(table, rows);
    }

    let photo_dir = kartei.data_dir().join(PHOTOS_DIR);
    let mut photo_files = 0;
    let mut missing = Vec::new();
    for hash in snapshot.photo_hashes()? {
        if !format::is_content_hash(&hash) {
            missing.push(hash);
            continue;
        }
        for name in [format!("{hash}.jpg"), format!("{hash}.thumb.jpg")] {
            let mut file = match File::open(photo_dir.join(&name)) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    missing.push(name);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let path = format!("{}{name}", format::PHOTOS_PREFIX);
            parts.push(append_streamed(&mut archive, &path, mtime, |out| {
                io::copy(&mut file, out)?;
                Ok(())
            })?);
            photo_files += 1;
        }
    }
    drop(snapshot);

    let manifest = Manifest {
        header,
        tables,
        photo_files,
        parts,
    };
    append_json(&mut archive, format::MANIFEST_PART, &manifest, mtime)?;
    let file = archive
        .into_inner()?
        .into_inner()
        .map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok((manifest, missing))
}

/// Appends one part whose size is known only once written (tar's seek-back header).
fn append_streamed(
    archive: &mut tar::Builder<BufWriter<File>>,
    path: &str,
    mtime: u64,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Part> {
    let mut header = part_header(mtime);
    let entry = archive.append_writer(&mut header, path)?;
    let mut hashing = HashingWriter::new(entry);
    write(&mut hashing)?;
    let (entry, bytes, sha256) = hashing.finish();
    entry.finish()?;
    Ok(Part {
        path: path.to_string(),
        bytes,
        sha256,
    })
}

fn append_json(
    archive: &mut tar::Builder<BufWriter<File>>,
    path: &str,
    value: &impl serde::Serialize,
    mtime: u64,
) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value)?;
    let mut header = part_header(mtime);
    header.set_size(bytes.len() as u64);
    archive.append_data(&mut header, path, bytes.as_slice())?;
    Ok(())
}

fn part_header(mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header
}

/// `name`, or `name` with `-2`, `-3` … before `.tar` if a backup of that name exists.
fn free_name(dir: &Path, name: &str) -> String {
    let stem = name.trim_end_matches(format::FILE_SUFFIX);
    let mut candidate = name.to_string();
    let mut n = 2;
    while dir.join(&candidate).exists() {
        candidate = format!("{stem}-{n}{}", format::FILE_SUFFIX);
        n += 1;
    }
    candidate
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A full disk or stick says so in words; other I/O errors stay I/O errors.
fn space_or_io(e: io::Error) -> CoreError {
    if e.kind() == io::ErrorKind::StorageFull || e.raw_os_error() == Some(libc::ENOSPC) {
        CoreError::Forbidden(Msg::NotEnoughSpace)
    } else {
        CoreError::Io(e)
    }
}
