//! The learned models over REST: a person's review queue of uncertain
//! categories and their recurring payments; the lineage of a transaction's
//! category; and, for staff, the registry's models and tracked runs.

use axum::Json;
use axum::extract::{Path, State};
use finsight_core::TransactionId;
use finsight_service::models::{Lineage, ReviewItem};
use finsight_service::recurring::RecurringSeries;
use finsight_store::{Page, RegisteredModel, Run};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::user_param;
use super::transactions::TransactionView;
use super::{ApiQuery, parse_uuid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::filter::page_size;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewEntry {
    transaction: TransactionView,
    /// The categorizer's best guess, not applied.
    suggested_category: String,
    /// Its probability, in [0, 1].
    confidence: f64,
    model: String,
    model_version: i64,
}

impl From<ReviewItem> for ReviewEntry {
    fn from(item: ReviewItem) -> Self {
        Self {
            transaction: item.transaction.into(),
            suggested_category: item.suggestion.category.as_str().to_owned(),
            confidence: item.suggestion.confidence,
            model: item.suggestion.model,
            model_version: item.suggestion.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewQueue {
    items: Vec<ReviewEntry>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReviewParams {
    /// Whose queue (default: the signed-in person).
    user_id: Option<String>,
    /// From `next_cursor` of the previous page.
    cursor: Option<String>,
    /// 1 to 1000 (default 100).
    limit: Option<i64>,
}

fn parse_review_cursor(text: &str) -> Result<(i64, TransactionId), ApiError> {
    let bad = || ApiError::invalid("cursor", "is not a cursor this API gave out");
    let (at, id) = text.split_once('_').ok_or_else(bad)?;
    Ok((
        at.parse().map_err(|_| bad())?,
        TransactionId::parse(id).map_err(|_| bad())?,
    ))
}

/// Transactions whose category waits for the person: the categorizer was
/// not confident enough to apply its guess. Setting the category
/// (`PATCH /v1/transactions/{id}`) settles one and teaches the next model.
#[utoipa::path(
    get, path = "/v1/review-queue", tag = "models", params(ReviewParams),
    responses(
        (status = 200, description = "Oldest first", body = ReviewQueue),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn review_queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<ReviewParams>,
) -> Result<Json<ReviewQueue>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let after = params
        .cursor
        .as_deref()
        .map(parse_review_cursor)
        .transpose()?;
    let limit = page_size("limit", params.limit)?.unwrap_or(100);
    let items = state
        .services
        .review_queue(caller.principal(), user, after, limit)
        .await?;
    let next_cursor = (items.len() == limit as usize)
        .then(|| items.last())
        .flatten()
        .map(|i| {
            format!(
                "{}_{}",
                i.suggestion.created_at, i.suggestion.transaction_id
            )
        });
    Ok(Json(ReviewQueue {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PriceChangeView {
    date: String,
    from: String,
    to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecurringView {
    account_id: String,
    /// The normalized payee, e.g. `netflix com`.
    payee: String,
    category: Option<String>,
    /// weekly, biweekly, semimonthly, monthly, bimonthly, quarterly or yearly.
    cadence: String,
    /// Salary and other recurring income.
    income: bool,
    /// `active` or `cancelled` (no payment where two were due).
    status: String,
    /// The same amount every time (a subscription), not a varying bill.
    fixed_amount: bool,
    currency: String,
    first_date: String,
    last_date: String,
    #[schema(example = "-15.49")]
    last_amount: String,
    next_date: String,
    next_amount: String,
    /// The range the next amount is expected in.
    next_amount_low: String,
    next_amount_high: String,
    price_changes: Vec<PriceChangeView>,
    transaction_ids: Vec<String>,
    /// The share of intervals that fit the cadence.
    regularity: f64,
}

impl From<RecurringSeries> for RecurringView {
    fn from(s: RecurringSeries) -> Self {
        Self {
            account_id: s.account_id.to_string(),
            payee: s.payee,
            category: s.category.map(|c| c.as_str().to_owned()),
            cadence: s.cadence.as_str().to_owned(),
            income: s.income,
            status: match s.status {
                finsight_models::recurring::SeriesStatus::Active => "active",
                finsight_models::recurring::SeriesStatus::Cancelled => "cancelled",
            }
            .to_owned(),
            fixed_amount: s.fixed_amount,
            currency: s.last_amount.currency().code().to_owned(),
            first_date: s.first_date.to_string(),
            last_date: s.last_date.to_string(),
            last_amount: s.last_amount.amount_text(),
            next_date: s.next_date.to_string(),
            next_amount: s.next_amount.amount_text(),
            next_amount_low: s.next_low.amount_text(),
            next_amount_high: s.next_high.amount_text(),
            price_changes: s
                .price_changes
                .into_iter()
                .map(|c| PriceChangeView {
                    date: c.date.to_string(),
                    from: c.from.amount_text(),
                    to: c.to.amount_text(),
                })
                .collect(),
            transaction_ids: s.transaction_ids.iter().map(ToString::to_string).collect(),
            regularity: s.regularity,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecurringList {
    series: Vec<RecurringView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RecurringParams {
    /// Whose payments (default: the signed-in person).
    user_id: Option<String>,
}

/// Subscriptions, bills and income that repeat: each with its next date and
/// amount, price changes and whether it stopped; active ones first.
#[utoipa::path(
    get, path = "/v1/recurring", tag = "models", params(RecurringParams),
    responses(
        (status = 200, description = "The series", body = RecurringList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn recurring(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<RecurringParams>,
) -> Result<Json<RecurringList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let series = state.services.recurring(caller.principal(), user).await?;
    Ok(Json(RecurringList {
        series: series.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct KeyValue {
    key: String,
    value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MetricView {
    key: String,
    value: f64,
    step: i64,
    /// Milliseconds since the Unix epoch.
    timestamp: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RunView {
    run_id: String,
    experiment_id: String,
    name: String,
    status: String,
    user: String,
    /// Milliseconds since the Unix epoch.
    start_time: i64,
    end_time: Option<i64>,
    params: Vec<KeyValue>,
    /// Each metric's latest value.
    metrics: Vec<MetricView>,
    tags: Vec<KeyValue>,
}

fn pairs(list: Vec<(String, String)>) -> Vec<KeyValue> {
    list.into_iter()
        .map(|(key, value)| KeyValue { key, value })
        .collect()
}

impl From<Run> for RunView {
    fn from(run: Run) -> Self {
        Self {
            run_id: run.info.id,
            experiment_id: run.info.experiment_id,
            name: run.info.name,
            status: run.info.status,
            user: run.info.user,
            start_time: run.info.start_time,
            end_time: run.info.end_time,
            params: pairs(run.params),
            metrics: run
                .metrics
                .into_iter()
                .map(|m| MetricView {
                    key: m.key,
                    value: m.value,
                    step: m.step,
                    timestamp: m.timestamp,
                })
                .collect(),
            tags: pairs(run.tags),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LineageView {
    transaction_id: String,
    category: String,
    confidence: f64,
    /// `applied`, `review` or `resolved`.
    status: String,
    model: String,
    model_version: i64,
    /// Where the model's bytes are (`runs:/RUN/PATH`).
    source: Option<String>,
    /// The run that trained it: its parameters, metrics and tags (the
    /// training set's fingerprint and dates, the code version).
    run: Option<RunView>,
}

impl From<Lineage> for LineageView {
    fn from(l: Lineage) -> Self {
        Self {
            transaction_id: l.categorization.transaction_id.to_string(),
            category: l.categorization.category.as_str().to_owned(),
            confidence: l.categorization.confidence,
            status: l.categorization.status.as_str().to_owned(),
            model: l.categorization.model,
            model_version: l.categorization.version,
            source: l.version.map(|v| v.source),
            run: l.run.map(Into::into),
        }
    }
}

/// Which model version categorized this transaction, and which run, data
/// and code produced that model.
#[utoipa::path(
    get, path = "/v1/transactions/{transaction_id}/lineage", tag = "models",
    params(("transaction_id" = String, Path, format = Uuid)),
    responses(
        (status = 200, description = "The lineage", body = LineageView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such transaction visible to the caller, or no model categorized it", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn lineage(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LineageView>, ApiError> {
    let id = parse_uuid("transaction_id", &id, TransactionId::parse)?;
    let lineage = state.services.lineage(caller.principal(), id).await?;
    Ok(Json(lineage.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AliasView {
    alias: String,
    version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VersionView {
    version: i64,
    run_id: Option<String>,
    source: String,
    /// Milliseconds since the Unix epoch.
    created_at: i64,
    aliases: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ModelView {
    name: String,
    description: String,
    aliases: Vec<AliasView>,
    /// Newest first.
    versions: Vec<VersionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ModelList {
    models: Vec<ModelView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageParams {
    /// 1 to 1000 (default 100).
    limit: Option<i64>,
    /// How many to skip.
    offset: Option<u32>,
}

fn page(params: &PageParams) -> Result<Page, ApiError> {
    Ok(Page {
        offset: params.offset.unwrap_or(0),
        limit: page_size("limit", params.limit)?.unwrap_or(100),
    })
}

/// The tenant's registered models with their versions and aliases (staff
/// and service keys).
#[utoipa::path(
    get, path = "/v1/models", tag = "models", params(PageParams),
    responses(
        (status = 200, description = "The models", body = ModelList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "The caller has no access to the registry", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn models(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ModelList>, ApiError> {
    let principal = caller.principal();
    let registered: Vec<RegisteredModel> = state
        .services
        .registered_models(principal, page(&params)?)
        .await?;
    let mut models = Vec::with_capacity(registered.len());
    for model in registered {
        let versions = state
            .services
            .model_versions(
                principal,
                Some(&model.name),
                Page {
                    offset: 0,
                    limit: 1000,
                },
            )
            .await?;
        models.push(ModelView {
            name: model.name,
            description: model.description,
            aliases: model
                .aliases
                .into_iter()
                .map(|(alias, version)| AliasView { alias, version })
                .collect(),
            versions: versions
                .into_iter()
                .map(|v| VersionView {
                    version: v.version,
                    run_id: v.run_id,
                    source: v.source,
                    created_at: v.created_at,
                    aliases: v.aliases,
                })
                .collect(),
        });
    }
    Ok(Json(ModelList { models }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RunList {
    runs: Vec<RunView>,
}

/// Tracked runs of the tenant, newest first (staff and service keys).
#[utoipa::path(
    get, path = "/v1/runs", tag = "models", params(PageParams),
    responses(
        (status = 200, description = "The runs", body = RunList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "The caller has no access to the registry", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<RunList>, ApiError> {
    let runs = state
        .services
        .runs(caller.principal(), None, page(&params)?)
        .await?;
    Ok(Json(RunList {
        runs: runs.into_iter().map(Into::into).collect(),
    }))
}

/// One tracked run (staff and service keys).
#[utoipa::path(
    get, path = "/v1/runs/{run_id}", tag = "models",
    params(("run_id" = String, Path)),
    responses(
        (status = 200, description = "The run", body = RunView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such run visible to the caller", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let run = state.services.run(caller.principal(), &id).await?;
    Ok(Json(run.into()))
}
