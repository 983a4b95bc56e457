//! Backups of the card file and restoring them.
//!
//! A backup is taken inside the running process from one read snapshot of the store plus the
//! photo files it refers to, in a logical format that outlives redb's file format (see
//! [`format`]: a tar of JSON lines, photos by content hash, a manifest with SHA-256 of every
//! part). The search index is not backed up; a restore rebuilds it.
//!
//! - [`format`]: the file layout, versions, part names.
//! - [`create`] ([`write`]): writing a backup under a temporary name, fsync, rename.
//! - [`restore`] ([`restore`](restore::restore)): verifying and restoring into an empty folder,
//!   or only verifying (`dry_run`); [`verify`]: reading a new backup back into a test store.
//! - [`erased`]: the erased customers across the rotation (the side file beside the backups,
//!   the lists in the other backups), which a restore leaves out.
//! - [`schedule`]: the owner's backup settings and when an automatic backup is due.
//! - [`retention`]: which automatic backups a folder keeps (7 daily, 4 weekly, 12 monthly).
//! - [`status`]: what became of the last backups, per target, and the status line.
//! - [`automatic`]: running a backup to every target (verify, prune, status) and the nightly
//!   scheduler thread.

pub mod automatic;
mod erased;
pub mod format;
mod hashing;
mod read;
mod restore;
pub mod retention;
pub mod schedule;
pub mod status;
mod write;

pub use erased::SIDE_FILE as ERASED_SIDE_FILE;
pub use format::{Header, Manifest, Part};
pub use read::read_header;
pub use restore::{restore, verify, RestoreReport};
pub use schedule::BackupSettings;
pub use status::{BackupStatus, Health, Summary};
pub use write::{create, BackupSummary};
