//! Savings goals over REST: list, create (answered with the AI check: the
//! monthly contribution, feasibility, chance of success and a feasible
//! date), the projection with strategies, and contributions (milestones
//! reached arrive on the alert stream).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_service::planning::{Goal, GoalProjection, NewGoal};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::budgets::decimal;
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MilestoneView {
    /// 25, 50, 75 or 100.
    percent: u32,
    amount: String,
    reached: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalView {
    id: String,
    user_id: String,
    name: String,
    currency: String,
    target: String,
    saved: String,
    target_date: String,
    /// Saved over target, 0–1.
    progress: f64,
    milestones: Vec<MilestoneView>,
}

impl From<Goal> for GoalView {
    fn from(g: Goal) -> Self {
        Self {
            id: g.id.to_string(),
            user_id: g.user_id.to_string(),
            name: g.name,
            currency: g.target.currency().code().to_owned(),
            target: g.target.amount_text(),
            saved: g.saved.amount_text(),
            target_date: g.target_date.to_string(),
            progress: (g.progress * 1000.0).round() / 1000.0,
            milestones: g
                .milestones
                .into_iter()
                .map(|m| MilestoneView {
                    percent: m.percent,
                    amount: m.amount.to_string(),
                    reached: m.reached,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StrategyView {
    category: String,
    from: String,
    to: String,
    /// A month.
    saving: String,
    explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProjectionView {
    goal: GoalView,
    months_left: u32,
    /// To put aside each month from now.
    required_monthly: String,
    /// The person's expected monthly income less spending.
    free_cash_flow: String,
    /// The required contribution fits the expected free cash flow.
    feasible: bool,
    /// Chance of reaching the target by the date (Monte Carlo, 10,000
    /// paths over the cash-flow distribution).
    probability: f64,
    /// When out of reach: the date the free cash flow gets there.
    suggested_date: Option<String>,
    /// When out of reach: what the free cash flow reaches by the date.
    suggested_target: Option<String>,
    /// Cuts that would free the difference, largest first.
    strategies: Vec<StrategyView>,
}

impl From<GoalProjection> for ProjectionView {
    fn from(p: GoalProjection) -> Self {
        Self {
            goal: p.goal.into(),
            months_left: p.months_left,
            required_monthly: p.plan.required_monthly.to_string(),
            free_cash_flow: p.plan.free_cash_flow.to_string(),
            feasible: p.plan.feasible,
            probability: p.plan.probability,
            suggested_date: p.suggested_date.map(|d| d.to_string()),
            suggested_target: p.plan.feasible_target.map(|t| t.to_string()),
            strategies: p
                .strategies
                .into_iter()
                .map(|s| StrategyView {
                    category: s.category,
                    from: s.from.to_string(),
                    to: s.to.to_string(),
                    saving: s.saving.to_string(),
                    explanation: s.explanation,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GoalList {
    items: Vec<GoalView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserParams {
    /// Whose goals (default: the signed-in person).
    user_id: Option<String>,
}

/// The person's goals, oldest first.
#[utoipa::path(
    get, path = "/v1/goals", tag = "planning", params(UserParams),
    responses(
        (status = 200, description = "The goals", body = GoalList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
) -> Result<Json<GoalList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let goals = state.services.goals(caller.principal(), user).await?;
    Ok(Json(GoalList {
        items: goals.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GoalRequest {
    /// 1 to 100 characters.
    name: String,
    /// In the person's main currency, as a string.
    #[schema(example = "3000.00")]
    target: String,
    /// YYYY-MM-DD, after today.
    #[schema(example = "2027-08-01")]
    target_date: String,
    /// Already put aside (default 0).
    saved: Option<String>,
}

/// Creates a goal and answers with its check: the monthly contribution,
/// whether the free cash flow carries it, the chance of success, and a
/// feasible date and amount when it does not. Owners and members only;
/// audited.
#[utoipa::path(
    post, path = "/v1/goals", tag = "planning", params(UserParams),
    request_body = GoalRequest,
    responses(
        (status = 201, description = "The goal and its projection", body = ProjectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May read but not change", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
    ApiJson(body): ApiJson<GoalRequest>,
) -> Result<(StatusCode, Json<ProjectionView>), ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let new = new_goal(body)?;
    let projection = state
        .services
        .create_goal(caller.principal(), user, new)
        .await?;
    Ok((StatusCode::CREATED, Json(projection.into())))
}

fn new_goal(body: GoalRequest) -> Result<NewGoal, ApiError> {
    let target_date = time::Date::parse(
        body.target_date.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| ApiError::invalid("target_date", "is not a date like 2027-08-01"))?;
    Ok(NewGoal {
        name: body.name,
        target: decimal("target", &body.target)?,
        target_date,
        saved: body
            .saved
            .as_deref()
            .map(|s| decimal("saved", s))
            .transpose()?,
    })
}

/// Checks a goal without saving it (the goal wizard's step before "save"):
/// the same answer as creating it, for anyone who may read the person's
/// data.
#[utoipa::path(
    post, path = "/v1/goals:check", tag = "planning", params(UserParams),
    request_body = GoalRequest,
    responses(
        (status = 200, description = "What the goal would need and its chance", body = ProjectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn check(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
    ApiJson(body): ApiJson<GoalRequest>,
) -> Result<Json<ProjectionView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let projection = state
        .services
        .check_goal(caller.principal(), user, new_goal(body)?)
        .await?;
    Ok(Json(projection.into()))
}

fn goal_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(|_| ApiError::invalid("goal_id", "is not a UUID"))
}

/// A goal's plan, chance of success, milestones and strategies.
#[utoipa::path(
    get, path = "/v1/goals/{goal_id}/projection", tag = "planning",
    params(("goal_id" = String, Path, description = "The goal")),
    responses(
        (status = 200, description = "The projection", body = ProjectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such goal visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn projection(
    State(state): State<AppState>,
    caller: Caller,
    Path(goal_id_text): Path<String>,
) -> Result<Json<ProjectionView>, ApiError> {
    let projection = state
        .services
        .goal_projection(caller.principal(), goal_id(&goal_id_text)?)
        .await?;
    Ok(Json(projection.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContributionRequest {
    /// Added to the goal (negative takes out), as a string.
    #[schema(example = "150.00")]
    amount: String,
}

/// Adds to a goal; milestones reached (25/50/75/100%) are raised as
/// alerts on the live stream. Owners and members only; audited.
#[utoipa::path(
    post, path = "/v1/goals/{goal_id}/contributions", tag = "planning",
    params(("goal_id" = String, Path, description = "The goal")),
    request_body = ContributionRequest,
    responses(
        (status = 200, description = "The goal after it", body = GoalView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May read but not change", body = ErrorBody),
        (status = 404, description = "No such goal visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn contribute(
    State(state): State<AppState>,
    caller: Caller,
    Path(goal_id_text): Path<String>,
    ApiJson(body): ApiJson<ContributionRequest>,
) -> Result<Json<GoalView>, ApiError> {
    let id = goal_id(&goal_id_text)?;
    let amount = decimal("amount", &body.amount)?;
    let goal = state
        .services
        .contribute_to_goal(caller.principal(), id, amount)
        .await?;
    Ok(Json(goal.into()))
}
