//! Budgets, goals and insights end to end over REST: a budget replaced and
//! read back, bad lines refused naming the field; a goal checked against
//! the person's cash flow; contributions reaching milestones raise goal
//! alerts; an insight dismissed is gone; every change is audited; viewers
//! read but never change.

use axum::http::StatusCode;
use serde_json::json;

use crate::authz::{GOAL_B, call, goal_insight_b, world};

#[tokio::test]
async fn a_person_budgets_sets_goals_and_answers_insights() {
    let w = world().await;
    let (status, budget) = call(
        &w.state,
        "PUT",
        "/v1/budgets",
        Some(&w.bea),
        Some(json!({"lines": [
            {"category": "dining", "amount": "100.00", "rollover": true},
            {"category": "health", "amount": "40", "group": "Must"}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{budget}");
    assert_eq!(budget["currency"], "USD");
    assert_eq!(budget["lines"][0]["group"], "Flexible");
    assert_eq!(budget["lines"][1]["amount"], "40.00");
    for (lines, field) in [
        (
            json!([{"category": "income.salary", "amount": "1"}]),
            "lines[0].category",
        ),
        (
            json!([{"category": "spaceships", "amount": "1"}]),
            "lines[0].category",
        ),
        (
            json!([{"category": "dining", "amount": "ten"}]),
            "lines[0].amount",
        ),
        (
            json!([{"category": "dining", "amount": "-1"}]),
            "lines[0].amount",
        ),
        (
            json!([{"category": "dining", "amount": "1.001"}]),
            "lines[0].amount",
        ),
        (
            json!([{"category": "dining", "amount": "1"}, {"category": "dining", "amount": "2"}]),
            "lines[1].category",
        ),
    ] {
        let (status, error) = call(
            &w.state,
            "PUT",
            "/v1/budgets",
            Some(&w.bea),
            Some(json!({ "lines": lines })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{lines}: {error}");
        assert_eq!(error["field"], field, "{lines}: {error}");
    }
    let (status, status_view) =
        call(&w.state, "GET", "/v1/budgets/status", Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        status_view["lines"].as_array().unwrap().len(),
        2,
        "{status_view}"
    );
    assert_eq!(status_view["month"], "2026-03-01");
    let (status, error) = call(
        &w.state,
        "GET",
        "/v1/budgets/recommendation?savings_aim=-5",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("savings_aim"))
    );

    // A goal Bea (no income) cannot fund: infeasible, no chance.
    let (status, goal) = call(
        &w.state,
        "POST",
        "/v1/goals",
        Some(&w.bea),
        Some(json!({"name": "Bike", "target": "1200.00", "target_date": "2027-03-20"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{goal}");
    assert_eq!(goal["required_monthly"], "100.00");
    assert_eq!(goal["feasible"], false);
    assert_eq!(goal["probability"], 0.0);
    for (body, field) in [
        (
            json!({"name": "", "target": "1", "target_date": "2027-01-01"}),
            "name",
        ),
        (
            json!({"name": "x", "target": "0", "target_date": "2027-01-01"}),
            "target",
        ),
        (
            json!({"name": "x", "target": "5", "target_date": "2020-01-01"}),
            "target_date",
        ),
        (
            json!({"name": "x", "target": "5", "target_date": "soon"}),
            "target_date",
        ),
        (
            json!({"name": "x", "target": "5", "target_date": "2027-01-01", "saved": "9"}),
            "saved",
        ),
    ] {
        let (status, error) = call(
            &w.state,
            "POST",
            "/v1/goals",
            Some(&w.bea),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {error}");
        assert_eq!(error["field"], field, "{body}: {error}");
    }

    // Her boat goal is off track: an insight; dismissed, it is gone.
    let (_, insights) = call(
        &w.state,
        "GET",
        "/v1/insights?kind=goal_off_track",
        Some(&w.bea),
        None,
    )
    .await;
    let id = goal_insight_b(&w).to_string();
    assert!(
        insights["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id),
        "{insights}"
    );
    let (_, searched) = call(&w.state, "GET", "/v1/insights?q=BOAT", Some(&w.bea), None).await;
    assert_eq!(searched["items"][0]["id"], id, "{searched}");
    let (status, error) = call(
        &w.state,
        "GET",
        "/v1/insights?kind=horoscope",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("kind"))
    );
    let (status, answer) = call(
        &w.state,
        "POST",
        &format!("/v1/insights/{id}/feedback"),
        Some(&w.bea),
        Some(json!({"response": "dismiss"})),
    )
    .await;
    assert_eq!(
        (status, answer["response"].as_str()),
        (StatusCode::OK, Some("dismiss"))
    );
    let (_, insights) = call(&w.state, "GET", "/v1/insights", Some(&w.bea), None).await;
    assert!(
        !insights["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id),
        "{insights}"
    );
    let (status, _) = call(
        &w.state,
        "POST",
        &format!("/v1/insights/{}/feedback", uuid::Uuid::nil()),
        Some(&w.bea),
        Some(json!({"response": "accept"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Contributions: each milestone reached is an alert, raised once.
    let goal_uri = format!("/v1/goals/{}/contributions", uuid::Uuid::from_u128(GOAL_B));
    for amount in ["12500.00", "100.00", "40000.00"] {
        let (status, goal) = call(
            &w.state,
            "POST",
            &goal_uri,
            Some(&w.bea),
            Some(json!({"amount": amount})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{goal}");
    }
    let (status, error) = call(
        &w.state,
        "POST",
        &goal_uri,
        Some(&w.bea),
        Some(json!({"amount": "-99999.00"})),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amount"))
    );
    let (_, alerts) = call(&w.state, "GET", "/v1/alerts", Some(&w.bea), None).await;
    let goal_alerts: Vec<&str> = alerts["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "goal")
        .map(|a| a["reasons"][0]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(goal_alerts.len(), 4, "{alerts}");
    assert!(goal_alerts.contains(&"milestone_100"));
    let (_, projection) = call(
        &w.state,
        "GET",
        &format!("/v1/goals/{}/projection", uuid::Uuid::from_u128(GOAL_B)),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(projection["probability"], 1.0, "{projection}");
    assert_eq!(projection["goal"]["milestones"][3]["reached"], true);

    let actions: Vec<String> = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for (action, count) in [
        ("budget.put", 1),
        ("goal.create", 1),
        ("goal.contribute", 3),
        ("insight.feedback", 1),
    ] {
        assert_eq!(
            actions.iter().filter(|a| *a == action).count(),
            count,
            "{action}"
        );
    }
}

#[tokio::test]
async fn viewers_read_plans_but_cannot_change_them() {
    let w = world().await;
    let ann = w.user_a;
    for uri in [
        format!("/v1/budgets?user_id={ann}"),
        format!("/v1/budgets/status?user_id={ann}"),
        format!("/v1/goals?user_id={ann}"),
        format!("/v1/insights?user_id={ann}"),
        format!("/v1/financial-health?user_id={ann}"),
    ] {
        let (status, body) = call(&w.state, "GET", &uri, Some(&w.val), None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    let (status, _) = call(
        &w.state,
        "PUT",
        &format!("/v1/budgets?user_id={ann}"),
        Some(&w.val),
        Some(json!({"lines": [{"category": "dining", "amount": "1"}]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &w.state,
        "POST",
        &format!("/v1/goals?user_id={ann}"),
        Some(&w.val),
        Some(json!({"name": "x", "target": "5", "target_date": "2027-01-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
