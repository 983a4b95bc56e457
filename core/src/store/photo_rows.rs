//! The photo rows: metadata in `photos`, the gallery order in `photos_by_customer`, and which
//! photos use which files in `photos_by_hash`. Files are not touched here; the methods that free
//! a content hash say so, and the caller removes its files after the commit.

use super::tables::*;
use super::{ensure_customer, get_json, next_id, put_json, Store};
use crate::error::{CoreError, Result};
use crate::model::CustomerId;
use crate::photos::{NewPhoto, Photo, PhotoFilter, PhotoId, PhotoPatch};
use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use std::collections::HashSet;

impl Store {
    pub(crate) fn add_photo(&self, new: NewPhoto) -> Result<Photo> {
        self.write(|txn| {
            ensure_customer(txn, new.customer_id)?;
            let photo = new.into_photo(PhotoId(next_id(txn, "photo")?));
            put_json(&mut txn.open_table(PHOTOS)?, photo.id.0, &photo)?;
            txn.open_table(PHOTOS_BY_CUSTOMER)?
                .insert(gallery_key(&photo), u8::from(photo.favourite))?;
            txn.open_table(PHOTOS_BY_HASH)?
                .insert((photo.content.hash.as_str(), photo.id.0), ())?;
            Ok(photo)
        })
    }

    pub fn photo(&self, id: PhotoId) -> Result<Photo> {
        let txn = self.read()?;
        get_json(&txn.open_table(PHOTOS)?, id.0)?.ok_or_else(|| CoreError::not_found("photo", id))
    }

    /// A customer's photos in the order the filter asks for. An unknown customer has none.
    pub fn photos_of(&self, customer: CustomerId, filter: PhotoFilter) -> Result<Vec<Photo>> {
        let txn = self.read()?;
        let table = txn.open_table(PHOTOS)?;
        let mut ids = Vec::new();
        for entry in txn
            .open_table(PHOTOS_BY_CUSTOMER)?
            .range(customer_range(customer))?
        {
            let (k, favourite) = entry?;
            if filter != PhotoFilter::Favourites || favourite.value() == 1 {
                ids.push(k.value().2);
            }
        }
        if filter != PhotoFilter::Oldest {
            ids.reverse();
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(photo) = get_json(&table, id)? {
                out.push(photo);
            }
        }
        Ok(out)
    }

    pub fn photo_count(&self, customer: CustomerId) -> Result<usize> {
        count_of(&self.read()?, customer)
    }

    pub(crate) fn update_photo(&self, id: PhotoId, patch: &PhotoPatch) -> Result<Photo> {
        patch.validate().map_err(CoreError::Invalid)?;
        self.write(|txn| {
            let mut table = txn.open_table(PHOTOS)?;
            let mut photo: Photo =
                get_json(&table, id.0)?.ok_or_else(|| CoreError::not_found("photo", id))?;
            patch.apply(&mut photo);
            put_json(&mut table, id.0, &photo)?;
            txn.open_table(PHOTOS_BY_CUSTOMER)?
                .insert(gallery_key(&photo), u8::from(photo.favourite))?;
            Ok(photo)
        })
    }

    /// Deletes a photo row. Returns it, and whether its files are now unused.
    pub(crate) fn delete_photo(&self, id: PhotoId) -> Result<(Photo, bool)> {
        self.write(|txn| {
            let photo: Photo = get_json(&txn.open_table(PHOTOS)?, id.0)?
                .ok_or_else(|| CoreError::not_found("photo", id))?;
            let freed = remove_rows(txn, &photo)?;
            Ok((photo, freed))
        })
    }

    /// Whether any photo uses the content `hash`.
    pub fn photo_hash_in_use(&self, hash: &str) -> Result<bool> {
        let txn = self.read()?;
        hash_in_use(&txn.open_table(PHOTOS_BY_HASH)?, hash)
    }

    /// Every content hash some photo uses (start-up orphan check).
    pub fn photo_hashes(&self) -> Result<HashSet<String>> {
        let txn = self.read()?;
        let mut out = HashSet::new();
        for entry in txn.open_table(PHOTOS_BY_HASH)?.iter()? {
            let (k, _) = entry?;
            out.insert(k.value().0.to_string());
        }
        Ok(out)
    }

    /// Calls `f` for every photo in id order, in one read snapshot (exports).
    pub fn for_each_photo(&self, mut f: impl FnMut(Photo) -> Result<()>) -> Result<()> {
        let txn = self.read()?;
        for entry in txn.open_table(PHOTOS)?.iter()? {
            let (_, v) = entry?;
            f(serde_json::from_slice(v.value())?)?;
        }
        Ok(())
    }
}

/// Inside a customer's erasure: removes all their photo rows and returns the content hashes no
/// photo uses any more.
pub(super) fn delete_photos_of(
    txn: &WriteTransaction,
    customer: CustomerId,
) -> Result<Vec<String>> {
    let ids: Vec<u64> = txn
        .open_table(PHOTOS_BY_CUSTOMER)?
        .range(customer_range(customer))?
        .map(|e| e.map(|(k, _)| k.value().2))
        .collect::<std::result::Result<_, _>>()?;
    let mut freed = Vec::new();
    for id in ids {
        let Some(photo) = get_json::<Photo>(&txn.open_table(PHOTOS)?, id)? else {
            continue;
        };
        if remove_rows(txn, &photo)? && !freed.contains(&photo.content.hash) {
            freed.push(photo.content.hash);
        }
    }
    Ok(freed)
}

/// How many photos `customer` has.
pub(super) fn count_of(txn: &ReadTransaction, customer: CustomerId) -> Result<usize> {
    let table = txn.open_table(PHOTOS_BY_CUSTOMER)?;
    let mut n = 0;
    for entry in table.range(customer_range(customer))? {
        entry?;
        n += 1;
    }
    Ok(n)
}

/// Inside a merge: gives all photo rows of `from` to `to` (the files stay, shared by hash).
pub(super) fn move_photos_of(
    txn: &WriteTransaction,
    from: CustomerId,
    to: CustomerId,
) -> Result<()> {
    let mut photos = txn.open_table(PHOTOS)?;
    let mut by_customer = txn.open_table(PHOTOS_BY_CUSTOMER)?;
    let keys: Vec<((u64, i64, u64), u8)> = by_customer
        .range(customer_range(from))?
        .map(|e| e.map(|(k, v)| (k.value(), v.value())))
        .collect::<std::result::Result<_, _>>()?;
    for ((_, taken, id), favourite) in keys {
        if let Some(mut photo) = get_json::<Photo>(&photos, id)? {
            photo.customer_id = to;
            put_json(&mut photos, id, &photo)?;
        }
        by_customer.remove((from.0, taken, id))?;
        by_customer.insert((to.0, taken, id), favourite)?;
    }
    Ok(())
}

/// Removes a photo's three rows; true if its content hash is no longer used.
fn remove_rows(txn: &WriteTransaction, photo: &Photo) -> Result<bool> {
    txn.open_table(PHOTOS)?.remove(photo.id.0)?;
    txn.open_table(PHOTOS_BY_CUSTOMER)?
        .remove(gallery_key(photo))?;
    let mut by_hash = txn.open_table(PHOTOS_BY_HASH)?;
    let hash = photo.content.hash.as_str();
    by_hash.remove((hash, photo.id.0))?;
    Ok(!hash_in_use(&by_hash, hash)?)
}

fn hash_in_use(table: &impl ReadableTable<(&'static str, u64), ()>, hash: &str) -> Result<bool> {
    Ok(table.range((hash, 0)..=(hash, u64::MAX))?.next().is_some())
}

fn gallery_key(photo: &Photo) -> (u64, i64, u64) {
    (photo.customer_id.0, photo.taken_at.timestamp(), photo.id.0)
}

fn customer_range(customer: CustomerId) -> std::ops::RangeInclusive<(u64, i64, u64)> {
    (customer.0, i64::MIN, 0)..=(customer.0, i64::MAX, u64::MAX)
}
