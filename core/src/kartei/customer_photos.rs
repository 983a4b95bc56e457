//! The photo part of the [`Kartei`] API: add, list, read, describe and delete customer photos.
//!
//! A save decodes and encodes first and writes the files under temporary names (slow, no lock
//! held), then inside [`Kartei::commit`] renames them into place and commits the row (short). A delete
//! commits first and removes the files after, under the lock, unless another photo uses the same
//! content. A crash between the two steps leaves only orphan files, which start-up removes.

use super::{Kartei, Written};
use crate::error::{CoreError, Result};
use crate::events::Change;
use crate::i18n::FieldErrors;
use crate::model::CustomerId;
use crate::photos::{
    self, NewPhoto, Photo, PhotoData, PhotoFilter, PhotoId, PhotoKind, PhotoPatch, Variant,
};

impl Kartei {
    /// Stores an uploaded picture on a customer's card. Refusals (not a picture, HEIC, too
    /// large, damaged) come as [`CoreError::Invalid`] on the field `file` and store nothing.
    pub fn add_photo(
        &self,
        customer: CustomerId,
        bytes: &[u8],
        kind: PhotoKind,
        caption: &str,
        added_by: &str,
    ) -> Result<Photo> {
        let mut errors = FieldErrors::default();
        photos::check_caption(caption, &mut errors);
        errors.into_result()?;
        // Fail fast before the expensive part; the commit checks again.
        self.inner.store.customer(customer)?;
        let prepared = {
            let _slot = self.inner.photo_work.acquire();
            photos::prepare(bytes).map_err(|m| CoreError::invalid("file", m))?
        };
        let files = &self.inner.photo_files;
        let rendered = &prepared.rendered;
        let staged = files.stage(&prepared.hash, &rendered.full, &rendered.thumb)?;
        let added_at = self.now();
        let (taken_at, taken_at_from_exif) = prepared.taken_at_or(added_at);
        let new = NewPhoto {
            customer_id: customer,
            kind,
            caption: caption.trim().to_string(),
            taken_at,
            taken_at_from_exif,
            added_by: added_by.to_string(),
            added_at,
            content: prepared.content(),
        };
        self.commit(|store| {
            staged.publish()?;
            match store.add_photo(new) {
                Ok(photo) => Ok((
                    photo,
                    Written::default().announce(Change::CustomerChanged(customer)),
                )),
                Err(e) => {
                    if !store.photo_hash_in_use(&prepared.hash)? {
                        self.remove_photo_files(std::slice::from_ref(&prepared.hash));
                    }
                    Err(e)
                }
            }
        })
    }

    pub fn photo(&self, id: PhotoId) -> Result<Photo> {
        self.inner.store.photo(id)
    }

    /// A customer's photos (metadata only; galleries then fetch thumbnails).
    pub fn photos(&self, customer: CustomerId, filter: PhotoFilter) -> Result<Vec<Photo>> {
        self.inner.store.customer(customer)?;
        self.inner.store.photos_of(customer, filter)
    }

    /// The thumbnail JPEG (longest side ≤ 320 px).
    pub fn photo_thumb(&self, id: PhotoId) -> Result<PhotoData> {
        self.photo_data(id, Variant::Thumb)
    }

    /// The full JPEG (longest side ≤ 2560 px).
    pub fn photo_full(&self, id: PhotoId) -> Result<PhotoData> {
        self.photo_data(id, Variant::Full)
    }

    /// Where a photo file lies, for faces that hand files to a viewer without reading them.
    pub fn photo_path(&self, id: PhotoId, variant: Variant) -> Result<std::path::PathBuf> {
        let photo = self.inner.store.photo(id)?;
        Ok(self.inner.photo_files.path(&photo.content.hash, variant))
    }

    fn photo_data(&self, id: PhotoId, variant: Variant) -> Result<PhotoData> {
        let photo = self.inner.store.photo(id)?;
        let bytes = self.inner.photo_files.read(&photo.content.hash, variant)?;
        Ok(PhotoData {
            hash: photo.content.hash,
            bytes,
        })
    }

    /// Changes kind, caption or the favourite mark.
    pub fn update_photo(&self, id: PhotoId, patch: &PhotoPatch) -> Result<Photo> {
        self.commit(|store| {
            let photo = store.update_photo(id, patch)?;
            let changed = Change::CustomerChanged(photo.customer_id);
            Ok((photo, Written::default().announce(changed)))
        })
    }

    /// Deletes a photo; its files go too unless another photo shows the same picture.
    pub fn delete_photo(&self, id: PhotoId) -> Result<()> {
        self.commit(|store| {
            let (photo, freed) = store.delete_photo(id)?;
            if freed {
                self.remove_photo_files(std::slice::from_ref(&photo.content.hash));
            }
            let changed = Change::CustomerChanged(photo.customer_id);
            Ok(((), Written::default().announce(changed)))
        })
    }

    /// Removes the files of content hashes no row uses any more. Call inside
    /// [`Kartei::commit`] (under the save lock), after the store's write. A failure leaves orphans for the next start-up, so it is only logged.
    pub(crate) fn remove_photo_files(&self, hashes: &[String]) {
        for hash in hashes {
            if let Err(e) = self.inner.photo_files.remove(hash) {
                log::warn!("photo files {hash} not removed (removed at next start): {e}");
            }
        }
    }
}
