//! Browser sessions for the dashboard: the same sessions as the bearer
//! tokens, carried in `HttpOnly; Secure; SameSite=Strict` cookies so no
//! page script can read a token. Every state-changing request authenticated
//! by the cookie must echo the session's CSRF token in `X-CSRF-Token` (see
//! [`crate::caller`]); the token is derived from the session's access token,
//! so it changes with every refresh and cannot be guessed without it.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use finsight_service::IssuedSession;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{ApiJson, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

/// The access token's cookie (sent on every path).
pub(crate) const SESSION_COOKIE: &str = "finsight_session";
/// The refresh token's cookie (sent only to the refresh route).
pub(crate) const REFRESH_COOKIE: &str = "finsight_refresh";
/// The header a cookie-authenticated write carries its CSRF token in.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";
/// The header the refresh route requires (a cross-site form cannot send one).
pub(crate) const REFRESH_HEADER: &str = "x-requested-with";
const REFRESH_PATH: &str = "/v1/auth/session/refresh";

/// The CSRF token of the session whose access token is `access`.
pub(crate) fn csrf_token(access: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"finsight-csrf\0");
    hasher.update(access.as_bytes());
    hex::encode(&hasher.finalize()[..20])
}

/// The value of cookie `name` on the request, if it carries one.
pub(crate) fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

fn cookie_in<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// A browser session: the tokens are in cookies; only the CSRF token,
/// which is useless without them, is given to the page.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BrowserSession {
    /// Send as `X-CSRF-Token` on every POST, PUT, PATCH and DELETE.
    csrf_token: String,
    /// RFC 3339; refresh before (or on a 401) at `/v1/auth/session/refresh`.
    access_expires_at: String,
    /// RFC 3339.
    refresh_expires_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SessionLogin {
    #[schema(example = "demo@finsight.local")]
    email: String,
    password: String,
}

fn set_cookie(name: &str, value: &str, path: &str, max_age: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    ))
    .expect("tokens and paths are ASCII")
}

fn issued(session: IssuedSession, now: time::OffsetDateTime) -> Response {
    let keep = (session.refresh_expires_at - now).whole_seconds().max(0);
    let body = BrowserSession {
        csrf_token: csrf_token(&session.access_token),
        access_expires_at: rfc3339(session.access_expires_at),
        refresh_expires_at: rfc3339(session.refresh_expires_at),
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    // The access cookie lives as long as the refresh token, so an expired
    // access token still names the session whose CSRF token a refresh
    // needs; the server refuses it for anything else once it expires.
    headers.append(
        SET_COOKIE,
        set_cookie(SESSION_COOKIE, &session.access_token, "/", keep),
    );
    headers.append(
        SET_COOKIE,
        set_cookie(REFRESH_COOKIE, &session.refresh_token, REFRESH_PATH, keep),
    );
    response
}

/// Sign a browser in: the session's tokens are set as `HttpOnly` cookies.
#[utoipa::path(
    post, path = "/v1/auth/session", tag = "dashboard", security(()),
    request_body = SessionLogin,
    responses(
        (status = 200, description = "Signed in; cookies set", body = BrowserSession),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins or rate limited; see Retry-After", body = ErrorBody),
    )
)]
pub(crate) async fn open(
    State(state): State<AppState>,
    crate::caller::ClientAddress(client): crate::caller::ClientAddress,
    ApiJson(request): ApiJson<SessionLogin>,
) -> Result<Response, ApiError> {
    let session = state
        .services
        .auth
        .login_from(&request.email, &request.password, &client)
        .await?;
    Ok(issued(session, state.clock.now()))
}

/// The CSRF token of a live browser session (after a reload the page has
/// only the cookie).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionCsrf {
    /// Send as `X-CSRF-Token` on every POST, PUT, PATCH and DELETE.
    csrf_token: String,
}

/// The browser's session: its CSRF token.
#[utoipa::path(
    get, path = "/v1/auth/session", tag = "dashboard",
    responses(
        (status = 200, description = "The session", body = SessionCsrf),
        (status = 401, description = "No live session", body = ErrorBody),
        (status = 422, description = "Signed in with a bearer token, not a session cookie", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn current(
    _caller: Caller,
    headers: HeaderMap,
) -> Result<Json<SessionCsrf>, ApiError> {
    let access = cookie_in(&headers, SESSION_COOKIE)
        .ok_or_else(|| ApiError::invalid("cookie", "this route is for browser sessions"))?;
    Ok(Json(SessionCsrf {
        csrf_token: csrf_token(access),
    }))
}

/// Trade the refresh cookie for new session cookies. Requires the header
/// `X-Requested-With` (any value), which a cross-site form cannot send.
#[utoipa::path(
    post, path = "/v1/auth/session/refresh", tag = "dashboard", security(()),
    responses(
        (status = 200, description = "New cookies set", body = BrowserSession),
        (status = 401, description = "No, a spent, expired or revoked refresh cookie", body = ErrorBody),
        (status = 403, description = "Without `X-Requested-With`", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !headers.contains_key(REFRESH_HEADER) {
        return Err(finsight_service::ServiceError::Forbidden(
            "a session refresh needs the X-Requested-With header",
        )
        .into());
    }
    let token = cookie_in(&headers, REFRESH_COOKIE)
        .ok_or(finsight_service::ServiceError::Unauthenticated)?;
    let session = state.services.auth.refresh(token).await?;
    Ok(issued(session, state.clock.now()))
}

/// Sign the browser out: the session ends and its cookies are cleared.
#[utoipa::path(
    delete, path = "/v1/auth/session", tag = "dashboard",
    responses(
        (status = 204, description = "Signed out; cookies cleared"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Missing or wrong X-CSRF-Token", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn close(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    state.services.auth.logout(&caller.0).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", 0));
    headers.append(SET_COOKIE, set_cookie(REFRESH_COOKIE, "", REFRESH_PATH, 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(
            axum::http::header::COOKIE,
            HeaderValue::from_static("a=1; finsight_session=fsa_x"),
        );
        headers.append(
            axum::http::header::COOKIE,
            HeaderValue::from_static("finsight_refresh=fsr_y"),
        );
        assert_eq!(cookie_in(&headers, SESSION_COOKIE), Some("fsa_x"));
        assert_eq!(cookie_in(&headers, REFRESH_COOKIE), Some("fsr_y"));
        assert_eq!(cookie_in(&headers, "b"), None);
    }

    #[test]
    fn csrf_tokens_follow_the_session() {
        assert_eq!(csrf_token("fsa_1"), csrf_token("fsa_1"));
        assert_ne!(csrf_token("fsa_1"), csrf_token("fsa_2"));
        assert_eq!(csrf_token("fsa_1").len(), 40);
    }
}
