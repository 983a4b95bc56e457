//! The photo files under `<data>/photos/`: `<hash>.jpg` (full) and `<hash>.thumb.jpg`, named by
//! the SHA-256 of the uploaded bytes, so the same picture uploaded twice is one pair of files.
//!
//! Writes are atomic and durable: each file is written to a temporary name, fsynced, renamed into
//! place and the folder fsynced. A crash leaves at worst temporary files or complete files that
//! no row refers to; [`PhotoFiles::clean_orphans`] removes both at start-up. Which files are
//! still referenced is the store's business (its `photos_by_hash` table); this module only
//! handles files.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The folder of the photo files inside the data folder.
pub const PHOTOS_DIR: &str = "photos";
const TEMP_PREFIX: &str = ".tmp-";
const FULL_SUFFIX: &str = ".jpg";
const THUMB_SUFFIX: &str = ".thumb.jpg";

/// Which of the two files of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Full,
    Thumb,
}

pub struct PhotoFiles {
    dir: PathBuf,
    /// Makes temporary names unique within the process (several uploads of the same picture).
    counter: AtomicU64,
}

impl PhotoFiles {
    /// The photo folder of a data folder, created if missing.
    pub fn open(data_dir: &Path) -> io::Result<PhotoFiles> {
        let dir = data_dir.join(PHOTOS_DIR);
        fs::create_dir_all(&dir)?;
        Ok(PhotoFiles {
            dir,
            counter: AtomicU64::new(0),
        })
    }

    pub fn path(&self, hash: &str, variant: Variant) -> PathBuf {
        let suffix = match variant {
            Variant::Full => FULL_SUFFIX,
            Variant::Thumb => THUMB_SUFFIX,
        };
        self.dir.join(format!("{hash}{suffix}"))
    }

    pub fn read(&self, hash: &str, variant: Variant) -> io::Result<Vec<u8>> {
        fs::read(self.path(hash, variant))
    }

    /// Writes both files under temporary names and fsyncs them: the slow part, done before the
    /// save lock is taken. Nothing is visible under the final names until [`Staged::publish`].
    pub fn stage(&self, hash: &str, full: &[u8], thumb: &[u8]) -> io::Result<Staged<'_>> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let mut staged = Staged {
            files: self,
            hash: hash.to_string(),
            temps: Vec::with_capacity(2),
        };
        for (variant, bytes) in [(Variant::Full, full), (Variant::Thumb, thumb)] {
            let tag = if variant == Variant::Full { "f" } else { "t" };
            let temp = self
                .dir
                .join(format!("{TEMP_PREFIX}{hash}-{pid}-{n}-{tag}"));
            // Pushed first, so that a failed write is cleaned up by `Drop` too.
            staged.temps.push((variant, temp.clone()));
            let mut file = File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        Ok(staged)
    }

    /// Removes both files of a content hash (no longer referenced by any photo).
    pub fn remove(&self, hash: &str) -> io::Result<()> {
        for variant in [Variant::Full, Variant::Thumb] {
            match fs::remove_file(self.path(hash, variant)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        sync_dir(&self.dir)
    }

    /// Removes temporary files and files whose hash is not in `referenced`. Call only while no
    /// upload is under way (at start-up). Returns how many files were removed.
    pub fn clean_orphans(&self, referenced: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let keep = match hash_of(&name) {
                Some(hash) => referenced.contains(hash),
                None => !name.starts_with(TEMP_PREFIX),
            };
            if !keep {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            sync_dir(&self.dir)?;
        }
        Ok(removed)
    }
}

/// The content hash in a photo file's name (`<hash>.jpg`, `<hash>.thumb.jpg`).
fn hash_of(name: &str) -> Option<&str> {
    let stem = name
        .strip_suffix(THUMB_SUFFIX)
        .or_else(|| name.strip_suffix(FULL_SUFFIX))?;
    (stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

/// Two fsynced temporary files waiting to be published; removed again if dropped unpublished.
pub struct Staged<'a> {
    files: &'a PhotoFiles,
    hash: String,
    temps: Vec<(Variant, PathBuf)>,
}

impl Staged<'_> {
    /// Renames the files into place and fsyncs the folder. If the content is already stored
    /// (an earlier upload of the same picture), the existing files stay and the copies go.
    /// Call under the save lock, so that no concurrent delete removes what a new row refers to.
    pub fn publish(mut self) -> io::Result<()> {
        for (variant, temp) in std::mem::take(&mut self.temps) {
            let target = self.files.path(&self.hash, variant);
            if target.exists() {
                fs::remove_file(&temp)?;
            } else {
                fs::rename(&temp, &target)?;
            }
        }
        sync_dir(&self.files.dir)
    }
}

impl Drop for Staged<'_> {
    fn drop(&mut self) {
        for (_, temp) in &self.temps {
            let _ = fs::remove_file(temp);
        }
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_photo_file_names_carry_a_hash() {
        let h = "a".repeat(64);
        assert_eq!(hash_of(&format!("{h}.jpg")), Some(h.as_str()));
        assert_eq!(hash_of(&format!("{h}.thumb.jpg")), Some(h.as_str()));
        assert_eq!(hash_of(&format!("{TEMP_PREFIX}{h}-1-2-f")), None);
        assert_eq!(hash_of("notes.txt"), None);
        assert_eq!(hash_of("zz.jpg"), None);
    }

    #[test]
    fn staged_files_appear_only_when_published() {
        let dir = tempfile::tempdir().unwrap();
        let files = PhotoFiles::open(dir.path()).unwrap();
        let h = "b".repeat(64);
        let staged = files.stage(&h, b"full", b"thumb").unwrap();
        assert!(!files.path(&h, Variant::Full).exists());
        drop(staged);
        assert_eq!(
            fs::read_dir(&files.dir).unwrap().count(),
            0,
            "temp files removed"
        );
        files
            .stage(&h, b"full", b"thumb")
            .unwrap()
            .publish()
            .unwrap();
        assert_eq!(files.read(&h, Variant::Full).unwrap(), b"full");
        assert_eq!(files.read(&h, Variant::Thumb).unwrap(), b"thumb");
        // The same content again: the stored files stay, no temporary file is left.
        files
            .stage(&h, b"full", b"thumb")
            .unwrap()
            .publish()
            .unwrap();
        assert_eq!(fs::read_dir(&files.dir).unwrap().count(), 2);
    }
}
