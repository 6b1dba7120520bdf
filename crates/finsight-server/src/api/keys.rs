//! Service API keys, managed by the tenant's admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_core::ApiKeyId;
use finsight_store::ApiKeyRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, parse_uuid, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiKeyView {
    id: String,
    name: String,
    created_at: String,
    revoked: bool,
}

impl From<ApiKeyRecord> for ApiKeyView {
    fn from(key: ApiKeyRecord) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name,
            created_at: rfc3339(key.created_at),
            revoked: key.revoked,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiKeyList {
    api_keys: Vec<ApiKeyView>,
}

/// The tenant's API keys (admins only).
#[utoipa::path(
    get, path = "/v1/api-keys", tag = "admin",
    responses(
        (status = 200, description = "The keys", body = ApiKeyList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<ApiKeyList>, ApiError> {
    let keys = state.services.auth.api_keys(caller.principal()).await?;
    Ok(Json(ApiKeyList {
        api_keys: keys.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewApiKey {
    /// What uses the key, 1 to 100 characters.
    #[schema(example = "payments service")]
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedApiKey {
    key: ApiKeyView,
    /// The secret, shown only now: send it as `Authorization: Bearer …`.
    secret: String,
}

/// Create an API key for a service of the finance app (admins only).
#[utoipa::path(
    post, path = "/v1/api-keys", tag = "admin",
    request_body = NewApiKey,
    responses(
        (status = 201, description = "Created", body = CreatedApiKey),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad name", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let (key, secret) = state
        .services
        .auth
        .create_api_key(caller.principal(), &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            key: key.into(),
            secret,
        }),
    ))
}

/// Revoke an API key (admins only).
#[utoipa::path(
    delete, path = "/v1/api-keys/{api_key_id}", tag = "admin",
    params(("api_key_id" = String, Path, format = Uuid)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Admins only", body = ErrorBody),
        (status = 404, description = "No such live key in the tenant", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_uuid("api_key_id", &id, ApiKeyId::parse)?;
    state
        .services
        .auth
        .revoke_api_key(caller.principal(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
