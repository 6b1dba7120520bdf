//! GraphQL over the spending forecasts and anomaly alerts, through the
//! same services (and so the same policy) as the REST routes.

use async_graphql::{Context, ID, SimpleObject};
use finsight_core::UserId;
use finsight_models::forecast::spending::Granularity;

use super::{env, gql, parse_id};

#[derive(SimpleObject)]
pub struct ForecastPointNode {
    /// The first day of the month or week.
    pub period: String,
    pub point: String,
    pub lo80: String,
    pub hi80: String,
    pub lo95: String,
    pub hi95: String,
}

#[derive(SimpleObject)]
pub struct ForecastSeriesNode {
    /// A top-level category, or `total`.
    pub category: String,
    pub currency: String,
    pub points: Vec<ForecastPointNode>,
    pub ets_model: Option<String>,
}

#[derive(SimpleObject)]
pub struct AlertNode {
    pub id: ID,
    pub transaction_id: Option<ID>,
    pub kind: String,
    pub score: f64,
    pub threshold: f64,
    /// The reasons in words, strongest first.
    pub reasons: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub feedback: Option<String>,
}

pub(super) async fn forecasts(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    category: Option<String>,
    horizon: Option<i32>,
    weekly: Option<bool>,
) -> async_graphql::Result<Vec<ForecastSeriesNode>> {
    let env = env(ctx)?;
    let user = user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()?;
    let granularity = if weekly.unwrap_or(false) {
        Granularity::Weekly
    } else {
        Granularity::Monthly
    };
    let horizon = u32::try_from(horizon.unwrap_or(match granularity {
        Granularity::Monthly => 3,
        Granularity::Weekly => 4,
    }))
    .unwrap_or(0);
    let forecast = env
        .services
        .forecasts(
            env.principal,
            user,
            category.as_deref(),
            horizon,
            granularity,
        )
        .await
        .map_err(gql)?;
    let currency = forecast.currency.code();
    Ok(forecast
        .series
        .into_iter()
        .map(|s| ForecastSeriesNode {
            category: s.category,
            currency: currency.to_owned(),
            points: s
                .points
                .into_iter()
                .map(|p| ForecastPointNode {
                    period: p.period.to_string(),
                    point: p.point.to_string(),
                    lo80: p.lo80.to_string(),
                    hi80: p.hi80.to_string(),
                    lo95: p.lo95.to_string(),
                    hi95: p.hi95.to_string(),
                })
                .collect(),
            ets_model: s.ets_model,
        })
        .collect())
}

pub(super) async fn alerts(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    first: Option<i32>,
) -> async_graphql::Result<Vec<AlertNode>> {
    let env = env(ctx)?;
    let user = user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()?;
    let limit = u32::try_from(first.unwrap_or(100)).unwrap_or(0);
    let alerts = env
        .services
        .alerts(env.principal, user, limit)
        .await
        .map_err(gql)?;
    Ok(alerts
        .into_iter()
        .map(|a| AlertNode {
            reasons: a.reasons().into_iter().map(|r| r.text).collect(),
            id: ID(a.id.to_string()),
            transaction_id: a.transaction_id.map(|t| ID(t.to_string())),
            kind: a.kind,
            score: a.score,
            threshold: a.threshold,
            created_at: a.created_at,
            feedback: a.feedback,
        })
        .collect())
}
