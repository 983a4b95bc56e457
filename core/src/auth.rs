//! Staff PINs: argon2id hashes (never the PIN itself) and the throttle that slows down guessing.
//!
//! Every Argon2 run goes through one gate: at most [`PARALLEL_PIN_CHECKS`] at a time, each with
//! a reused buffer, so the memory of a burst of logins is bounded (issue 13).
//!
//! The throttle counts failures per client (a phone's address, or `"kiosk"`) and per name from
//! that client: from the fifth wrong PIN for one name (or the 20th over all names) that client
//! is blocked for 30 s, doubling with each further failure, at most an hour. Other devices and
//! the kiosk are not slowed by it. Its state is saved in the store and survives a restart.
//! Unknown names are checked against a dummy hash, so they take as long as known ones.

use crate::error::{CoreError, Result};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// Argon2id memory per new PIN hash, in KiB (19 MiB, OWASP's first recommended setting).
pub const PIN_MEMORY_KIB: u32 = 19_456;
/// Argon2id passes per new PIN hash.
pub const PIN_PASSES: u32 = 2;
/// Argon2id lanes per new PIN hash: one, so a check takes one core of the Pi's four.
pub const PIN_LANES: u32 = 1;
/// PIN checks (and hashings) that run at once; further ones wait their turn. Two keep two of
/// the Pi's four cores for the kiosk and the other requests, and bound the memory to two
/// Argon2 buffers however many phones log in at once.
pub const PARALLEL_PIN_CHECKS: usize = 2;
/// The most memory a stored hash may ask for (KiB): a hash from an older Kartei verifies with
/// the parameters it was made with, but a tampered one cannot make a check take gigabytes.
const MAX_MEMORY_KIB: u32 = 65_536;

/// The Argon2 parameters of new PIN hashes.
pub fn pin_params() -> Params {
    // The constants are within Argon2's ranges; the fallback is never taken.
    Params::new(PIN_MEMORY_KIB, PIN_PASSES, PIN_LANES, None).unwrap_or_default()
}

/// The turnstile in front of Argon2: at most [`PARALLEL_PIN_CHECKS`] at a time, each with a
/// memory buffer that is kept and reused, so a burst of logins neither allocates nor leaves
/// behind more than those few buffers.
struct Gate {
    state: Mutex<GateState>,
    turn: Condvar,
}

struct GateState {
    running: usize,
    /// The most that ever ran at once (tests check the bound).
    peak: usize,
    buffers: Vec<Vec<Block>>,
}

static GATE: Gate = Gate {
    state: Mutex::new(GateState {
        running: 0,
        peak: 0,
        buffers: Vec::new(),
    }),
    turn: Condvar::new(),
};

/// One turn at the gate with its buffer; gives both back when dropped.
struct Turn {
    blocks: Vec<Block>,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn enter(&self, blocks_needed: usize) -> Turn {
        let mut state = self.lock();
        while state.running >= PARALLEL_PIN_CHECKS {
            state = self.turn.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state.running += 1;
        state.peak = state.peak.max(state.running);
        let mut blocks = state.buffers.pop().unwrap_or_default();
        drop(state);
        if blocks.len() < blocks_needed {
            blocks.resize(blocks_needed, Block::default());
        }
        Turn { blocks }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut state = GATE.lock();
        let mut blocks = std::mem::take(&mut self.blocks);
        // A buffer grown for an old, bigger hash is not kept.
        if blocks.len() > pin_params().block_count() {
            blocks = Vec::new();
        }
        state.buffers.push(blocks);
        state.running -= 1;
        drop(state);
        GATE.turn.notify_one();
    }
}

/// Runs Argon2 with `params` through the gate.
fn argon2(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    pin: &str,
    salt: &[u8],
    out: &mut [u8],
) -> std::result::Result<(), argon2::Error> {
    let blocks_needed = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    let mut turn = GATE.enter(blocks_needed);
    hasher.hash_password_into_with_memory(pin.as_bytes(), salt, out, &mut turn.blocks[..])
}

pub fn hash_pin(pin: &str) -> Result<String> {
    let failed = |e: &dyn std::fmt::Display| CoreError::Store(format!("hashing a PIN failed: {e}"));
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| failed(&e))?;
    let params = pin_params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        pin,
        &bytes,
        &mut out,
    )
    .map_err(|e| failed(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `pin` matches the PHC string `hash`, with the parameters stored in it (so hashes
/// made with other parameters keep working). A malformed hash matches nothing.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.m_cost() > MAX_MEMORY_KIB {
        return false;
    }
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    argon2(algorithm, version, params, pin, salt, &mut out).is_ok()
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// A hash of no PIN anybody knows, made once with the current parameters: checking a PIN for
/// an unknown name against it takes as long as for a known name, so names cannot be guessed by
/// the time an answer takes.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut pin = [0u8; 16];
        rand::fill(&mut pin);
        hash_pin(&hex::encode(pin)).unwrap_or_default()
    })
}

/// Wrong PINs for one name from one client before that pair is blocked.
pub const FREE_ATTEMPTS: u32 = 5;
/// Wrong PINs from one client over all names before the client is blocked (a success does not
/// reset this count, so knowing one PIN does not buy more guesses at another).
pub const CLIENT_FREE_ATTEMPTS: u32 = 20;
const FIRST_BLOCK_SECS: i64 = 30;
const MAX_BLOCK_SECS: i64 = 3600;
/// A count is forgotten this long after its last failure.
const FORGET_AFTER_HOURS: i64 = 24;
/// The most keys kept; beyond it the longest-quiet ones are dropped, so the state stays small.
const MAX_KEYS: usize = 1000;

/// The throttle's memory: failures per key, saved in the store so that a restart forgets
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleState {
    keys: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    failures: u32,
    /// Blocked until then (in the past when not blocked).
    until: DateTime<Utc>,
    last: DateTime<Utc>,
}

/// Slows down guessing, per client and per name *from that client*: wrong PINs from one phone
/// block that phone, never another device or the kiosk (which is its own client, `"kiosk"`).
#[derive(Default)]
pub struct Throttle {
    state: Mutex<ThrottleState>,
}

fn pair_key(client: &str, name: &str) -> String {
    format!("pair\u{1f}{client}\u{1f}{}", name.trim().to_lowercase())
}

fn client_key(client: &str) -> String {
    format!("client\u{1f}{client}")
}

impl Throttle {
    /// A throttle that goes on from a saved state.
    pub fn from_state(state: ThrottleState) -> Throttle {
        Throttle {
            state: Mutex::new(state),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ThrottleState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Refuses if `client`, or `name` from `client`, is blocked at `now`.
    pub fn check(&self, client: &str, name: &str, now: DateTime<Utc>) -> Result<()> {
        let state = self.lock();
        let wait = [client_key(client), pair_key(client, name)]
            .iter()
            .filter_map(|k| state.keys.get(k))
            .map(|e| (e.until - now).num_seconds())
            .max()
            .unwrap_or(0);
        if wait > 0 {
            return Err(CoreError::Throttled {
                retry_after_secs: wait as u64,
            });
        }
        Ok(())
    }

    /// Counts a wrong PIN; returns the state to save.
    pub fn fail(&self, client: &str, name: &str, now: DateTime<Utc>) -> ThrottleState {
        let mut state = self.lock();
        let forget = now - Duration::hours(FORGET_AFTER_HOURS);
        state.keys.retain(|_, e| e.last > forget || e.until > now);
        for (key, free) in [
            (client_key(client), CLIENT_FREE_ATTEMPTS),
            (pair_key(client, name), FREE_ATTEMPTS),
        ] {
            let entry = state.keys.entry(key).or_insert(Entry {
                failures: 0,
                until: now,
                last: now,
            });
            entry.failures = entry.failures.saturating_add(1);
            entry.last = now;
            if entry.failures >= free {
                let doublings = (entry.failures - free).min(20);
                let secs = (FIRST_BLOCK_SECS << doublings).min(MAX_BLOCK_SECS);
                entry.until = now + Duration::seconds(secs);
            }
        }
        while state.keys.len() > MAX_KEYS {
            let quietest = state
                .keys
                .iter()
                .min_by_key(|(_, e)| e.last)
                .map(|(k, _)| k.clone());
            match quietest {
                Some(k) => state.keys.remove(&k),
                None => break,
            };
        }
        state.clone()
    }

    /// A right PIN: forgets the wrong ones for this name from this client. Returns the state
    /// to save when it changed.
    pub fn succeed(&self, client: &str, name: &str) -> Option<ThrottleState> {
        let mut state = self.lock();
        state
            .keys
            .remove(&pair_key(client, name))
            .map(|_| state.clone())
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
        assert!(hash.contains("$m=19456,t=2,p=1$"), "{hash}");
    }

    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        // What Kartei wrote before the parameters were set here (the crate's defaults), and
        // a hash with other costs and Argon2i.
        let old = Argon2::default()
            .hash_password(b"4711", &salt)
            .unwrap()
            .to_string();
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(8192, 3, 2, Some(24)).unwrap(),
        )
        .hash_password(b"4711", &salt)
        .unwrap()
        .to_string();
        for hash in [old, other] {
            assert!(verify_pin("4711", &hash), "{hash}");
            assert!(!verify_pin("4712", &hash), "{hash}");
        }
        let greedy = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(MAX_MEMORY_KIB * 2, 1, 1, None).unwrap(),
        );
        // Not hashed (that would take the memory): only the parameters of the string matter.
        let greedy = format!(
            "$argon2id$v=19$m={},t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            greedy.params().m_cost()
        );
        assert!(!verify_pin("4711", &greedy));
    }

    #[test]
    fn at_most_a_few_pin_checks_run_at_once() {
        let hash = hash_pin("1234").unwrap();
        let checks: Vec<_> = (0..8)
            .map(|_| {
                let hash = hash.clone();
                std::thread::spawn(move || verify_pin("1234", &hash))
            })
            .collect();
        for check in checks {
            assert!(check.join().unwrap());
        }
        let state = GATE.lock();
        assert!(
            state.peak >= 1 && state.peak <= PARALLEL_PIN_CHECKS,
            "{}",
            state.peak
        );
        assert!(state.buffers.len() <= PARALLEL_PIN_CHECKS);
    }

    #[test]
    fn throttle_backs_off_exponentially_per_client_and_name() {
        let t = Throttle::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..4 {
            t.fail("ip:1", "Lena", now);
            assert!(t.check("ip:1", "Lena", now).is_ok());
        }
        t.fail("ip:1", "lena ", now);
        match t.check("ip:1", "Lena", now) {
            Err(CoreError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 30),
            other => panic!("{other:?}"),
        }
        // Another name from the same phone, the same name from another phone: not blocked.
        assert!(t.check("ip:1", "Mehmet", now).is_ok());
        assert!(t.check("ip:2", "Lena", now).is_ok());
        assert!(t.check("kiosk", "Lena", now).is_ok());
        assert!(t.check("ip:1", "Lena", now + Duration::seconds(31)).is_ok());
        t.fail("ip:1", "Lena", now + Duration::seconds(31));
        match t.check("ip:1", "Lena", now + Duration::seconds(31)) {
            Err(CoreError::Throttled { retry_after_secs }) => assert_eq!(retry_after_secs, 60),
            other => panic!("{other:?}"),
        }
        assert!(t.succeed("ip:1", "Lena").is_some());
        assert!(t.check("ip:1", "Lena", now).is_ok());
        assert!(t.succeed("ip:1", "Lena").is_none());
    }

    #[test]
    fn one_client_guessing_many_names_is_blocked_and_a_success_does_not_reset_it() {
        let t = Throttle::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..CLIENT_FREE_ATTEMPTS - 1 {
            t.fail("ip:1", &format!("name{i}"), now);
            t.succeed("ip:1", "Mia");
        }
        assert!(t.check("ip:1", "Mia", now).is_ok());
        let saved = t.fail("ip:1", "another", now);
        assert!(t.check("ip:1", "Mia", now).is_err());
        assert!(t.check("ip:2", "Mia", now).is_ok());
        // The saved state goes on after a restart.
        let restarted = Throttle::from_state(saved);
        assert!(restarted.check("ip:1", "Mia", now).is_err());
        // Forgotten a day after the last failure.
        let later = now + Duration::hours(25);
        assert!(restarted.check("ip:1", "Mia", later).is_ok());
        restarted.fail("ip:1", "x", later);
        assert!(restarted.check("ip:1", "Mia", later).is_ok());
    }

    #[test]
    fn the_throttle_keeps_a_bounded_number_of_keys() {
        let t = Throttle::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut state = ThrottleState::default();
        for i in 0..MAX_KEYS {
            state = t.fail(&format!("ip:{i}"), "x", now + Duration::seconds(i as i64));
        }
        assert_eq!(state.keys.len(), MAX_KEYS);
        // The quietest went, the latest stayed.
        assert!(!state.keys.contains_key(&client_key("ip:0")));
        assert!(state
            .keys
            .contains_key(&client_key(&format!("ip:{}", MAX_KEYS - 1))));
    }
}
