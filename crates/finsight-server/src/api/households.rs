//! Households and who belongs to them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_core::{Household, HouseholdId, HouseholdRole, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use finsight_service::households::MembershipChange;

use super::{ApiJson, parse_uuid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HouseholdView {
    id: String,
    name: String,
}

impl From<Household> for HouseholdView {
    fn from(h: Household) -> Self {
        Self {
            id: h.id.to_string(),
            name: h.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HouseholdList {
    households: Vec<HouseholdView>,
}

/// Households the caller can see.
#[utoipa::path(
    get, path = "/v1/households", tag = "households",
    responses(
        (status = 200, description = "The households", body = HouseholdList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<HouseholdList>, ApiError> {
    let households = state.services.households(caller.principal()).await?;
    Ok(Json(HouseholdList {
        households: households.into_iter().map(Into::into).collect(),
    }))
}

pub(crate) fn household_id(text: &str) -> Result<HouseholdId, ApiError> {
    parse_uuid("household_id", text, HouseholdId::parse)
}

/// One household.
#[utoipa::path(
    get, path = "/v1/households/{household_id}", tag = "households",
    params(("household_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The household", body = HouseholdView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such household visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<HouseholdView>, ApiError> {
    let household = state
        .services
        .household(caller.principal(), household_id(&id)?)
        .await?;
    Ok(Json(household.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberView {
    user_id: String,
    display_name: String,
    /// owner, member or viewer.
    role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MemberList {
    members: Vec<MemberView>,
}

/// Members of a household.
#[utoipa::path(
    get, path = "/v1/households/{household_id}/members", tag = "households",
    params(("household_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The members", body = MemberList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such household visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MemberList>, ApiError> {
    let members = state
        .services
        .members(caller.principal(), household_id(&id)?)
        .await?;
    Ok(Json(MemberList {
        members: members
            .into_iter()
            .map(|(user, role)| MemberView {
                user_id: user.id.to_string(),
                display_name: user.display_name,
                role: role.as_str().to_owned(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemberRole {
    role: RoleName,
}

/// A role in a household.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RoleName {
    Owner,
    Member,
    Viewer,
}

impl From<RoleName> for HouseholdRole {
    fn from(role: RoleName) -> Self {
        match role {
            RoleName::Owner => HouseholdRole::Owner,
            RoleName::Member => HouseholdRole::Member,
            RoleName::Viewer => HouseholdRole::Viewer,
        }
    }
}

/// Whether a person is a member now or an invitation waits for consent.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MembershipStatus {
    /// `member`, or `invited`: the person must accept (and, when an admin
    /// invited, an owner approve) through
    /// `POST /v1/households/{household_id}/invitations/{user_id}/accept`.
    status: &'static str,
}

impl From<MembershipChange> for MembershipStatus {
    fn from(change: MembershipChange) -> Self {
        Self {
            status: change.as_str(),
        }
    }
}

/// Change a member's role, or invite a person of the same tenant (owners,
/// or an admin): a new member joins only after accepting.
#[utoipa::path(
    put, path = "/v1/households/{household_id}/members/{user_id}", tag = "households",
    params(
        ("household_id" = String, Path, format = Uuid),
        ("user_id" = String, Path, format = Uuid),
    ),
    request_body = MemberRole,
    responses(
        (status = 204, description = "The member's role is changed"),
        (status = 202, description = "Invited: the person must accept", body = MembershipStatus),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only an owner may change members", body = ErrorBody),
        (status = 404, description = "No such household or user visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad id or role; the last owner cannot be demoted", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn set_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((household, user)): Path<(String, String)>,
    ApiJson(body): ApiJson<MemberRole>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let household = household_id(&household)?;
    let user = parse_uuid("user_id", &user, UserId::parse)?;
    let role = HouseholdRole::from(body.role);
    let change = state
        .services
        .set_member(caller.principal(), household, user, role)
        .await?;
    Ok(match change {
        MembershipChange::Updated => StatusCode::NO_CONTENT.into_response(),
        MembershipChange::Invited => {
            (StatusCode::ACCEPTED, Json(MembershipStatus::from(change))).into_response()
        }
    })
}

/// Remove a person from the household (owners only).
#[utoipa::path(
    delete, path = "/v1/households/{household_id}/members/{user_id}", tag = "households",
    params(
        ("household_id" = String, Path, format = Uuid),
        ("user_id" = String, Path, format = Uuid),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only an owner may change members", body = ErrorBody),
        (status = 404, description = "No such household or member visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id; the last owner cannot leave", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((household, user)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let household = household_id(&household)?;
    let user = parse_uuid("user_id", &user, UserId::parse)?;
    state
        .services
        .remove_member(caller.principal(), household, user)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewHousehold {
    /// 1 to 200 characters.
    #[schema(example = "The Lees")]
    name: String,
}

/// Create a household in the admin's tenant.
#[utoipa::path(
    post, path = "/v1/households", tag = "households",
    request_body = NewHousehold,
    responses(
        (status = 201, description = "Created", body = HouseholdView),
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
    ApiJson(body): ApiJson<NewHousehold>,
) -> Result<(StatusCode, Json<HouseholdView>), ApiError> {
    let household = state
        .services
        .create_household(caller.principal(), &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(household.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPerson {
    /// 1 to 200 characters.
    #[schema(example = "Ada Lee")]
    display_name: String,
    /// Their role in the household (default member).
    #[serde(default)]
    role: Option<RoleName>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonView {
    user_id: String,
    display_name: String,
    household_id: String,
    role: String,
    /// `member`, or `invited` when an admin added the person to a
    /// household that has members: an owner must approve first.
    status: &'static str,
}

/// Add a new person to a household (its owners, or an admin; an admin's
/// person joins a household that has members only once an owner approves).
#[utoipa::path(
    post, path = "/v1/households/{household_id}/people", tag = "households",
    params(("household_id" = String, Path, format = Uuid)),
    request_body = NewPerson,
    responses(
        (status = 201, description = "Created", body = PersonView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only an owner may add people", body = ErrorBody),
        (status = 404, description = "No such household visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad id or field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewPerson>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    let household = household_id(&id)?;
    let role = body.role.map_or(HouseholdRole::Member, HouseholdRole::from);
    let (user, change) = state
        .services
        .add_person(caller.principal(), household, &body.display_name, role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PersonView {
            user_id: user.id.to_string(),
            display_name: user.display_name,
            household_id: household.to_string(),
            role: role.as_str().to_owned(),
            status: MembershipStatus::from(change).status,
        }),
    ))
}
