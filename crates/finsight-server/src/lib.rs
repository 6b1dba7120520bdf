//! Finsight's HTTP server: liveness, readiness and Prometheus metrics for
//! now; the REST and GraphQL API are mounted here as they arrive. Handlers
//! stay thin: they call the services they are given and map errors through
//! the one table in [`error`].

pub mod api;
mod caller;
pub mod error;
mod filter;
pub mod graphql;
mod health;
mod idempotency;
pub mod metrics;
pub mod mlflow;
pub mod rate_limit;
mod web;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use finsight_core::Clock;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (uploads to `/v1/imports` excepted), in
/// bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an `Idempotency-Key` is remembered unless configured.
pub const DEFAULT_IDEMPOTENCY_TTL: time::Duration = time::Duration::hours(24);

/// What the handlers may use.
#[derive(Clone)]
pub struct AppState {
    pub clock: Arc<dyn Clock>,
    pub metrics: PrometheusHandle,
    pub rate_limiter: Arc<rate_limit::RateLimiter>,
    /// Per signed-in principal, keyed by its audit actor name.
    pub user_rate_limiter: Arc<rate_limit::RateLimiter<String>>,
    pub services: finsight_service::Services,
    pub graphql: graphql::FinsightSchema,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: time::Duration,
}

/// The server's own limits, from settings.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Per client address.
    pub rate_limit: rate_limit::RateLimit,
    /// Per signed-in principal.
    pub user_rate_limit: rate_limit::RateLimit,
    /// How long an `Idempotency-Key` is remembered.
    pub idempotency_ttl: time::Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            rate_limit: rate_limit::RateLimit::default(),
            user_rate_limit: rate_limit::RateLimit::default(),
            idempotency_ttl: DEFAULT_IDEMPOTENCY_TTL,
        }
    }
}

impl AppState {
    /// The state over services built once by the composition root (with
    /// their auth settings and pseudonym key): the server builds none of
    /// its own, and reads time from the services' clock.
    pub fn new(
        services: finsight_service::Services,
        metrics: PrometheusHandle,
        limits: ServerLimits,
    ) -> Self {
        Self {
            clock: Arc::clone(services.clock()),
            metrics,
            rate_limiter: Arc::new(rate_limit::RateLimiter::new(limits.rate_limit)),
            user_rate_limiter: Arc::new(rate_limit::RateLimiter::new(limits.user_rate_limit)),
            graphql: graphql::schema(services.clone()),
            services,
            idempotency_ttl: limits.idempotency_ttl,
        }
    }

    /// The same state over other services (other auth settings or
    /// pseudonym key, another clock), the GraphQL schema with them.
    pub fn with_services(mut self, services: finsight_service::Services) -> Self {
        self.clock = Arc::clone(services.clock());
        self.graphql = graphql::schema(services.clone());
        self.services = services;
        self
    }

    /// The same state with another per-user rate limit.
    pub fn with_user_rate_limit(mut self, limit: rate_limit::RateLimit) -> Self {
        self.user_rate_limiter = Arc::new(rate_limit::RateLimiter::new(limit));
        self
    }

    /// The same state with idempotency keys remembered for `ttl`.
    pub fn with_idempotency_ttl(mut self, ttl: time::Duration) -> Self {
        self.idempotency_ttl = ttl;
        self
    }

    /// The same state with another per-client rate limit.
    pub fn with_rate_limit(mut self, limit: rate_limit::RateLimit) -> Self {
        self.rate_limiter = Arc::new(rate_limit::RateLimiter::new(limit));
        self
    }
}

/// The whole HTTP surface, ready to serve or to test with `oneshot`.
pub fn router(state: AppState) -> Router {
    let (api, _) = api::router().split_for_parts();
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(render_metrics))
        .route("/v1/openapi.json", get(openapi_json))
        .route("/graphql", axum::routing::post(graphql::handler))
        .merge(api)
        .nest("/api/2.0/mlflow", mlflow::router())
        .fallback(web::serve)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(middleware::from_fn(detach_writes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        .layer(middleware::from_fn(record_request))
        .layer(middleware::from_fn(security_headers))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn openapi_json() -> Response {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(api::openapi);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
        .into_response()
}

async fn render_metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

/// Runs every request that may write (anything but GET, HEAD and OPTIONS)
/// on a task of its own, so a client that goes away or the request
/// timeout cannot cancel a write half-way through a database transaction:
/// a write that started finishes (and its idempotency key records the
/// answer for the retry), whoever is still listening.
async fn detach_writes(request: Request, next: Next) -> Response {
    use axum::http::Method;
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "request task failed");
            error::ApiError::new(error::ErrorCode::Internal, "internal error").into_response()
        }
    }
}

/// Headers every answer carries: nothing is sniffed, framed, sent as a
/// referrer, or cached (answers hold personal data and tokens).
async fn security_headers(request: Request, next: Next) -> Response {
    use axum::http::HeaderValue;
    use axum::http::header;
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Counts every request and its latency by method, route pattern (never the
/// raw path, to keep label cardinality low) and status.
async fn record_request(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    ::metrics::counter!("finsight_http_requests_total", &labels).increment(1);
    ::metrics::histogram!("finsight_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Certificate chain and private key (PEM files) for serving HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Serves HTTPS (rustls, TLS 1.2 and 1.3) until `shutdown` resolves, then
/// finishes in-flight requests (at most 30 s).
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    tls: &TlsFiles,
) -> std::io::Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key)
        .await
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "server.tls_cert / server.tls_key: cannot load {} and {}: {e}",
                    tls.cert.display(),
                    tls.key.display()
                ),
            )
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(30)));
    });
    axum_server::tls_rustls::from_tcp_rustls(listener.into_std()?, config)?
        .handle(handle)
        .serve(router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
