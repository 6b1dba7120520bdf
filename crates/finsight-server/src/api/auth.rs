//! Sign-in, token refresh, sign-out and "who am I".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use finsight_service::IssuedSession;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// The login's email address.
    #[schema(example = "demo@finsight.local")]
    email: String,
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh; it is spent.
    refresh_token: String,
}

/// A new session. Send `access_token` as `Authorization: Bearer …`; before
/// it expires, trade `refresh_token` for a new pair at `/v1/auth/refresh`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionResponse {
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// RFC 3339.
    access_expires_at: String,
    refresh_token: String,
    /// RFC 3339.
    refresh_expires_at: String,
}

impl From<IssuedSession> for SessionResponse {
    fn from(session: IssuedSession) -> Self {
        Self {
            access_token: session.access_token,
            token_type: "Bearer",
            access_expires_at: rfc3339(session.access_expires_at),
            refresh_token: session.refresh_token,
            refresh_expires_at: rfc3339(session.refresh_expires_at),
        }
    }
}

/// Sign in with email and password.
#[utoipa::path(
    post, path = "/v1/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = SessionResponse),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this email from this address (`too_many_attempts`, answered alike for unknown emails) or rate limited; see Retry-After", body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    crate::caller::ClientAddress(client): crate::caller::ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = state
        .services
        .auth
        .login_from(&request.email, &request.password, &client)
        .await?;
    Ok(Json(session.into()))
}

/// Trade a refresh token for a new token pair. Each refresh token works
/// once; presenting a spent one ends the whole session.
#[utoipa::path(
    post, path = "/v1/auth/refresh", tag = "auth", security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = SessionResponse),
        (status = 401, description = "Unknown, spent, expired or revoked refresh token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = state.services.auth.refresh(&request.refresh_token).await?;
    Ok(Json(session.into()))
}

/// End this session: its access and refresh tokens stop working.
#[utoipa::path(
    post, path = "/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state.services.auth.logout(&caller.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MembershipView {
    household_id: String,
    household_name: String,
    /// `owner`, `member` or `viewer`.
    role: String,
}

/// The signed-in principal.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeResponse {
    /// `person`, `analyst`, `admin` or `service`.
    kind: String,
    tenant_id: String,
    /// For people.
    user_id: Option<String>,
    display_name: Option<String>,
    households: Vec<MembershipView>,
}

/// Who am I.
#[utoipa::path(
    get, path = "/v1/me", tag = "auth",
    responses(
        (status = 200, description = "The caller", body = MeResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn me(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MeResponse>, ApiError> {
    let me = state.services.me(caller.principal()).await?;
    let kind = me.principal.kind().to_owned();
    Ok(Json(MeResponse {
        kind,
        tenant_id: me.principal.tenant().to_string(),
        user_id: me.user.as_ref().map(|u| u.id.to_string()),
        display_name: me.user.map(|u| u.display_name),
        households: me
            .households
            .into_iter()
            .map(|(household, role)| MembershipView {
                household_id: household.id.to_string(),
                household_name: household.name,
                role: role.as_str().to_owned(),
            })
            .collect(),
    }))
}
