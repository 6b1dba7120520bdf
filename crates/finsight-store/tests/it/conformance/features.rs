//! The feature store's offline side (issue 11): facts are logged once,
//! read per entity up to a time and in event-time pages; market closes
//! are kept once per day; a changed view definition under an old version
//! is refused; snapshots replace on re-materialization; materialized days
//! are remembered.

use std::sync::Arc;

use finsight_features::{EntityKey, EntityKind, FactFilter, LedgerFact, MarketFact};
use finsight_store::{FeatureSnapshot, Store, StoreError};
use rust_decimal::Decimal;
use time::macros::date;

fn fact(
    id: &str,
    user: &str,
    category: Option<&str>,
    merchant: Option<&str>,
    at: i64,
) -> LedgerFact {
    LedgerFact {
        // `tN` is at log position N.
        seq: id[1..].parse().unwrap(),
        id: id.into(),
        user: user.into(),
        account: format!("acct-{user}"),
        category: category.map(Into::into),
        merchant: merchant.map(Into::into),
        at,
        created_at: at + 5,
        value: -1_250_000,
    }
}

pub async fn feature_facts_are_logged_once_and_read_per_entity(store: Arc<dyn Store>) {
    let facts = vec![
        fact("t1", "u1", Some("dining"), Some("cafe"), 100),
        fact("t2", "u1", Some("dining.coffee"), Some("cafe"), 200),
        fact("t3", "u1", None, None, 300),
        fact("t4", "u2", Some("dining"), Some("cafe"), 150),
    ];
    assert_eq!(
        store.append_ledger_facts(&facts).await.unwrap(),
        vec![true; 4]
    );
    // A replay (with one new fact among the old) logs only the new one.
    let mut again = facts[1..3].to_vec();
    again.push(fact("t5", "u1", Some("dining"), None, 400));
    assert_eq!(
        store.append_ledger_facts(&again).await.unwrap(),
        vec![false, false, true]
    );

    assert_eq!(
        store.logged_fact_seqs(&[5, 9, 1, 2]).await.unwrap(),
        vec![1, 2, 5]
    );
    let ids = |facts: Vec<LedgerFact>| facts.into_iter().map(|f| f.id).collect::<Vec<_>>();
    let user = store
        .ledger_facts_of(FactFilter::User("u1"), 300)
        .await
        .unwrap();
    assert_eq!(user[0], facts[0], "every field round-trips");
    assert_eq!(ids(user), ["t1", "t2", "t3"]);
    assert_eq!(
        ids(store
            .ledger_facts_of(FactFilter::UserCategory("u1", "dining"), 1_000)
            .await
            .unwrap()),
        ["t1", "t5"],
        "a user x category entity is its exact category"
    );
    assert_eq!(
        ids(store
            .ledger_facts_of(FactFilter::UserMerchant("u1", "cafe"), 1_000)
            .await
            .unwrap()),
        ["t1", "t2"]
    );
    assert_eq!(
        ids(store
            .ledger_facts_of(FactFilter::Account("acct-u2"), 1_000)
            .await
            .unwrap()),
        ["t4"]
    );

    // Pages in log order, whatever the event times.
    let first = store.ledger_facts_between(100, 400, None, 2).await.unwrap();
    assert_eq!(ids(first.clone()), ["t1", "t2"]);
    let last = first.last().unwrap();
    let rest = store
        .ledger_facts_between(100, 400, Some(last.seq), 10)
        .await
        .unwrap();
    assert_eq!(ids(rest), ["t3", "t4", "t5"]);
    let late = store
        .ledger_facts_between(150, 350, None, 10)
        .await
        .unwrap();
    assert_eq!(ids(late), ["t2", "t3", "t4"]);
    assert!(
        store
            .ledger_facts_between(401, 500, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn market_closes_are_kept_once_per_day(store: Arc<dyn Store>) {
    let close = |symbol: &str, day, text: &str| {
        MarketFact::new(
            symbol,
            day,
            text.parse::<Decimal>().unwrap(),
            Some("USD".into()),
            7,
        )
    };
    let facts = vec![
        close("AAPL", date!(2026 - 01 - 02), "185.640000"),
        close("AAPL", date!(2026 - 01 - 05), "184.25"),
        close("EURUSD", date!(2026 - 01 - 02), "1.0845"),
    ];
    assert_eq!(
        store.append_market_facts(&facts).await.unwrap(),
        vec![true; 3]
    );
    let corrected = close("AAPL", date!(2026 - 01 - 02), "999");
    assert_eq!(
        store.append_market_facts(&[corrected]).await.unwrap(),
        vec![false]
    );
    let aapl = EntityKey::new(EntityKind::Asset, "AAPL");
    let kept = store
        .market_facts_of(&aapl, date!(2026 - 01 - 04))
        .await
        .unwrap();
    assert_eq!(
        kept,
        vec![facts[0].clone()],
        "the first close stays, exactly"
    );
    let all = store
        .market_facts_between(date!(2026 - 01 - 01), date!(2026 - 01 - 31))
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[2].entity,
        EntityKey::new(EntityKind::CurrencyPair, "EUR-USD")
    );
}

pub async fn feature_views_snapshots_and_materialized_days(store: Arc<dyn Store>) {
    store
        .register_feature_view("user_activity", 1, "abc", 1)
        .await
        .unwrap();
    store
        .register_feature_view("user_activity", 1, "abc", 2)
        .await
        .unwrap();
    store
        .register_feature_view("user_activity", 2, "def", 3)
        .await
        .unwrap();
    let changed = store
        .register_feature_view("user_activity", 1, "def", 4)
        .await;
    assert!(
        matches!(changed, Err(StoreError::Invalid(e)) if e.reason.contains("bump its version"))
    );

    let entity = EntityKey::new(EntityKind::User, "u1");
    let snapshot = |as_of, value| FeatureSnapshot {
        view_key: "user_activity:v1".into(),
        entity: entity.clone(),
        as_of,
        created_at: 9,
        values: vec![Some(value), None, Some(0.1 + 0.2)],
    };
    store
        .save_feature_snapshots(&[snapshot(10, 1.0), snapshot(20, 2.0)])
        .await
        .unwrap();
    store
        .save_feature_snapshots(&[snapshot(20, 3.0)])
        .await
        .unwrap();
    let stored = store
        .feature_snapshots("user_activity:v1", &entity, 10)
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![snapshot(20, 3.0), snapshot(10, 1.0)],
        "replaced, newest first, floats exact"
    );

    store
        .mark_features_materialized(date!(2026 - 02 - 01), 5)
        .await
        .unwrap();
    store
        .mark_features_materialized(date!(2026 - 02 - 03), 5)
        .await
        .unwrap();
    store
        .mark_features_materialized(date!(2026 - 02 - 03), 6)
        .await
        .unwrap();
    assert_eq!(
        store
            .features_materialized_days(date!(2026 - 02 - 02), date!(2026 - 02 - 28))
            .await
            .unwrap(),
        vec![date!(2026 - 02 - 03)]
    );
}
