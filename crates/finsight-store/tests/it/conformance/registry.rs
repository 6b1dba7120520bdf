//! Experiment tracking and the model registry (issue 12): runs keep their
//! parameters (once), every metric step and artifacts by hash; versions
//! number up per model; aliases move and remember every move; one tenant
//! never sees another's.

use std::sync::Arc;

use finsight_core::TenantId;
use finsight_store::{Artifact, Experiment, Metric, Page, RunInfo, Store, StoreError};

const PAGE: Page = Page {
    offset: 0,
    limit: 100,
};

fn experiment(id: &str, name: &str) -> Experiment {
    Experiment {
        id: id.into(),
        name: name.into(),
        artifact_location: format!("finsight:/experiments/{id}"),
        lifecycle_stage: "active".into(),
        created_at: 1_000,
        updated_at: 1_000,
        tags: vec![("team".into(), "models".into())],
    }
}

fn run(id: &str, experiment_id: &str, start_time: i64) -> RunInfo {
    RunInfo {
        id: id.into(),
        experiment_id: experiment_id.into(),
        name: format!("run {id}"),
        status: "RUNNING".into(),
        start_time,
        end_time: None,
        lifecycle_stage: "active".into(),
        user: "analyst".into(),
        artifact_uri: format!("finsight:/runs/{id}"),
    }
}

fn metric(key: &str, value: f64, step: i64) -> Metric {
    Metric {
        key: key.into(),
        value,
        timestamp: 5_000 + step,
        step,
    }
}

pub async fn runs_keep_params_metrics_tags_and_artifacts(store: Arc<dyn Store>) {
    let tenant = TenantId::from_random_bytes([1; 16]);
    let other = TenantId::from_random_bytes([2; 16]);
    store
        .create_experiment(tenant, &experiment("1", "categorizer"))
        .await
        .unwrap();
    let duplicate = store
        .create_experiment(tenant, &experiment("2", "categorizer"))
        .await;
    assert!(matches!(duplicate, Err(StoreError::Invalid(e)) if e.field == "name"));
    // Another tenant may use the same id and name.
    store
        .create_experiment(other, &experiment("1", "categorizer"))
        .await
        .unwrap();
    let found = store
        .experiment_by_name(tenant, "categorizer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.tags, vec![("team".to_owned(), "models".to_owned())]);
    assert!(
        store
            .set_experiment_tag(tenant, "1", "owner", "ana")
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_experiment_tag(tenant, "9", "owner", "ana")
            .await
            .unwrap()
    );

    let missing = store.create_run(tenant, &run("r0", "9", 1), &[]).await;
    assert!(matches!(missing, Err(StoreError::Invalid(e)) if e.field == "experiment_id"));
    store
        .create_run(
            tenant,
            &run("r1", "1", 10),
            &[("source".into(), "cli".into())],
        )
        .await
        .unwrap();
    store
        .create_run(tenant, &run("r2", "1", 20), &[])
        .await
        .unwrap();
    let metrics = [
        metric("loss", 0.9, 0),
        metric("loss", 0.5, 1),
        metric("loss", 0.4, 2),
    ];
    let params = [("epochs".to_owned(), "12".to_owned())];
    assert!(
        store
            .log_batch(tenant, "r1", &metrics, &params, &[])
            .await
            .unwrap()
    );
    // The same parameter again is fine; another value is refused.
    assert!(
        store
            .log_batch(tenant, "r1", &[], &params, &[])
            .await
            .unwrap()
    );
    let changed = [("epochs".to_owned(), "13".to_owned())];
    let refused = store.log_batch(tenant, "r1", &[], &changed, &[]).await;
    assert!(matches!(refused, Err(StoreError::Invalid(e)) if e.field == "params"));
    assert!(
        !store
            .log_batch(other, "r1", &metrics, &[], &[])
            .await
            .unwrap()
    );

    let loaded = store.run(tenant, "r1").await.unwrap().unwrap();
    assert_eq!(loaded.params, params.to_vec());
    assert_eq!(loaded.tags, vec![("source".to_owned(), "cli".to_owned())]);
    assert_eq!(loaded.metrics, vec![metric("loss", 0.4, 2)]);
    let history = store.metric_history(tenant, "r1", "loss").await.unwrap();
    assert_eq!(history, metrics.to_vec());
    assert!(store.run(other, "r1").await.unwrap().is_none());

    assert!(
        store
            .update_run(tenant, "r1", "FINISHED", Some(99), None)
            .await
            .unwrap()
    );
    let finished = store.run(tenant, "r1").await.unwrap().unwrap();
    assert_eq!(
        (finished.info.status.as_str(), finished.info.end_time),
        ("FINISHED", Some(99))
    );
    let runs = store.runs(tenant, &["1".to_owned()], PAGE).await.unwrap();
    let ids: Vec<&str> = runs.iter().map(|r| r.info.id.as_str()).collect();
    assert_eq!(ids, ["r2", "r1"], "newest first");
    assert!(
        store
            .runs(other, &["1".to_owned()], PAGE)
            .await
            .unwrap()
            .is_empty()
    );

    let bytes = b"model bytes".to_vec();
    let artifact = Artifact {
        run_id: "r1".into(),
        path: "model/categorizer.bin".into(),
        sha256: "ab".repeat(32),
        size: bytes.len() as i64,
    };
    assert!(store.put_artifact(tenant, &artifact, &bytes).await.unwrap());
    assert!(!store.put_artifact(other, &artifact, &bytes).await.unwrap());
    let (stored, content) = store
        .artifact(tenant, "r1", "model/categorizer.bin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored, content), (artifact.clone(), bytes));
    assert_eq!(store.artifacts(tenant, "r1").await.unwrap(), vec![artifact]);
    assert!(
        store
            .artifact(other, "r1", "model/categorizer.bin")
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn model_versions_number_up_and_aliases_remember_their_moves(store: Arc<dyn Store>) {
    let tenant = TenantId::from_random_bytes([3; 16]);
    let other = TenantId::from_random_bytes([4; 16]);
    let missing = store
        .create_model_version(tenant, "categorizer", None, "x", "", 1)
        .await;
    assert!(matches!(missing, Err(StoreError::Invalid(e)) if e.field == "name"));
    store
        .create_registered_model(tenant, "categorizer", "per-tenant categories", 1)
        .await
        .unwrap();
    let again = store
        .create_registered_model(tenant, "categorizer", "", 2)
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(e)) if e.field == "name"));
    for n in 1..=3 {
        let version = store
            .create_model_version(
                tenant,
                "categorizer",
                Some("r1"),
                "runs:/r1/model",
                "",
                10 + n,
            )
            .await
            .unwrap();
        assert_eq!(version.version, n);
    }
    assert_eq!(
        store
            .set_alias(tenant, "categorizer", "champion", 1, 20)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .set_alias(tenant, "categorizer", "champion", 2, 21)
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        store
            .set_alias(tenant, "categorizer", "challenger", 3, 22)
            .await
            .unwrap(),
        None
    );
    let no_version = store
        .set_alias(tenant, "categorizer", "champion", 9, 23)
        .await;
    assert!(matches!(no_version, Err(StoreError::Invalid(e)) if e.field == "version"));

    let model = store
        .registered_model(tenant, "categorizer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        model.aliases,
        vec![("challenger".to_owned(), 3), ("champion".to_owned(), 2)]
    );
    let two = store
        .model_version(tenant, "categorizer", 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (two.aliases, two.run_id.as_deref()),
        (vec!["champion".to_owned()], Some("r1"))
    );
    let versions = store
        .model_versions(tenant, Some("categorizer"), PAGE)
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [3, 2, 1]
    );

    let moves = store
        .alias_moves(tenant, "categorizer", "champion")
        .await
        .unwrap();
    let steps: Vec<(Option<i64>, Option<i64>)> =
        moves.iter().map(|m| (m.version, m.previous)).collect();
    assert_eq!(steps, [(Some(2), Some(1)), (Some(1), None)]);
    assert_eq!(
        store
            .delete_alias(tenant, "categorizer", "challenger", 30)
            .await
            .unwrap(),
        Some(3)
    );
    assert_eq!(
        store
            .delete_alias(tenant, "categorizer", "challenger", 31)
            .await
            .unwrap(),
        None
    );

    let champions = store.aliased_versions("champion").await.unwrap();
    assert_eq!(champions.len(), 1);
    assert_eq!((champions[0].0, champions[0].1.version), (tenant, 2));
    assert!(
        store
            .registered_model(other, "categorizer")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .registered_models(other, PAGE)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.registered_models(tenant, PAGE).await.unwrap().len(),
        1
    );
}

pub async fn categorizations_queue_for_review_until_resolved(store: Arc<dyn Store>) {
    use finsight_core::{CategoryId, TransactionId, UserId};
    use finsight_store::{Categorization, CategorizationStatus};
    let tenant = TenantId::from_random_bytes([5; 16]);
    let (me, you) = (
        UserId::from_random_bytes([6; 16]),
        UserId::from_random_bytes([7; 16]),
    );
    let record = |n: u8, user: UserId, status: CategorizationStatus| Categorization {
        transaction_id: TransactionId::from_random_bytes([n; 16]),
        tenant,
        user_id: user,
        model: "categorizer".into(),
        version: 1,
        category: CategoryId::parse("dining.coffee").unwrap(),
        confidence: 0.4,
        status,
        created_at: 100 + i64::from(n),
    };
    let records = vec![
        record(10, me, CategorizationStatus::Review),
        record(11, me, CategorizationStatus::Applied),
        record(12, me, CategorizationStatus::Review),
        record(13, you, CategorizationStatus::Review),
    ];
    store.record_categorizations(&records).await.unwrap();
    let queue = store.review_queue(&[me], None, 1).await.unwrap();
    assert_eq!(queue, vec![records[0].clone()]);
    let cursor = (queue[0].created_at, queue[0].transaction_id);
    let next = store.review_queue(&[me], Some(cursor), 10).await.unwrap();
    assert_eq!(next, vec![records[2].clone()]);

    assert!(
        store
            .resolve_categorization(records[0].transaction_id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .resolve_categorization(records[1].transaction_id)
            .await
            .unwrap()
    );
    // A later decision never reopens what the person resolved.
    let mut again = records[0].clone();
    again.version = 2;
    again.status = CategorizationStatus::Review;
    store.record_categorizations(&[again]).await.unwrap();
    let resolved = store
        .categorization_of(records[0].transaction_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (resolved.status, resolved.version),
        (CategorizationStatus::Resolved, 1)
    );
    let queue = store.review_queue(&[me, you], None, 10).await.unwrap();
    assert_eq!(queue.len(), 2);
}
