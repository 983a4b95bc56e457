//! Staff sessions: a random 32-byte token (hex) in an HttpOnly, SameSite=Strict cookie, and a
//! server-side table of live sessions with a sliding idle expiry. The idle time is the owner's
//! setting in the core (`Settings::session_idle_minutes`, 15 min … 24 h), read at every request,
//! so a change applies to running sessions at once; the time is the core's clock (a fixed clock in
//! tests). The [`Session`] extractor is the
//! one session check of the API (401 without); [`PageSession`] is the same for pages (redirect to
//! `/login`).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use kartei_core::model::Role;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "kartei_session";

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub staff: String,
    pub role: Role,
}

struct Entry {
    staff: String,
    role: Role,
    /// The last request, on the core's clock.
    last_seen: DateTime<Utc>,
    /// When the staff member was last found in the store: a member removed with
    /// `kartei staff remove` (another process) loses access within [`RECHECK`].
    checked: Instant,
}

/// How often a session's staff member is looked up again.
pub const RECHECK: Duration = Duration::from_secs(60);

/// The cookie's own lifetime: the longest session an owner may set. The server ends a session
/// after the owner's idle time; the cookie only has to outlive it.
pub const COOKIE_MAX_AGE: Duration =
    Duration::from_secs(*kartei_core::settings::SESSION_IDLE_MINUTES.end() as u64 * 60);

/// The live sessions; nothing survives a restart (staff log in again).
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Entry>>,
}

/// Whether a session last seen at `last_seen` has been idle for `idle` at `now` (a clock set
/// back counts as not idle).
fn expired(last_seen: DateTime<Utc>, now: DateTime<Utc>, idle: Duration) -> bool {
    (now - last_seen).to_std().is_ok_and(|d| d >= idle)
}

impl Sessions {
    pub fn new() -> Sessions {
        Sessions::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a session at `now` and returns its token; sessions idle for `idle` are dropped.
    pub fn start(&self, staff: &str, role: Role, now: DateTime<Utc>, idle: Duration) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let mut map = self.lock();
        map.retain(|_, e| !expired(e.last_seen, now, idle));
        map.insert(
            token.clone(),
            Entry {
                staff: staff.to_string(),
                role,
                last_seen: now,
                checked: Instant::now(),
            },
        );
        token
    }

    /// The session of `token` if it has not been idle for `idle` at `now`; touching it extends
    /// it. `still_staff` is asked at most every [`RECHECK`] whether the member still exists.
    pub fn touch(
        &self,
        token: &str,
        now: DateTime<Utc>,
        idle: Duration,
        still_staff: impl FnOnce(&str) -> bool,
    ) -> Option<Session> {
        let mut map = self.lock();
        let entry = map.get_mut(token)?;
        if expired(entry.last_seen, now, idle) {
            map.remove(token);
            return None;
        }
        let checked = Instant::now();
        if checked.duration_since(entry.checked) >= RECHECK {
            if !still_staff(&entry.staff) {
                map.remove(token);
                return None;
            }
            entry.checked = checked;
        }
        entry.last_seen = now;
        Some(Session {
            token: token.to_string(),
            staff: entry.staff.clone(),
            role: entry.role,
        })
    }

    pub fn end(&self, token: &str) {
        self.lock().remove(token);
    }
}

/// The session token from the request's cookies.
pub fn token_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}

/// The `Set-Cookie` value that starts a session.
pub fn set_cookie(token: &str, max_age: Duration) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        max_age.as_secs()
    )
}

/// The `Set-Cookie` value that ends it.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn session_of(parts: &Parts, state: &AppState) -> Option<Session> {
    let token = token_of(&parts.headers)?;
    let (now, idle) = (state.kartei.now(), state.kartei.session_idle());
    state.sessions.touch(&token, now, idle, |name| {
        // A store error keeps the session (the next check asks again).
        !matches!(state.kartei.staff_member(name), Ok(None))
    })
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        session_of(parts, state).ok_or_else(ApiError::unauthorized)
    }
}

/// A session for a page: without one, the browser is sent to `/login`.
pub struct PageSession(pub Session);

pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for PageSession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_of(parts, state).map(PageSession))
    }
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = ToLogin;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ToLogin> {
        session_of(parts, state).map(PageSession).ok_or(ToLogin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_end_and_follow_staff_removal() {
        let hour = Duration::from_secs(3600);
        let t0 = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 4, 9, 0, 0).unwrap();
        let at = |minutes: i64| t0 + chrono::Duration::minutes(minutes);
        let sessions = Sessions::new();
        let token = sessions.start("Anna", Role::Staff, t0, hour);
        assert_eq!(token.len(), 64);
        assert_ne!(token, sessions.start("Anna", Role::Staff, t0, hour));
        assert_eq!(
            sessions
                .touch(&token, at(59), hour, |_| true)
                .unwrap()
                .staff,
            "Anna"
        );
        assert!(sessions.touch("nope", t0, hour, |_| true).is_none());
        // Sliding: 59 minutes after the last request it is still live; a clock set back too.
        assert!(sessions.touch(&token, at(118), hour, |_| true).is_some());
        assert!(sessions.touch(&token, at(100), hour, |_| true).is_some());
        // A shorter idle time applies to the running session at its next request.
        assert!(sessions
            .touch(&token, at(114), Duration::from_secs(15 * 60), |_| true)
            .is_some());
        assert!(sessions
            .touch(&token, at(130), Duration::from_secs(15 * 60), |_| true)
            .is_none());
        assert!(
            sessions.touch(&token, at(131), hour, |_| true).is_none(),
            "gone"
        );

        // Removed staff: dropped at the next recheck.
        let token = sessions.start("Anna", Role::Staff, t0, hour);
        sessions.lock().get_mut(&token).unwrap().checked -= RECHECK;
        assert!(sessions.touch(&token, t0, hour, |_| false).is_none());
        assert!(sessions.touch(&token, t0, hour, |_| true).is_none());

        let token = sessions.start("Ben", Role::Owner, t0, hour);
        sessions.end(&token);
        assert!(sessions.touch(&token, t0, hour, |_| true).is_none());

        let token = sessions.start("Cem", Role::Staff, t0, hour);
        assert!(sessions.touch(&token, at(60), hour, |_| true).is_none());
    }

    #[test]
    fn cookie_parsing() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; kartei_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(token_of(&h).as_deref(), Some("abc"));
        assert!(set_cookie("abc", Duration::from_secs(60))
            .contains("HttpOnly; SameSite=Strict; Max-Age=60"));
    }
}
