//! `kartei-core`: the customer card file of a salon, with no HTTP, no screens and no printing.
//!
//! Layout:
//! - [`kartei`]: the [`Kartei`] handle, the API every face uses.
//! - [`model`]: customers, notes, patch tests, services, appointments, staff; validated values.
//! - [`store`]: the redb store, the source of truth (tables, schema version, migrations).
//! - [`search`]: folding, query parsing, the tantivy index with its overlay, the list rows.
//! - [`patch`]: partial edits of the customer form (JSON merge patches).
//! - [`card`], [`stats`]: the customer card and the dashboard figures, derived on demand.
//! - [`auth`]: PIN hashes and the guessing throttle. [`events`]: live change notifications.
//! - [`photos`]: customer photos: bounded decoding, upright JPEG files by content hash.
//! - [`backup`]: backups (one read snapshot, JSON lines, photos by hash) and restore.
//! - [`demo`]: deterministic German demo data. [`i18n`]: every message in German and English.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod card;
pub mod clock;
pub mod demo;
pub mod error;
pub mod events;
pub mod export;
pub mod gdpr_record;
pub mod i18n;
pub mod import;
pub mod kartei;
pub mod mail;
pub mod model;
pub mod patch;
pub mod photos;
pub mod retention;
pub mod search;
pub mod settings;
pub mod stats;
pub mod store;
pub mod usb;

pub use error::{CoreError, Result};
pub use events::Change;
pub use i18n::Lang;
pub use kartei::{Kartei, OpenReport, UpsertOutcome};
