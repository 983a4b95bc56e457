//! Importing contacts: phone contacts (vCard) and other systems' exports (CSV, Excel).
//!
//! An import has two steps, so that the user sees what would happen before anything is written:
//! 1. [`preview`]: read the file ([`read`]), check every contact and compare it with the card
//!    file: new, merged into an existing card, skipped as exact duplicate, or invalid with the
//!    reason. Nothing is written.
//! 2. [`commit`]: take the rows the user picked, in one transaction (all or nothing).
//!
//! Both have a `…_with_progress` form for progress bars (the kiosk) and [`read_file`] reads a
//! file within the size limit.
//!
//! Modules:
//! - [`text`]: bytes → text (UTF-8 with or without BOM, UTF-16, Windows-1252; vCard files card
//!   by card with the charset each card declares).
//! - [`vcard`]: vCard 2.1/3.0/4.0 files (the `calcard` parser) → [`Record`]s.
//! - [`csv`], [`xlsx`]: spreadsheets → a [`table::Table`] → [`Record`]s through [`mapping`].
//! - [`phones`]: phone numbers as files write them → E.164, or kept as typed.
//! - [`salvage`]: what a record keeps when one of its values cannot be taken.
//! - [`preview`]: the preview and the commit.
//!
//! *A contact is never dropped for one bad value*: what the card cannot take (an odd phone
//! number, a postal code that fits no country, an e-mail without `@`) is left out of the card's
//! fields, kept in an import note on the card and shown as a warning on the preview's row.
//! - [`pending`]: previews kept between preview and commit (for the server).
//! - [`duplicates`]: the duplicates report over the whole card file; [`merge`]: merging two cards.

pub mod csv;
pub mod duplicates;
pub mod mapping;
pub mod merge;
pub mod pending;
pub mod phones;
pub mod preview;
pub mod salvage;
pub mod table;
pub mod text;
pub mod vcard;
pub mod xlsx;

pub use crate::export::Progress;
pub use preview::{
    commit, commit_with_progress, preview, preview_with_progress, ImportOutcome, ImportPreview,
    PreviewRow, RowAction,
};

use crate::error::{CoreError, Result};
use crate::i18n::Msg;
use crate::model::{Address, CustomerDraft, PhoneLabel};
use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// The largest file an import reads (a salon's contacts are a few MB at most).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Spreadsheets with more columns than this are refused.
pub const MAX_COLUMNS: usize = 500;
/// Files with more contacts than this are refused.
pub const MAX_RECORDS: usize = 200_000;
/// Embedded photos larger than this are not kept.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    VCard,
    Csv,
    Xlsx,
}

/// A photo embedded in a vCard, kept so that the photos module can put it on the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedPhoto {
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// One contact as read from a file, before it is checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Where it is in the file: the spreadsheet row (the header is row 1) or the number of the
    /// card in a vCard file (from 1).
    pub line: usize,
    pub draft: CustomerDraft,
    /// Notes to put on the card (vCard `NOTE`, a "Notiz" column).
    pub notes: Vec<String>,
    pub photo: Option<EmbeddedPhoto>,
    /// The name the file shows for the contact (vCard `FN`, a "Display Name" column): two
    /// contacts with the same first and last name but different display names are two people.
    pub display_name: String,
    /// Phone numbers as the file has them, with the kind it says; [`Record::finish`] reads them
    /// into `draft.phones` (valid ones) and `kept` (the rest).
    pub raw_phones: Vec<(Option<PhoneLabel>, String)>,
    /// A business address besides the home one (`draft.address`).
    pub work_address: Address,
    /// Any further address (Outlook's "Other …", Google's "Address 2 - …").
    pub other_address: Address,
    /// Values of the file the card cannot take as they are: kept in an import note.
    pub kept: Vec<Kept>,
    /// The other system marked the contact as blocked, with its reason if it gave one.
    pub blocked: Option<String>,
    /// The contact had no name: the card's name was taken from this (its company, its e-mail
    /// address or its phone number; [`salvage::finish`]).
    pub name_from: Option<String>,
}

/// A value of the file that is not (or not wholly) in the card's fields: it goes into the
/// card's import note, and the preview warns on the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// What it is: `phone`, `phone_extension`, `email`, `birthday`, `postal_code`,
    /// `address_work`, `address_other`, … (labelled by [`crate::i18n::Msg::ImportValueKept`]).
    pub field: String,
    pub value: String,
    /// `false`: the value could not be taken at all (the preview says so); `true`: the card has
    /// it in its note only because it has no field for it (an extension, a second address).
    pub noted_only: bool,
}

impl Record {
    /// Keeps a value that cannot be taken.
    pub fn keep(&mut self, field: &str, value: &str) {
        self.push_kept(field, value, false);
    }

    /// Keeps a value that the card has no field for.
    pub fn note_only(&mut self, field: &str, value: &str) {
        self.push_kept(field, value, true);
    }

    fn push_kept(&mut self, field: &str, value: &str, noted_only: bool) {
        let value = value.trim();
        if value.is_empty() || self.kept.len() >= 50 {
            return;
        }
        let value: String = value.chars().take(500).collect();
        if !self
            .kept
            .iter()
            .any(|k| k.field == field && k.value == value)
        {
            self.kept.push(Kept {
                field: field.to_string(),
                value,
                noted_only,
            });
        }
    }

    /// After reading: picks the card's address, reads the phone numbers (in the contact's
    /// country), and names a contact without a name from its display name, company, e-mail
    /// address or phone number. See [`salvage::finish`].
    pub fn finish(&mut self) {
        salvage::finish(self);
    }
}

/// A file read into contacts.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub format: Format,
    pub records: Vec<Record>,
    /// Spreadsheet columns that were recognised, with the field they fill.
    pub mapped_columns: Vec<(String, mapping::Field)>,
    /// Columns that are known but not imported (export-only figures such as "Besuche").
    pub ignored_columns: Vec<String>,
    /// Columns nobody knows: reported, not silently dropped.
    pub unknown_columns: Vec<String>,
}

fn refuse(msg: Msg) -> CoreError {
    CoreError::invalid("file", msg)
}

/// Reads a file of contacts, telling the format from its content (and its name as a hint).
/// Bad input gives [`CoreError::Invalid`] with a message on the field `file`.
pub fn read(bytes: &[u8], filename: &str) -> Result<Parsed> {
    read_with(bytes, filename, &mut |_| {})
}

/// [`read`], handing each contact to `each` once it is read: as the file is parsed for a vCard
/// file, after the whole table for a spreadsheet.
pub fn read_with(bytes: &[u8], filename: &str, each: &mut dyn FnMut(&Record)) -> Result<Parsed> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(refuse(Msg::ImportTooLarge {
            max_mb: (MAX_FILE_BYTES / (1024 * 1024)) as u64,
        }));
    }
    let parsed = match detect(bytes, filename)? {
        Format::Xlsx => xlsx::read(bytes)?,
        Format::VCard => vcard::read_with(&text::decode_vcard(bytes), each)?,
        Format::Csv => csv::read(&text::decode(bytes))?,
    };
    if parsed.format != Format::VCard {
        parsed.records.iter().for_each(&mut *each);
    }
    if parsed.records.is_empty() {
        return Err(refuse(Msg::ImportEmpty));
    }
    if parsed.records.len() > MAX_RECORDS {
        return Err(refuse(Msg::ImportTooManyRows { max: MAX_RECORDS }));
    }
    Ok(parsed)
}

/// Reads a file to import (from a USB stick, say) with its name, never more than
/// [`MAX_FILE_BYTES`]: a larger file is refused with [`Msg::ImportTooLarge`] without being read.
pub fn read_file(path: &Path) -> Result<(Vec<u8>, String)> {
    let too_large = || {
        refuse(Msg::ImportTooLarge {
            max_mb: (MAX_FILE_BYTES / (1024 * 1024)) as u64,
        })
    };
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((bytes, name))
}

/// Tells the format from the first bytes: a zip is an xlsx, `BEGIN:VCARD` a vCard file, other
/// text a CSV; binary data is refused.
pub fn detect(bytes: &[u8], filename: &str) -> Result<Format> {
    if bytes.is_empty() {
        return Err(refuse(Msg::ImportEmpty));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    let lower_name = filename.to_lowercase();
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") || lower_name.ends_with(".xls") {
        // The old binary Excel format: ask for xlsx or CSV.
        return Err(refuse(Msg::ImportUnknownFormat));
    }
    let head = text::decode(&bytes[..bytes.len().min(64 * 1024)]);
    if head.contains('\0') {
        return Err(refuse(Msg::ImportUnknownFormat));
    }
    let controls = head
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 50 > head.chars().count().max(1) {
        return Err(refuse(Msg::ImportUnknownFormat));
    }
    let starts_vcard = head
        .trim_start_matches('\u{feff}')
        .trim_start()
        .get(..11)
        .is_some_and(|s| s.eq_ignore_ascii_case("BEGIN:VCARD"));
    if starts_vcard || lower_name.ends_with(".vcf") || lower_name.ends_with(".vcard") {
        return Ok(Format::VCard);
    }
    if lower_name.ends_with(".xlsx") {
        // Named like a workbook but not a zip: damaged.
        return Err(refuse(Msg::ImportUnreadable));
    }
    Ok(Format::Csv)
}
