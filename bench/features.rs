//! Feature-store figures: online lookups of a 100-feature vector (in
//! process, and Redis side by side with Feast's Redis online store on the
//! same server), streaming update throughput through the feature stage on
//! SQLite, and materializing the demo data set.
//!
//! Usage: `cargo run --release -p finsight-bench --bin features --
//! [--part lookup|redis|stage|materialize|all] [--users N]`. The Feast peer
//! runs when `FEAST_PYTHON` names a Python with `feast[redis]` installed
//! (`bench/feast_peer.sh` makes one); `FINSIGHT_TEST_REDIS_URL` picks the
//! Redis (default `redis://127.0.0.1:6379`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use finsight_bench::{Scratch, argument};
use finsight_core::{Clock, FixedClock};
use finsight_features::definition::MICROS_PER_DAY;
use finsight_features::event::{VALUE_SCALE, micros, stable_hash};
use finsight_features::{
    EntityKey, EntityKind, Event, FeatureSet, MemoryOnlineStore, OnlineStore, RedisOnlineStore,
    Registry,
};
use finsight_pipeline::{Features, Stage, StageBatch, StageItem, UpdateFeatures};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

/// A user view of exactly 100 features over every window.
fn hundred_feature_view() -> String {
    let mut toml =
        String::from("[[view]]\nname = \"bench_user\"\nversion = 1\nentity = \"user\"\n");
    let mut add = |name: String, body: String| {
        toml.push_str(&format!("[[view.feature]]\nname = \"{name}\"\n{body}\n"));
    };
    let windows = ["1h", "24h", "7d", "30d", "90d", "180d", "365d"];
    for window in windows {
        for aggregation in [
            "sum",
            "count",
            "mean",
            "std",
            "min",
            "max",
            "distinct_count",
        ] {
            add(
                format!("spend_{aggregation}_{window}"),
                format!(
                    "aggregation = \"{aggregation}\"\nfield = \"spend\"\nwindow = \"{window}\""
                ),
            );
        }
        for aggregation in ["sum", "count", "mean"] {
            add(
                format!("income_{aggregation}_{window}"),
                format!(
                    "aggregation = \"{aggregation}\"\nfield = \"income\"\nwindow = \"{window}\""
                ),
            );
        }
    }
    for category in ["groceries", "dining", "transport", "shopping", "utilities"] {
        for window in ["24h", "7d", "30d", "90d", "180d", "365d"] {
            add(
                format!("{category}_{window}"),
                format!(
                    "aggregation = \"sum\"\nfield = \"spend\"\nwindow = \"{window}\"\nfilter = {{ category = \"{category}\" }}"
                ),
            );
        }
    }
    toml
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1e6
}

fn summary(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

/// `users` users with a year of daily spending in five categories and a
/// monthly salary: the events of the 100-feature view.
fn user_events(users: usize, now: i64) -> Vec<Event> {
    let categories = ["groceries", "dining", "transport", "shopping", "utilities"];
    let mut events = Vec::new();
    for user in 0..users {
        for day in 0..365i64 {
            for k in 0..3i64 {
                let n = (user as i64) * 10_000 + day * 3 + k;
                events.push(Event {
                    entity: EntityKey::new(EntityKind::User, format!("user-{user}")),
                    id: format!("t{n}"),
                    at: now - day * MICROS_PER_DAY - k * 3_600_000_000,
                    created_at: now,
                    value: -((n % 9_000) + 100) * VALUE_SCALE / 100,
                    merchant: stable_hash(format!("m{}", n % 40).as_bytes()),
                    category: Some(categories[(n % 5) as usize].to_owned()),
                });
            }
            if day % 30 == 0 {
                events.push(Event {
                    entity: EntityKey::new(EntityKind::User, format!("user-{user}")),
                    id: format!("salary-{user}-{day}"),
                    at: now - day * MICROS_PER_DAY,
                    created_at: now,
                    value: 4_200 * VALUE_SCALE,
                    merchant: 0,
                    category: Some("income.salary".into()),
                });
            }
        }
    }
    events
}

async fn measure(
    store: &dyn OnlineStore,
    users: usize,
    now: i64,
    rounds: usize,
) -> anyhow::Result<((f64, f64), (f64, f64))> {
    let keys: Vec<EntityKey> = (0..users)
        .map(|u| EntityKey::new(EntityKind::User, format!("user-{u}")))
        .collect();
    for key in keys.iter().take(50) {
        store.lookup(0, std::slice::from_ref(key), now).await?;
    }
    let mut single = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let key = &keys[(i * 7919) % users];
        let started = Instant::now();
        let vector = store.lookup(0, std::slice::from_ref(key), now).await?;
        single.push(started.elapsed());
        anyhow::ensure!(
            vector[0].as_ref().is_some_and(|v| v.len() == 100),
            "no vector for {key}"
        );
    }
    let mut batch = Vec::with_capacity(rounds / 10);
    for i in 0..rounds / 10 {
        let start = (i * 101) % (users - 100);
        let started = Instant::now();
        let vectors = store.lookup(0, &keys[start..start + 100], now).await?;
        batch.push(started.elapsed());
        anyhow::ensure!(vectors.len() == 100);
    }
    Ok((summary(single), summary(batch)))
}

async fn lookups(redis: bool, users: usize) -> anyhow::Result<()> {
    let set = FeatureSet::new(
        Registry::from_toml(&hundred_feature_view()).map_err(|e| anyhow::anyhow!("{e}"))?,
    );
    anyhow::ensure!(set.views()[0].features.len() == 100);
    let now = micros(datetime!(2026-06-01 12:00 UTC));
    let events = user_events(users, now);
    let flags = vec![true; events.len()];
    println!(
        "online lookups: {users} users, one year of history each ({} events), one 100-feature vector per user",
        events.len()
    );
    println!(
        "{:<22} {:>10} {:>10} {:>16} {:>16}",
        "store", "p50 µs", "p99 µs", "batch-100 p50 µs", "batch-100 p99 µs"
    );
    let print = |name: &str, ((p50, p99), (b50, b99)): ((f64, f64), (f64, f64))| {
        println!("{name:<22} {p50:>10.1} {p99:>10.1} {b50:>16.1} {b99:>16.1}");
    };
    if !redis {
        let store = MemoryOnlineStore::new(Arc::clone(&set));
        store.apply(&events, &flags, now).await?;
        print(
            "finsight in-process",
            measure(&store, users, now, 100_000).await?,
        );
        // The models' path: read in place, no copy.
        let keys: Vec<EntityKey> = (0..users)
            .map(|u| EntityKey::new(EntityKind::User, format!("user-{u}")))
            .collect();
        let feature = set.views()[0].feature_index("spend_sum_365d").unwrap_or(0);
        let mut samples = Vec::with_capacity(100_000);
        let mut sum = 0.0;
        for i in 0..100_000 {
            let started = Instant::now();
            sum += store.with_vector(0, &keys[(i * 7919) % users], now, |v| {
                v.and_then(|v| v.get(feature)).unwrap_or(0.0)
            });
            samples.push(started.elapsed());
        }
        let (p50, p99) = summary(samples);
        println!(
            "{:<22} {p50:>10.2} {p99:>10.2} {:>16} {:>16}   (checksum {sum:.0})",
            "finsight with_vector", "-", "-"
        );
        return Ok(());
    }
    let url = std::env::var("FINSIGHT_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let store = RedisOnlineStore::connect(Arc::clone(&set), &url, "finsight-bench:").await?;
    store.clear().await?;
    for chunk in events.chunks(50_000) {
        store.apply(chunk, &flags[..chunk.len()], now).await?;
    }
    print("finsight redis", measure(&store, users, now, 20_000).await?);
    store.clear().await?;
    match std::env::var("FEAST_PYTHON") {
        Ok(python) => {
            let script = concat!(env!("CARGO_MANIFEST_DIR"), "/feast_peer.py");
            let output = std::process::Command::new(python)
                .args([script, &url, &users.to_string(), "100", "2000"])
                .output()?;
            anyhow::ensure!(
                output.status.success(),
                "feast peer failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            print!("{}", String::from_utf8_lossy(&output.stdout));
        }
        Err(_) => println!("(Feast peer skipped: set FEAST_PYTHON; see bench/feast_peer.sh)"),
    }
    Ok(())
}

fn synthetic(users: u32) -> anyhow::Result<(Synthesizer, Vec<finsight_core::NewTransaction>)> {
    let synth = Synthesizer::new(SynthConfig {
        users,
        months: 24,
        seed: 3,
        first_month: date!(2024 - 06 - 01),
    })?;
    let mut records = Vec::new();
    for index in 0..synth.profiles().len() {
        records.extend(synth.generate_user(index).transactions);
    }
    Ok((synth, records))
}

/// The feature stage alone over batches of 1,000 committed transactions:
/// facts logged in SQLite and the in-process online store updated.
async fn stage(users: u32) -> anyhow::Result<()> {
    let (synth, records) = synthetic(users)?;
    let scratch = Scratch::open("sqlite").await?;
    let store = Arc::clone(&scratch.store);
    store
        .upsert_directory(&finsight_bench::directory_of(&synth))
        .await?;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(datetime!(2026-06-01 00:00 UTC)));
    let set = FeatureSet::new(Registry::starter());
    let features = Features {
        set: Arc::clone(&set),
        offline: store.clone(),
        online: Arc::new(MemoryOnlineStore::new(set)),
        clock: Arc::clone(&clock),
    };
    let owners: std::collections::HashMap<_, _> = synth
        .profiles()
        .iter()
        .flat_map(|p| p.accounts.iter().map(|a| (a.id, p.user.id)))
        .collect();
    let transactions: Vec<finsight_core::Transaction> = records
        .into_iter()
        .map(|r| {
            let user = owners[&r.account_id];
            finsight_core::Transaction::from_new(user, r)
        })
        .collect();
    let stage = UpdateFeatures::new(features);
    let started = Instant::now();
    for (n, chunk) in transactions.chunks(1_000).enumerate() {
        let mut batch = StageBatch {
            items: chunk
                .iter()
                .enumerate()
                .map(|(i, t)| StageItem {
                    transaction: t.clone(),
                    seq: (n * 1_000 + i) as i64,
                    enrichments: Default::default(),
                })
                .collect(),
        };
        stage.process(&mut batch).await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "feature stage, sqlite + in-process: {} transactions of {users} users in {seconds:.2} s: {:.0} transactions/s",
        transactions.len(),
        transactions.len() as f64 / seconds
    );
    drop(stage);
    drop(store);
    scratch.drop_now().await?;
    Ok(())
}

/// Materializing the demo data set (200 users x 24 months by default).
async fn materialize(users: u32) -> anyhow::Result<()> {
    let (synth, records) = synthetic(users)?;
    let scratch = Scratch::open("sqlite").await?;
    let store = Arc::clone(&scratch.store);
    store
        .upsert_directory(&finsight_bench::directory_of(&synth))
        .await?;
    for chunk in records.chunks(10_000) {
        store.insert_transactions(chunk).await?;
    }
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(datetime!(2026-06-01 00:00 UTC)));
    let set = FeatureSet::new(Registry::starter());
    let features = Features {
        set: Arc::clone(&set),
        offline: store.clone(),
        online: Arc::new(MemoryOnlineStore::new(set)),
        clock,
    };
    let started = Instant::now();
    let report = features
        .materialize(
            store.as_ref(),
            date!(2024 - 06 - 01),
            date!(2026 - 05 - 31),
            false,
            |_| {},
        )
        .await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "materialize {} transactions of {users} users, 730 days: {seconds:.1} s ({} facts backfilled, {} snapshots)",
        records.len(),
        report.facts_backfilled,
        report.snapshots
    );
    let started = Instant::now();
    let entities = features.rebuild_online().await?;
    println!(
        "cold start of the in-process online store: {entities} entities in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(features);
    drop(store);
    scratch.drop_now().await?;
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let part = argument("--part").unwrap_or_else(|| "all".into());
    let users: Option<u32> = argument("--users").map(|u| u.parse()).transpose()?;
    if matches!(part.as_str(), "lookup" | "all") {
        lookups(false, users.unwrap_or(1_000) as usize).await?;
    }
    if matches!(part.as_str(), "redis" | "all") {
        lookups(true, users.unwrap_or(1_000) as usize).await?;
    }
    if matches!(part.as_str(), "stage" | "all") {
        stage(users.unwrap_or(200)).await?;
    }
    if matches!(part.as_str(), "materialize" | "all") {
        materialize(users.unwrap_or(200)).await?;
    }
    Ok(())
}
