//! Insights and financial health over REST: the person's ranked insights
//! (filterable by kind, searchable), their answers to one, and the
//! financial-health score with its drivers and the emergency fund.

use axum::Json;
use axum::extract::{Path, State};
use finsight_service::planning::{FinancialHealth, RankedInsight};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::{ApiJson, ApiQuery};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::filter::page_size;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FigureView {
    name: String,
    value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InsightView {
    id: String,
    /// category_spike, price_increase, new_recurring, bill_shortfall,
    /// unusual_transaction, budget_at_risk, goal_off_track,
    /// savings_opportunity or income_change.
    kind: String,
    title: String,
    body: String,
    /// What acting on it is worth, or what is at stake.
    impact: String,
    currency: String,
    /// 0–1.
    confidence: f64,
    /// The recommended action.
    action: String,
    /// The numbers behind it.
    figures: Vec<FigureView>,
    /// Expected value: ln(1 + impact) × confidence × novelty × a rate
    /// drawn from the person's posterior for the kind.
    score: f64,
    /// How often the person acts on this kind, as learned.
    expected_rate: f64,
    /// `accept` once accepted.
    answer: Option<String>,
}

impl From<RankedInsight> for InsightView {
    fn from(i: RankedInsight) -> Self {
        Self {
            id: i.id.to_string(),
            kind: i.kind.as_str().to_owned(),
            title: i.title,
            body: i.body,
            impact: i.impact.to_string(),
            currency: i.currency.code().to_owned(),
            confidence: i.confidence,
            action: i.action,
            figures: i
                .figures
                .into_iter()
                .map(|f| FigureView {
                    name: f.name,
                    value: f.value.to_string(),
                })
                .collect(),
            score: i.score,
            expected_rate: i.expected_rate,
            answer: i.answer,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InsightList {
    /// Best first.
    items: Vec<InsightView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InsightParams {
    /// Whose insights (default: the signed-in person).
    user_id: Option<String>,
    /// Only this kind.
    kind: Option<String>,
    /// Only those whose title or body contains this (any case).
    q: Option<String>,
    /// 1 to 100 (default 20).
    limit: Option<i64>,
}

/// The person's insights, ranked by expected value learned from answers.
#[utoipa::path(
    get, path = "/v1/insights", tag = "planning", params(InsightParams),
    responses(
        (status = 200, description = "Best first", body = InsightList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<InsightParams>,
) -> Result<Json<InsightList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let limit = page_size("limit", params.limit)?.unwrap_or(20);
    let insights = state
        .services
        .insights(
            caller.principal(),
            user,
            params.kind.as_deref(),
            params.q.as_deref(),
            limit,
        )
        .await?;
    Ok(Json(InsightList {
        items: insights.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InsightFeedbackRequest {
    /// `accept`, `dismiss` (not shown again) or `snooze`.
    response: String,
    /// For a snooze: 1 to 90 days (default 7).
    snooze_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InsightAnswerView {
    insight_id: String,
    kind: String,
    response: String,
    /// RFC 3339, for a snooze.
    until: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserParams {
    /// Whose insight (default: the signed-in person).
    user_id: Option<String>,
}

fn rfc3339(millis: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// Accept, dismiss or snooze one of today's insights; the ranking learns
/// from it. Owners and members only; audited.
#[utoipa::path(
    post, path = "/v1/insights/{insight_id}/feedback", tag = "planning",
    params(("insight_id" = String, Path, description = "The insight"), UserParams),
    request_body = InsightFeedbackRequest,
    responses(
        (status = 200, description = "The answer recorded", body = InsightAnswerView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "May read but not change", body = ErrorBody),
        (status = 404, description = "No such insight visible to the caller", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad request", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(insight_id): Path<String>,
    ApiQuery(params): ApiQuery<UserParams>,
    ApiJson(body): ApiJson<InsightFeedbackRequest>,
) -> Result<Json<InsightAnswerView>, ApiError> {
    let id = uuid::Uuid::parse_str(&insight_id)
        .map_err(|_| ApiError::invalid("insight_id", "is not a UUID"))?;
    let user = user_param(params.user_id.as_deref())?;
    let answer = state
        .services
        .insight_feedback(
            caller.principal(),
            user,
            id,
            &body.response,
            body.snooze_days,
        )
        .await?;
    Ok(Json(InsightAnswerView {
        insight_id: id.to_string(),
        kind: answer.kind,
        response: answer.response,
        until: answer.until.and_then(rfc3339),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IndicatorView {
    /// spend_vs_income, bills_on_time, liquid_savings, debt_load,
    /// savings_rate, income_stability or planning.
    key: String,
    name: String,
    value: f64,
    display: String,
    /// 0–100.
    score: u32,
    /// What would raise it.
    improve: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EmergencyFundView {
    /// Covers the 95th percentile of the deepest dip in a year of
    /// simulated income and spending.
    recommended: String,
    months_of_spending: f64,
    current: String,
    /// 0–1.
    coverage: f64,
    /// To put aside monthly to get there in a year.
    monthly_plan: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FinancialHealthView {
    currency: String,
    /// 0–100.
    score: u32,
    /// `healthy` (80+), `coping` (40–79) or `vulnerable`.
    band: String,
    /// The drivers, weakest first.
    indicators: Vec<IndicatorView>,
    emergency_fund: EmergencyFundView,
}

impl From<FinancialHealth> for FinancialHealthView {
    fn from(h: FinancialHealth) -> Self {
        let f = h.emergency_fund;
        Self {
            currency: h.currency.code().to_owned(),
            score: h.score.score,
            band: h.score.band.to_owned(),
            indicators: h
                .score
                .indicators
                .into_iter()
                .map(|i| IndicatorView {
                    key: i.key.to_owned(),
                    name: i.name.to_owned(),
                    value: if i.value.is_finite() {
                        (i.value * 1000.0).round() / 1000.0
                    } else {
                        0.0
                    },
                    display: i.display,
                    score: i.score,
                    improve: i.improve,
                })
                .collect(),
            emergency_fund: EmergencyFundView {
                recommended: f.recommended.to_string(),
                months_of_spending: f.months_of_spending,
                current: f.current.to_string(),
                coverage: (f.coverage * 1000.0).round() / 1000.0,
                monthly_plan: f.monthly_plan.to_string(),
            },
        }
    }
}

/// The financial-health score (0–100) with its drivers, and the emergency
/// fund.
#[utoipa::path(
    get, path = "/v1/financial-health", tag = "planning", params(UserParams),
    responses(
        (status = 200, description = "The score", body = FinancialHealthView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn financial_health(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParams>,
) -> Result<Json<FinancialHealthView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let health = state
        .services
        .financial_health(caller.principal(), user)
        .await?;
    Ok(Json(health.into()))
}
