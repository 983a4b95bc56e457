//! Login with staff name and PIN (throttled in the core), logout, and who is logged in.

use super::docs::{LoginRequest, Me};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Json;
use crate::session::{self, Session};
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// The client's IP address (the key of the PIN throttle); "unknown" when served without one.
/// An IPv6 client counts by its /64 network, since one phone may use many addresses in it.
pub struct ClientAddr(pub String);

/// The throttle key of a peer address.
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| client_key(c.0.ip()))
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// Logs a staff member in: sets the session cookie.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; `Set-Cookie: kartei_session=…`", body = Me),
        (status = 401, description = "Wrong name or PIN", body = ErrorBody),
        (status = 429, description = "Too many wrong PINs; see `Retry-After`", body = ErrorBody),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<LoginRequest>,
) -> ApiResult<Response> {
    let LoginRequest { name, pin } = body;
    let staff = state
        .blocking(move |k| k.verify_pin(&name, &pin, &client))
        .await?;
    let (now, idle) = (state.kartei.now(), state.kartei.session_idle());
    let token = state.sessions.start(&staff.name, staff.role, now, idle);
    let cookie = session::set_cookie(&token, session::COOKIE_MAX_AGE);
    let me = Me {
        name: staff.name,
        role: role_name(staff.role).into(),
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(me)).into_response())
}

/// Ends the session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "auth",
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorBody)))]
async fn logout(State(state): State<AppState>, session: Session) -> Response {
    state.sessions.end(&session.token);
    (
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session::clear_cookie())],
    )
        .into_response()
}

/// The logged-in staff member.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(session: Session) -> Result<axum::Json<Me>, ApiError> {
    Ok(axum::Json(Me {
        name: session.staff,
        role: role_name(session.role).into(),
    }))
}

fn role_name(role: kartei_core::model::Role) -> &'static str {
    match role {
        kartei_core::model::Role::Owner => "owner",
        kartei_core::model::Role::Staff => "staff",
    }
}

#[cfg(test)]
mod tests {
    use super::client_key;

    #[test]
    fn ipv6_clients_count_by_their_network() {
        let key = |s: &str| client_key(s.parse().unwrap());
        assert_eq!(key("192.168.1.7"), "192.168.1.7");
        assert_eq!(key("::ffff:192.168.1.7"), "192.168.1.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::9"), key("2001:db8:1:2:aaaa::1"));
    }
}
