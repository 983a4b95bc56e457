//! Customer photos: before/after pictures of the work, inspiration, generated concepts.
//!
//! - [`decode`]: bounded decoding of an upload (JPEG, PNG, WebP only; size limits; panics
//!   contained; EXIF orientation and capture time read).
//! - [`render`]: the upright full image and thumbnail, resized and encoded as JPEG without
//!   metadata.
//! - [`files`]: the content-addressed files under `<data>/photos/`, written atomically.
//!
//! This module holds the photo model ([`Photo`]) and [`prepare`], the CPU-heavy part of a save
//! that runs before the save lock is taken. The metadata rows live in the redb store
//! (`photos`, `photos_by_customer`, `photos_by_hash`); [`crate::Kartei`] ties rows and files
//! together.

pub mod decode;
pub mod files;
pub mod render;
#[doc(hidden)]
pub mod samples;

pub use crate::model::PhotoId;
pub use files::Variant;

use crate::i18n::{FieldErrors, Lang, Msg};
use crate::model::CustomerId;
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest caption, in characters.
pub const MAX_CAPTION: usize = 500;

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoKind {
    Before,
    After,
    Inspiration,
    /// A generated concept (e.g. a hairstyle preview made by an app).
    Generated,
    #[default]
    Other,
}

impl PhotoKind {
    pub const ALL: [PhotoKind; 5] = [
        PhotoKind::Before,
        PhotoKind::After,
        PhotoKind::Inspiration,
        PhotoKind::Generated,
        PhotoKind::Other,
    ];

    pub fn label(self, lang: Lang) -> &'static str {
        let de = lang == Lang::De;
        match self {
            PhotoKind::Before => pick(de, "Vorher", "Before"),
            PhotoKind::After => pick(de, "Nachher", "After"),
            PhotoKind::Inspiration => pick(de, "Inspiration", "Inspiration"),
            PhotoKind::Generated => pick(de, "Entwurf", "Generated"),
            PhotoKind::Other => pick(de, "Sonstiges", "Other"),
        }
    }
}

fn pick(de: bool, german: &'static str, english: &'static str) -> &'static str {
    if de {
        german
    } else {
        english
    }
}

/// The stored files of a photo: which content, and how big.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoContent {
    /// SHA-256 of the uploaded bytes, hex: names the files and serves as the HTTP ETag.
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// Size of the stored full image in bytes.
    pub bytes: u64,
    pub thumb_bytes: u64,
}

/// A photo on a customer card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: PhotoId,
    pub customer_id: CustomerId,
    pub kind: PhotoKind,
    pub caption: String,
    /// When the picture was taken: the camera's EXIF time when it had one, else the upload time.
    /// Galleries sort by it.
    pub taken_at: DateTime<Utc>,
    /// Whether `taken_at` came from the camera (false: it is the upload time).
    pub taken_at_from_exif: bool,
    /// The staff member who added it.
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub favourite: bool,
    #[serde(flatten)]
    pub content: PhotoContent,
}

/// A photo about to be stored; the store gives it its id.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub customer_id: CustomerId,
    pub kind: PhotoKind,
    pub caption: String,
    pub taken_at: DateTime<Utc>,
    pub taken_at_from_exif: bool,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub content: PhotoContent,
}

impl NewPhoto {
    pub fn into_photo(self, id: PhotoId) -> Photo {
        Photo {
            id,
            customer_id: self.customer_id,
            kind: self.kind,
            caption: self.caption,
            taken_at: self.taken_at,
            taken_at_from_exif: self.taken_at_from_exif,
            added_by: self.added_by,
            added_at: self.added_at,
            favourite: false,
            content: self.content,
        }
    }
}

/// Which photos of a customer, in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoFilter {
    /// All, newest first.
    #[default]
    Newest,
    /// All, oldest first.
    Oldest,
    /// Favourites only, newest first.
    Favourites,
}

/// A change of a photo's description; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhotoPatch {
    pub kind: Option<PhotoKind>,
    pub caption: Option<String>,
    pub favourite: Option<bool>,
}

impl PhotoPatch {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        if let Some(caption) = &self.caption {
            check_caption(caption, &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn apply(&self, photo: &mut Photo) {
        if let Some(kind) = self.kind {
            photo.kind = kind;
        }
        if let Some(caption) = &self.caption {
            photo.caption = caption.trim().to_string();
        }
        if let Some(favourite) = self.favourite {
            photo.favourite = favourite;
        }
    }
}

pub(crate) fn check_caption(caption: &str, errors: &mut FieldErrors) {
    if caption.trim().chars().count() > MAX_CAPTION {
        errors.add("caption", Msg::TooLong { max: MAX_CAPTION });
    }
}

/// The bytes of one stored photo file and the content hash that names them (an HTTP ETag).
#[derive(Debug, Clone)]
pub struct PhotoData {
    pub hash: String,
    pub bytes: Vec<u8>,
}

/// An upload decoded, turned upright and encoded: ready for the short durable write.
pub struct Prepared {
    pub hash: String,
    pub rendered: render::Rendered,
    /// The camera's capture time (local, no zone), if the file said.
    pub taken_at: Option<NaiveDateTime>,
}

impl Prepared {
    pub fn content(&self) -> PhotoContent {
        let r = &self.rendered;
        PhotoContent {
            hash: self.hash.clone(),
            width: r.full_size.0,
            height: r.full_size.1,
            thumb_width: r.thumb_size.0,
            thumb_height: r.thumb_size.1,
            bytes: r.full.len() as u64,
            thumb_bytes: r.thumb.len() as u64,
        }
    }

    /// The capture time in UTC if it is plausible (not before 1990, not in the future), else
    /// `upload_time`; and whether it came from the camera.
    pub fn taken_at_or(&self, upload_time: DateTime<Utc>) -> (DateTime<Utc>, bool) {
        let camera = self
            .taken_at
            .and_then(|naive| Local.from_local_datetime(&naive).earliest())
            .map(|local| local.with_timezone(&Utc))
            .filter(|t| {
                t.timestamp() >= 631_152_000 // 1990-01-01
                    && *t <= upload_time + chrono::Duration::days(1)
            });
        match camera {
            Some(t) => (t, true),
            None => (upload_time, false),
        }
    }
}

/// Decodes, orients, resizes and encodes an upload: CPU work only, no file is touched. A refusal
/// comes as the [`Msg`] to show.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, Msg> {
    let decoded = decode::decode(bytes)?;
    let taken_at = decoded.taken_at;
    let rendered = decode::contained(|| render::render(decoded))?;
    Ok(Prepared {
        hash: content_hash(bytes),
        rendered,
        taken_at,
    })
}

/// SHA-256 of the bytes, lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}
