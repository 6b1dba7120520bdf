//! The subset of MLflow's REST API (`/api/2.0/mlflow/…`) that the unchanged
//! `mlflow` Python client uses for experiments, runs, metrics, parameters,
//! tags, registered models, versions and aliases — so analysts log to
//! Finsight with the tools they have. Requests authenticate like every
//! other route (the client's `MLFLOW_TRACKING_TOKEN` is a Finsight bearer
//! token: a service key or a staff login) and go through the same services,
//! policy and audit log; errors come back in MLflow's `{error_code,
//! message}` shape so the client raises what it would against MLflow.

use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use finsight_service::ServiceError;
use finsight_store::{Experiment, Metric, ModelVersion, Page, RegisteredModel, Run, RunInfo};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorCode};

/// An error as MLflow's server sends it.
pub struct MlflowError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl From<ApiError> for MlflowError {
    fn from(error: ApiError) -> Self {
        let already = error.message.contains("already exists");
        let (status, code) = match error.code {
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => {
                (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
            }
            ErrorCode::Forbidden => (StatusCode::FORBIDDEN, "PERMISSION_DENIED"),
            ErrorCode::NotFound => (StatusCode::NOT_FOUND, "RESOURCE_DOES_NOT_EXIST"),
            ErrorCode::InvalidInput if already => {
                (StatusCode::BAD_REQUEST, "RESOURCE_ALREADY_EXISTS")
            }
            ErrorCode::InvalidInput | ErrorCode::UnsupportedMediaType => {
                (StatusCode::BAD_REQUEST, "INVALID_PARAMETER_VALUE")
            }
            ErrorCode::RateLimited | ErrorCode::TooManyAttempts => {
                (StatusCode::TOO_MANY_REQUESTS, "REQUEST_LIMIT_EXCEEDED")
            }
            ErrorCode::NotReady | ErrorCode::QueryTimeout => {
                (StatusCode::SERVICE_UNAVAILABLE, "TEMPORARILY_UNAVAILABLE")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
        };
        let message = match error.field {
            Some(field) if !error.message.starts_with(&field) => {
                format!("{field}: {}", error.message)
            }
            _ => error.message,
        };
        Self {
            status,
            code,
            message,
        }
    }
}

impl From<ServiceError> for MlflowError {
    fn from(error: ServiceError) -> Self {
        ApiError::from(error).into()
    }
}

impl From<JsonRejection> for MlflowError {
    fn from(rejection: JsonRejection) -> Self {
        invalid(rejection.body_text())
    }
}

impl From<QueryRejection> for MlflowError {
    fn from(rejection: QueryRejection) -> Self {
        invalid(rejection.body_text())
    }
}

fn invalid(message: impl Into<String>) -> MlflowError {
    MlflowError {
        status: StatusCode::BAD_REQUEST,
        code: "INVALID_PARAMETER_VALUE",
        message: message.into(),
    }
}

impl IntoResponse for MlflowError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error_code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

type Answer = Result<Json<Value>, MlflowError>;
type Body<T> = Result<Json<T>, JsonRejection>;
type Params<T> = Result<Query<T>, QueryRejection>;

/// Every route, with its method, for the authorization walk.
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "experiments/create"),
    ("GET", "experiments/get"),
    ("GET", "experiments/get-by-name"),
    ("POST", "experiments/search"),
    ("GET", "experiments/search"),
    ("POST", "experiments/set-experiment-tag"),
    ("POST", "runs/create"),
    ("POST", "runs/update"),
    ("GET", "runs/get"),
    ("POST", "runs/search"),
    ("POST", "runs/log-metric"),
    ("POST", "runs/log-parameter"),
    ("POST", "runs/set-tag"),
    ("POST", "runs/log-batch"),
    ("GET", "metrics/get-history"),
    ("POST", "registered-models/create"),
    ("GET", "registered-models/get"),
    ("GET", "registered-models/search"),
    ("POST", "model-versions/create"),
    ("GET", "model-versions/get"),
    ("GET", "model-versions/search"),
    ("POST", "registered-models/alias"),
    ("GET", "registered-models/alias"),
    ("DELETE", "registered-models/alias"),
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/experiments/create", post(create_experiment))
        .route("/experiments/get", get(get_experiment))
        .route("/experiments/get-by-name", get(get_experiment_by_name))
        .route(
            "/experiments/search",
            post(search_experiments).get(search_experiments_get),
        )
        .route("/experiments/set-experiment-tag", post(set_experiment_tag))
        .route("/runs/create", post(create_run))
        .route("/runs/update", post(update_run))
        .route("/runs/get", get(get_run))
        .route("/runs/search", post(search_runs))
        .route("/runs/log-metric", post(log_metric))
        .route("/runs/log-parameter", post(log_param))
        .route("/runs/set-tag", post(set_tag))
        .route("/runs/log-batch", post(log_batch))
        .route("/metrics/get-history", get(metric_history))
        .route("/registered-models/create", post(create_registered_model))
        .route("/registered-models/get", get(get_registered_model))
        .route("/registered-models/search", get(search_registered_models))
        .route("/model-versions/create", post(create_model_version))
        .route("/model-versions/get", get(get_model_version))
        .route("/model-versions/search", get(search_model_versions))
        .route(
            "/registered-models/alias",
            post(set_alias).get(get_alias).delete(delete_alias),
        )
}

#[derive(Debug, Deserialize)]
struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

fn tags(list: Vec<Tag>) -> Vec<(String, String)> {
    list.into_iter().map(|t| (t.key, t.value)).collect()
}

fn pairs(list: &[(String, String)]) -> Vec<Value> {
    list.iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect()
}

fn experiment_json(e: &Experiment) -> Value {
    json!({
        "experiment_id": e.id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": e.lifecycle_stage,
        "creation_time": e.created_at,
        "last_update_time": e.updated_at,
        "tags": pairs(&e.tags),
    })
}

fn run_info_json(info: &RunInfo) -> Value {
    let mut value = json!({
        "run_id": info.id,
        "run_uuid": info.id,
        "run_name": info.name,
        "experiment_id": info.experiment_id,
        "user_id": info.user,
        "status": info.status,
        "start_time": info.start_time,
        "artifact_uri": info.artifact_uri,
        "lifecycle_stage": info.lifecycle_stage,
    });
    if let Some(end) = info.end_time {
        value["end_time"] = json!(end);
    }
    value
}

fn metric_json(m: &Metric) -> Value {
    json!({"key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step})
}

fn run_json(run: &Run) -> Value {
    json!({
        "info": run_info_json(&run.info),
        "data": {
            "metrics": run.metrics.iter().map(metric_json).collect::<Vec<_>>(),
            "params": pairs(&run.params),
            "tags": pairs(&run.tags),
        },
        "inputs": {},
    })
}

fn version_json(v: &ModelVersion) -> Value {
    json!({
        "name": v.name,
        "version": v.version.to_string(),
        "creation_timestamp": v.created_at,
        "last_updated_timestamp": v.created_at,
        "current_stage": "None",
        "description": v.description,
        "source": v.source,
        "run_id": v.run_id.clone().unwrap_or_default(),
        "status": v.status,
        "aliases": v.aliases,
    })
}

fn model_json(m: &RegisteredModel) -> Value {
    json!({
        "name": m.name,
        "creation_timestamp": m.created_at,
        "last_updated_timestamp": m.updated_at,
        "description": m.description,
        "aliases": m.aliases.iter()
            .map(|(alias, version)| json!({"alias": alias, "version": version.to_string()}))
            .collect::<Vec<_>>(),
    })
}

/// A page from MLflow's `max_results` and `page_token` (our token is the
/// offset).
fn page(max_results: Option<i64>, token: Option<&str>) -> Result<Page, MlflowError> {
    // MLflow's client asks for up to 200,000 at once; pages here hold at
    // most 1,000 and say where the next one starts.
    let limit = max_results.unwrap_or(1000);
    if limit < 1 {
        return Err(invalid("max_results: must be at least 1"));
    }
    let limit = limit.min(1000);
    let offset = match token.filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse()
            .map_err(|_| invalid("page_token: is not a token this server gave out"))?,
        None => 0,
    };
    Ok(Page {
        offset,
        limit: limit as u32,
    })
}

fn next_token(page: Page, returned: usize) -> Option<String> {
    (returned == page.limit as usize).then(|| (page.offset + page.limit).to_string())
}

fn with_token(mut value: Value, token: Option<String>) -> Value {
    if let Some(token) = token {
        value["next_page_token"] = json!(token);
    }
    value
}

fn version_number(text: &str) -> Result<i64, MlflowError> {
    text.parse()
        .map_err(|_| invalid(format!("version: {text:?} is not a version number")))
}

/// Only the filters the client itself sends are understood: none,
/// `KEY='…'`, and the clause MLflow 3 adds to exclude prompts (Finsight
/// stores none), joined by `AND`.
fn simple_filter<'a>(filter: Option<&'a str>, key: &str) -> Result<Option<&'a str>, MlflowError> {
    let Some(filter) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let mut found = None;
    for clause in filter.split(" AND ").flat_map(|c| c.split(" and ")) {
        let clause = clause.trim();
        if clause.starts_with("tag.`mlflow.prompt.is_prompt`") && clause.contains("!=") {
            continue;
        }
        let value = clause
            .strip_prefix(key)
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .map(str::trim)
            .and_then(|v| {
                v.strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
            });
        match value {
            Some(value) if found.is_none() => found = Some(value),
            _ => {
                return Err(invalid(format!(
                    "filter: only {key}='…' is supported, not {filter:?}"
                )));
            }
        }
    }
    Ok(found)
}

#[derive(Deserialize)]
struct CreateExperiment {
    name: String,
    #[serde(default)]
    tags: Vec<Tag>,
}

async fn create_experiment(
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
struct ExperimentRef {
    experiment_id: Option<String>,
    experiment_name: Option<String>,
}

async fn get_experiment(
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

async fn get_experiment_by_name(
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
struct Search {
    max_results: Option<i64>,
    page_token: Option<String>,
    filter: Option<String>,
    #[serde(default)]
    experiment_ids: Vec<String>,
}

async fn experiments_page(state: &AppState, caller: &Caller, search: Search) -> Answer {
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

async fn search_experiments(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<Search>,
) -> Answer {
    let caller = caller?;
    let Json(search) = body?;
    experiments_page(&state, &caller, search).await
}

async fn search_experiments_get(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    experiments_page(&state, &caller, search).await
}

#[derive(Deserialize)]
struct ExperimentTag {
    experiment_id: String,
    key: String,
    #[serde(default)]
    value: String,
}

async fn set_experiment_tag(
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
struct CreateRun {
    #[serde(default)]
    experiment_id: Option<String>,
    run_name: Option<String>,
    start_time: Option<i64>,
    #[serde(default)]
    tags: Vec<Tag>,
}

async fn create_run(
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
struct UpdateRun {
    run_id: Option<String>,
    run_uuid: Option<String>,
    status: Option<String>,
    end_time: Option<i64>,
    run_name: Option<String>,
}

fn run_id(run_id: Option<String>, run_uuid: Option<String>) -> Result<String, MlflowError> {
    run_id
        .or(run_uuid)
        .ok_or_else(|| invalid("run_id: is required"))
}

async fn update_run(
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
struct RunRef {
    run_id: Option<String>,
    run_uuid: Option<String>,
    metric_key: Option<String>,
}

async fn get_run(
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

async fn search_runs(
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
struct MetricIn {
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
struct LogMetric {
    run_id: Option<String>,
    run_uuid: Option<String>,
    #[serde(flatten)]
    metric: MetricIn,
}

fn now_millis(state: &AppState) -> i64 {
    let now = state.services.clock().now();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

async fn log_metric(
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
struct KeyValueOf {
    run_id: Option<String>,
    run_uuid: Option<String>,
    key: String,
    #[serde(default)]
    value: String,
}

async fn log_param(
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

async fn set_tag(
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
struct LogBatch {
    run_id: String,
    #[serde(default)]
    metrics: Vec<MetricIn>,
    #[serde(default)]
    params: Vec<Tag>,
    #[serde(default)]
    tags: Vec<Tag>,
}

async fn log_batch(
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

async fn metric_history(
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

#[derive(Deserialize)]
struct CreateModel {
    name: String,
    #[serde(default)]
    description: String,
}

async fn create_registered_model(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateModel>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let principal = caller.principal();
    state
        .services
        .create_registered_model(principal, &body.name, &body.description)
        .await?;
    let model = state
        .services
        .registered_model(principal, &body.name)
        .await?;
    Ok(Json(json!({"registered_model": model_json(&model)})))
}

#[derive(Deserialize)]
struct ModelRef {
    name: String,
    version: Option<String>,
    alias: Option<String>,
}

async fn get_registered_model(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let model = state
        .services
        .registered_model(caller.principal(), &params.name)
        .await?;
    Ok(Json(json!({"registered_model": model_json(&model)})))
}

async fn search_registered_models(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    let name = simple_filter(search.filter.as_deref(), "name")?;
    let page = page(search.max_results, search.page_token.as_deref())?;
    let principal = caller.principal();
    let models = match name {
        Some(name) => match state.services.registered_model(principal, name).await {
            Ok(model) => vec![model],
            Err(ServiceError::NotFound(_)) => vec![],
            Err(e) => return Err(e.into()),
        },
        None => state.services.registered_models(principal, page).await?,
    };
    Ok(Json(with_token(
        json!({"registered_models": models.iter().map(model_json).collect::<Vec<_>>()}),
        name.is_none()
            .then(|| next_token(page, models.len()))
            .flatten(),
    )))
}

#[derive(Deserialize)]
struct CreateVersion {
    name: String,
    source: String,
    run_id: Option<String>,
    #[serde(default)]
    description: String,
}

async fn create_model_version(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateVersion>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let run = body.run_id.filter(|r| !r.is_empty());
    let version = state
        .services
        .create_model_version(
            caller.principal(),
            &body.name,
            &body.source,
            run.as_deref(),
            &body.description,
        )
        .await?;
    Ok(Json(json!({"model_version": version_json(&version)})))
}

async fn get_model_version(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let version = version_number(
        params
            .version
            .as_deref()
            .ok_or_else(|| invalid("version: is required"))?,
    )?;
    let found = state
        .services
        .model_version(caller.principal(), &params.name, version)
        .await?;
    Ok(Json(json!({"model_version": version_json(&found)})))
}

async fn search_model_versions(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    let page = page(search.max_results, search.page_token.as_deref())?;
    let principal = caller.principal();
    let versions = match (
        simple_filter(search.filter.as_deref(), "name"),
        simple_filter(search.filter.as_deref(), "run_id"),
    ) {
        (Ok(name), _) => state.services.model_versions(principal, name, page).await?,
        (_, Ok(Some(run))) => state
            .services
            .model_versions(principal, None, page)
            .await?
            .into_iter()
            .filter(|v| v.run_id.as_deref() == Some(run))
            .collect(),
        (Err(error), _) => return Err(error),
    };
    Ok(Json(with_token(
        json!({"model_versions": versions.iter().map(version_json).collect::<Vec<_>>()}),
        next_token(page, versions.len()),
    )))
}

#[derive(Deserialize)]
struct SetAlias {
    name: String,
    alias: String,
    version: String,
}

async fn set_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<SetAlias>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let version = version_number(&body.version)?;
    state
        .services
        .promote_model(caller.principal(), &body.name, version, &body.alias)
        .await?;
    Ok(Json(json!({})))
}

async fn get_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let alias = params.alias.ok_or_else(|| invalid("alias: is required"))?;
    let version = state
        .services
        .model_version_by_alias(caller.principal(), &params.name, &alias)
        .await?;
    Ok(Json(json!({"model_version": version_json(&version)})))
}

/// The client sends a DELETE's fields as JSON; curl users send a query.
async fn delete_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Result<Query<ModelRef>, QueryRejection>,
    body: Body<ModelRef>,
) -> Answer {
    let caller = caller?;
    let reference = match (body, params) {
        (Ok(Json(body)), _) => body,
        (Err(_), Ok(Query(params))) => params,
        (Err(rejection), Err(_)) => return Err(rejection.into()),
    };
    let alias = reference
        .alias
        .ok_or_else(|| invalid("alias: is required"))?;
    state
        .services
        .delete_model_alias(caller.principal(), &reference.name, &alias)
        .await?;
    Ok(Json(json!({})))
}
