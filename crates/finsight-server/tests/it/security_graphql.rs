//! GraphQL findings of the penetration test: aliases that got past the
//! complexity limit (3), mutations amplified past the rate limit (4), and
//! malformed requests answered with debug text (8) — plus the walk of
//! every root field under many aliases.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_server::graphql::{MAX_MUTATION_FIELDS, MAX_ROOT_FIELDS};
use finsight_server::rate_limit::RateLimit;
use finsight_server::router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::authz::{World, world};
use crate::graphql::{case, gql};

/// `query` with its one root field repeated under `n` aliases.
fn aliased(query: &str, n: usize) -> String {
    let (operation, rest) = match query.strip_prefix("mutation") {
        Some(rest) => ("mutation", rest),
        None => ("query", query),
    };
    let body = rest
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let fields: String = (0..n).map(|i| format!("a{i}: {body} ")).collect();
    format!("{operation} {{ {fields} }}")
}

fn refused_by_shape(status: StatusCode, answer: &Value) -> bool {
    status == StatusCode::UNPROCESSABLE_ENTITY
        && answer["code"] == "invalid_input"
        && answer["field"] == "query"
}

#[tokio::test]
async fn finding_3_aliases_of_a_wide_range_are_priced_by_their_work() {
    let w = world().await;
    let totals = |n: usize| {
        let aliases: String = (0..n)
            .map(|i| {
                format!(
                    r#"t{i}: monthlyTotals(from: "2016-12-01", until: "2026-12-01") {{ count }} "#
                )
            })
            .collect();
        format!("{{ user {{ {aliases} }} }}")
    };
    // One ten-year range is fine...
    let (status, answer) = gql(&w, Some(&w.bea), &totals(1)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer["errors"].is_null(), "{answer}");
    // ...999 of them cost 999 × 121 months and are refused before running.
    for n in [999, 20] {
        let (status, answer) = gql(&w, Some(&w.bea), &totals(n)).await;
        assert_eq!(status, StatusCode::OK);
        let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("complex"), "{n}: {answer}");
        assert!(answer["data"].is_null(), "{n}: {answer}");
    }
}

#[tokio::test]
async fn every_root_field_under_many_aliases_is_refused_before_it_runs() {
    let w = world().await;
    let (_, schema) = gql(
        &w,
        Some(&w.bea),
        "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
    )
    .await;
    let mut walked = 0;
    for root in ["queryType", "mutationType"] {
        for field in schema["data"]["__schema"][root]["fields"]
            .as_array()
            .unwrap()
        {
            let name = field["name"].as_str().unwrap();
            let mut query = case(&w, name);
            if query.is_empty() {
                query = match name {
                    "me" | "categories" | "households" | "invitations" | "models" => {
                        format!("{{ {name} {{ __typename }} }}")
                    }
                    "runs" => "{ runs { runId } }".into(),
                    "dashboardLayout" => "{ dashboardLayout { widgets { kind } } }".into(),
                    "setDashboardLayout" => r#"mutation { setDashboardLayout(widgets: []) { savedAt } }"#.into(),
                    "createApiKey" => r#"mutation { createApiKey(name: "x") { secret } }"#.into(),
                    "revokeApiKey" => r#"mutation { revokeApiKey(id: "x") }"#.into(),
                    "featuresBatch" => r#"{ featuresBatch(entities: [{entityType: "asset", entityId: "VTI"}]) { found } }"#.into(),
                    "createHousehold" => {
                        r#"mutation { createHousehold(name: "x") { id } }"#.into()
                    }
                    "createLogin" => r#"mutation { createLogin(email: "a@b.c", password: "a long enough password") }"#.into(),
                    _ => {
                        // A field added without an alias case fails here.
                        let cased = case(&w, name);
                        assert!(!cased.is_empty(), "{name} has no alias case");
                        cased
                    }
                };
            }
            let limit = if root == "mutationType" {
                MAX_MUTATION_FIELDS
            } else {
                MAX_ROOT_FIELDS
            };
            for token in [&w.bea, &w.admin, &w.cal] {
                let (status, answer) = gql(&w, Some(token), &aliased(&query, limit + 1)).await;
                assert!(
                    refused_by_shape(status, &answer),
                    "{name}: {status} {answer}"
                );
                let (status, answer) = gql(&w, Some(token), &aliased(&query, 500)).await;
                assert!(
                    refused_by_shape(status, &answer),
                    "{name}: {status} {answer}"
                );
            }
            walked += 1;
        }
    }
    assert!(walked >= 17, "{walked}");
}

#[tokio::test]
async fn finding_4_aliased_mutations_are_capped_and_spend_the_rate_limit() {
    let w = world().await;
    let rules = |w: &World| {
        let state = w.state.clone();
        let user = w.user_b;
        async move {
            state
                .services
                .store()
                .rules_of_users(&[user])
                .await
                .unwrap()
                .len()
        }
    };
    let before = rules(&w).await;
    let add = format!(
        r#"mutation {{ addRule(userId: "{}", pattern: "COFFEE", category: "dining") {{ id }} }}"#,
        w.user_b
    );
    // 500 aliased addRule: refused whole, nothing created.
    let (status, answer) = gql(&w, Some(&w.bea), &aliased(&add, 500)).await;
    assert!(refused_by_shape(status, &answer), "{status} {answer}");
    assert_eq!(rules(&w).await, before);
    // Within the cap, each field spends one request of the caller's limit:
    // with a burst of 4, five fields in one request are too many.
    let limited = w.state.clone().with_user_rate_limit(RateLimit {
        per_second: 0.01,
        burst: 4.0,
    });
    let w = World {
        state: limited,
        ..w
    };
    let (status, answer) = gql(&w, Some(&w.bea), &aliased(&add, 5)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_eq!(answer["code"], "rate_limited");
    assert_eq!(rules(&w).await, before);
    // Three fields fit (one for the request, two more).
    let (status, answer) = gql(&w, Some(&w.bea), &aliased(&add, 3)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(rules(&w).await, before + 3);
}

async fn post_raw(w: &World, content_type: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::post("/graphql")
        .header("authorization", &w.bea)
        .header("content-type", content_type)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = router(w.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, json)
}

#[tokio::test]
async fn finding_8_malformed_graphql_requests_get_the_error_body() {
    let w = world().await;
    let (status, answer) = post_raw(&w, "text/plain", r#"{"query":"{ me { kind } }"}"#).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(answer["code"], "unsupported_media_type");
    for body in ["{", r#"{"nope": 1}"#, "[1,2]"] {
        let (status, answer) = post_raw(&w, "application/json", body).await;
        assert_eq!(
            (status, answer["code"].as_str(), answer["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("invalid_input"),
                Some("body")
            ),
            "{body}: {answer}"
        );
        assert!(
            !answer["message"]
                .as_str()
                .unwrap()
                .contains("InvalidRequest")
        );
    }
    let (status, answer) = post_raw(&w, "application/json", r#"{"query":"{ me { kind "}"#).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("query")),
        "{answer}"
    );
    // A well-formed request still works, with a charset parameter too.
    let (status, answer) = post_raw(
        &w,
        "application/json; charset=utf-8",
        r#"{"query":"{ me { kind } }"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["data"]["me"]["kind"], "person");
}
