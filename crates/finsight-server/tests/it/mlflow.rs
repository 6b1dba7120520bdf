//! The MLflow-compatible API answers every route only to staff and
//! services of the run's own tenant, in MLflow's error shape: anonymous
//! callers get 401, people 404, another tenant's key 404.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authz::{World, call, world};

/// A plausible request to each route, about `experiment` and `run`.
fn request(method: &str, route: &str, experiment: &str, run: &str) -> (String, Option<Value>) {
    let api = "/api/2.0/mlflow/";
    let query = |q: &str| (format!("{api}{route}?{q}"), None);
    let body = |b: Value| (format!("{api}{route}"), Some(b));
    match (method, route) {
        ("GET", "registered-models/alias") => query("name=model&alias=challenger"),
        ("DELETE", "registered-models/alias") => {
            body(json!({"name": "model", "alias": "challenger"}))
        }
        (_, "experiments/create") => body(json!({"name": "theirs"})),
        (_, "experiments/get") => query(&format!("experiment_id={experiment}")),
        (_, "experiments/get-by-name") => query("experiment_name=notebook"),
        (_, "experiments/search") => body(json!({"max_results": 10})),
        (_, "experiments/set-experiment-tag") => {
            body(json!({"experiment_id": experiment, "key": "k", "value": "v"}))
        }
        (_, "runs/create") => body(json!({"experiment_id": experiment})),
        (_, "runs/update") => body(json!({"run_id": run, "status": "KILLED"})),
        (_, "runs/get") => query(&format!("run_id={run}")),
        (_, "runs/search") => body(json!({"experiment_ids": [experiment]})),
        (_, "runs/log-metric") => body(json!({"run_id": run, "key": "m", "value": 1.0})),
        (_, "runs/log-parameter") => body(json!({"run_id": run, "key": "p", "value": "1"})),
        (_, "runs/set-tag") => body(json!({"run_id": run, "key": "t", "value": "1"})),
        (_, "runs/log-batch") => {
            body(json!({"run_id": run, "metrics": [{"key": "m", "value": 2.0}]}))
        }
        (_, "metrics/get-history") => query(&format!("run_id={run}&metric_key=m")),
        (_, "registered-models/create") => body(json!({"name": "theirs"})),
        (_, "registered-models/get") => query("name=model"),
        (_, "registered-models/search") => query("max_results=10"),
        (_, "model-versions/create") => {
            body(json!({"name": "model", "source": format!("runs:/{run}/m"), "run_id": run}))
        }
        (_, "model-versions/get") => query("name=model&version=1"),
        (_, "model-versions/search") => query("filter=name%3D%27model%27"),
        (_, "registered-models/alias") => {
            body(json!({"name": "model", "alias": "challenger", "version": "1"}))
        }
        (_, other) => panic!("MLflow route {other} has no case in tests/it/mlflow.rs"),
    }
}

async fn send(
    w: &World,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (uri, body) = if method == "GET" && body.is_some() {
        (uri.to_owned(), None)
    } else {
        (uri.to_owned(), body)
    };
    call(&w.state, method, &uri, token, body).await
}

#[tokio::test]
async fn every_mlflow_route_is_for_its_own_tenants_staff_and_services() {
    let w = world().await;
    // Tenant 1's service key owns an experiment, a run and a model.
    let (status, created) = call(
        &w.state,
        "POST",
        "/api/2.0/mlflow/experiments/create",
        Some(&w.service1),
        Some(json!({"name": "notebook"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let experiment = created["experiment_id"].as_str().unwrap().to_owned();
    let (_, run) = call(
        &w.state,
        "POST",
        "/api/2.0/mlflow/runs/create",
        Some(&w.service1),
        Some(json!({"experiment_id": experiment})),
    )
    .await;
    let run = run["run"]["info"]["run_id"].as_str().unwrap().to_owned();
    for (uri, body) in [
        (
            "/api/2.0/mlflow/registered-models/create",
            json!({"name": "model"}),
        ),
        (
            "/api/2.0/mlflow/model-versions/create",
            json!({"name": "model", "source": format!("runs:/{run}/m"), "run_id": run}),
        ),
    ] {
        let (status, answer) = call(&w.state, "POST", uri, Some(&w.service1), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
    }

    for (method, route) in finsight_server::mlflow::ROUTES {
        let (uri, body) = request(method, route, &experiment, &run);
        let (status, answer) = send(&w, method, &uri, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "anonymous {method} {route}: {answer}"
        );
        let (status, answer) = send(&w, method, &uri, Some(&w.bea), body.clone()).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "a person {method} {route}: {answer}"
        );
        assert_eq!(
            answer["error_code"], "RESOURCE_DOES_NOT_EXIST",
            "{route}: {answer}"
        );
        // Another tenant's key sees nothing of tenant 1's (it may create
        // its own experiment and model, and search its own empty lists).
        let (status, answer) = send(&w, method, &uri, Some(&w.service2), body.clone()).await;
        let own = matches!(
            *route,
            "experiments/create"
                | "registered-models/create"
                | "experiments/search"
                | "runs/search"
                | "registered-models/search"
                | "model-versions/search"
        );
        if own {
            assert_eq!(status, StatusCode::OK, "{route}: {answer}");
            assert!(
                !answer.to_string().contains(&experiment),
                "{route}: {answer}"
            );
            assert!(
                !answer.to_string().contains("\"model\""),
                "{route}: {answer}"
            );
        } else {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "other tenant {method} {route}: {answer}"
            );
        }
        let (status, answer) = send(&w, method, &uri, Some(&w.service1), body).await;
        assert!(
            status.is_success()
                || *route == "experiments/create"
                || *route == "registered-models/create",
            "owner {method} {route}: {status} {answer}"
        );
    }
}

#[tokio::test]
async fn analysts_may_not_move_the_champion_and_errors_are_mlflows() {
    let w = world().await;
    let api = "/api/2.0/mlflow";
    call(
        &w.state,
        "POST",
        &format!("{api}/registered-models/create"),
        Some(&w.analyst),
        Some(json!({"name": "categorizer"})),
    )
    .await;
    let (status, answer) = call(
        &w.state,
        "POST",
        &format!("{api}/model-versions/create"),
        Some(&w.analyst),
        Some(json!({"name": "categorizer", "source": "runs:/x/y"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = call(
        &w.state,
        "POST",
        &format!("{api}/registered-models/alias"),
        Some(&w.analyst),
        Some(json!({"name": "categorizer", "alias": "champion", "version": "1"})),
    )
    .await;
    assert_eq!(
        (status, answer["error_code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PERMISSION_DENIED")),
        "{answer}"
    );
    let (status, _) = call(
        &w.state,
        "POST",
        &format!("{api}/registered-models/alias"),
        Some(&w.admin),
        Some(json!({"name": "categorizer", "alias": "champion", "version": "1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = call(
        &w.state,
        "POST",
        &format!("{api}/registered-models/create"),
        Some(&w.analyst),
        Some(json!({"name": "categorizer"})),
    )
    .await;
    assert_eq!(
        (status, answer["error_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("RESOURCE_ALREADY_EXISTS")),
        "{answer}"
    );
    let (status, answer) = call(
        &w.state,
        "POST",
        &format!("{api}/runs/log-batch"),
        Some(&w.analyst),
        Some(json!({"run_id": 5})),
    )
    .await;
    assert_eq!(
        (status, answer["error_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_PARAMETER_VALUE")),
        "{answer}"
    );
}
