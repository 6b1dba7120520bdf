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
use axum::extract::Query;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use finsight_service::ServiceError;
use serde_json::{Value, json};

mod json;
mod registry;
mod tracking;

use registry::*;
use tracking::*;

use crate::AppState;
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

pub(crate) fn invalid(message: impl Into<String>) -> MlflowError {
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

pub(crate) type Answer = Result<Json<Value>, MlflowError>;
pub(crate) type Body<T> = Result<Json<T>, JsonRejection>;
pub(crate) type Params<T> = Result<Query<T>, QueryRejection>;

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
