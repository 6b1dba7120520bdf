//! Integration tests of finsight-server: the router in process, and a real
//! listener with graceful shutdown.

mod accounts;
mod alerts;
mod auth;
mod authz;
mod dashboard;
mod documents;
mod features;
mod graphql;
mod guards;
mod ingest;
mod mlflow;
mod models;
mod owasp;
mod planning;
mod security;
mod security_graphql;
mod security_people;
mod walks;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_core::FixedClock;
use finsight_server::{AppState, router};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// The starter feature views.
pub fn features() -> Arc<finsight_features::FeatureSet> {
    finsight_features::FeatureSet::new(finsight_features::Registry::starter())
}

/// An empty in-process online store over the starter views.
pub fn online() -> Arc<dyn finsight_features::OnlineStore> {
    Arc::new(finsight_features::MemoryOnlineStore::new(features()))
}

pub async fn state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    let store = finsight_store::open(
        &url,
        &finsight_store::Kek::generate(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let services = finsight_service::Services::new(
        Arc::clone(&store),
        Arc::new(FixedClock(time::macros::datetime!(2026-03-20 09:00 UTC))),
        finsight_service::AuthSettings::default(),
    )
    .with_features(features(), online());
    let state = AppState::new(
        services,
        finsight_server::metrics::install(),
        finsight_server::ServerLimits::default(),
    );
    (state, dir)
}

pub async fn get(app: axum::Router, path: &str) -> (StatusCode, String) {
    let response = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let (state, _dir) = state().await;
    let (status, body) = get(router(state.clone()), "/healthz").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"live"}"#)
    );
    let (status, body) = get(router(state), "/readyz").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ready"}"#)
    );
}

#[tokio::test]
async fn unknown_routes_get_the_error_body() {
    let (state, _dir) = state().await;
    // Other paths are pages of the dashboard (tests/it/dashboard.rs).
    let (status, body) = get(router(state), "/v1/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "not_found");
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let (state, _dir) = state().await;
    get(router(state.clone()), "/healthz").await;
    let (status, body) = get(router(state), "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.lines()
            .any(|l| l.starts_with("finsight_http_requests_total")
                && l.contains(r#"route="/healthz""#)
                && l.contains(r#"status="200""#)),
        "{body}"
    );
    assert!(body.contains("finsight_build_info"), "{body}");
}

#[tokio::test]
async fn serves_on_a_real_socket_and_shuts_down_gracefully() {
    let (state, _dir) = state().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(finsight_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .expect("server stops after the shutdown signal")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn clients_over_their_rate_get_429_with_retry_after_and_probes_never_do() {
    use finsight_server::rate_limit::RateLimit;
    let (state, _dir) = state().await;
    let state = state.with_rate_limit(RateLimit {
        per_second: 0.5,
        burst: 3.0,
    });
    // Unauthenticated requests count against the client address too.
    for _ in 0..3 {
        let (status, _) = get(router(state.clone()), "/v1/categories").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = router(state.clone())
        .oneshot(Request::get("/v1/categories").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "2");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["code"], "rate_limited");
    let (status, _) = get(router(state), "/healthz").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn serves_https_with_the_configured_certificate() {
    use std::sync::Arc as StdArc;
    let (state, dir) = state().await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let tls = finsight_server::TlsFiles {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    };
    std::fs::write(&tls.cert, certified.cert.pem()).unwrap();
    std::fs::write(&tls.key, certified.signing_key.serialize_pem()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        finsight_server::serve_tls(
            listener,
            state,
            async {
                let _ = stopped.await;
            },
            &tls,
        )
        .await
    });
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = tokio_rustls::rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(StdArc::new(config));
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let name = tokio_rustls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut stream = connector.connect(name, tcp).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // Plain HTTP on the TLS port gets no answer.
    let mut plain = tokio::net::TcpStream::connect(address).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    let _ = plain.read_to_string(&mut answer).await;
    assert!(!answer.starts_with("HTTP/1.1 200"));
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(35), server)
        .await
        .expect("stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_missing_certificate_is_named() {
    let (state, dir) = state().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls = finsight_server::TlsFiles {
        cert: dir.path().join("missing.pem"),
        key: dir.path().join("missing-key.pem"),
    };
    let error = finsight_server::serve_tls(listener, state, async {}, &tls)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("server.tls_cert"), "{error}");
}
