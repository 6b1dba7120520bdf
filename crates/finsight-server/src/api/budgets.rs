//! Budgets over REST: the person's monthly budget (read, replace), where it
//! stands this month, and a recommendation that meets a savings aim.

use axum::Json;
use axum::extract::State;
use finsight_service::planning::{Budget, BudgetLineInput, BudgetRecommendation, BudgetStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

/// An amount sent as a decimal string ("250.00").
pub(crate) fn decimal(field: &str, text: &str) -> Result<Decimal, ApiError> {
    let text = text.trim();
    if text.len() > 32 {
        return Err(ApiError::invalid(field, "is too long for an amount"));
    }
    text.parse::<Decimal>()
        .map_err(|_| ApiError::invalid(field, "is not a decimal amount like \"250.00\""))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BudgetLineView {
    /// A category of the tree, e.g. `dining` (with everything under it).
    category: String,
    #[schema(example = "250.00")]
    amount: String,
    /// Unspent money carries into the next month.
    rollover: bool,
    group: String,
    position: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BudgetView {
    user_id: String,
    currency: String,
    /// By group, position and category.
    lines: Vec<BudgetLineView>,
}

impl From<Budget> for BudgetView {
    fn from(b: Budget) -> Self {
        Self {
            user_id: b.user_id.to_string(),
            currency: b.currency.code().to_owned(),
            lines: b
                .lines
                .into_iter()
                .map(|l| BudgetLineView {
                    category: l.category,
                    amount: l.amount.amount_text(),
                    rollover: l.rollover,
                    group: l.group,
                    position: l.position,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserParams {
    /// Whose budget (default: the signed-in person).
    user_id: Option<String>,
}

/// The person's monthly budget (no lines before they set one).
#[utoipa::path(
    get, path = "/v1/budgets", tag = "planning", params(UserParams),
    responses(
        (status = 200, description = "The budget", body = BudgetView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
) -> Result<Json<BudgetView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let budget = state.services.budget(caller.principal(), user).await?;
    Ok(Json(budget.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BudgetLineRequest {
    category: String,
    /// In the person's main currency, as a string.
    #[schema(example = "250.00")]
    amount: String,
    #[serde(default)]
    rollover: bool,
    /// Default: `Essentials` or `Flexible` by the category.
    group: Option<String>,
    /// Default: its place in the list.
    position: Option<i32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BudgetRequest {
    /// Replaces every line (at most 60; an empty list clears the budget).
    lines: Vec<BudgetLineRequest>,
}

/// Replaces the person's budget. Owners and members only; audited.
#[utoipa::path(
    put, path = "/v1/budgets", tag = "planning", params(UserParams),
    request_body = BudgetRequest,
    responses(
        (status = 200, description = "The budget as stored", body = BudgetView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May read but not change", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn put(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
    ApiJson(body): ApiJson<BudgetRequest>,
) -> Result<Json<BudgetView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let lines = body
        .lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            Ok(BudgetLineInput {
                category: l.category,
                amount: decimal(&format!("lines[{n}].amount"), &l.amount)?,
                rollover: l.rollover,
                group: l.group,
                position: l.position,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    let budget = state
        .services
        .put_budget(caller.principal(), user, lines)
        .await?;
    Ok(Json(budget.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LineStatusView {
    category: String,
    amount: String,
    /// Carried over from last month (rollover lines).
    carried: String,
    available: String,
    spent: String,
    remaining: String,
    /// Spent over available.
    ratio: f64,
    /// `under`, `warning` (80%+) or `over` (100%+).
    level: String,
    /// Month-end spending at this pace (from the 7th).
    projected: Option<String>,
    projected_overrun: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProposalView {
    category: String,
    current: String,
    proposed: String,
    reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BudgetStatusView {
    currency: String,
    /// The first day of the month.
    month: String,
    day: u32,
    days_in_month: u32,
    lines: Vec<LineStatusView>,
    total_available: String,
    total_spent: String,
    /// New amounts for lines whose spending shifted for three months: to
    /// accept, PUT the budget with them.
    proposals: Vec<ProposalView>,
}

impl From<BudgetStatus> for BudgetStatusView {
    fn from(s: BudgetStatus) -> Self {
        Self {
            currency: s.currency.code().to_owned(),
            month: s.month.to_string(),
            day: s.day,
            days_in_month: s.days_in_month,
            lines: s
                .lines
                .into_iter()
                .map(|l| LineStatusView {
                    category: l.category,
                    amount: l.amount.to_string(),
                    carried: l.carried.to_string(),
                    available: l.available.to_string(),
                    spent: l.spent.to_string(),
                    remaining: l.remaining.to_string(),
                    ratio: l.ratio,
                    level: l.level.as_str().to_owned(),
                    projected: l.projected.map(|p| p.to_string()),
                    projected_overrun: l.projected_overrun,
                })
                .collect(),
            total_available: s.total_available.to_string(),
            total_spent: s.total_spent.to_string(),
            proposals: s
                .proposals
                .into_iter()
                .map(|p| ProposalView {
                    category: p.category,
                    current: p.current.to_string(),
                    proposed: p.proposed.to_string(),
                    reason: p.reason,
                })
                .collect(),
        }
    }
}

/// This month's spending against each budget line.
#[utoipa::path(
    get, path = "/v1/budgets/status", tag = "planning", params(UserParams),
    responses(
        (status = 200, description = "Where the budget stands", body = BudgetStatusView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn status(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
) -> Result<Json<BudgetStatusView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let status = state
        .services
        .budget_status(caller.principal(), user)
        .await?;
    Ok(Json(status.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RecommendParams {
    /// Whose budget (default: the signed-in person).
    user_id: Option<String>,
    /// What to keep each month (default: a tenth of the usual income).
    #[param(value_type = Option<String>, example = "400")]
    savings_aim: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecommendedLineView {
    category: String,
    amount: String,
    /// What the person really spends: the 6-month median with the forecast.
    need: String,
    median: String,
    /// `essential` or `discretionary`.
    flexibility: String,
    change_percent: f64,
    /// e.g. "dining 264.00 (−12% vs your 6-month median 300.00)".
    explanation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecommendationView {
    currency: String,
    income: String,
    savings_aim: String,
    planned_saving: String,
    /// The aim fits within each line's floor.
    feasible: bool,
    /// The most that can be kept with every line at its floor.
    best_saving: String,
    total: String,
    lines: Vec<RecommendedLineView>,
}

impl From<BudgetRecommendation> for RecommendationView {
    fn from(b: BudgetRecommendation) -> Self {
        let r = b.recommendation;
        Self {
            currency: b.currency.code().to_owned(),
            income: r.income.to_string(),
            savings_aim: r.savings_aim.to_string(),
            planned_saving: r.planned_saving.to_string(),
            feasible: r.feasible,
            best_saving: r.best_saving.to_string(),
            total: r.total.to_string(),
            lines: r
                .lines
                .into_iter()
                .map(|l| RecommendedLineView {
                    category: l.category,
                    amount: l.amount.to_string(),
                    need: l.need.to_string(),
                    median: l.median.to_string(),
                    flexibility: l.flexibility.as_str().to_owned(),
                    change_percent: l.change_percent,
                    explanation: l.explanation,
                })
                .collect(),
        }
    }
}

/// A budget that meets the savings aim while cutting essentials least,
/// each amount explained; an aim out of reach is reported with the best
/// saving achievable.
#[utoipa::path(
    get, path = "/v1/budgets/recommendation", tag = "planning", params(RecommendParams),
    responses(
        (status = 200, description = "The recommendation", body = RecommendationView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn recommendation(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<RecommendParams>,
) -> Result<Json<RecommendationView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let aim = params
        .savings_aim
        .as_deref()
        .map(|a| decimal("savings_aim", a))
        .transpose()?;
    let recommendation = state
        .services
        .recommend_budget(caller.principal(), user, aim)
        .await?;
    Ok(Json(recommendation.into()))
}
