//! Two processors on one PostgreSQL ledger, one killed mid-run: every
//! transaction reaches every stage, each user's transactions in commit
//! order and from one replica at a time (partitions may move between them
//! as they even out, never shared), and the killed replica's partitions
//! move to the other.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use finsight_core::{
    Account, AccountId, AccountKind, Clock, Currency, Household, HouseholdId, Tenant, TenantId,
    User, UserId,
};
use finsight_pipeline::{Processor, ProcessorError, Stage, StageBatch};
use finsight_store::{Directory, PARTITIONS, Store};

const USERS: u8 = 40;
const PER_USER: usize = 30;
const BATCH: u32 = 20;

/// The leases lapse in real time.
struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

/// One delivery: which replica, which stage, whose transaction, where.
type Delivery = (&'static str, &'static str, UserId, i64);

/// Records every delivery; a little slow, so the kill lands mid-run.
struct Recorder {
    stage: &'static str,
    replica: &'static str,
    log: Arc<Mutex<Vec<Delivery>>>,
}

#[async_trait::async_trait]
impl Stage for Recorder {
    fn name(&self) -> &'static str {
        self.stage
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut log = self.log.lock().unwrap();
        for item in &batch.items {
            log.push((self.replica, self.stage, item.transaction.user_id, item.seq));
        }
        Ok(())
    }
}

pub(crate) struct Database {
    admin: sqlx::PgPool,
    name: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(async move {
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&admin)
                        .await
                })
        })
        .join();
    }
}

/// A fresh database; the test fails (never skips) without a server.
pub(crate) async fn database() -> (String, Database) {
    let admin_url = std::env::var("FINSIGHT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin_url} ({e}); set FINSIGHT_TEST_POSTGRES_URL")
    });
    let name = format!("finsight_replicas_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    (format!("{base}/{name}"), Database { admin, name })
}

pub(crate) fn directory() -> (Directory, Vec<AccountId>) {
    let tenant = TenantId::from_random_bytes([1; 16]);
    let household = HouseholdId::from_random_bytes([2; 16]);
    let mut directory = Directory {
        tenants: vec![Tenant {
            id: tenant,
            name: "t".into(),
        }],
        households: vec![Household {
            id: household,
            tenant_id: tenant,
            name: "h".into(),
        }],
        ..Directory::default()
    };
    let mut accounts = Vec::new();
    for n in 0..USERS {
        let user = UserId::from_random_bytes([10, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n]);
        let account =
            AccountId::from_random_bytes([11, n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n]);
        directory.users.push(User {
            id: user,
            tenant_id: tenant,
            household_id: household,
            display_name: format!("user {n}"),
        });
        directory.accounts.push(Account {
            id: account,
            user_id: user,
            kind: AccountKind::Checking,
            currency: Currency::parse("USD").unwrap(),
            name: "a".into(),
            institution: "b".into(),
            closed_on: None,
        });
        accounts.push(account);
    }
    (directory, accounts)
}

fn replica(
    store: &Arc<dyn Store>,
    name: &'static str,
    log: &Arc<Mutex<Vec<Delivery>>>,
) -> Processor {
    let stages: Vec<Arc<dyn Stage>> = ["first", "second"]
        .into_iter()
        .map(|stage| {
            Arc::new(Recorder {
                stage,
                replica: name,
                log: Arc::clone(log),
            }) as Arc<dyn Stage>
        })
        .collect();
    Processor::new(store.clone(), Arc::new(WallClock), stages, BATCH)
        .named(name, time::Duration::seconds(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_the_work_and_survive_one_being_killed() {
    let (url, _database) = database().await;
    let kek = finsight_store::Kek::generate();
    let store_a = finsight_store::open(
        &url,
        &kek,
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store_a.migrate().await.unwrap();
    let store_b = finsight_store::open(
        &url,
        &kek,
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    let (directory, accounts) = directory();
    store_a.upsert_directory(&directory).await.unwrap();
    // Interleaved across users, several commits.
    for round in 0..PER_USER / 10 {
        let batch: Vec<_> = (0..10)
            .flat_map(|k| {
                accounts.iter().map(move |account| {
                    super::record(account.to_owned(), &format!("ITEM {round} {k}"), None, None)
                })
            })
            .collect();
        store_a.insert_transactions(&batch).await.unwrap();
    }
    let total = usize::from(USERS) * PER_USER;

    let log = Arc::new(Mutex::new(Vec::new()));
    let a = replica(&store_a, "a", &log);
    let b = replica(&store_b, "b", &log);
    let (stop_b, stopped_b) = tokio::sync::oneshot::channel::<()>();
    let running_a = tokio::spawn(a.run(std::future::pending()));
    let running_b = tokio::spawn(b.run(async {
        let _ = stopped_b.await;
    }));
    // Kill "a" once it has done some of the work: no clean stop, its
    // leases stay until they lapse.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let from_a = log.lock().unwrap().iter().filter(|d| d.0 == "a").count();
        if from_a >= total / 4 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "replica a did no work"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    running_a.abort();
    let _ = running_a.await;
    let killed_at = log.lock().unwrap().len();
    loop {
        let seen: HashSet<(&str, i64)> = log.lock().unwrap().iter().map(|d| (d.1, d.3)).collect();
        if seen.len() == 2 * total {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {} deliveries after the kill",
            seen.len(),
            2 * total
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let held_by_b = store_b
        .claim_partitions(
            "b",
            time::OffsetDateTime::now_utc(),
            time::Duration::seconds(2),
        )
        .await
        .unwrap();
    stop_b.send(()).unwrap();
    running_b.await.unwrap();

    let log = log.lock().unwrap().clone();
    assert!(
        killed_at < log.len(),
        "replica b did nothing after the kill"
    );
    assert_eq!(
        held_by_b.len(),
        usize::from(PARTITIONS),
        "b took a's partitions"
    );
    for stage in ["first", "second"] {
        let deliveries: Vec<&Delivery> = log.iter().filter(|d| d.1 == stage).collect();
        let unique: HashSet<i64> = deliveries.iter().map(|d| d.3).collect();
        assert_eq!(unique.len(), total, "{stage}: every transaction");
        // Only the batch "a" was in when it died comes again: two replicas
        // on one partition at once would deliver its entries twice.
        let again = deliveries.len() - unique.len();
        assert!(again <= BATCH as usize, "{stage}: {again} deliveries again");
        let mut by_user: HashMap<UserId, Vec<&Delivery>> = HashMap::new();
        for delivery in deliveries {
            by_user.entry(delivery.2).or_default().push(delivery);
        }
        for (user, deliveries) in by_user {
            let mut first_seen = HashSet::new();
            let order: Vec<i64> = deliveries
                .iter()
                .map(|d| d.3)
                .filter(|seq| first_seen.insert(*seq))
                .collect();
            assert!(
                order.windows(2).all(|w| w[0] < w[1]),
                "{stage}: user {user} out of order: {order:?}"
            );
        }
    }
}
