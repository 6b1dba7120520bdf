//! Who is calling: the `Authorization: Bearer …` header (or a browser
//! session's cookie, with its CSRF token on writes) verified by the
//! authentication service, then the caller's own rate limit. Every `/v1`
//! handler except sign-in takes a [`Caller`], so an unauthenticated request
//! never reaches a service.

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use finsight_core::Principal;
use finsight_service::auth::Authenticated;

use crate::AppState;
use crate::error::ApiError;

/// The access token of a browser session's cookie. A request that may
/// change something (anything but GET, HEAD and OPTIONS) must also carry
/// the session's CSRF token: a cross-site page can make the browser send
/// the cookie (were it not `SameSite=Strict`) but cannot know the token.
fn session_cookie(parts: &Parts) -> Result<&str, ApiError> {
    use axum::http::Method;
    use finsight_service::ServiceError;
    let token = crate::api::session_cookie(parts).ok_or(ServiceError::Unauthenticated)?;
    if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let sent = parts
            .headers
            .get(crate::api::CSRF_HEADER)
            .and_then(|value| value.to_str().ok());
        if sent != Some(crate::api::csrf_token(token).as_str()) {
            return Err(ServiceError::Forbidden(
                "a write from a browser session needs its X-CSRF-Token",
            )
            .into());
        }
    }
    Ok(token)
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub Authenticated);

impl Caller {
    pub fn principal(&self) -> &Principal {
        &self.0.principal
    }
}

/// The bearer token of a request, if it carries one.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = match bearer(parts) {
            Some(token) => token,
            None => session_cookie(parts)?,
        };
        let who = state.services.auth.authenticate(token).await?;
        state
            .user_rate_limiter
            .take(who.principal.actor(), Instant::now())
            .map_err(crate::rate_limit::too_many_requests)?;
        Ok(Caller(who))
    }
}

/// The client's address as the connection gives it (`-` when unknown, as
/// in tests that call the router directly). Behind a proxy this is the
/// proxy's address.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or_else(|| "-".to_owned(), |info| info.0.ip().to_string()),
        ))
    }
}
