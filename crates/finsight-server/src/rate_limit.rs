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

/// Most clients tracked at once, over all shards.
const MAX_CLIENTS: usize = 10_000;
/// Independent tables, so concurrent clients rarely wait on one lock.
const SHARDS: usize = 16;
/// A full shard is swept for idle buckets at most this often.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn full(limit: RateLimit, now: Instant) -> Self {
        Self {
            tokens: limit.burst,
            updated: now,
        }
    }

    /// Refills for the time passed, then takes `n` tokens, all or none.
    fn take(&mut self, limit: RateLimit, n: f64, now: Instant) -> Result<(), f64> {
        let refill = now.duration_since(self.updated).as_secs_f64() * limit.per_second;
        self.tokens = (self.tokens + refill).min(limit.burst);
        self.updated = now;
        if self.tokens >= n {
            self.tokens -= n;
            Ok(())
        } else {
            Err((n.min(limit.burst) - self.tokens).max(0.0) / limit.per_second)
        }
    }

    fn refilled_by(&self, limit: RateLimit, now: Instant) -> bool {
        self.tokens + now.duration_since(self.updated).as_secs_f64() * limit.per_second
            >= limit.burst
    }
}

/// One shard: its clients' buckets, bounded; clients that arrive while it
/// is full of active ones share the overflow bucket until a sweep frees
/// room.
struct Shard<K> {
    buckets: HashMap<K, Bucket>,
    overflow: Bucket,
    swept: Option<Instant>,
}

pub struct RateLimiter<K = Option<IpAddr>> {
    limit: RateLimit,
    hasher: std::collections::hash_map::RandomState,
    shards: Vec<Mutex<Shard<K>>>,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(limit: RateLimit) -> Self {
        let now = Instant::now();
        Self {
            limit,
            hasher: std::collections::hash_map::RandomState::new(),
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        buckets: HashMap::new(),
                        overflow: Bucket::full(limit, now),
                        swept: None,
                    })
                })
                .collect(),
        }
    }

    /// Takes a token for `client`; on refusal, the seconds until one is back.
    pub(crate) fn take(&self, client: K, now: Instant) -> Result<(), f64> {
        self.take_n(client, 1, now)
    }

    /// Takes `n` tokens for `client`, all or none; on refusal, the seconds
    /// until they are back (never, past the burst: then the burst's refill).
    pub(crate) fn take_n(&self, client: K, n: usize, now: Instant) -> Result<(), f64> {
        use std::hash::BuildHasher as _;
        let limit = self.limit;
        let shard = self.hasher.hash_one(&client) as usize % SHARDS;
        let mut shard = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = shard.buckets.get_mut(&client) {
            return bucket.take(limit, n as f64, now);
        }
        let capacity = MAX_CLIENTS / SHARDS;
        if shard.buckets.len() >= capacity
            && shard
                .swept
                .is_none_or(|at| now.duration_since(at) >= SWEEP_EVERY)
        {
            // Forgetting a bucket that has refilled changes nothing.
            shard.buckets.retain(|_, b| !b.refilled_by(limit, now));
            shard.swept = Some(now);
        }
        if shard.buckets.len() >= capacity {
            return shard.overflow.take(limit, n as f64, now);
        }
        shard
            .buckets
            .entry(client)
            .or_insert(Bucket::full(limit, now))
            .take(limit, n as f64, now)
    }

    /// Clients tracked now (at most `MAX_CLIENTS`).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).buckets.len())
            .sum()
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

    #[test]
    fn the_table_stays_bounded_when_every_client_is_active() {
        let limiter: RateLimiter<u32> = RateLimiter::new(RateLimit {
            per_second: 1.0,
            burst: 5.0,
        });
        let start = Instant::now();
        // Three times the capacity of distinct, active clients.
        for client in 0..(3 * MAX_CLIENTS as u32) {
            let _ = limiter.take(client, start);
        }
        assert!(limiter.tracked() <= MAX_CLIENTS, "{}", limiter.tracked());
        // Newcomers while every tracked client is active share an overflow
        // bucket: limited, never unbounded.
        let refused = (0..100u32)
            .map(|i| limiter.take(1_000_000 + i, start))
            .filter(Result::is_err)
            .count();
        assert!(refused > 0);
        // Once the tracked clients have refilled, a sweep makes room.
        let later = start + std::time::Duration::from_secs(10);
        assert!(limiter.take(2_000_000, later).is_ok());
        assert!(limiter.tracked() < MAX_CLIENTS);
    }
}
