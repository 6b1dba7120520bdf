//! Integration tests of finsight-pipeline on a real SQLite ledger, and two
//! replicas sharing a PostgreSQL one (`replicas.rs`).

mod anomalies;
mod budgets;
mod categorize;
mod features;
mod replicas;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use finsight_core::{
    Account, AccountId, AccountKind, CategoryId, CategoryRule, CategorySource, Currency,
    Description, FixedClock, Household, HouseholdId, Mcc, Money, NewTransaction, PostingDate,
    SourceName, Tenant, TenantId, User, UserId,
};
use finsight_pipeline::{
    Categorize, Processor, ProcessorError, RecordProcessed, Stage, StageBatch,
};
use finsight_store::{Directory, Store, TransactionQuery};
use time::macros::{date, datetime};

async fn store() -> (Arc<dyn Store>, UserId, AccountId, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("l.sqlite").display());
    let store = finsight_store::open(
        &url,
        &finsight_store::Kek::generate(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let (tenant, household) = (
        TenantId::from_random_bytes([1; 16]),
        HouseholdId::from_random_bytes([2; 16]),
    );
    let user = UserId::from_random_bytes([3; 16]);
    let account = AccountId::from_random_bytes([4; 16]);
    store
        .upsert_directory(&Directory {
            tenants: vec![Tenant {
                id: tenant,
                name: "t".into(),
            }],
            households: vec![Household {
                id: household,
                tenant_id: tenant,
                name: "h".into(),
            }],
            users: vec![User {
                id: user,
                tenant_id: tenant,
                household_id: household,
                display_name: "u".into(),
            }],
            accounts: vec![Account {
                id: account,
                user_id: user,
                kind: AccountKind::Checking,
                currency: Currency::parse("USD").unwrap(),
                name: "a".into(),
                institution: "b".into(),
                closed_on: None,
            }],
        })
        .await
        .unwrap();
    (store, user, account, dir)
}

fn record(
    account: AccountId,
    description: &str,
    mcc: Option<u16>,
    category: Option<&str>,
) -> NewTransaction {
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::new(date!(2026 - 03 - 01)).unwrap(),
        occurred_at: None,
        amount: Money::parse("-5", Currency::parse("USD").unwrap()).unwrap(),
        description: Description::parse(description).unwrap(),
        merchant: None,
        mcc: mcc.map(|m| Mcc::new(m).unwrap()),
        category: category.map(|c| CategoryId::parse(c).unwrap()),
        source: SourceName::parse("test").unwrap(),
        source_ref: None,
    }
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(datetime!(2026-03-20 10:00 UTC)))
}

async fn category_of(
    store: &Arc<dyn Store>,
    user: UserId,
    description: &str,
) -> (Option<String>, Option<CategorySource>) {
    let page = store
        .transactions(&TransactionQuery::for_user(user))
        .await
        .unwrap();
    let t = page
        .transactions
        .into_iter()
        .find(|t| t.description.as_str() == description)
        .unwrap();
    (t.category.map(|c| c.to_string()), t.category_source)
}

#[tokio::test]
async fn rules_beat_bank_categories_which_beat_mccs() {
    let (store, user, account, _dir) = store().await;
    store
        .add_category_rule(
            &CategoryRule {
                id: uuid::Uuid::from_u128(1),
                user_id: user,
                pattern: "blue bottle".into(),
                category: CategoryId::parse("dining.coffee").unwrap(),
                priority: 0,
            },
            clock().0,
        )
        .await
        .unwrap();
    store
        .insert_transactions(&[
            record(account, "SQ *BLUE BOTTLE 0423", Some(5814), None),
            record(account, "TESCO STORES 2231", Some(5411), None),
            record(
                account,
                "BANK CATEGORISED",
                Some(5411),
                Some("shopping.home"),
            ),
            record(account, "NO CLUE", None, None),
        ])
        .await
        .unwrap();
    let stages: Vec<Arc<dyn Stage>> = vec![
        Arc::new(Categorize::new(store.clone())),
        Arc::new(RecordProcessed),
    ];
    let processor = Processor::new(store.clone(), clock(), stages, 2);
    assert_eq!(processor.drain().await.unwrap(), 4);
    assert_eq!(
        category_of(&store, user, "SQ *BLUE BOTTLE 0423").await,
        (Some("dining.coffee".into()), Some(CategorySource::Rule))
    );
    assert_eq!(
        category_of(&store, user, "TESCO STORES 2231").await,
        (Some("groceries".into()), Some(CategorySource::Mcc))
    );
    assert_eq!(
        category_of(&store, user, "BANK CATEGORISED").await,
        (Some("shopping.home".into()), Some(CategorySource::Source))
    );
    assert_eq!(category_of(&store, user, "NO CLUE").await, (None, None));
    // Every partition is done to the head, the user's included.
    let head = store.outbox_head().await.unwrap();
    for stage in ["categorize", "record_processed"] {
        let positions = store.stage_positions(stage).await.unwrap();
        assert_eq!(positions.len(), usize::from(finsight_store::PARTITIONS));
        assert!(positions.iter().all(|(_, p)| *p == head), "{positions:?}");
    }
    let partition = finsight_store::partition_of(user);
    assert!(
        store
            .stage_positions("categorize")
            .await
            .unwrap()
            .contains(&(partition, head))
    );
    assert_eq!(
        processor.drain().await.unwrap(),
        0,
        "nothing left after a restart"
    );
}

/// Sees every transaction; fails once in the middle, like a crash.
struct Flaky {
    seen: AtomicUsize,
    fail_at: usize,
    failed: AtomicUsize,
}

#[async_trait::async_trait]
impl Stage for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        if self.seen.load(Ordering::SeqCst) >= self.fail_at
            && self.failed.fetch_add(1, Ordering::SeqCst) == 0
        {
            return Err(ProcessorError::Stage {
                stage: "flaky",
                reason: "boom".into(),
            });
        }
        self.seen.fetch_add(batch.len(), Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_stage_resumes_from_its_position_without_skipping() {
    let (store, _user, account, _dir) = store().await;
    let batch: Vec<_> = (0..10)
        .map(|n| record(account, &format!("ITEM {n}"), None, None))
        .collect();
    store.insert_transactions(&batch).await.unwrap();
    let flaky = Arc::new(Flaky {
        seen: AtomicUsize::new(0),
        fail_at: 4,
        failed: AtomicUsize::new(0),
    });
    let replica = || {
        Processor::new(
            store.clone(),
            clock(),
            vec![flaky.clone() as Arc<dyn Stage>],
            4,
        )
        .named("replica-1", time::Duration::seconds(15))
    };
    assert!(replica().drain().await.is_err());
    // The same replica restarted holds its partitions again and picks up
    // where the stage stopped.
    replica().drain().await.unwrap();
    assert_eq!(
        flaky.seen.load(Ordering::SeqCst),
        10,
        "every transaction exactly once here"
    );
}

/// Remembers what it saw: each transaction's category as the stages
/// before it left it.
#[derive(Default)]
struct Observer {
    seen: std::sync::Mutex<Vec<(String, Option<String>)>>,
}

#[async_trait::async_trait]
impl Stage for Observer {
    fn name(&self) -> &'static str {
        "observer"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        let mut seen = self.seen.lock().unwrap();
        for item in &batch.items {
            seen.push((
                item.transaction.description.as_str().to_owned(),
                item.category().map(ToString::to_string),
            ));
        }
        Ok(())
    }
}

/// Always fails.
struct Broken;

#[async_trait::async_trait]
impl Stage for Broken {
    fn name(&self) -> &'static str {
        "broken"
    }

    async fn process(&self, _batch: &mut StageBatch) -> Result<(), ProcessorError> {
        Err(ProcessorError::Stage {
            stage: "broken",
            reason: "always".into(),
        })
    }
}

#[tokio::test]
async fn later_stages_see_what_earlier_ones_decided_in_the_same_batch() {
    let (store, user, account, _dir) = store().await;
    store
        .add_category_rule(
            &finsight_core::CategoryRule {
                id: uuid::Uuid::from_bytes([7; 16]),
                user_id: user,
                pattern: "BAKERY".into(),
                category: CategoryId::parse("dining").unwrap(),
                priority: 0,
            },
            time::macros::datetime!(2026-03-01 09:00 UTC),
        )
        .await
        .unwrap();
    store
        .insert_transactions(&[
            record(account, "CORNER BAKERY", None, None),
            record(account, "SOMETHING ELSE", None, None),
        ])
        .await
        .unwrap();
    let observer = Arc::new(Observer::default());
    let processor = Processor::new(
        store.clone(),
        clock(),
        vec![
            Arc::new(Categorize::new(store.clone())) as Arc<dyn Stage>,
            observer.clone(),
        ],
        100,
    );
    processor.drain().await.unwrap();
    let seen = observer.seen.lock().unwrap().clone();
    assert!(
        seen.contains(&("CORNER BAKERY".into(), Some("dining".into()))),
        "{seen:?}"
    );
    assert!(seen.contains(&("SOMETHING ELSE".into(), None)), "{seen:?}");
}

#[tokio::test]
async fn a_failing_stage_holds_back_no_stage_after_it() {
    let (store, _user, account, _dir) = store().await;
    let batch: Vec<_> = (0..7)
        .map(|n| record(account, &format!("ITEM {n}"), None, None))
        .collect();
    store.insert_transactions(&batch).await.unwrap();
    let observer = Arc::new(Observer::default());
    let processor = Processor::new(
        store.clone(),
        clock(),
        vec![Arc::new(Broken) as Arc<dyn Stage>, observer.clone()],
        3,
    );
    // The observer gets every transaction; the broken stage keeps its
    // position (nothing skipped) and its error is what drain reports.
    let error = processor.drain().await.unwrap_err();
    assert!(error.to_string().contains("broken"), "{error}");
    assert_eq!(observer.seen.lock().unwrap().len(), 7);
    assert!(store.stage_positions("broken").await.unwrap().is_empty());
}

#[tokio::test]
async fn run_follows_new_commits_until_shutdown() {
    let (store, user, account, _dir) = store().await;
    let stages: Vec<Arc<dyn Stage>> = vec![Arc::new(Categorize::new(store.clone()))];
    let processor = Processor::new(store.clone(), clock(), stages, 100);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(processor.run(async {
        let _ = stopped.await;
    }));
    store
        .insert_transactions(&[record(account, "LATE ARRIVAL", Some(5411), None)])
        .await
        .unwrap();
    let mut categorized = false;
    for _ in 0..100 {
        if category_of(&store, user, "LATE ARRIVAL").await.0.is_some() {
            categorized = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(categorized);
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), running)
        .await
        .unwrap()
        .unwrap();
}

/// Counts its runs; fails on a chosen day once (like a crash mid-run).
struct Counting {
    runs: std::sync::Mutex<Vec<time::Date>>,
    fail_on: Option<time::Date>,
    failed: AtomicUsize,
}

#[async_trait::async_trait]
impl finsight_pipeline::DailyJob for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    async fn run(&self, day: time::Date) -> Result<String, ProcessorError> {
        if self.fail_on == Some(day) && self.failed.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(ProcessorError::Stage {
                stage: "counting",
                reason: "crash".into(),
            });
        }
        self.runs.lock().unwrap().push(day);
        Ok(format!("counted {day}"))
    }
}

#[tokio::test]
async fn backfills_run_each_day_once_and_resume_failed_days() {
    use finsight_pipeline::{RunOutcome, Scheduler};
    let (store, _user, _account, _dir) = store().await;
    let job = Arc::new(Counting {
        runs: std::sync::Mutex::new(Vec::new()),
        fail_on: Some(date!(2026 - 03 - 02)),
        failed: AtomicUsize::new(0),
    });
    let scheduler = Scheduler::new(
        store.clone(),
        clock(),
        vec![job.clone() as Arc<dyn finsight_pipeline::DailyJob>],
    );
    assert!(
        scheduler
            .backfill(date!(2026 - 03 - 01), date!(2026 - 03 - 03), None)
            .await
            .is_err()
    );
    let results = scheduler
        .backfill(
            date!(2026 - 03 - 01),
            date!(2026 - 03 - 03),
            Some("counting"),
        )
        .await
        .unwrap();
    let outcomes: Vec<_> = results
        .iter()
        .map(|(_, day, outcome)| (day.to_string(), matches!(outcome, RunOutcome::Ran(_))))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("2026-03-01".into(), false),
            ("2026-03-02".into(), true),
            ("2026-03-03".into(), true)
        ]
    );
    assert_eq!(
        job.runs.lock().unwrap().len(),
        3,
        "each day ran exactly once to completion"
    );
    assert!(
        scheduler
            .backfill(date!(2026 - 03 - 03), date!(2026 - 03 - 01), None)
            .await
            .is_err()
    );
    assert!(
        scheduler
            .backfill(date!(2026 - 03 - 01), date!(2026 - 03 - 01), Some("nope"))
            .await
            .is_err()
    );
}
