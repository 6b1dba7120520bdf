//! Spending forecasts over REST: per category and in total, monthly or
//! weekly, with 80% and 95% prediction intervals.

use axum::Json;
use axum::extract::State;
use finsight_models::forecast::spending::Granularity;
use finsight_service::forecasts::{CategoryForecast, SpendingForecast};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use super::accounts::user_param;
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PointView {
    /// The first day of the month or week.
    period: String,
    #[schema(example = "412.50")]
    point: String,
    lo80: String,
    hi80: String,
    lo95: String,
    hi95: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryView {
    period: String,
    amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WeightView {
    method: String,
    weight: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SeriesView {
    /// A top-level category, or `total`.
    category: String,
    history: Vec<HistoryView>,
    forecast: Vec<PointView>,
    /// The ensemble's members (naive, snaive, naive2, ets, theta, tsb,
    /// global) and their weights.
    weights: Vec<WeightView>,
    ets_model: Option<String>,
}

impl From<CategoryForecast> for SeriesView {
    fn from(f: CategoryForecast) -> Self {
        Self {
            category: f.category,
            history: f
                .history
                .into_iter()
                .map(|(period, amount)| HistoryView {
                    period: period.to_string(),
                    amount: amount.to_string(),
                })
                .collect(),
            forecast: f
                .points
                .into_iter()
                .map(|p| PointView {
                    period: p.period.to_string(),
                    point: p.point.to_string(),
                    lo80: p.lo80.to_string(),
                    hi80: p.hi80.to_string(),
                    lo95: p.lo95.to_string(),
                    hi95: p.hi95.to_string(),
                })
                .collect(),
            weights: f
                .weights
                .into_iter()
                .map(|(method, weight)| WeightView { method, weight })
                .collect(),
            ets_model: f.ets_model,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ForecastView {
    currency: String,
    /// `monthly` or `weekly`.
    granularity: String,
    /// The total first, then categories by past spending.
    series: Vec<SeriesView>,
}

impl From<SpendingForecast> for ForecastView {
    fn from(f: SpendingForecast) -> Self {
        Self {
            currency: f.currency.code().to_owned(),
            granularity: match f.granularity {
                Granularity::Monthly => "monthly",
                Granularity::Weekly => "weekly",
            }
            .to_owned(),
            series: f.series.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ForecastParams {
    /// Whose spending (default: the signed-in person).
    user_id: Option<String>,
    /// One top-level category (e.g. `groceries`) or `total`; all when
    /// absent.
    category: Option<String>,
    /// Periods ahead: 1–12 months or 4–12 weeks (default 3 months, 4
    /// weeks).
    horizon: Option<u32>,
    /// `monthly` (default) or `weekly`.
    granularity: Option<String>,
}

/// Forecasts of the person's spending with 80% and 95% intervals.
#[utoipa::path(
    get, path = "/v1/forecasts", tag = "models", params(ForecastParams),
    responses(
        (status = 200, description = "The forecasts", body = ForecastView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user or category", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ForecastParams>,
) -> Result<Json<ForecastView>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let granularity = match params.granularity.as_deref() {
        None | Some("monthly") => Granularity::Monthly,
        Some("weekly") => Granularity::Weekly,
        Some(_) => {
            return Err(ApiError::invalid(
                "granularity",
                "must be monthly or weekly",
            ));
        }
    };
    let horizon = params.horizon.unwrap_or(match granularity {
        Granularity::Monthly => 3,
        Granularity::Weekly => 4,
    });
    let forecast = state
        .services
        .forecasts(
            caller.principal(),
            user,
            params.category.as_deref(),
            horizon,
            granularity,
        )
        .await?;
    Ok(Json(forecast.into()))
}
