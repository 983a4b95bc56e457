//! Restoring a backup into a data folder that has no card file yet: everything is written into
//! a staging folder first and moved into place only after every part matched the manifest, so a
//! damaged, cut-off or too-new backup leaves the folder exactly as it was. Opening the restored
//! card file migrates an older schema and rebuilds the search index.
//!
//! Erasures known at restore time ([`super::erased::known_for`]: the backup's own list, the side
//! file and the other backups of its folder) are applied to the staged card file before it is
//! moved into place, so an older backup comes back without the customers erased since.

use super::erased;
use super::format::Manifest;
use super::read::{self, Staging};
use super::write::sync_dir;
use crate::error::{CoreError, Result};
use crate::i18n::{BackupMsg, Msg, Word};
use crate::kartei::{INDEX_DIR, STORE_FILE};
use crate::model::CustomerId;
use crate::photos::files::PhotoFiles;
use crate::photos::files::PHOTOS_DIR;
use crate::store::{Loader, Store};
use crate::Kartei;
use std::fs;
use std::path::Path;

/// The staging folder inside the data folder (same file system, so moving is a rename).
const STAGING_DIR: &str = ".restore-partial";

/// What a restore found (and, unless it was a dry run, wrote).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub dry_run: bool,
    /// Customers in the restored card file (searchable: the index was rebuilt).
    pub customers: u64,
    /// Customers in the backup that were erased (or anonymised) after it was taken and were
    /// left out (erased, or anonymised again); a dry run counts those it would leave out.
    pub erased_left_out: u64,
}

/// Checks the backup `file` completely and, unless `dry_run`, restores it into `data_dir`.
pub fn restore(file: &Path, data_dir: &Path, dry_run: bool) -> Result<RestoreReport> {
    // Before anything is created: the header (a newer Kartei is refused at once) and the target.
    read::read_header(file)?;
    ensure_no_card_file(data_dir)?;
    if dry_run {
        let manifest = read::read_all(file, None)?;
        let known = erased::known_for(file)?;
        let (erased, anonymised) = erased::would_leave_out(file, &known)?;
        let customers = manifest.tables.get("customers").copied().unwrap_or(0);
        return Ok(RestoreReport {
            manifest,
            dry_run,
            customers: customers.saturating_sub(erased),
            erased_left_out: erased + anonymised,
        });
    }
    let created_data_dir = !data_dir.exists();
    let staging = data_dir.join(STAGING_DIR);
    let result = restore_via(file, data_dir, &staging);
    let _ = fs::remove_dir_all(&staging);
    let (manifest, erased_left_out) = match result {
        Ok(m) => m,
        Err(e) => {
            if created_data_dir {
                let _ = fs::remove_dir(data_dir);
            }
            return Err(e);
        }
    };
    let (kartei, report) = Kartei::open(data_dir)?;
    kartei.flush_index()?;
    Ok(RestoreReport {
        manifest,
        dry_run,
        customers: report.customers as u64,
        erased_left_out,
    })
}

/// Reads a backup back completely and restores its tables into a fresh store in `scratch` (a
/// folder that must not exist; removed afterwards), hashing the photo files without writing
/// them: what an automatic backup does before it counts as good.
pub fn verify(file: &Path, scratch: &Path) -> Result<Manifest> {
    let _ = fs::remove_dir_all(scratch);
    fs::create_dir_all(scratch)?;
    let result = (|| {
        read::read_header(file)?;
        let mut target = Staging {
            loader: Loader::create(&scratch.join(STORE_FILE))?,
            photo_dir: None,
        };
        let manifest = read::read_all(file, Some(&mut target))?;
        target.loader.finish()?;
        Ok(manifest)
    })();
    let _ = fs::remove_dir_all(scratch);
    result
}

fn restore_via(file: &Path, data_dir: &Path, staging: &Path) -> Result<(Manifest, u64)> {
    let _ = fs::remove_dir_all(staging);
    let photo_dir = staging.join(PHOTOS_DIR);
    fs::create_dir_all(&photo_dir).map_err(|e| CoreError::DataDir {
        dir: data_dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut target = Staging {
        loader: Loader::create(&staging.join(STORE_FILE))?,
        photo_dir: Some(photo_dir),
    };
    let manifest = read::read_all(file, Some(&mut target))?;
    target.loader.finish()?;
    let left_out = leave_out_erased(file, staging)?;
    // One flush for all photo files instead of one fsync each.
    sync_file_system(staging)?;
    fs::rename(staging.join(STORE_FILE), data_dir.join(STORE_FILE))?;
    fs::rename(staging.join(PHOTOS_DIR), data_dir.join(PHOTOS_DIR))?;
    sync_dir(data_dir)?;
    Ok((manifest, left_out))
}

/// Applies every erasure known now to the staged card file: the cards, their rows and photo
/// files go (or are anonymised again), the list is completed, and the file is compacted so the
/// freed pages hold nothing of them. Returns how many customers were left out.
fn leave_out_erased(file: &Path, staging: &Path) -> Result<u64> {
    let known: Vec<_> = erased::known_for(file)?
        .into_iter()
        .map(|(id, e)| (CustomerId(id), e))
        .collect();
    if known.is_empty() {
        return Ok(0);
    }
    let store = Store::open(&staging.join(STORE_FILE))?;
    let anonymised = Word::Anonymised.text(store.settings()?.lang);
    let (left_out, freed) = store.apply_erasures(&known, anonymised)?;
    let photos = PhotoFiles::open(staging)?;
    for hash in &freed {
        photos.remove(hash)?;
    }
    if !left_out.is_empty() {
        // Nobody else has the staged file open: the compaction does not wait.
        store.compact(std::time::Duration::ZERO)?;
    }
    Ok(left_out.len() as u64)
}

/// Restore never overwrites: the folder must not hold a store, an index or photos.
fn ensure_no_card_file(data_dir: &Path) -> Result<()> {
    let occupied = [STORE_FILE, INDEX_DIR, PHOTOS_DIR]
        .iter()
        .any(|name| data_dir.join(name).exists());
    if occupied || (data_dir.exists() && !data_dir.is_dir()) {
        return Err(CoreError::Forbidden(Msg::Backup(
            BackupMsg::TargetNotEmpty {
                dir: data_dir.display().to_string(),
            },
        )));
    }
    Ok(())
}

fn sync_file_system(dir: &Path) -> Result<()> {
    let handle = fs::File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `handle` keeps open for the call.
    let rc = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&handle)) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(())
}
