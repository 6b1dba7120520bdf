//! The models' routes: a person's review queue settles when they choose a
//! category and names the model in the transaction's lineage; the registry
//! is for staff and services, never for people; GraphQL answers the same.

use axum::http::StatusCode;
use serde_json::json;

use crate::authz::{call, world};

#[tokio::test]
async fn the_review_queue_settles_when_the_person_chooses() {
    let w = world().await;
    let uri = format!("/v1/review-queue?user_id={}", w.user_b);
    let (status, body) = call(&w.state, "GET", &uri, Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["suggested_category"], "health.pharmacy");
    assert_eq!(items[0]["transaction"]["id"], w.transaction_b.as_str());
    assert_eq!(items[0]["model_version"], 1);

    let lineage = format!("/v1/transactions/{}/lineage", w.transaction_b);
    let (status, body) = call(&w.state, "GET", &lineage, Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["model"].as_str()),
        (Some("review"), Some("categorizer"))
    );

    let patch = format!("/v1/transactions/{}", w.transaction_b);
    let (status, body) = call(
        &w.state,
        "PATCH",
        &patch,
        Some(&w.bea),
        Some(json!({"category": "health.pharmacy"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["category_source"], "user");
    let (_, body) = call(&w.state, "GET", &uri, Some(&w.bea), None).await;
    assert!(body["items"].as_array().unwrap().is_empty(), "{body}");
    let (_, body) = call(&w.state, "GET", &lineage, Some(&w.bea), None).await;
    assert_eq!(body["status"], "resolved");

    let (status, body) = call(
        &w.state,
        "GET",
        "/v1/review-queue?limit=0",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
}

#[tokio::test]
async fn registry_routes_are_for_staff_and_services() {
    let w = world().await;
    for uri in ["/v1/models", "/v1/runs"] {
        let (status, _) = call(&w.state, "GET", uri, Some(&w.bea), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a person reads {uri}");
        for staff in [&w.analyst, &w.admin, &w.service1] {
            let (status, body) = call(&w.state, "GET", uri, Some(staff), None).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        }
    }
    let (status, _) = call(&w.state, "GET", "/v1/runs/nope", Some(&w.analyst), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let query = json!({"query": "{ models { name } runs { runId } }"});
    let (_, body) = call(
        &w.state,
        "POST",
        "/graphql",
        Some(&w.bea),
        Some(query.clone()),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "not_found",
        "{body}"
    );
    let (_, body) = call(&w.state, "POST", "/graphql", Some(&w.analyst), Some(query)).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn graphql_serves_the_review_queue_and_lineage() {
    let w = world().await;
    let query = json!({"query": format!(
        r#"{{ reviewQueue {{ suggestedCategory transaction {{ id }} }} recurring {{ payee }} transactionLineage(id: "{}") {{ status modelVersion }} }}"#,
        w.transaction_b
    )});
    let (_, body) = call(&w.state, "POST", "/graphql", Some(&w.bea), Some(query)).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        body["data"]["reviewQueue"][0]["suggestedCategory"],
        "health.pharmacy"
    );
    assert_eq!(body["data"]["transactionLineage"]["modelVersion"], 1);
    assert!(body["data"]["recurring"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn forecasts_answer_with_intervals_and_refuse_bad_parameters() {
    let w = world().await;
    let (status, body) = call(
        &w.state,
        "GET",
        "/v1/forecasts?horizon=4",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["granularity"], "monthly");
    let total = &body["series"][0];
    assert_eq!(total["category"], "total", "{body}");
    let points = total["forecast"].as_array().unwrap();
    assert_eq!(points.len(), 4, "{body}");
    for p in points {
        let n = |k: &str| p[k].as_str().unwrap().parse::<f64>().unwrap();
        assert!(n("lo95") <= n("lo80") && n("lo80") <= n("point"), "{p}");
        assert!(n("point") <= n("hi80") && n("hi80") <= n("hi95"), "{p}");
    }
    for (uri, field) in [
        ("/v1/forecasts?horizon=0", "horizon"),
        ("/v1/forecasts?horizon=13", "horizon"),
        ("/v1/forecasts?granularity=daily", "granularity"),
    ] {
        let (status, body) = call(&w.state, "GET", uri, Some(&w.bea), None).await;
        assert_eq!(
            (status, body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{uri}"
        );
    }
    let (status, _) = call(
        &w.state,
        "GET",
        "/v1/forecasts?category=nothing",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
