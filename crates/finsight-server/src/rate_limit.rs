//! Per-client request rate limits (a token bucket per client address), so
//! one client cannot starve the others. Probes (`/healthz`, `/readyz`,
//! `/metrics`) are never limited. Per-user limits come with authentication.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// Most clients tracked at once; beyond it, idle buckets are dropped.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Sustained requests per second per client.
    pub per_second: f64,
    /// Requests a client may make in a burst.
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: 50.0,
            burst: 100.0,
        }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct RateLimiter<K = Option<IpAddr>> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client`; on refusal, the seconds until one is back.
    pub(crate) fn take(&self, client: K, now: Instant) -> Result<(), f64> {
        self.take_n(client, 1, now)
    }

    /// Takes `n` tokens for `client`, all or none; on refusal, the seconds
    /// until they are back (never, past the burst: then the burst's refill).
    pub(crate) fn take_n(&self, client: K, n: usize, now: Instant) -> Result<(), f64> {
        let n = n as f64;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            let limit = self.limit;
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * limit.per_second
                    < limit.burst
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.limit.burst,
            updated: now,
        });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * self.limit.per_second;
        bucket.tokens = (bucket.tokens + refill).min(self.limit.burst);
        bucket.updated = now;
        if bucket.tokens >= n {
            bucket.tokens -= n;
            Ok(())
        } else {
            Err((n.min(self.limit.burst) - bucket.tokens).max(0.0) / self.limit.per_second)
        }
    }
}

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    match state.rate_limiter.take(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait).into_response(),
    }
}

/// The 429 answer, with `Retry-After` in whole seconds.
pub(crate) fn too_many_requests(wait_secs: f64) -> ApiError {
    metrics::counter!("finsight_http_rate_limited_total").increment(1);
    let mut error = ApiError::new(ErrorCode::RateLimited, "too many requests; slow down");
    error.retry_after = Some(wait_secs.ceil().max(1.0) as u64);
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn buckets_refill_at_the_sustained_rate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        let start = Instant::now();
        let client = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert!(limiter.take(client, start).is_ok());
        }
        let wait = limiter.take(client, start).unwrap_err();
        assert!((wait - 0.1).abs() < 1e-9);
        assert!(
            limiter
                .take(Some(IpAddr::from([127, 0, 0, 2])), start)
                .is_ok(),
            "other clients unaffected"
        );
        assert!(
            limiter
                .take(client, start + Duration::from_millis(100))
                .is_ok()
        );
    }
}
