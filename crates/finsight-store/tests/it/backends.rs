//! Instantiates every conformance case once per backend.

use std::sync::Arc;

use finsight_store::Store;

/// A SQLite store in a fresh temporary directory (kept alive by the guard).
/// One key-encryption key for the whole test run (stores opened twice on
/// one database must share it).
pub fn kek() -> finsight_store::Kek {
    static KEK: std::sync::OnceLock<finsight_store::Kek> = std::sync::OnceLock::new();
    KEK.get_or_init(finsight_store::Kek::generate).clone()
}

pub async fn sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    let store = finsight_store::open(
        &url,
        &kek(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

/// The PostgreSQL server to test against. Never skipped: without a server
/// these tests fail, naming the variable to set.
pub fn postgres_admin_url() -> String {
    std::env::var("FINSIGHT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A fresh database on the PostgreSQL server, dropped when this guard
/// goes — also when a test panics, so failures leave nothing behind.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // The test's runtime may be shutting down: use a runtime of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let admin = sqlx::PgPool::connect(&admin_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&admin)
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test database {}", self.name);
        }
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
    let store = finsight_store::open(
        &format!("{base}/{name}"),
        &kek(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    (
        store,
        PgDatabase {
            admin_url: admin_url.clone(),
            name,
        },
    )
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
                    let (store, _database) = super::postgres().await;
                    crate::conformance::$case(store).await;
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
    batches_write_good_and_quarantined_records_atomically,
    quarantined_records_resolve_once,
    aliases_profiles_and_import_runs_round_trip,
    daily_counts_and_last_posting_per_source,
    the_outbox_splits_by_user_and_positions_need_the_lease,
    partitions_are_shared_and_move_when_a_holder_lapses,
    categories_respect_who_set_them,
    category_rules_belong_to_their_user,
    idempotency_keys_replay_and_refuse_reuse,
    idempotency_keys_are_per_principal_and_expire,
    account_references_bind_once_per_household,
    quarantine_pages_are_scoped_before_they_are_limited,
    one_email_may_sign_in_to_several_tenants,
    throttles_count_lock_reset_and_expire,
    invitations_join_only_when_both_sides_agree,
    accounts_rename_close_and_reopen,
    a_new_person_invited_is_no_member_until_approved,
    job_runs_happen_once_per_key,
    audit_entries_chain_even_when_appended_concurrently,
    audit_retention_prunes_behind_a_checkpoint,
    transactions_filter_by_amount_and_text_and_take_edits,
    logins_are_unique_and_count_failures,
    memberships_follow_the_directory_and_can_change,
    refresh_tokens_rotate_once_and_reuse_revokes_the_family,
    api_keys_are_found_by_hash_until_revoked,
    key_rotation_keeps_reads_working_and_retires_old_keys,
    feature_facts_are_logged_once_and_read_per_entity,
    market_closes_are_kept_once_per_day,
    feature_views_snapshots_and_materialized_days,
    runs_keep_params_metrics_tags_and_artifacts,
    model_versions_number_up_and_aliases_remember_their_moves,
    categorizations_queue_for_review_until_resolved,
    alerts_are_stored_once_listed_per_person_and_take_feedback,
    budgets_goals_and_insight_answers_round_trip,
    day_totals_sum_per_person_day_and_category,
    account_balances_net_each_account,
    dashboard_layouts_are_saved_per_person,
);

/// Two replicas on one PostgreSQL database: only one leads at a time, and
/// leadership passes on when the leader goes.
#[tokio::test]
async fn postgres_leadership_is_exclusive_and_passes_on() {
    let (first, database) = postgres().await;
    let (base, _) = postgres_admin_url()
        .rsplit_once('/')
        .map(|(b, _)| (b.to_owned(), ()))
        .unwrap();
    let url = format!("{base}/{}", database.name());
    let second = finsight_store::open(
        &url,
        &kek(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    assert!(first.try_lead("scheduler").await.unwrap());
    assert!(
        first.try_lead("scheduler").await.unwrap(),
        "the leader keeps leading"
    );
    assert!(!second.try_lead("scheduler").await.unwrap());
    assert!(second.try_lead("other-role").await.unwrap());
    drop(first);
    let mut took_over = false;
    for _ in 0..50 {
        if second.try_lead("scheduler").await.unwrap() {
            took_over = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        took_over,
        "leadership passes on when the leader's connections close"
    );
}

/// `sslmode=require` in the URL makes every connection TLS (rustls); the
/// server's own view of the connections says so.
#[tokio::test]
async fn postgres_connections_can_require_tls() {
    let (_plain, database) = postgres().await;
    let (base, _) = postgres_admin_url()
        .rsplit_once('/')
        .map(|(b, _)| (b.to_owned(), ()))
        .unwrap();
    let url = format!("{base}/{}?sslmode=require", database.name());
    let store = finsight_store::open(
        &url,
        &kek(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.ping().await.unwrap();
    store.users().await.unwrap();
    let admin = sqlx::PgPool::connect(&postgres_admin_url()).await.unwrap();
    let (encrypted,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.datname = $1 AND s.ssl",
    )
    .bind(database.name())
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(encrypted >= 1, "no TLS connection to {}", database.name());
}

/// What an attacker with the database file (or a dump) sees: no personal
/// text, only `e1:` ciphertexts, and data keys only in wrapped form.
async fn assert_sealed_at_rest(rows: Vec<(String, String)>) {
    assert!(!rows.is_empty());
    for (column, value) in rows {
        assert!(value.starts_with("e1:"), "{column} holds {value:?}");
        for secret in [
            "PHARMACY",
            "Ada Lee",
            "The Lees",
            "ada@example.com",
            "card 1234",
        ] {
            assert!(!value.contains(secret), "{column} holds {value:?}");
        }
    }
}

const SEALED_SQL: &str = "
    SELECT 'description', description FROM transactions
    UNION ALL SELECT 'notes', notes FROM transactions WHERE notes IS NOT NULL
    UNION ALL SELECT 'display_name', display_name FROM users
    UNION ALL SELECT 'household', name FROM households
    UNION ALL SELECT 'email', email FROM logins
    UNION ALL SELECT 'raw', raw FROM quarantine
    UNION ALL SELECT 'reference', reference FROM account_references";

async fn write_personal_data(store: &Arc<dyn Store>) {
    crate::conformance::personal_data(store).await;
}

#[tokio::test]
async fn sqlite_keeps_personal_fields_sealed_at_rest() {
    let (store, dir) = sqlite().await;
    write_personal_data(&store).await;
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    let raw = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(SEALED_SQL).fetch_all(&raw).await.unwrap();
    assert_sealed_at_rest(rows).await;
}

#[tokio::test]
async fn postgres_keeps_personal_fields_sealed_at_rest() {
    let (store, database) = postgres().await;
    write_personal_data(&store).await;
    let (base, _) = postgres_admin_url()
        .rsplit_once('/')
        .map(|(b, _)| (b.to_owned(), ()))
        .unwrap();
    let raw = sqlx::PgPool::connect(&format!("{base}/{}", database.name()))
        .await
        .unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(SEALED_SQL).fetch_all(&raw).await.unwrap();
    assert_sealed_at_rest(rows).await;
}

/// After `rewrap_keys`, the new key-encryption key opens everything and
/// the old one nothing.
async fn assert_rewrapped(url: &str, store: Arc<dyn Store>) {
    write_personal_data(&store).await;
    let new = finsight_store::Kek::generate();
    assert!(store.rewrap_keys(&new).await.unwrap() >= 3);
    drop(store);
    let reopened = finsight_store::open(
        url,
        &new,
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    assert_eq!(reopened.users().await.unwrap()[0].display_name, "Ada Lee");
    let stale = finsight_store::open(
        url,
        &kek(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    assert!(matches!(
        stale.users().await,
        Err(finsight_store::StoreError::Config(message)) if message.contains("encryption key")
    ));
}

#[tokio::test]
async fn sqlite_key_encryption_key_rotates_by_rewrapping() {
    let (store, dir) = sqlite().await;
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    assert_rewrapped(&url, store).await;
}

#[tokio::test]
async fn postgres_key_encryption_key_rotates_by_rewrapping() {
    let (store, database) = postgres().await;
    let (base, _) = postgres_admin_url()
        .rsplit_once('/')
        .map(|(b, _)| (b.to_owned(), ()))
        .unwrap();
    assert_rewrapped(&format!("{base}/{}", database.name()), store).await;
}
