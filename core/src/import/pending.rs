//! Previews waiting for the user's pick: the server shows a preview (`POST /api/v1/import`),
//! the phone sends the chosen rows later (`POST /api/v1/import/{id}/commit`). Kept in memory,
//! at most [`MAX_PENDING`] at a time, [`MAX_PENDING_BYTES`] together and for [`PENDING_FOR`];
//! the oldest goes first.

use super::ImportPreview;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_PENDING: usize = 8;
pub const PENDING_FOR: Duration = Duration::from_secs(30 * 60);
/// What the kept previews may take together (about; a preview holds the contacts it read,
/// embedded photos included). A Raspberry Pi has little memory to spare. The newest preview is
/// always kept, however large (its file was at most [`super::MAX_FILE_BYTES`]).
pub const MAX_PENDING_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
pub struct PendingImports {
    previews: Mutex<HashMap<String, (Instant, ImportPreview)>>,
}

impl PendingImports {
    /// Keeps a preview and returns its id (32 hex digits, not guessable).
    pub fn insert(&self, preview: ImportPreview) -> String {
        use rand::Rng;
        let id: String = (0..16)
            .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
            .collect();
        let mut map = self.previews.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, (at, _)| now.duration_since(*at) < PENDING_FOR);
        let bytes = |map: &HashMap<String, (Instant, ImportPreview)>| -> usize {
            map.values().map(|(_, p)| p.approx_bytes()).sum()
        };
        let adding = preview.approx_bytes();
        while !map.is_empty()
            && (map.len() >= MAX_PENDING || bytes(&map) + adding > MAX_PENDING_BYTES)
        {
            let oldest = map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(id.clone(), (now, preview));
        id
    }

    /// The preview with this id, if it is still kept.
    pub fn get(&self, id: &str) -> Option<ImportPreview> {
        let map = self.previews.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id)
            .filter(|(at, _)| at.elapsed() < PENDING_FOR)
            .map(|(_, p)| p.clone())
    }

    /// Forgets a preview (after its commit).
    pub fn remove(&self, id: &str) {
        let mut map = self.previews.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(id);
    }
}
