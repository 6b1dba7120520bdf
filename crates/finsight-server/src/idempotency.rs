//! `Idempotency-Key` with Stripe's semantics: a key belongs to the
//! principal that sent it (another principal's identical key is another
//! request), the first response is replayed for the same key and body, the
//! same key with another body is refused, keys expire (24 hours by
//! default), and a claim is released on every path that does not finish
//! it — an error, a panic, or the request being dropped. Callers authorize
//! the request before they get here, so a replay never answers someone who
//! could not have made the request.

use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use finsight_core::Principal;
use finsight_store::{IdempotencyClaim, IdempotencyScope, IdempotencyTimes, Store};
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

const MAX_KEY_LEN: usize = 255;
/// An unfinished claim older than this was abandoned by a process that
/// died: the key may be claimed again.
const ABANDONED_AFTER: time::Duration = time::Duration::minutes(5);

/// The request's key, if it sent one (an error naming the header if it is
/// not 1 to 255 visible ASCII characters).
pub(crate) fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| {
            !k.is_empty() && k.len() <= MAX_KEY_LEN && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
            )
        })?;
    Ok(Some(key.to_owned()))
}

/// Releases an unfinished claim when dropped (the work failed, panicked or
/// was cancelled), unless it was finished.
struct Claim {
    store: Arc<dyn Store>,
    principal: String,
    key: String,
    finished: bool,
}

impl Claim {
    fn scope(&self) -> IdempotencyScope<'_> {
        IdempotencyScope {
            principal: &self.principal,
            key: &self.key,
        }
    }

    async fn finish(mut self, status: StatusCode, body: &str) -> Result<(), ApiError> {
        self.store
            .complete_idempotency_key(self.scope(), status.as_u16(), body)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let (store, principal, key) = (
            Arc::clone(&self.store),
            std::mem::take(&mut self.principal),
            std::mem::take(&mut self.key),
        );
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let scope = IdempotencyScope {
                    principal: &principal,
                    key: &key,
                };
                if let Err(error) = store.release_idempotency_key(scope).await {
                    tracing::warn!(%error, "releasing an idempotency key failed");
                }
            });
        }
    }
}

/// Runs `work` at most once per (principal, key) when the request has a
/// key; `body_hash` identifies the request.
pub(crate) async fn idempotent<F>(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    body_hash: String,
    work: F,
) -> Result<Response, ApiError>
where
    F: std::future::Future<Output = Result<(StatusCode, Value), ApiError>>,
{
    let Some(key) = key(headers)? else {
        let (status, body) = work.await?;
        return Ok((status, Json(body)).into_response());
    };
    let now = state.clock.now();
    let times = IdempotencyTimes {
        now,
        expired_before: now - state.idempotency_ttl,
        abandoned_before: now - ABANDONED_AFTER,
    };
    let principal = principal.actor();
    let scope = IdempotencyScope {
        principal: &principal,
        key: &key,
    };
    match state
        .services
        .store()
        .claim_idempotency_key(scope, &body_hash, times)
        .await
        .map_err(|e| ApiError::internal(&e))?
    {
        IdempotencyClaim::New => {}
        IdempotencyClaim::Replay { status, response } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let body: Value = serde_json::from_str(&response).unwrap_or(Value::Null);
            return Ok((status, [("idempotent-replayed", "true")], Json(body)).into_response());
        }
        IdempotencyClaim::Mismatch => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request body",
            ));
        }
        IdempotencyClaim::InProgress => {
            return Err(ApiError::new(
                ErrorCode::RequestInProgress,
                "a request with this Idempotency-Key is still being processed",
            ));
        }
    }
    let claim = Claim {
        store: Arc::clone(state.services.store()),
        principal: principal.clone(),
        key,
        finished: false,
    };
    match work.await {
        Ok((status, body)) => {
            claim.finish(status, &body.to_string()).await?;
            Ok((status, Json(body)).into_response())
        }
        // Client errors are final answers too; server errors may be
        // retried (dropping the claim releases it).
        Err(error) if error.code.status().is_client_error() => {
            claim
                .finish(error.code.status(), &error.body().to_string())
                .await?;
            Err(error)
        }
        Err(error) => Err(error),
    }
}
