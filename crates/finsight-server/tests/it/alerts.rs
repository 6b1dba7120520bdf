//! Alerts over REST: a person lists their alerts and says "this was me";
//! the live stream carries their new alerts as server-sent events, and
//! nobody else's; outsiders cannot open someone's stream.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_store::{Alert, AlertSink};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::authz::{ALERT_B, call, world};

#[tokio::test]
async fn people_list_their_alerts_and_give_feedback() {
    let w = world().await;
    let (status, body) = call(&w.state, "GET", "/v1/alerts", Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["reasons"][0]["text"], "first purchase in NG");
    assert_eq!(items[0]["transaction_id"], w.transaction_b.as_str());
    let uri = format!("/v1/alerts/{}/feedback", uuid::Uuid::from_u128(ALERT_B));
    let (status, body) = call(
        &w.state,
        "POST",
        &uri,
        Some(&w.bea),
        Some(json!({"was_me": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["feedback"], "not_me");
    let (status, body) = call(
        &w.state,
        "POST",
        &uri,
        Some(&w.bea),
        Some(json!({"was_me": "yes"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/alerts/not-a-uuid/feedback",
        Some(&w.bea),
        Some(json!({"was_me": true})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(&w.state, "GET", "/v1/alerts", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn alert(n: u128, user: finsight_core::UserId) -> Alert {
    Alert {
        id: uuid::Uuid::from_u128(n),
        user_id: user,
        transaction_id: None,
        kind: "anomaly".into(),
        score: 0.95,
        threshold: 0.8,
        reasons: r#"[{"reason":"duplicate","text":"the same amount at x 2 minutes earlier","weight":2.5}]"#.into(),
        created_at: 5_000,
        feedback: None,
        feedback_at: None,
    }
}

#[tokio::test]
async fn alert_streams_carry_only_the_callers_alerts() {
    let w = world().await;
    for token in [&w.ann, &w.val, &w.cal, &w.service2] {
        let uri = format!("/v1/alerts/stream?user_id={}", w.user_b);
        let (status, body) = call(&w.state, "GET", &uri, Some(token), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let request = Request::builder()
        .uri("/v1/alerts/stream")
        .header("authorization", &w.bea)
        .body(Body::empty())
        .unwrap();
    let response = finsight_server::router(w.state.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let hub = w.state.services.alert_hub().clone();
    // Ann's alert first: Bea's stream must skip it.
    hub.publish(&alert(1, w.user_a));
    hub.publish(&alert(2, w.user_b));
    let mut text = String::new();
    while !text.contains("\n\n") {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(text.starts_with("event: alert\ndata: "), "{text}");
    assert!(
        text.contains(&uuid::Uuid::from_u128(2).to_string()),
        "{text}"
    );
    assert!(
        !text.contains(&uuid::Uuid::from_u128(1).to_string()),
        "{text}"
    );
    assert!(
        text.contains("the same amount at x 2 minutes earlier"),
        "{text}"
    );
}
