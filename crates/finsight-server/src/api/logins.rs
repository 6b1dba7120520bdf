//! Logins: staff logins by the tenant's admins; a person's login by an
//! admin (only for the first person of a new household) or by an owner of
//! every household the person belongs to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use finsight_core::{LoginKind, StaffRole, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, parse_uuid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

/// A staff role.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum StaffRoleName {
    Analyst,
    Admin,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewLogin {
    #[schema(example = "ada@example.com")]
    email: String,
    /// 12 to 256 characters.
    password: String,
    /// The person who signs in with it (exactly one of `user_id` and
    /// `staff_role`).
    #[schema(format = Uuid)]
    user_id: Option<String>,
    staff_role: Option<StaffRoleName>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedLogin {
    login_id: String,
}

/// Create a login: staff logins (admins); a person's login (an admin, for
/// the first person of a new household; else an owner of the person's
/// households).
#[utoipa::path(
    post, path = "/v1/logins", tag = "households",
    request_body = NewLogin,
    responses(
        (status = 201, description = "Created", body = CreatedLogin),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or not the person's household owner (admins create logins only for a new household's first person)", body = ErrorBody),
        (status = 404, description = "No such person in the tenant", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad field, or the email is taken", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewLogin>,
) -> Result<(StatusCode, Json<CreatedLogin>), ApiError> {
    let kind = match (&body.user_id, body.staff_role) {
        (Some(user), None) => LoginKind::Person(parse_uuid("user_id", user, UserId::parse)?),
        (None, Some(StaffRoleName::Analyst)) => LoginKind::Staff(StaffRole::Analyst),
        (None, Some(StaffRoleName::Admin)) => LoginKind::Staff(StaffRole::Admin),
        _ => {
            return Err(ApiError::invalid(
                "user_id",
                "give exactly one of user_id and staff_role",
            ));
        }
    };
    let id = state
        .services
        .create_login(caller.principal(), &body.email, &body.password, kind)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedLogin {
            login_id: id.to_string(),
        }),
    ))
}
