//! Invitations to join a household: listing those one can act on,
//! accepting (the invited person) or approving (an owner), declining.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_core::UserId;
use finsight_store::Invitation;
use serde::Serialize;
use utoipa::ToSchema;

use super::households::{MembershipStatus, household_id};
use super::{parse_uuid, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitationView {
    household_id: String,
    user_id: String,
    role: String,
    /// Who is still to consent: `person`, `owner`, or both.
    awaiting: Vec<&'static str>,
    created_at: String,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        let awaiting = i.awaiting();
        Self {
            household_id: i.household.to_string(),
            user_id: i.user.to_string(),
            role: i.role.as_str().to_owned(),
            awaiting,
            created_at: rfc3339(i.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InvitationList {
    invitations: Vec<InvitationView>,
}

/// Invitations waiting for the caller, and those concerning households the
/// caller owns.
#[utoipa::path(
    get, path = "/v1/invitations", tag = "households",
    responses(
        (status = 200, description = "The invitations", body = InvitationList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<InvitationList>, ApiError> {
    let invitations = state.services.invitations(caller.principal()).await?;
    Ok(Json(InvitationList {
        invitations: invitations.into_iter().map(Into::into).collect(),
    }))
}

/// Accept an invitation (the invited person) or approve it (an owner of
/// the household); the person joins once both have.
#[utoipa::path(
    post, path = "/v1/households/{household_id}/invitations/{user_id}/accept", tag = "households",
    params(
        ("household_id" = String, Path, format = Uuid),
        ("user_id" = String, Path, format = Uuid),
    ),
    responses(
        (status = 200, description = "`member` once both sides agreed, else still `invited`", body = MembershipStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such invitation for the caller to accept", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path((household, user)): Path<(String, String)>,
) -> Result<Json<MembershipStatus>, ApiError> {
    let household = household_id(&household)?;
    let user = parse_uuid("user_id", &user, UserId::parse)?;
    let change = state
        .services
        .accept_invitation(caller.principal(), household, user)
        .await?;
    Ok(Json(change.into()))
}

/// Decline an invitation (the invited person) or withdraw it (an owner).
#[utoipa::path(
    delete, path = "/v1/households/{household_id}/invitations/{user_id}", tag = "households",
    params(
        ("household_id" = String, Path, format = Uuid),
        ("user_id" = String, Path, format = Uuid),
    ),
    responses(
        (status = 204, description = "Declined"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such invitation for the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path((household, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let household = household_id(&household)?;
    let user = parse_uuid("user_id", &user, UserId::parse)?;
    state
        .services
        .decline_invitation(caller.principal(), household, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
