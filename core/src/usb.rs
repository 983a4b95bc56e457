//! USB sticks at the appliance: finding mounted sticks and writing the export onto one so that a
//! pulled stick never holds a half file under the real name.
//!
//! Sticks are the mounted file systems under the mount roots (`/media` and `/run/media` by
//! default, where udisks and usbmount put them) that are not virtual file systems. Writing goes
//! through a hidden temporary file in the target folder, `fsync`, `rename` and an `fsync` of the
//! folder. A full stick is reported as [`Msg::NotEnoughSpace`] and leaves nothing behind.

use crate::error::{CoreError, Result};
use crate::export::{self, ExportScope, ExportSummary, Progress};
use crate::i18n::{Lang, Msg};
use crate::Kartei;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Where removable media get mounted.
pub const DEFAULT_MOUNT_ROOTS: [&str; 2] = ["/media", "/run/media"];

/// File systems that are never a stick.
const VIRTUAL_FS: &[&str] = &[
    "tmpfs",
    "devtmpfs",
    "proc",
    "sysfs",
    "overlay",
    "squashfs",
    "autofs",
    "cgroup",
    "cgroup2",
    "devpts",
    "mqueue",
    "debugfs",
    "tracefs",
    "securityfs",
    "pstore",
    "bpf",
    "ramfs",
];

/// A mounted stick.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stick {
    pub mount_point: PathBuf,
    /// The last part of the mount point, usually the volume label ("INTENSO").
    pub label: String,
    pub fs_type: String,
    pub free_bytes: u64,
    pub total_bytes: u64,
}

/// The sticks mounted under `roots` (see [`DEFAULT_MOUNT_ROOTS`]), from `/proc/self/mounts`.
pub fn sticks(roots: &[&Path]) -> Vec<Stick> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    sticks_in(&mounts, roots)
}

/// [`sticks`] over the text of a mounts table (testable without a stick).
pub fn sticks_in(mounts: &str, roots: &[&Path]) -> Vec<Stick> {
    let mut out = Vec::new();
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(_device), Some(mount_point), Some(fs_type)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let mount_point = PathBuf::from(unescape_mount(mount_point));
        if VIRTUAL_FS.contains(&fs_type)
            || !roots
                .iter()
                .any(|r| mount_point.starts_with(r) && mount_point != *r)
        {
            continue;
        }
        let (free_bytes, total_bytes) = space(&mount_point).unwrap_or((0, 0));
        out.push(Stick {
            label: mount_point
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            mount_point,
            fs_type: fs_type.to_string(),
            free_bytes,
            total_bytes,
        });
    }
    out
}

/// `/proc/mounts` writes spaces and tabs in paths as octal escapes (`\040`).
fn unescape_mount(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() {
            let oct = &bytes[i + 1..i + 4];
            if oct.iter().all(|b| (b'0'..=b'7').contains(b)) {
                let v = oct
                    .iter()
                    .fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                out.push(v as u8);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Free and total bytes of the file system holding `path`.
pub fn space(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c_path` is a valid NUL-terminated string and `stat` a writable statvfs.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), &mut stat) };
    if rc != 0 {
        return None;
    }
    let unit = stat.f_frsize as u64;
    Some((stat.f_bavail as u64 * unit, stat.f_blocks as u64 * unit))
}

/// Writes the export into `dir` (a stick's mount point) as `kunden-YYYY-MM-DD.xlsx` (with `-2`,
/// `-3` … if that name is taken). Returns the final path.
pub fn export_to_dir(
    kartei: &Kartei,
    scope: &ExportScope,
    lang: Lang,
    dir: &Path,
    by: &str,
    progress: impl FnMut(Progress),
) -> Result<(PathBuf, ExportSummary)> {
    let name = export::file_name(lang, kartei.today());
    let target = free_name(dir, &name);
    let temp = dir.join(format!(
        ".{}.part",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let result = export::write_xlsx(kartei, scope, lang, &temp, by, progress).and_then(|summary| {
        let file = File::open(&temp)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)?;
        File::open(dir)?.sync_all()?;
        Ok(summary)
    });
    match result {
        Ok(summary) => Ok((target, summary)),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(disk_full_as_message(e))
        }
    }
}

/// Files on a stick the import can read (`.vcf`, `.csv`, `.xlsx`), in its top folder and one
/// level below, sorted by name; hidden files and macOS's `._` companions are left out.
pub fn import_files(stick: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![(stick.to_path_buf(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                if depth == 0 {
                    dirs.push((path, 1));
                }
            } else if [".vcf", ".csv", ".xlsx"].iter().any(|e| name.ends_with(e)) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let stem = name.trim_end_matches(".xlsx");
    (2..)
        .map(|n| dir.join(format!("{stem}-{n}.xlsx")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// A full disk (`ENOSPC`, `EDQUOT`, `EFBIG` on FAT's 4 GB limit) becomes a message a person
/// understands; other errors stay as they are.
pub fn disk_full_as_message(e: CoreError) -> CoreError {
    match &e {
        CoreError::Io(io)
            if matches!(
                io.raw_os_error(),
                Some(libc::ENOSPC) | Some(libc::EDQUOT) | Some(libc::EFBIG)
            ) || io.kind() == std::io::ErrorKind::StorageFull
                || io.to_string().contains("No space left") =>
        {
            CoreError::Forbidden(Msg::NotEnoughSpace)
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticks_are_real_file_systems_under_the_mount_roots() {
        let mounts = "\
/dev/mmcblk0p2 / ext4 rw,noatime 0 0
tmpfs /run tmpfs rw 0 0
/dev/sda1 /media/kartei/INTENSO vfat rw,nosuid 0 0
/dev/sdb1 /run/media/anna/My\\040Stick exfat rw 0 0
tmpfs /media/ramdisk tmpfs rw 0 0
/dev/sdc1 /mnt/backup ext4 rw 0 0
";
        let found = sticks_in(mounts, &[Path::new("/media"), Path::new("/run/media")]);
        let labels: Vec<&str> = found.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["INTENSO", "My Stick"]);
        assert_eq!(found[0].fs_type, "vfat");
        assert_eq!(
            found[1].mount_point,
            PathBuf::from("/run/media/anna/My Stick")
        );
    }

    #[test]
    fn import_files_on_a_stick() {
        let stick = tempfile::tempdir().unwrap();
        let sub = stick.path().join("Kontakte");
        std::fs::create_dir(&sub).unwrap();
        for p in ["a.vcf", "b.CSV", "c.jpg", "._a.vcf", "Kontakte/d.xlsx"] {
            std::fs::write(stick.path().join(p), b"x").unwrap();
        }
        let names: Vec<String> = import_files(stick.path())
            .iter()
            .map(|p| p.strip_prefix(stick.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["Kontakte/d.xlsx", "a.vcf", "b.CSV"]);
    }

    #[test]
    fn a_full_disk_is_said_in_words() {
        let full = CoreError::Io(std::io::Error::from_raw_os_error(libc::ENOSPC));
        let msg = disk_full_as_message(full).user_message(Lang::De);
        assert!(msg.contains("Nicht genug Platz"), "{msg}");
        let other = CoreError::Io(std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(matches!(disk_full_as_message(other), CoreError::Io(_)));
    }
}
