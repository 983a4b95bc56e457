//! Staff PINs: argon2id hashes (never the PIN itself) and the throttle that slows down guessing.
//!
//! The throttle counts failures per key (a client address and a staff name are separate keys);
//! from the fifth failure on a key is blocked for 30 s, doubling with each further failure, at
//! most an hour. The server and the kiosk's lock screen share it.

use crate::error::{CoreError, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

pub fn hash_pin(pin: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| CoreError::Store(format!("making a PIN salt failed: {e}")))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Store(format!("hashing a PIN failed: {e}")))
}

pub fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Failures tolerated before blocking starts.
pub const FREE_ATTEMPTS: u32 = 5;
const FIRST_BLOCK_SECS: i64 = 30;
const MAX_BLOCK_SECS: i64 = 3600;

#[derive(Default)]
pub struct Throttle {
    keys: Mutex<HashMap<String, (u32, DateTime<Utc>)>>,
}

impl Throttle {
    /// Refuses if any key is blocked at `now`.
    pub fn check(&self, keys: &[&str], now: DateTime<Utc>) -> Result<()> {
        let map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let wait = keys
            .iter()
            .filter_map(|k| map.get(*k))
            .map(|(_, until)| (*until - now).num_seconds())
            .max()
            .unwrap_or(0);
        if wait > 0 {
            return Err(CoreError::Throttled {
                retry_after_secs: wait as u64,
            });
        }
        Ok(())
    }

    pub fn fail(&self, keys: &[&str], now: DateTime<Utc>) {
        let mut map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            let entry = map.entry(key.to_string()).or_insert((0, now));
            entry.0 += 1;
            if entry.0 >= FREE_ATTEMPTS {
                let doublings = (entry.0 - FREE_ATTEMPTS).min(20);
                let secs = (FIRST_BLOCK_SECS << doublings).min(MAX_BLOCK_SECS);
                entry.1 = now + Duration::seconds(secs);
            }
        }
        // Keep the table small: forget keys idle for a day.
        if map.len() > 10_000 {
            map.retain(|_, (_, until)| *until > now - Duration::days(1));
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            map.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_hashed_and_verified() {
        let hash = hash_pin("1234").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("1234"));
        assert!(verify_pin("1234", &hash));
        assert!(!verify_pin("1235", &hash));
        assert!(!verify_pin("1234", "garbage"));
    }

    #[test]
    fn throttle_backs_off_exponentially_after_five_failures() {
        let t = Throttle::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..4 {
            t.fail(&["ip:1"], now);
            assert!(t.check(&["ip:1"], now).is_ok());
        }
        t.fail(&["ip:1"], now);
        match t.check(&["ip:1", "staff:x"], now) {
            Err(CoreError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 30),
            other => panic!("{other:?}"),
        }
        assert!(t.check(&["ip:1"], now + Duration::seconds(31)).is_ok());
        t.fail(&["ip:1"], now + Duration::seconds(31));
        match t.check(&["ip:1"], now + Duration::seconds(31)) {
            Err(CoreError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 60),
            other => panic!("{other:?}"),
        }
        t.succeed(&["ip:1"]);
        assert!(t.check(&["ip:1"], now).is_ok());
    }
}
