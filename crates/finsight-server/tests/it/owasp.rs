//! The OWASP API Security Top 10 (2023), item by item, for what applies:
//!
//! - API1 broken object level authorization: `authz.rs` (every route) and
//!   `graphql.rs` (every root field).
//! - API2 broken authentication: `auth.rs` (lockout, refresh reuse, logout,
//!   expiry, look-alike failures).
//! - API3 broken object property level authorization: here (mass
//!   assignment refused; no secrets or raw ids where they do not belong).
//! - API4 unrestricted resource consumption: here (body, page and
//!   GraphQL limits) and the rate-limit tests in `main.rs` and `auth.rs`.
//! - API5 broken function level authorization: here (admin functions).
//! - API6 unrestricted access to sensitive business flows: sign-in
//!   guessing is slowed by lockout (`auth.rs`).
//! - API7 server-side request forgery: no endpoint fetches a URL it is
//!   given; nothing to test.
//! - API8 security misconfiguration: here (one error body, security
//!   headers, nothing cached, no internals in errors).
//! - API9 improper inventory management: `documents.rs` (the committed
//!   OpenAPI document and SDL are what the code serves).
//! - API10 unsafe consumption of APIs: inputs from banks and Kafka are
//!   validated field by field and fuzzed (`finsight-ingest` tests).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

use crate::authz::{call, world};

#[tokio::test]
async fn api3_mass_assignment_is_refused() {
    let w = world().await;
    for body in [
        json!({"notes": "x", "user_id": w.user_a.to_string()}),
        json!({"amount": "1000000.00"}),
        json!({"category": "dining", "category_source": "model"}),
    ] {
        let (status, error) = call(
            &w.state,
            "PATCH",
            &format!("/v1/transactions/{}", w.transaction_b),
            Some(&w.bea),
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("body")),
            "{body}: {error}"
        );
    }
    let (status, _) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{}", w.household_b, w.user_bob),
        Some(&w.bea),
        Some(json!({"role": "owner", "tenant_id": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn api3_answers_expose_no_secrets_and_analysts_no_raw_ids() {
    let w = world().await;
    let (_, session) = call(
        &w.state,
        "POST",
        "/v1/auth/login",
        None,
        Some(json!({"email": "bea@example.com", "password": "a long enough password"})),
    )
    .await;
    let text = session.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    let (_, me) = call(&w.state, "GET", "/v1/me", Some(&w.bea), None).await;
    assert!(!me.to_string().contains("argon2"));
    // Analysts see data quality without account ids (no pseudonym key is
    // configured here; with one they get `account_…` pseudonyms).
    let batch = json!({"account_id": w.account_b.to_string(), "transactions": [
        {"posted_on": "2026-03-03", "amount": "-1.00", "currency": "USD", "description": "X"}
    ]});
    call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.bea),
        Some(batch),
    )
    .await;
    let (status, quality) = call(&w.state, "GET", "/v1/data-quality", Some(&w.analyst), None).await;
    assert_eq!(status, StatusCode::OK);
    let text = quality.to_string();
    assert!(!quality["sources"].as_array().unwrap().is_empty());
    assert!(!text.contains(&w.account_b.to_string()), "{text}");
    let key = finsight_privacy::PseudonymKey::from_hex(&"cd".repeat(32)).unwrap();
    let state = w
        .state
        .clone()
        .with_services(w.state.services.clone().with_pseudonym_key(&key).unwrap());
    let (_, quality) = call(&state, "GET", "/v1/data-quality", Some(&w.analyst), None).await;
    let account = quality["sources"][0]["account_id"].as_str().unwrap();
    assert!(account.starts_with("account_"), "{account}");
    // Admins see the real ids (they run the tenant).
    let (_, quality) = call(&state, "GET", "/v1/data-quality", Some(&w.admin), None).await;
    assert!(quality.to_string().contains(&w.account_b.to_string()));
}

#[tokio::test]
async fn api4_bodies_pages_and_queries_are_bounded() {
    let w = world().await;
    let huge = json!({"notes": "x".repeat(2 * 1024 * 1024)});
    let (status, error) = call(
        &w.state,
        "PATCH",
        &format!("/v1/transactions/{}", w.transaction_b),
        Some(&w.bea),
        Some(huge),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (status, error) = call(
        &w.state,
        "GET",
        "/v1/transactions?limit=100000",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    let long_note = json!({"notes": "x".repeat(1001)});
    let (status, error) = call(
        &w.state,
        "PATCH",
        &format!("/v1/transactions/{}", w.transaction_b),
        Some(&w.bea),
        Some(long_note),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("notes"))
    );
    let (status, error) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?q={}", "a".repeat(101)),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("q"))
    );
}

#[tokio::test]
async fn api5_admin_functions_need_an_admin() {
    let w = world().await;
    for token in [&w.ann, &w.val, &w.analyst, &w.service1] {
        for (method, path, body) in [
            ("GET", "/v1/api-keys".to_owned(), None),
            (
                "POST",
                "/v1/api-keys".to_owned(),
                Some(json!({"name": "x"})),
            ),
            (
                "POST",
                "/v1/households".to_owned(),
                Some(json!({"name": "x"})),
            ),
            (
                "POST",
                "/v1/logins".to_owned(),
                Some(json!({
                    "email": "x@example.com",
                    "password": "a long enough password",
                    "staff_role": "admin"
                })),
            ),
        ] {
            let (status, error) = call(&w.state, method, &path, Some(token), body).await;
            assert_eq!(
                (status, error["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("forbidden")),
                "{method} {path}"
            );
        }
    }
    // A service key may not manage households either.
    let (status, _) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{}", w.household_b, w.user_bob),
        Some(&w.service1),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api8_one_error_body_security_headers_and_no_caching() {
    let w = world().await;
    let response = finsight_server::router(w.state.clone())
        .oneshot(
            Request::delete("/v1/categories")
                .header("authorization", &w.bea)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let headers = response.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(error["code"], "method_not_allowed");
    // Malformed JSON: the error names the body, and says nothing of the server.
    let response = finsight_server::router(w.state.clone())
        .oneshot(
            Request::post("/v1/auth/login")
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = String::from_utf8_lossy(&body);
    assert!(
        !text.contains("src/") && !text.contains("panicked"),
        "{text}"
    );
    let (status, error) = call(&w.state, "POST", "/v1/auth/login", None, None).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
}

#[tokio::test]
async fn admins_onboard_a_household_person_and_login() {
    let w = world().await;
    let (status, household) = call(
        &w.state,
        "POST",
        "/v1/households",
        Some(&w.admin),
        Some(json!({"name": "The Newcomers"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{household}");
    let household_id = household["id"].as_str().unwrap().to_owned();
    let (status, person) = call(
        &w.state,
        "POST",
        &format!("/v1/households/{household_id}/people"),
        Some(&w.admin),
        Some(json!({"display_name": "Nia New", "role": "owner"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    let user_id = person["user_id"].as_str().unwrap().to_owned();
    let (status, login) = call(
        &w.state,
        "POST",
        "/v1/logins",
        Some(&w.admin),
        Some(json!({"email": "nia@example.com", "password": "a long enough password", "user_id": user_id})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let (_, session) = call(
        &w.state,
        "POST",
        "/v1/auth/login",
        None,
        Some(json!({"email": "nia@example.com", "password": "a long enough password"})),
    )
    .await;
    let token = format!("Bearer {}", session["access_token"].as_str().unwrap());
    let (_, me) = call(&w.state, "GET", "/v1/me", Some(&token), None).await;
    assert_eq!(me["display_name"], "Nia New");
    assert_eq!(me["households"][0]["household_id"], household_id.as_str());
    assert_eq!(me["households"][0]["role"], "owner");
    // Neither side sees the other's data.
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/households/{}", w.household_b),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A person of another tenant cannot be given a login here.
    let cal = finsight_core::UserId::from_random_bytes([26; 16]);
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/logins",
        Some(&w.admin),
        Some(json!({"email": "cal2@example.com", "password": "a long enough password", "user_id": cal.to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = call(
        &w.state,
        "POST",
        "/v1/logins",
        Some(&w.admin),
        Some(json!({"email": "both@example.com", "password": "a long enough password", "user_id": user_id, "staff_role": "admin"})),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id"))
    );
}
