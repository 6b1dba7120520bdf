//! The embedded backend: one SQLite file in WAL mode with full fsync, so an
//! acknowledged batch survives a crash. Writes go through a single
//! connection (`BEGIN IMMEDIATE`), reads through a small pool.

use std::str::FromStr;
use std::time::Duration;

use finsight_core::{Currency, NewTransaction, UserId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use uuid::Uuid;

use crate::rows::{AccountOwners, CATEGORY_FROM_SOURCE, distinct_accounts, owners_of_batch};
use crate::sql::{Backend, SqlStore};
use crate::sqlite_bulk::BulkWriter;
use crate::stats::StatsRows;
use crate::{BatchReport, InsertReport, SealedBatch, StoreError};

/// Rows per INSERT statement: 15 parameters each, 30,000 in all, under
/// SQLite's 32,766-parameter limit (fewer, larger statements measured
/// faster for 1M-row imports).
const ROWS_PER_STATEMENT: usize = 2000;

/// The embedded store: SQLite behind every store trait.
pub type SqliteStore = SqlStore<SqliteBackend>;

/// SQLite's connections: one writer, a few readers, and the bulk path.
pub struct SqliteBackend {
    writer: SqlitePool,
    reader: SqlitePool,
    bulk: BulkWriter,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file a `sqlite://PATH` URL
    /// names.
    pub async fn open(
        url: &str,
        kek: &crate::vault::Kek,
        clock: std::sync::Arc<dyn finsight_core::Clock>,
    ) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache per connection (the default is 2 MiB):
            // keeps the ledger's indexes in memory for large imports.
            .pragma("cache_size", "-65536");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        let bulk = BulkWriter::open(options.get_filename())?;
        Ok(SqlStore::new(
            SqliteBackend {
                writer,
                reader,
                bulk,
            },
            kek,
            clock,
        ))
    }
}

impl Backend for SqliteBackend {
    type Db = Sqlite;

    const AUDIT_LOCK: &'static str = "";
    const KEY_LOCK: &'static str = "";
    const MONTHLY_TOTALS: &'static str = "SELECT substr(posted_on, 1, 7) AS month,
                    COALESCE(category, 'uncategorized') AS category,
                    currency,
                    SUM(amount_minor) AS total_minor,
                    COUNT(*) AS count
             FROM transactions
             WHERE user_id = ?1 AND posted_on >= ?2 AND posted_on < ?3
             GROUP BY 1, 2, 3
             ORDER BY 1, 2, 3";

    fn transactions_page_sql() -> &'static str {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT id, user_id, account_id, posted_on, occurred_at, amount_minor, currency,
                        description, merchant, mcc, category, category_source, source, source_ref,
                        notes
                 FROM transactions
                 WHERE user_id = ?1
                   AND (?2 IS NULL OR account_id = ?2)
                   AND (?3 IS NULL OR posted_on >= ?3)
                   AND (?4 IS NULL OR posted_on <= ?4)
                   AND (?5 IS NULL OR category = ?5 OR substr(category, 1, length(?5) + 1) = ?5 || '.')
                   AND (?6 IS NULL OR posted_on < ?6 OR (posted_on = ?6 AND id < ?7))
                   AND (?9 IS NULL OR {amount} >= ?9)
                   AND (?10 IS NULL OR {amount} <= ?10)
                   AND (?11 IS NULL OR description_terms LIKE ?12
                        OR lower(COALESCE(merchant, '')) LIKE ?11 ESCAPE '\\')
                 ORDER BY posted_on DESC, id DESC
                 LIMIT ?8",
                amount = crate::ledger::AMOUNT_E4_SQL.as_str()
            )
        });
        SQL.as_str()
    }

    fn push_parameter(sql: &mut String, _n: usize) {
        sql.push('?');
    }

    fn read_pool(&self) -> &SqlitePool {
        &self.reader
    }

    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.writer)
            .await?;
        Ok(())
    }

    /// Transactions and quarantine entries in one commit, on the bulk path.
    async fn write_sealed(
        &self,
        batch: SealedBatch,
        now: time::OffsetDateTime,
    ) -> Result<BatchReport, StoreError> {
        self.bulk
            .write(
                batch.transactions,
                batch.sealed,
                batch.quarantine,
                batch.sealed_quarantine,
                now,
            )
            .await
    }

    async fn insert_in<'a>(
        conn: &'a mut SqliteConnection,
        batch: &'a [NewTransaction],
        sealed: &'a [crate::sealing::SealedText],
    ) -> Result<InsertReport, StoreError> {
        insert_in(conn, batch, sealed).await
    }

    /// Feature facts on the bulk path.
    async fn append_facts(
        &self,
        facts: &[finsight_features::LedgerFact],
    ) -> Result<Vec<bool>, StoreError> {
        self.bulk.append_facts(facts.to_vec()).await
    }

    /// One process owns an embedded database: it always leads.
    async fn try_lead(&self, _role: &str) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn stats_rows(&self) -> Result<StatsRows, StoreError> {
        // One read transaction, so every figure comes from the same snapshot.
        let mut conn = self.reader.begin().await?;
        let counts: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM tenants), (SELECT COUNT(*) FROM households),
                    (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM accounts),
                    (SELECT COUNT(*) FROM transactions), (SELECT COUNT(*) FROM outbox)",
        )
        .fetch_one(&mut *conn)
        .await?;
        let by_user: Vec<crate::stats::UserRow> = sqlx::query_as(
            "SELECT u.id, u.display_name,
                    (SELECT COUNT(*) FROM accounts a WHERE a.user_id = u.id),
                    COUNT(t.id), MIN(t.posted_on), MAX(t.posted_on)
             FROM users u LEFT JOIN transactions t ON t.user_id = u.id
             GROUP BY u.id, u.display_name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let by_account_kind = sqlx::query_as(
            "SELECT a.kind, a.currency, COUNT(DISTINCT a.id), COUNT(t.id),
                    COALESCE(SUM(t.amount_minor), 0)
             FROM accounts a LEFT JOIN transactions t ON t.account_id = a.id
             GROUP BY a.kind, a.currency",
        )
        .fetch_all(&mut *conn)
        .await?;
        let by_category = sqlx::query_as(
            "SELECT CASE WHEN instr(category, '.') > 0
                         THEN substr(category, 1, instr(category, '.') - 1)
                         ELSE COALESCE(category, 'uncategorized') END AS root,
                    currency, COUNT(*), SUM(amount_minor)
             FROM transactions GROUP BY 1, 2",
        )
        .fetch_all(&mut *conn)
        .await?;
        conn.commit().await?;
        Ok(StatsRows {
            counts,
            by_user,
            by_account_kind,
            by_category,
        })
    }
}

/// Inserts a batch inside the caller's transaction: checks every record
/// against its account, then writes in multi-row statements; existing ids
/// are skipped and counted as duplicates.
pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    batch: &[NewTransaction],
    sealed: &[crate::sealing::SealedText],
) -> Result<InsertReport, StoreError> {
    let mut owners = AccountOwners::new();
    for account_id in distinct_accounts(batch) {
        let row: Option<(Uuid, String)> =
            sqlx::query_as("SELECT user_id, currency FROM accounts WHERE id = ?1")
                .bind(account_id.as_uuid())
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((user_id, currency)) = row {
            let currency = Currency::parse(&currency)
                .map_err(|e| StoreError::Corrupt(format!("account {account_id}: {e}")))?;
            owners.insert(account_id, (UserId::from_uuid(user_id), currency));
        }
    }
    let users = owners_of_batch(batch, &owners)?;
    let mut inserted = 0;
    for ((records, users), sealed) in batch
        .chunks(ROWS_PER_STATEMENT)
        .zip(users.chunks(ROWS_PER_STATEMENT))
        .zip(sealed.chunks(ROWS_PER_STATEMENT))
    {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO transactions (id, user_id, account_id, posted_on, occurred_at, \
             amount_minor, currency, description, merchant, mcc, category, category_source, \
             source, source_ref, description_terms) ",
        );
        let rows = records.iter().zip(users).zip(sealed);
        insert.push_values(rows, |mut row, ((record, user_id), sealed)| {
            row.push_bind(record.transaction_id().as_uuid())
                .push_bind(user_id.as_uuid())
                .push_bind(record.account_id.as_uuid())
                .push_bind(record.posted_on.date())
                .push_bind(record.occurred_at)
                .push_bind(record.amount.minor_units())
                .push_bind(record.amount.currency().code())
                .push_bind(sealed.description.clone())
                .push_bind(record.merchant.as_deref())
                .push_bind(record.mcc.map(|m| i32::from(m.code())))
                .push_bind(record.category.as_ref().map(|c| c.as_str()))
                .push_bind(record.category.as_ref().map(|_| CATEGORY_FROM_SOURCE))
                .push_bind(record.source.as_str())
                .push_bind(record.source_ref.as_deref())
                .push_bind(sealed.terms.clone());
        });
        insert.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
        let created: Vec<(Uuid,)> = insert.build_query_as().fetch_all(&mut *conn).await?;
        inserted += created.len() as u64;
        // daily_volumes, as the bulk path keeps it (no trigger on SQLite).
        let mut created: std::collections::HashSet<Uuid> =
            created.into_iter().map(|(id,)| id).collect();
        for record in records
            .iter()
            .filter(|r| created.remove(&r.transaction_id().as_uuid()))
        {
            sqlx::query(
                "INSERT INTO daily_volumes (source, account_id, day, transactions) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (source, account_id, day) DO UPDATE SET transactions = transactions + 1",
            )
            .bind(record.source.as_str())
            .bind(record.account_id.as_uuid())
            .bind(record.posted_on.date())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(InsertReport {
        inserted,
        duplicates: batch.len() as u64 - inserted,
    })
}
