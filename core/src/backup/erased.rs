//! Erasures across the backup rotation: a restore must not bring an erased customer back.
//!
//! Every backup carries the store's `erased` table (ids and times only). Next to the backups,
//! every run also keeps [`SIDE_FILE`] current: the union of what it found there and the card
//! file's list, so the list survives even when the newer backups are thinned, deleted or lost.
//! A restore gathers what it knows at that moment ([`known_for`]): the backup's own list, the
//! side file in its folder and the lists in the other backups of that folder (read from their
//! `tables/erased` part, seeking over everything else), and applies them to the restored card
//! file before it is moved into place (`crate::store::Store::apply_erasures`).

use super::format;
use super::write::sync_dir;
use crate::error::Result;
use crate::model::CustomerId;
use crate::store::Erasure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// The list of erased customers beside the backups of a folder.
pub const SIDE_FILE: &str = "kartei-erased-ids.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct SideFile {
    /// Customer id → erasure.
    erased: BTreeMap<u64, Erasure>,
}

/// Erasures by customer id; the first erasure of an id counts.
pub(crate) type Known = BTreeMap<u64, Erasure>;

fn add(known: &mut Known, id: u64, erasure: Erasure) {
    known
        .entry(id)
        .and_modify(|e| {
            if erasure.at < e.at {
                *e = erasure;
            }
        })
        .or_insert(erasure);
}

/// Writes the side file in `dir`: what it held plus `erasures` (temporary name, fsync, rename).
pub(crate) fn update_side_file(dir: &Path, erasures: &[(CustomerId, Erasure)]) -> Result<()> {
    let mut known = read_side_file(dir);
    for (id, e) in erasures {
        add(&mut known, id.0, *e);
    }
    let temp = dir.join(format!(".{SIDE_FILE}.partial"));
    let result = (|| -> Result<()> {
        let mut file = File::create(&temp)?;
        serde_json::to_writer_pretty(&mut file, &SideFile { erased: known })?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&temp, dir.join(SIDE_FILE))?;
        sync_dir(dir)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The side file's erasures; a missing or unreadable one is empty (the backups' own lists
/// still count).
fn read_side_file(dir: &Path) -> Known {
    let Ok(bytes) = fs::read(dir.join(SIDE_FILE)) else {
        return Known::new();
    };
    match serde_json::from_slice::<SideFile>(&bytes) {
        Ok(side) => side.erased,
        Err(e) => {
            log::warn!("{SIDE_FILE} in {} unreadable: {e}", dir.display());
            Known::new()
        }
    }
}

/// Everything known to be erased when `file` is restored: its own list, the side file beside
/// it and the lists of the other backups in its folder.
pub(crate) fn known_for(file: &Path) -> Result<Known> {
    let mut known = Known::new();
    let own = table_lines(file, "erased")?;
    for (id, e) in own {
        add(&mut known, id, e);
    }
    let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(known);
    };
    for (id, e) in read_side_file(dir) {
        add(&mut known, id, e);
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(known);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if format::time_of_file(&name).is_none() || same_file(&path, file) {
            continue;
        }
        // A damaged or foreign file beside the backup does not stop the restore of this one.
        match table_lines(&path, "erased") {
            Ok(list) => list.into_iter().for_each(|(id, e)| add(&mut known, id, e)),
            Err(e) => log::warn!("erased list of {} unreadable: {e}", path.display()),
        }
    }
    Ok(known)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The `(key, value)` rows of table `erased` in a backup file, found by seeking over the other
/// parts (cheap even for a backup of many photos). A backup without the part (older Kartei) has
/// none.
fn table_lines(file: &Path, table: &str) -> Result<Vec<(u64, Erasure)>> {
    #[derive(Deserialize)]
    struct Line {
        k: u64,
        v: Erasure,
    }
    let mut out = Vec::new();
    let wanted = format::table_part(table);
    let mut archive = tar::Archive::new(File::open(file)?);
    for entry in archive.entries_with_seek()? {
        let entry = entry?;
        let path = entry.path_bytes();
        if path.starts_with(format::PHOTOS_PREFIX.as_bytes()) {
            // The tables come before the photos: this backup has no such part.
            break;
        }
        if path.as_ref() != wanted.as_bytes() {
            continue;
        }
        drop(path);
        let lines = BufReader::new(zstd::Decoder::new(entry)?);
        for line in lines.lines() {
            let line: Line = serde_json::from_str(&line?)?;
            out.push((line.k, line.v));
        }
        break;
    }
    Ok(out)
}

/// For a dry run: how many cards a restore of `file` would erase and how many it would
/// anonymise, of the erasures `known` (a card of that id is in the backup and was created
/// before the erasure; an anonymised one only if not anonymised in the backup already).
pub(crate) fn would_leave_out(file: &Path, known: &Known) -> Result<(u64, u64)> {
    #[derive(Deserialize)]
    struct Card {
        created_at: chrono::DateTime<chrono::Utc>,
        #[serde(default)]
        anonymised: bool,
    }
    #[derive(Deserialize)]
    struct Line {
        k: u64,
        v: Card,
    }
    let wanted = format::table_part("customers");
    let mut archive = tar::Archive::new(File::open(file)?);
    let (mut erased, mut anonymised) = (0, 0);
    for entry in archive.entries_with_seek()? {
        let entry = entry?;
        if entry.path_bytes().as_ref() != wanted.as_bytes() {
            continue;
        }
        let lines = BufReader::new(zstd::Decoder::new(entry)?);
        for line in lines.lines() {
            let line: Line = serde_json::from_str(&line?)?;
            if let Some(e) = known.get(&line.k) {
                if line.v.created_at > e.at {
                    continue;
                }
                if !e.anonymised {
                    erased += 1;
                } else if !line.v.anonymised {
                    anonymised += 1;
                }
            }
        }
        break;
    }
    Ok((erased, anonymised))
}
