//! The feature store's two promises: what was served online equals the
//! point-in-time training set at the same moment (after random gaps,
//! bursts, late arrivals and replays, and after windows expired with no
//! new event), and a training set at T never reflects anything that
//! happened after T, whenever it was ingested.

use std::sync::Arc;

use finsight_features::definition::MICROS_PER_DAY;
use finsight_features::event::{VALUE_SCALE, stable_hash};
use finsight_features::training::{PointInTime, TrainingRow, row_values};
use finsight_features::{
    EntityKey, EntityKind, Event, FeatureSet, MemoryOnlineStore, OnlineStore, RedisOnlineStore,
    Registry,
};
use proptest::prelude::*;

const HOUR: i64 = MICROS_PER_DAY / 24;
const CATEGORIES: [&str; 4] = [
    "dining.coffee",
    "groceries",
    "income.salary",
    "subscriptions.streaming",
];

/// One arrival: an event of one of a few entities, with its delay.
#[derive(Debug, Clone)]
struct Arrival {
    entity: usize,
    gap_minutes: i64,
    late_hours: i64,
    cents: i64,
    merchant: u8,
    category: usize,
    replay: bool,
}

fn arrivals() -> impl Strategy<Value = Vec<Arrival>> {
    let arrival = (
        0usize..4,
        prop_oneof![0i64..5, 0i64..600, 0i64..(60 * 24 * 40)],
        prop_oneof![Just(0i64), 0i64..48, 0i64..(24 * 400)],
        -50_000i64..300_000,
        0u8..6,
        0usize..4,
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(entity, gap_minutes, late_hours, cents, merchant, category, replay)| Arrival {
                entity,
                gap_minutes,
                late_hours,
                cents,
                merchant,
                category,
                replay,
            },
        );
    prop::collection::vec(arrival, 1..120)
}

fn entity(i: usize) -> EntityKey {
    match i {
        0 => EntityKey::new(EntityKind::User, "u0"),
        1 => EntityKey::new(EntityKind::User, "u1"),
        2 => EntityKey::new(EntityKind::UserCategory, "u0:groceries"),
        _ => EntityKey::new(EntityKind::Asset, "ACME"),
    }
}

/// The stream in arrival order, each with the time it arrived.
fn replay_stream(arrivals: &[Arrival]) -> Vec<(Event, bool, i64)> {
    let start = 20_000 * MICROS_PER_DAY;
    let mut now = start;
    let mut stream: Vec<(Event, bool, i64)> = Vec::new();
    for (n, a) in arrivals.iter().enumerate() {
        now += a.gap_minutes * 60_000_000;
        if a.replay
            && let Some((earlier, _, _)) = stream.last().cloned()
        {
            stream.push((earlier, false, now));
            continue;
        }
        let key = entity(a.entity);
        let value = if key.kind == EntityKind::Asset {
            (100 + a.cents.abs() % 5_000) * VALUE_SCALE / 100
        } else {
            a.cents * VALUE_SCALE / 100
        };
        let merchant = format!("m{}", a.merchant);
        let event = Event {
            id: format!("e{n}"),
            at: now - a.late_hours * HOUR,
            created_at: now,
            value,
            merchant: if key.kind == EntityKind::Asset {
                0
            } else {
                stable_hash(merchant.as_bytes())
            },
            category: (key.kind != EntityKind::Asset).then(|| CATEGORIES[a.category].to_owned()),
            entity: key,
        };
        stream.push((event, true, now));
    }
    stream
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn check_against_offline(
    store: &dyn OnlineStore,
    set: &FeatureSet,
    stream: &[(Event, bool, i64)],
    at: i64,
) {
    let log: Vec<Event> = stream
        .iter()
        .filter(|(_, new, _)| *new)
        .map(|(e, _, _)| e.clone())
        .collect();
    for i in 0..4 {
        let key = entity(i);
        for &view in set.views_of(key.kind) {
            let online = store
                .lookup(view, std::slice::from_ref(&key), at)
                .await
                .unwrap()
                .remove(0);
            let columns: Vec<(usize, usize)> = (0..set.views()[view].features.len())
                .map(|f| (view, f))
                .collect();
            let row = TrainingRow {
                entity: key.clone(),
                at,
            };
            let offline = row_values(set, &columns, &row, &log, PointInTime::AsKnown);
            let by_event_time = row_values(set, &columns, &row, &log, PointInTime::EventTime);
            assert_eq!(offline, by_event_time, "every event had arrived by then");
            let online = online.unwrap_or_else(|| vec![None; columns.len()]);
            for (f, (a, b)) in online.iter().zip(&offline).enumerate() {
                assert!(
                    a.map(f64::to_bits) == b.map(f64::to_bits),
                    "{key} {}.{}: online {a:?} offline {b:?}",
                    set.views()[view].name,
                    set.views()[view].features[f].name
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn online_equals_the_point_in_time_training_set(arrivals in arrivals(), idle_days in 0i64..500) {
        let set = FeatureSet::new(Registry::starter());
        let store = MemoryOnlineStore::new(Arc::clone(&set));
        let stream = replay_stream(&arrivals);
        runtime().block_on(async {
            for (event, new, now) in &stream {
                store.apply(std::slice::from_ref(event), &[*new], *now).await.unwrap();
            }
            let last = stream.last().map(|s| s.2).unwrap();
            // Right after the last arrival, then after windows expired
            // with no new event.
            check_against_offline(&store, &set, &stream, last).await;
            check_against_offline(&store, &set, &stream, last + idle_days * MICROS_PER_DAY + 7 * HOUR).await;
        });
    }
}

#[test]
fn redis_online_equals_the_point_in_time_training_set() {
    let set = FeatureSet::new(Registry::starter());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 12,
        ..ProptestConfig::default()
    });
    let rt = runtime();
    let url = std::env::var("FINSIGHT_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    runner
        .run(&(arrivals(), 0i64..400), |(arrivals, idle_days)| {
            rt.block_on(async {
                let prefix = format!("finsight-test:{}:", std::process::id());
                let store = RedisOnlineStore::connect(Arc::clone(&set), &url, &prefix)
                    .await
                    .expect(
                        "Redis at FINSIGHT_TEST_REDIS_URL (default 127.0.0.1:6379) must be running",
                    );
                store.clear().await.unwrap();
                let stream = replay_stream(&arrivals);
                // In batches, as the processor hands them over.
                for chunk in stream.chunks(7) {
                    let events: Vec<Event> = chunk.iter().map(|c| c.0.clone()).collect();
                    let new: Vec<bool> = chunk.iter().map(|c| c.1).collect();
                    store
                        .apply(&events, &new, chunk.last().unwrap().2)
                        .await
                        .unwrap();
                }
                let last = stream.last().unwrap().2;
                check_against_offline(&store, &set, &stream, last + idle_days * MICROS_PER_DAY)
                    .await;
                store.clear().await.unwrap();
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_training_set_at_t_never_sees_what_happened_after_t() {
    let set = FeatureSet::new(Registry::starter());
    let view = set.view_index("user_activity").unwrap();
    let count = set.views()[view].feature_index("count_all").unwrap();
    let spend = set.views()[view].feature_index("spend_365d").unwrap();
    let t = 20_000 * MICROS_PER_DAY;
    let user = EntityKey::new(EntityKind::User, "u");
    let event = |id: &str, at: i64, created_at: i64| Event {
        entity: user.clone(),
        id: id.into(),
        at,
        created_at,
        value: -10 * VALUE_SCALE,
        merchant: 0,
        category: None,
    };
    let log = vec![
        event("before", t - MICROS_PER_DAY, t - MICROS_PER_DAY),
        // Happened after T but ingested before it (a future-dated charge).
        event("future-known-early", t + HOUR, t - HOUR),
        // Happened after T, ingested after it.
        event("after", t + MICROS_PER_DAY, t + MICROS_PER_DAY),
        // Happened before T but only learned of after T: not known at T.
        event("late", t - HOUR, t + HOUR),
    ];
    let columns = [(view, count), (view, spend)];
    let row = TrainingRow {
        entity: user,
        at: t,
    };
    // By event time the charge learned of late counts (it happened
    // before T); as known at T it does not; neither sees anything after T.
    assert_eq!(
        row_values(&set, &columns, &row, &log, PointInTime::EventTime),
        vec![Some(2.0), Some(20.0)]
    );
    assert_eq!(
        row_values(&set, &columns, &row, &log, PointInTime::AsKnown),
        vec![Some(1.0), Some(10.0)]
    );
    let later = TrainingRow {
        at: t + 2 * MICROS_PER_DAY,
        ..row
    };
    assert_eq!(
        row_values(&set, &columns, &later, &log, PointInTime::AsKnown),
        vec![Some(4.0), Some(40.0)]
    );
}
