//! Experiments, runs, metrics, parameters and tags: MLflow's tracking
//! endpoints over `finsight_service::tracking`.

use axum::Json;
use axum::extract::{Query, State};
use finsight_store::Metric;
use serde::Deserialize;
use serde_json::json;

use super::json::*;
use super::{Answer, Body, MlflowError, Params, invalid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

#[derive(Deserialize)]
pub(super) struct CreateExperiment {
    name: String,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub(super) async fn create_experiment(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateExperiment>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let experiment = state
        .services
        .create_experiment(caller.principal(), &body.name, tags(body.tags))
        .await?;
    Ok(Json(json!({"experiment_id": experiment.id})))
}

#[derive(Deserialize)]
pub(super) struct ExperimentRef {
    experiment_id: Option<String>,
    experiment_name: Option<String>,
}

pub(super) async fn get_experiment(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ExperimentRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let id = params
        .experiment_id
        .ok_or_else(|| invalid("experiment_id: is required"))?;
    let experiment = state
        .services
        .experiment(caller.principal(), Some(&id), None)
        .await?;
    Ok(Json(json!({"experiment": experiment_json(&experiment)})))
}

pub(super) async fn get_experiment_by_name(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ExperimentRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let name = params
        .experiment_name
        .ok_or_else(|| invalid("experiment_name: is required"))?;
    let experiment = state
        .services
        .experiment(caller.principal(), None, Some(&name))
        .await?;
    Ok(Json(json!({"experiment": experiment_json(&experiment)})))
}

#[derive(Deserialize, Default)]
pub(super) struct Search {
    pub(super) max_results: Option<i64>,
    pub(super) page_token: Option<String>,
    pub(super) filter: Option<String>,
    #[serde(default)]
    pub(super) experiment_ids: Vec<String>,
}

pub(super) async fn experiments_page(state: &AppState, caller: &Caller, search: Search) -> Answer {
    if search
        .filter
        .as_deref()
        .is_some_and(|f| !f.trim().is_empty())
    {
        return Err(invalid("filter: experiment filters are not supported"));
    }
    let page = page(search.max_results, search.page_token.as_deref())?;
    let experiments = state.services.experiments(caller.principal(), page).await?;
    Ok(Json(with_token(
        json!({"experiments": experiments.iter().map(experiment_json).collect::<Vec<_>>()}),
        next_token(page, experiments.len()),
    )))
}

pub(super) async fn search_experiments(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<Search>,
) -> Answer {
    let caller = caller?;
    let Json(search) = body?;
    experiments_page(&state, &caller, search).await
}

pub(super) async fn search_experiments_get(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    experiments_page(&state, &caller, search).await
}

#[derive(Deserialize)]
pub(super) struct ExperimentTag {
    experiment_id: String,
    key: String,
    #[serde(default)]
    value: String,
}

pub(super) async fn set_experiment_tag(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<ExperimentTag>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    state
        .services
        .set_experiment_tag(
            caller.principal(),
            &body.experiment_id,
            &body.key,
            &body.value,
        )
        .await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub(super) struct CreateRun {
    #[serde(default)]
    experiment_id: Option<String>,
    run_name: Option<String>,
    start_time: Option<i64>,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub(super) async fn create_run(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateRun>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let experiment = body.experiment_id.unwrap_or_else(|| "0".into());
    let mut tags = tags(body.tags);
    let name = body.run_name.or_else(|| {
        tags.iter()
            .find(|(k, _)| k == "mlflow.runName")
            .map(|(_, v)| v.clone())
    });
    if let Some(name) = &name
        && !tags.iter().any(|(k, _)| k == "mlflow.runName")
    {
        tags.push(("mlflow.runName".into(), name.clone()));
    }
    let principal = caller.principal();
    let info = state
        .services
        .create_run(
            principal,
            &experiment,
            name.as_deref(),
            body.start_time,
            tags,
        )
        .await?;
    let run = state.services.run(principal, &info.id).await?;
    Ok(Json(json!({"run": run_json(&run)})))
}

#[derive(Deserialize)]
pub(super) struct UpdateRun {
    run_id: Option<String>,
    run_uuid: Option<String>,
    status: Option<String>,
    end_time: Option<i64>,
    run_name: Option<String>,
}

pub(super) fn run_id(
    run_id: Option<String>,
    run_uuid: Option<String>,
) -> Result<String, MlflowError> {
    run_id
        .or(run_uuid)
        .ok_or_else(|| invalid("run_id: is required"))
}

pub(super) async fn update_run(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<UpdateRun>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let id = run_id(body.run_id, body.run_uuid)?;
    let principal = caller.principal();
    let status = match body.status {
        Some(status) => status,
        None => state.services.run(principal, &id).await?.info.status,
    };
    let info = state
        .services
        .update_run(
            principal,
            &id,
            &status,
            body.end_time,
            body.run_name.as_deref(),
        )
        .await?;
    Ok(Json(json!({"run_info": run_info_json(&info)})))
}

#[derive(Deserialize)]
pub(super) struct RunRef {
    run_id: Option<String>,
    run_uuid: Option<String>,
    metric_key: Option<String>,
}

pub(super) async fn get_run(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<RunRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let id = run_id(params.run_id, params.run_uuid)?;
    let run = state.services.run(caller.principal(), &id).await?;
    Ok(Json(json!({"run": run_json(&run)})))
}

pub(super) async fn search_runs(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<Search>,
) -> Answer {
    let caller = caller?;
    let Json(search) = body?;
    if search
        .filter
        .as_deref()
        .is_some_and(|f| !f.trim().is_empty())
    {
        return Err(invalid("filter: run filters are not supported"));
    }
    let page = page(search.max_results, search.page_token.as_deref())?;
    let runs = state
        .services
        .runs(caller.principal(), Some(search.experiment_ids), page)
        .await?;
    Ok(Json(with_token(
        json!({"runs": runs.iter().map(run_json).collect::<Vec<_>>()}),
        next_token(page, runs.len()),
    )))
}

#[derive(Deserialize)]
pub(super) struct MetricIn {
    key: String,
    value: f64,
    timestamp: Option<i64>,
    #[serde(default)]
    step: i64,
}

impl MetricIn {
    fn metric(self, now: i64) -> Metric {
        Metric {
            key: self.key,
            value: self.value,
            timestamp: self.timestamp.unwrap_or(now),
            step: self.step,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LogMetric {
    run_id: Option<String>,
    run_uuid: Option<String>,
    #[serde(flatten)]
    metric: MetricIn,
}

pub(super) fn now_millis(state: &AppState) -> i64 {
    let now = state.services.clock().now();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub(super) async fn log_metric(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<LogMetric>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let id = run_id(body.run_id, body.run_uuid)?;
    let metric = body.metric.metric(now_millis(&state));
    state
        .services
        .log_batch(caller.principal(), &id, vec![metric], vec![], vec![])
        .await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub(super) struct KeyValueOf {
    run_id: Option<String>,
    run_uuid: Option<String>,
    key: String,
    #[serde(default)]
    value: String,
}

pub(super) async fn log_param(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<KeyValueOf>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let id = run_id(body.run_id, body.run_uuid)?;
    state
        .services
        .log_batch(
            caller.principal(),
            &id,
            vec![],
            vec![(body.key, body.value)],
            vec![],
        )
        .await?;
    Ok(Json(json!({})))
}

pub(super) async fn set_tag(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<KeyValueOf>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let id = run_id(body.run_id, body.run_uuid)?;
    state
        .services
        .log_batch(
            caller.principal(),
            &id,
            vec![],
            vec![],
            vec![(body.key, body.value)],
        )
        .await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub(super) struct LogBatch {
    run_id: String,
    #[serde(default)]
    metrics: Vec<MetricIn>,
    #[serde(default)]
    params: Vec<Tag>,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub(super) async fn log_batch(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<LogBatch>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let now = now_millis(&state);
    let metrics = body.metrics.into_iter().map(|m| m.metric(now)).collect();
    state
        .services
        .log_batch(
            caller.principal(),
            &body.run_id,
            metrics,
            tags(body.params),
            tags(body.tags),
        )
        .await?;
    Ok(Json(json!({})))
}

pub(super) async fn metric_history(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<RunRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let id = run_id(params.run_id, params.run_uuid)?;
    let key = params
        .metric_key
        .ok_or_else(|| invalid("metric_key: is required"))?;
    let metrics = state
        .services
        .metric_history(caller.principal(), &id, &key)
        .await?;
    Ok(Json(
        json!({"metrics": metrics.iter().map(metric_json).collect::<Vec<_>>()}),
    ))
}
