//! Sign-in, refresh rotation with reuse detection, sign-out, throttling and
//! token expiry, over HTTP (OWASP API2: broken authentication).

use axum::http::StatusCode;
use finsight_service::AuthSettings;
use serde_json::json;

use crate::authz::{call, world};

async fn login(
    state: &finsight_server::AppState,
    email: &str,
    password: &str,
) -> (StatusCode, serde_json::Value) {
    call(
        state,
        "POST",
        "/v1/auth/login",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn wrong_and_unknown_credentials_look_the_same() {
    let w = world().await;
    let (status, wrong) = login(&w.state, "ann@example.com", "not the password at all").await;
    let (status2, unknown) = login(&w.state, "nobody@example.com", "not the password at all").await;
    assert_eq!(
        (status, status2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["code"], "invalid_credentials");
    let (status, error) = call(
        &w.state,
        "POST",
        "/v1/auth/login",
        None,
        Some(json!({"email": "a"})),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input"))
    );
    let entries = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.event.action == "auth.login_failed")
    );
    assert!(entries.iter().any(|e| e.event.action == "auth.login"));
}

#[tokio::test]
async fn repeated_failures_throttle_the_address_with_retry_after() {
    let w = world().await;
    for _ in 0..5 {
        let (status, _) = login(&w.state, "ann@example.com", "wrong password guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // This address now waits, whatever it sends.
    let (status, error) = login(&w.state, "ann@example.com", "a long enough password").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
    );
    let entries = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap();
    assert!(entries.iter().any(|e| e.event.action == "auth.throttle"));
    // Other logins are unaffected.
    let (status, _) = login(&w.state, "bea@example.com", "a long enough password").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_session() {
    let w = world().await;
    let (_, first) = login(&w.state, "ann@example.com", "a long enough password").await;
    assert_eq!(first["token_type"], "Bearer");
    let refresh = |token: &str| json!({"refresh_token": token});
    let (status, second) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(refresh(first["refresh_token"].as_str().unwrap())),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second_access = format!("Bearer {}", second["access_token"].as_str().unwrap());
    let (status, _) = call(&w.state, "GET", "/v1/me", Some(&second_access), None).await;
    assert_eq!(status, StatusCode::OK);
    let old_access = format!("Bearer {}", first["access_token"].as_str().unwrap());
    let (status, _) = call(&w.state, "GET", "/v1/me", Some(&old_access), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a rotated session's access token ends"
    );
    // Someone replays the first refresh token: the whole family ends.
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(refresh(first["refresh_token"].as_str().unwrap())),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&w.state, "GET", "/v1/me", Some(&second_access), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(refresh(second["refresh_token"].as_str().unwrap())),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An access token is not a refresh token.
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(refresh(first["access_token"].as_str().unwrap())),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_at_once_and_bad_tokens_get_401() {
    let w = world().await;
    let (status, _) = call(&w.state, "POST", "/v1/auth/logout", Some(&w.ann), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, error) = call(&w.state, "GET", "/v1/me", Some(&w.ann), None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    for token in [
        "Bearer ",
        "Bearer fsa_00",
        "Basic YTpi",
        "fsa_abc",
        "Bearer fsr_whatever",
    ] {
        let (status, _) = call(&w.state, "GET", "/v1/me", Some(token), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
    }
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let w = world().await;
    let settings = AuthSettings {
        hashing: finsight_service::PasswordHashing::for_tests(),
        access_ttl: time::Duration::seconds(-1),
        ..AuthSettings::default()
    };
    let state = w
        .state
        .clone()
        .with_services(w.state.services.clone().with_auth_settings(settings));
    let (_, session) = login(&state, "ann@example.com", "a long enough password").await;
    let access = format!("Bearer {}", session["access_token"].as_str().unwrap());
    let (status, _) = call(&state, "GET", "/v1/me", Some(&access), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_signed_in_principal_has_its_own_rate_limit() {
    use finsight_server::rate_limit::RateLimit;
    let w = world().await;
    let state = w.state.clone().with_user_rate_limit(RateLimit {
        per_second: 0.1,
        burst: 2.0,
    });
    for _ in 0..2 {
        let (status, _) = call(&state, "GET", "/v1/me", Some(&w.ann), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, error) = call(&state, "GET", "/v1/me", Some(&w.ann), None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    let (status, _) = call(&state, "GET", "/v1/me", Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "another user is not slowed down");
}
