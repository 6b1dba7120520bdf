//! Instantiates every conformance case once per backend.

use std::sync::Arc;

use finsight_store::Store;

/// A SQLite store in a fresh temporary directory (kept alive by the guard).
pub async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    let store = finsight_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

/// The PostgreSQL server to test against. Never skipped: without a server
/// these tests fail, naming the variable to set.
pub fn postgres_admin_url() -> String {
    std::env::var("FINSIGHT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh database on the PostgreSQL server, dropped by [`PgDatabase::drop_now`].
pub struct PgDatabase {
    admin: sqlx::PgPool,
    name: String,
}

impl PgDatabase {
    pub async fn drop_now(self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        sqlx::query(&drop).execute(&self.admin).await.unwrap();
    }
}

pub async fn postgres() -> (Arc<dyn Store>, PgDatabase) {
    let admin_url = postgres_admin_url();
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is required for the conformance suite and is not reachable at \
             {admin_url} ({e}); start it or set FINSIGHT_TEST_POSTGRES_URL"
        )
    });
    let name = format!("finsight_it_{}", uuid::Uuid::new_v4().simple());
    let create = format!("CREATE DATABASE {name}");
    sqlx::query(&create).execute(&admin).await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let store = finsight_store::open(&format!("{base}/{name}"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    (store, PgDatabase { admin, name })
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, _dir) = super::sqlite().await;
                    crate::conformance::$case(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let (store, database) = super::postgres().await;
                    crate::conformance::$case(store).await;
                    database.drop_now().await;
                }
            )*
        }
    };
}

conformance!(
    insert_is_idempotent_and_feeds_the_outbox,
    duplicates_within_one_batch_are_stored_once,
    unknown_account_rejects_the_whole_batch,
    currency_must_match_the_account,
    account_kind_and_currency_cannot_change,
    stored_transactions_round_trip_every_field,
    pages_are_complete_ordered_and_filtered,
    monthly_totals_are_exact_per_category,
    outbox_reads_in_order_from_a_position,
    concurrent_overlapping_batches_never_duplicate,
    stats_count_everything,
    bad_page_limits_are_rejected,
);
