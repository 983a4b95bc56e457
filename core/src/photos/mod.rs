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

use crate::i18n::{FieldErrors, Lang, Msg, Word};
use crate::model::CustomerId;
use chrono::{DateTime, Local, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::{Condvar, Mutex};

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
        self.word().text(lang)
    }

    /// The kind's word in the catalogue (`pkind_before`, …).
    pub fn word(self) -> Word {
        match self {
            PhotoKind::Before => Word::PkindBefore,
            PhotoKind::After => Word::PkindAfter,
            PhotoKind::Inspiration => Word::PkindInspiration,
            PhotoKind::Generated => Word::PkindGenerated,
            PhotoKind::Other => Word::PkindOther,
        }
    }
}

impl std::str::FromStr for PhotoKind {
    type Err = ();

    /// The wire names: `before`, `after`, `inspiration`, `generated`, `other`.
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "before" => PhotoKind::Before,
            "after" => PhotoKind::After,
            "inspiration" => PhotoKind::Inspiration,
            "generated" => PhotoKind::Generated,
            "other" => PhotoKind::Other,
            _ => return Err(()),
        })
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

impl std::str::FromStr for PhotoFilter {
    type Err = ();

    /// The wire names: `newest`, `oldest`, `favourites`.
    fn from_str(s: &str) -> Result<Self, ()> {
        Ok(match s {
            "newest" => PhotoFilter::Newest,
            "oldest" => PhotoFilter::Oldest,
            "favourites" => PhotoFilter::Favourites,
            _ => return Err(()),
        })
    }
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

/// Bounds how many uploads are decoded and encoded at once. Each may need a few hundred MB (a
/// 48-megapixel picture is 145 MB as RGB, plus copies), so several phones uploading together
/// must not exhaust the appliance's memory: further uploads wait for a free slot.
pub struct WorkSlots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// A taken slot; given back when dropped.
pub struct WorkSlot<'a>(&'a WorkSlots);

impl WorkSlots {
    pub fn new(slots: usize) -> WorkSlots {
        WorkSlots {
            free: Mutex::new(slots.max(1)),
            freed: Condvar::new(),
        }
    }

    /// Waits for a free slot.
    pub fn acquire(&self) -> WorkSlot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        WorkSlot(self)
    }

    /// A slot if one is free now.
    pub fn try_acquire(&self) -> Option<WorkSlot<'_>> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(WorkSlot(self))
    }
}

impl Drop for WorkSlot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        self.0.freed.notify_one();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for kind in PhotoKind::ALL {
            let wire = serde_json::to_value(kind).unwrap();
            assert_eq!(wire.as_str().unwrap().parse::<PhotoKind>(), Ok(kind));
        }
        for filter in [
            PhotoFilter::Newest,
            PhotoFilter::Oldest,
            PhotoFilter::Favourites,
        ] {
            let wire = serde_json::to_value(filter).unwrap();
            assert_eq!(wire.as_str().unwrap().parse::<PhotoFilter>(), Ok(filter));
        }
        assert!("Vorher".parse::<PhotoKind>().is_err());
    }

    #[test]
    fn work_slots_bound_concurrent_decoding() {
        let slots = WorkSlots::new(2);
        let a = slots.acquire();
        let b = slots.try_acquire().expect("second slot");
        assert!(slots.try_acquire().is_none(), "both taken");
        drop(a);
        let c = slots.try_acquire().expect("freed");
        drop((b, c));
        // A waiting thread gets the slot that is given back.
        let held = slots.acquire();
        let _other = slots.acquire();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| drop(slots.acquire()));
            drop(held);
            waiter.join().unwrap();
        });
    }
}
