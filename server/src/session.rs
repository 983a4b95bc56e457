//! Staff sessions: a random 32-byte token (hex) in an HttpOnly, SameSite=Strict cookie, and a
//! server-side table of live sessions with a sliding idle expiry. The [`Session`] extractor is the
//! one session check of the API (401 without); [`PageSession`] is the same for pages (redirect to
//! `/login`).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
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
    last_seen: Instant,
    /// When the staff member was last found in the store: a member removed with
    /// `kartei staff remove` (another process) loses access within [`RECHECK`].
    checked: Instant,
}

/// How often a session's staff member is looked up again.
pub const RECHECK: Duration = Duration::from_secs(60);

/// The live sessions; nothing survives a restart (staff log in again).
pub struct Sessions {
    idle: Duration,
    map: Mutex<HashMap<String, Entry>>,
}

impl Sessions {
    pub fn new(idle: Duration) -> Sessions {
        Sessions {
            idle,
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn idle(&self) -> Duration {
        self.idle
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a session and returns its token.
    pub fn start(&self, staff: &str, role: Role) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = Instant::now();
        let mut map = self.lock();
        let idle = self.idle;
        map.retain(|_, e| now.duration_since(e.last_seen) < idle);
        map.insert(
            token.clone(),
            Entry {
                staff: staff.to_string(),
                role,
                last_seen: now,
                checked: now,
            },
        );
        token
    }

    /// The session of `token` if it is live; touching it extends it. `still_staff` is asked
    /// at most every [`RECHECK`] whether the member still exists.
    pub fn touch(&self, token: &str, still_staff: impl FnOnce(&str) -> bool) -> Option<Session> {
        let now = Instant::now();
        let mut map = self.lock();
        let entry = map.get_mut(token)?;
        if now.duration_since(entry.last_seen) >= self.idle {
            map.remove(token);
            return None;
        }
        if now.duration_since(entry.checked) >= RECHECK {
            if !still_staff(&entry.staff) {
                map.remove(token);
                return None;
            }
            entry.checked = now;
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
    state.sessions.touch(&token, |name| {
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
        let sessions = Sessions::new(Duration::from_secs(3600));
        let token = sessions.start("Anna", Role::Staff);
        assert_eq!(token.len(), 64);
        assert_ne!(token, sessions.start("Anna", Role::Staff));
        assert_eq!(sessions.touch(&token, |_| true).unwrap().staff, "Anna");
        assert!(sessions.touch("nope", |_| true).is_none());
        // Removed staff: dropped at the next recheck.
        sessions.lock().get_mut(&token).unwrap().checked -= RECHECK;
        assert!(sessions.touch(&token, |_| false).is_none());
        assert!(sessions.touch(&token, |_| true).is_none());

        let token = sessions.start("Ben", Role::Owner);
        sessions.end(&token);
        assert!(sessions.touch(&token, |_| true).is_none());

        let idle = Sessions::new(Duration::from_millis(0));
        let token = idle.start("Cem", Role::Staff);
        assert!(idle.touch(&token, |_| true).is_none());
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
