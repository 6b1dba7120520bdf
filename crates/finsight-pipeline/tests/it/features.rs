//! The feature stage end to end, on SQLite with the in-process online
//! store and on PostgreSQL with Redis: every processed transaction is
//! logged once, the online vectors equal the point-in-time training set
//! at the same moment, and a cold start rebuilds the same vectors.

use std::sync::Arc;

use finsight_core::{
    AccountId, CategoryId, Clock, Currency, Description, Money, NewTransaction, PostingDate,
    SourceName,
};
use finsight_features::training::{PointInTime, TrainingRow};
use finsight_features::{
    EntityKey, FeatureSet, MemoryOnlineStore, OnlineStore, RedisOnlineStore, Registry,
};
use finsight_pipeline::{Categorize, Features, Processor, RecordProcessed, UpdateFeatures};
use finsight_store::Store;

fn transactions(accounts: &[AccountId]) -> Vec<NewTransaction> {
    let usd = Currency::parse("USD").unwrap();
    let categories = [
        "dining.coffee",
        "groceries",
        "income.salary",
        "subscriptions.streaming",
    ];
    (0..240u32)
        .map(|n| {
            let day =
                time::macros::date!(2025 - 11 - 01) + time::Duration::days(i64::from(n % 138));
            let category = categories[(n % 4) as usize];
            let amount = if category.starts_with("income") {
                format!("{}.00", 900 + n)
            } else {
                format!("-{}.{:02}", 3 + n % 40, n % 100)
            };
            NewTransaction {
                account_id: accounts[(n % accounts.len() as u32) as usize],
                posted_on: PostingDate::new(day).unwrap(),
                occurred_at: None,
                amount: Money::parse(&amount, usd).unwrap(),
                description: Description::parse(&format!("PAYMENT {n}")).unwrap(),
                merchant: Some(format!("Merchant {}", n % 7)),
                mcc: None,
                category: Some(CategoryId::parse(category).unwrap()),
                source: SourceName::parse("test").unwrap(),
                source_ref: None,
            }
        })
        .collect()
}

async fn feature_stage_end_to_end(
    store: Arc<dyn Store>,
    online: Arc<dyn OnlineStore>,
    set: Arc<FeatureSet>,
    accounts: Vec<AccountId>,
) {
    let clock: Arc<dyn Clock> = super::clock();
    let features = Features {
        set: Arc::clone(&set),
        offline: store.clone(),
        online,
        clock: Arc::clone(&clock),
    };
    features.register_views().await.unwrap();
    let records = transactions(&accounts);
    store.insert_transactions(&records).await.unwrap();
    let processor = Processor::new(
        store.clone(),
        Arc::clone(&clock),
        vec![
            Arc::new(Categorize::new(store.clone())),
            Arc::new(UpdateFeatures::new(features.clone())),
            Arc::new(RecordProcessed),
        ],
        50,
    );
    assert_eq!(processor.drain().await.unwrap(), records.len());
    let facts = store
        .ledger_facts_between(i64::MIN, i64::MAX, None, 10_000)
        .await
        .unwrap();
    assert_eq!(facts.len(), records.len(), "every transaction logged once");

    // Every entity the stage touched, online versus offline, now.
    let now = finsight_features::event::micros(clock.now());
    let mut entities: Vec<EntityKey> = facts
        .iter()
        .flat_map(|f| f.events())
        .map(|e| e.entity)
        .collect();
    entities.sort();
    entities.dedup();
    assert!(entities.len() >= 13, "{}", entities.len());
    let snapshot = |features: Features, entities: Vec<EntityKey>| async move {
        let mut all = Vec::new();
        for entity in &entities {
            for &view in features.set.views_of(entity.kind) {
                all.push(
                    features
                        .online
                        .lookup(view, std::slice::from_ref(entity), now)
                        .await
                        .unwrap()
                        .remove(0),
                );
            }
        }
        all
    };
    let online_before = snapshot(features.clone(), entities.clone()).await;
    let mut offline = Vec::new();
    for entity in &entities {
        for &view in set.views_of(entity.kind) {
            let columns: Vec<(usize, usize)> = (0..set.views()[view].features.len())
                .map(|f| (view, f))
                .collect();
            let row = TrainingRow {
                entity: entity.clone(),
                at: now,
            };
            let values = features
                .training_set(&[row], &columns, PointInTime::AsKnown, |_| {})
                .await
                .unwrap();
            offline.push(Some(values.into_iter().next().unwrap()));
        }
    }
    assert_eq!(
        online_before, offline,
        "online = point-in-time training set"
    );
    assert!(
        online_before
            .iter()
            .any(|v| v.as_ref().is_some_and(|v| v.iter().any(Option::is_some)))
    );

    // A cold start gives the same vectors; a replay adds nothing.
    features.rebuild_online().await.unwrap();
    assert_eq!(
        snapshot(features.clone(), entities.clone()).await,
        online_before
    );
    assert_eq!(features.ingest(&facts).await.unwrap(), 0);
    assert_eq!(snapshot(features.clone(), entities).await, online_before);
}

#[tokio::test]
async fn sqlite_with_the_in_process_online_store() {
    let (store, _, account, _dir) = super::store().await;
    let set = FeatureSet::new(Registry::starter());
    let online = Arc::new(MemoryOnlineStore::new(Arc::clone(&set)));
    feature_stage_end_to_end(store, online, set, vec![account]).await;
}

// Multi-threaded: the database is dropped from another thread at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_with_redis() {
    let (url, _database) = super::replicas::database().await;
    let store = finsight_store::open(&url, &finsight_store::Kek::generate(), super::clock())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let (directory, accounts) = super::replicas::directory();
    store.upsert_directory(&directory).await.unwrap();
    let set = FeatureSet::new(Registry::starter());
    let redis = std::env::var("FINSIGHT_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("finsight-pipeline-test:{}:", uuid::Uuid::new_v4().simple());
    let online = RedisOnlineStore::connect(Arc::clone(&set), &redis, &prefix)
        .await
        .unwrap_or_else(|e| {
            panic!("Redis is not reachable at {redis} ({e}); set FINSIGHT_TEST_REDIS_URL")
        });
    let online = Arc::new(online);
    feature_stage_end_to_end(store, online.clone(), set, accounts).await;
    online.clear().await.unwrap();
}
