//! The one error type of `kartei-core`: every fallible core call returns [`CoreError`].
//!
//! Variants are the distinctions a face (server, kiosk, command line) must make: a missing thing,
//! a stale version, invalid input with per-field messages, a locked data folder, a store written by
//! a newer Kartei. Messages for people come from [`crate::i18n`]; `Display` is for logs.

use crate::i18n::{FieldErrors, Lang, Msg};

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The customer, note, appointment … does not exist (or no longer exists).
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// Optimistic concurrency: somebody else saved a newer version first.
    #[error("stale version: expected {expected}, current {current}")]
    Conflict { expected: u64, current: u64 },
    /// Input that breaks a rule; one message per field.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// A domain rule forbids the change (e.g. editing a colour formula after 24 hours).
    #[error("not allowed: {0:?}")]
    Forbidden(Msg),
    /// Wrong staff name or PIN.
    #[error("wrong staff name or PIN")]
    WrongPin,
    /// Too many wrong PINs: try again after this many seconds.
    #[error("too many attempts, retry after {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    /// Another Kartei process already owns the data folder.
    #[error("the data folder {0} is already in use by another Kartei process")]
    AlreadyInUse(String),
    /// The data folder cannot be created or used (a file in its place, no permission, disk full).
    #[error("the data folder {dir} cannot be used: {reason}")]
    DataDir { dir: String, reason: String },
    /// The store was written by a newer Kartei with a schema this one does not know.
    #[error("the data folder was written by a newer Kartei (schema {found}, this program knows up to {supported})")]
    SchemaTooNew { found: u32, supported: u32 },
    /// The redb store failed (disk full, I/O error, corruption).
    #[error("store error: {0}")]
    Store(String),
    /// The tantivy index failed; it can always be rebuilt from the store.
    #[error("search index error: {0}")]
    Index(String),
    /// Reading or writing a file (export, import, photos) failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// A bug: work that cannot fail by design panicked (caught by the face that ran it, so the
    /// screen says so instead of waiting forever). The text is the panic's, for the log.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    /// A caught panic as [`CoreError::Internal`] with the panic's text.
    pub fn from_panic(panic: Box<dyn std::any::Any + Send>) -> CoreError {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a job panicked".to_string());
        CoreError::Internal(text)
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        CoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    pub fn invalid(field: &str, msg: Msg) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, msg);
        CoreError::Invalid(errors)
    }

    /// One line for a person, in their language. Internal failures stay generic here; the
    /// details go to the log through `Display`.
    pub fn user_message(&self, lang: Lang) -> String {
        match self {
            CoreError::NotFound { .. } => Msg::NotFound.text(lang),
            CoreError::Conflict { .. } => Msg::StaleVersion.text(lang),
            CoreError::Invalid(errors) => errors.summary(lang),
            CoreError::Forbidden(msg) => msg.text(lang),
            CoreError::WrongPin => Msg::WrongPin.text(lang),
            CoreError::Throttled { retry_after_secs } => Msg::Throttled {
                seconds: *retry_after_secs,
            }
            .text(lang),
            CoreError::AlreadyInUse(dir) => Msg::AlreadyInUse { dir: dir.clone() }.text(lang),
            CoreError::DataDir { dir, reason } => Msg::DataDir {
                dir: dir.clone(),
                reason: reason.clone(),
            }
            .text(lang),
            CoreError::SchemaTooNew { found, supported } => Msg::SchemaTooNew {
                found: *found,
                supported: *supported,
            }
            .text(lang),
            CoreError::Store(_)
            | CoreError::Index(_)
            | CoreError::Io(_)
            | CoreError::Internal(_) => Msg::Internal.text(lang),
        }
    }
}

macro_rules! store_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for CoreError {
            fn from(e: $t) -> Self { CoreError::Store(e.to_string()) }
        }
    )*};
}
store_errors!(
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError,
    serde_json::Error
);

impl From<redb::DatabaseError> for CoreError {
    fn from(e: redb::DatabaseError) -> Self {
        CoreError::Store(e.to_string())
    }
}

impl From<tantivy::TantivyError> for CoreError {
    fn from(e: tantivy::TantivyError) -> Self {
        CoreError::Index(e.to_string())
    }
}
