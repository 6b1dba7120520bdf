//! The registry end to end on both backends: a categorizer trained on
//! generated people is tracked and promoted by its rule; versions are
//! promoted and rolled back; serving swaps the champion under load without
//! one failed lookup.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use finsight_core::{FixedClock, TenantId};
use finsight_mlops::serving::CategorizerServing;
use finsight_mlops::training::train_categorizer;
use finsight_mlops::{CATEGORIZER, CHAMPION, registry};
use finsight_models::TrainOptions;
use finsight_models::categorize::Sample;
use finsight_store::{Directory, Store};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("l.sqlite").display());
    (open(&url).await, dir)
}

async fn open(url: &str) -> Arc<dyn Store> {
    let store = finsight_store::open(
        url,
        &finsight_store::Kek::generate(),
        Arc::new(FixedClock(datetime!(2026-01-01 0:00 UTC))),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    store
}

/// A fresh database on the PostgreSQL server (never skipped), dropped at
/// the end.
struct PgDatabase(String, String);

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.0.clone(), self.1.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let pool = sqlx::PgPool::connect(&admin).await?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&pool)
                        .await
                })
        })
        .join();
    }
}

async fn postgres() -> (Arc<dyn Store>, PgDatabase) {
    let admin = std::env::var("FINSIGHT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let pool = sqlx::PgPool::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is required at {admin} ({e}); set FINSIGHT_TEST_POSTGRES_URL")
    });
    let name = format!("finsight_mlops_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').unwrap().0;
    let store = open(&format!("{base}/{name}")).await;
    (store, PgDatabase(admin, name))
}

/// Loads generated people; returns the first tenant.
async fn load(store: &Arc<dyn Store>) -> TenantId {
    let synth = Synthesizer::new(SynthConfig {
        users: 6,
        months: 6,
        seed: 3,
        first_month: date!(2026 - 01 - 01),
    })
    .unwrap();
    store
        .upsert_directory(&Directory {
            tenants: synth.tenants().to_vec(),
            households: synth.households().to_vec(),
            users: synth.profiles().iter().map(|p| p.user.clone()).collect(),
            accounts: synth.accounts().cloned().collect(),
        })
        .await
        .unwrap();
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        store
            .insert_transactions(&activity.transactions)
            .await
            .unwrap();
    }
    synth.profiles()[0].user.tenant_id
}

async fn train_promote_roll_back_and_swap_under_load(store: Arc<dyn Store>) {
    let tenant = load(&store).await;
    let now = datetime!(2026-07-02 8:00 UTC);
    let first = train_categorizer(store.as_ref(), tenant, "cli", now, TrainOptions::default())
        .await
        .unwrap();
    assert!(first.promoted && first.champion.is_none(), "{first:?}");
    assert!(first.candidate.accuracy > 0.9, "{first:?}");
    let run = store.run(tenant, &first.run_id).await.unwrap().unwrap();
    let tag = |key: &str| run.tags.iter().find(|t| t.0 == key).map(|t| t.1.clone());
    assert_eq!(tag("promotion.decision").as_deref(), Some("promoted"));
    assert!(tag("training_set.fingerprint").is_some_and(|f| f.len() == 64));
    assert!(run.metrics.iter().any(|m| m.key == "holdout.macro_f1"));

    // The second training meets a champion and says what it decided.
    let second = train_categorizer(store.as_ref(), tenant, "cli", now, TrainOptions::default())
        .await
        .unwrap();
    let (champion_version, champion) = second.champion.unwrap();
    assert_eq!(champion_version, 1);
    let rule = second.candidate.macro_f1 >= champion.macro_f1
        && second.candidate.accuracy >= champion.accuracy - 0.005;
    assert_eq!(second.promoted, rule, "{second:?}");

    let serving = Arc::new(CategorizerServing::new(store.clone()));
    serving.refresh().await.unwrap();
    let expected = if second.promoted { 2 } else { 1 };
    assert_eq!(serving.get(tenant).unwrap().version, expected);

    // Lookups from several tasks while the champion moves back and forth.
    let stop = Arc::new(AtomicBool::new(false));
    let (served, missing) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (serving, stop) = (Arc::clone(&serving), Arc::clone(&stop));
            let (served, missing) = (Arc::clone(&served), Arc::clone(&missing));
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    match serving.get(tenant) {
                        Some(model) => {
                            let sample = Sample {
                                description: "SHELL OIL #0042",
                                amount: Some(-40.0),
                                ..Sample::default()
                            };
                            assert!(model.model.predict(&sample).confidence > 0.0);
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        None => {
                            missing.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let at = first.version * 1000;
    for round in 0..6 {
        let version = if round % 2 == 0 { 2 } else { 1 };
        registry::promote(
            store.as_ref(),
            tenant,
            CATEGORIZER,
            version,
            CHAMPION,
            at + round,
        )
        .await
        .unwrap();
        serving.refresh().await.unwrap();
        assert_eq!(serving.get(tenant).unwrap().version, version);
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    assert_eq!(missing.load(Ordering::Relaxed), 0);
    assert!(served.load(Ordering::Relaxed) > 0);

    // The champion is on 1 (the last round); rollback goes back to 2.
    let moved = registry::rollback(store.as_ref(), tenant, CATEGORIZER, CHAMPION, at + 10)
        .await
        .unwrap();
    assert_eq!((moved.from, moved.to), (Some(1), 2));
    serving.refresh().await.unwrap();
    assert_eq!(serving.get(tenant).unwrap().version, 2);
    let never =
        registry::rollback(store.as_ref(), tenant, CATEGORIZER, "challenger", at + 11).await;
    assert!(never.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_registry_end_to_end() {
    let (store, _dir) = sqlite().await;
    train_promote_roll_back_and_swap_under_load(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_registry_end_to_end() {
    let (store, _database) = postgres().await;
    train_promote_roll_back_and_swap_under_load(store).await;
}
