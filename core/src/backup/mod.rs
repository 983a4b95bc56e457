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
//!   or only verifying (`dry_run`).

pub mod format;
mod hashing;
mod read;
mod restore;
mod write;

pub use format::{Header, Manifest, Part};
pub use read::read_header;
pub use restore::{restore, RestoreReport};
pub use write::{create, BackupSummary};
