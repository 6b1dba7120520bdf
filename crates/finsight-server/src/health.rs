//! Liveness (the process answers) and readiness (its store answers too).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn live() -> Json<Value> {
    Json(json!({ "status": "live" }))
}

pub async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match tokio::time::timeout(READINESS_TIMEOUT, state.services.store().ping()).await {
        Ok(Ok(())) => Ok(Json(json!({ "status": "ready" }))),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "store not ready");
            Err(ApiError::new(ErrorCode::NotReady, "store unavailable"))
        }
        Err(_) => {
            tracing::warn!("store ping timed out");
            Err(ApiError::new(
                ErrorCode::NotReady,
                "store did not answer in time",
            ))
        }
    }
}
