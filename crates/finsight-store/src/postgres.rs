//! The scale-out backend: PostgreSQL, shared by any number of stateless
//! replicas. Batches are written with one `UNNEST` insert per chunk, so a
//! large batch costs a few round trips, not one per row.

use std::time::Duration;

use finsight_core::{AccountId, Currency, NewTransaction, UserId};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::rows::{AccountOwners, CATEGORY_FROM_SOURCE, distinct_accounts, owners_of_batch};
use crate::sql::{Backend, SqlStore};
use crate::stats::StatsRows;
use crate::{BatchReport, InsertReport, SealedBatch, StoreError};

/// Rows per `UNNEST` insert: bounds the size of one statement's arrays.
const ROWS_PER_STATEMENT: usize = 5000;

/// The scale-out store: PostgreSQL behind every store trait.
pub type PostgresStore = SqlStore<PostgresBackend>;

/// PostgreSQL's pool, and the connections that hold leadership locks.
pub struct PostgresBackend {
    pool: PgPool,
    /// Connections holding leadership advisory locks, by role.
    leadership: tokio::sync::Mutex<std::collections::HashMap<String, sqlx::PgConnection>>,
}

impl PostgresStore {
    pub async fn open(
        url: &str,
        kek: &crate::vault::Kek,
        clock: std::sync::Arc<dyn finsight_core::Clock>,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(SqlStore::new(
            PostgresBackend {
                pool,
                leadership: tokio::sync::Mutex::new(std::collections::HashMap::new()),
            },
            kek,
            clock,
        ))
    }
}

impl Backend for PostgresBackend {
    type Db = sqlx::Postgres;

    const AUDIT_LOCK: &'static str = "LOCK TABLE audit_log IN EXCLUSIVE MODE";
    const KEY_LOCK: &'static str = "LOCK TABLE data_keys IN EXCLUSIVE MODE";
    const MONTHLY_TOTALS: &'static str = "SELECT to_char(posted_on, 'YYYY-MM') AS month,
                    COALESCE(category, 'uncategorized') AS category,
                    currency,
                    SUM(amount_minor)::BIGINT AS total_minor,
                    COUNT(*) AS count
             FROM transactions
             WHERE user_id = $1 AND posted_on >= $2 AND posted_on < $3
             GROUP BY 1, 2, 3
             ORDER BY 1, 2, 3";

    fn transactions_page_sql() -> &'static str {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT id, user_id, account_id, posted_on, occurred_at, amount_minor, currency,
                        description, merchant, mcc, category, category_source, source, source_ref,
                        notes
                 FROM transactions
                 WHERE user_id = $1
                   AND ($2::uuid IS NULL OR account_id = $2)
                   AND ($3::date IS NULL OR posted_on >= $3)
                   AND ($4::date IS NULL OR posted_on <= $4)
                   AND ($5::text IS NULL OR category = $5 OR left(category, length($5) + 1) = $5 || '.')
                   AND ($6::date IS NULL OR (posted_on, id) < ($6, $7::uuid))
                   AND ($9::bigint IS NULL OR {amount} >= $9)
                   AND ($10::bigint IS NULL OR {amount} <= $10)
                   AND ($11::text IS NULL OR description_terms LIKE $12::text
                        OR lower(COALESCE(merchant, '')) LIKE $11 ESCAPE '\\')
                 ORDER BY posted_on DESC, id DESC
                 LIMIT $8",
                amount = crate::ledger::AMOUNT_E4_SQL.as_str()
            )
        });
        SQL.as_str()
    }

    fn push_parameter(sql: &mut String, n: usize) {
        use std::fmt::Write as _;
        let _ = write!(sql, "${n}");
    }

    fn read_pool(&self) -> &PgPool {
        &self.pool
    }

    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// Transactions and quarantine entries in one commit.
    async fn write_sealed(
        &self,
        batch: SealedBatch,
        now: time::OffsetDateTime,
    ) -> Result<BatchReport, StoreError> {
        let SealedBatch {
            transactions,
            sealed,
            quarantine,
            sealed_quarantine,
        } = batch;
        let mut tx = self.pool.begin().await?;
        let ledger = if transactions.is_empty() {
            InsertReport::default()
        } else {
            {
                let records: Vec<NewTransaction> =
                    transactions.into_iter().map(|t| t.into_record()).collect();
                insert_in(&mut tx, &records, &sealed).await?
            }
        };
        let mut quarantined = 0;
        for (entry, (raw, record)) in quarantine.iter().zip(&sealed_quarantine) {
            quarantined += sqlx::query(
                "INSERT INTO quarantine (id, source, origin, location, raw, field, reason,
                             record, account_id, status, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)
                         ON CONFLICT (id) DO NOTHING",
            )
            .bind(entry.id())
            .bind(&entry.source)
            .bind(&entry.origin)
            .bind(&entry.location)
            .bind(raw)
            .bind(&entry.field)
            .bind(&entry.reason)
            .bind(record.as_deref())
            .bind(entry.account_id.map(|a| a.as_uuid()))
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(BatchReport {
            ledger,
            quarantined,
        })
    }

    async fn insert_in<'a>(
        conn: &'a mut PgConnection,
        batch: &'a [NewTransaction],
        sealed: &'a [crate::sealing::SealedText],
    ) -> Result<InsertReport, StoreError> {
        insert_in(conn, batch, sealed).await
    }

    /// Multi-row inserts of up to 1,000 facts, the new ones returned.
    async fn append_facts(
        &self,
        facts: &[finsight_features::LedgerFact],
    ) -> Result<Vec<bool>, StoreError> {
        let mut flags = Vec::with_capacity(facts.len());
        let mut tx = self.write_tx().await?;
        for chunk in facts.chunks(1000) {
            let sql = format!(
                "INSERT INTO feature_facts (seq, transaction_id, user_id, account_id, category,
                 merchant, event_at, created_at, value) VALUES {}
                 ON CONFLICT (seq) DO NOTHING RETURNING seq",
                crate::sql::placeholders::<Self>(chunk.len(), 9)
            );
            let mut query = sqlx::query_scalar::<_, i64>(&sql);
            for f in chunk {
                query = query
                    .bind(f.seq)
                    .bind(f.id.as_str())
                    .bind(f.user.as_str())
                    .bind(f.account.as_str())
                    .bind(f.category.as_deref())
                    .bind(f.merchant.as_deref())
                    .bind(f.at)
                    .bind(f.created_at)
                    .bind(f.value);
            }
            let inserted: std::collections::HashSet<i64> =
                query.fetch_all(&mut *tx).await?.into_iter().collect();
            flags.extend(chunk.iter().map(|f| inserted.contains(&f.seq)));
        }
        tx.commit().await?;
        Ok(flags)
    }

    /// A session advisory lock keyed by the role's name, held on a
    /// connection kept for as long as this process lives: when it dies,
    /// PostgreSQL releases the lock and another replica takes over.
    async fn try_lead(&self, role: &str) -> Result<bool, StoreError> {
        let mut held = self.leadership.lock().await;
        if held.contains_key(role) {
            return Ok(true);
        }
        let mut connection = self.pool.acquire().await?;
        let (locked,): (bool,) =
            sqlx::query_as("SELECT pg_try_advisory_lock(hashtext('finsight:' || $1))")
                .bind(role)
                .fetch_one(&mut *connection)
                .await?;
        if locked {
            held.insert(role.to_owned(), connection.detach());
        }
        Ok(locked)
    }

    async fn stats_rows(&self) -> Result<StatsRows, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *tx)
            .await?;
        let counts: (i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM tenants), (SELECT COUNT(*) FROM households),
                    (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM accounts),
                    (SELECT COUNT(*) FROM transactions), (SELECT COUNT(*) FROM outbox)",
        )
        .fetch_one(&mut *tx)
        .await?;
        let by_user: Vec<crate::stats::UserRow> = sqlx::query_as(
            "SELECT u.id, u.display_name,
                    (SELECT COUNT(*) FROM accounts a WHERE a.user_id = u.id),
                    COUNT(t.id), to_char(MIN(t.posted_on), 'YYYY-MM-DD'),
                    to_char(MAX(t.posted_on), 'YYYY-MM-DD')
             FROM users u LEFT JOIN transactions t ON t.user_id = u.id
             GROUP BY u.id, u.display_name",
        )
        .fetch_all(&mut *tx)
        .await?;
        let by_account_kind = sqlx::query_as(
            "SELECT a.kind, a.currency::text, COUNT(DISTINCT a.id), COUNT(t.id),
                    COALESCE(SUM(t.amount_minor), 0)::BIGINT
             FROM accounts a LEFT JOIN transactions t ON t.account_id = a.id
             GROUP BY a.kind, a.currency",
        )
        .fetch_all(&mut *tx)
        .await?;
        let by_category = sqlx::query_as(
            "SELECT split_part(COALESCE(category, 'uncategorized'), '.', 1) AS root,
                    currency, COUNT(*), SUM(amount_minor)::BIGINT
             FROM transactions GROUP BY 1, 2",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(StatsRows {
            counts,
            by_user,
            by_account_kind,
            by_category,
        })
    }
}

/// One column array per transaction field, for `UNNEST`.
#[derive(Default)]
struct Columns<'a> {
    id: Vec<Uuid>,
    user_id: Vec<Uuid>,
    account_id: Vec<Uuid>,
    posted_on: Vec<Date>,
    occurred_at: Vec<Option<OffsetDateTime>>,
    amount_minor: Vec<i64>,
    currency: Vec<&'static str>,
    description: Vec<&'a str>,
    merchant: Vec<Option<&'a str>>,
    mcc: Vec<Option<i32>>,
    category: Vec<Option<&'a str>>,
    category_source: Vec<Option<&'static str>>,
    source: Vec<&'a str>,
    source_ref: Vec<Option<&'a str>>,
    description_terms: Vec<&'a str>,
}

impl<'a> Columns<'a> {
    fn push(
        &mut self,
        record: &'a NewTransaction,
        user_id: UserId,
        sealed: &'a crate::sealing::SealedText,
    ) {
        self.id.push(record.transaction_id().as_uuid());
        self.user_id.push(user_id.as_uuid());
        self.account_id.push(record.account_id.as_uuid());
        self.posted_on.push(record.posted_on.date());
        self.occurred_at.push(record.occurred_at);
        self.amount_minor.push(record.amount.minor_units());
        self.currency.push(record.amount.currency().code());
        self.description.push(&sealed.description);
        self.description_terms.push(&sealed.terms);
        self.merchant.push(record.merchant.as_deref());
        self.mcc.push(record.mcc.map(|m| i32::from(m.code())));
        self.category
            .push(record.category.as_ref().map(|c| c.as_str()));
        self.category_source
            .push(record.category.as_ref().map(|_| CATEGORY_FROM_SOURCE));
        self.source.push(record.source.as_str());
        self.source_ref.push(record.source_ref.as_deref());
    }
}

/// Inserts a batch inside the caller's transaction (see the SQLite twin).
pub(crate) async fn insert_in(
    conn: &mut PgConnection,
    batch: &[NewTransaction],
    sealed: &[crate::sealing::SealedText],
) -> Result<InsertReport, StoreError> {
    // Writers take turns on the outbox, so its sequence numbers become
    // visible in order: a reader that has seen seq N never later finds an
    // N-1 committed behind its back. (Self-conflicting; readers unaffected.)
    sqlx::query("LOCK TABLE outbox IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    let account_ids: Vec<Uuid> = distinct_accounts(batch)
        .into_iter()
        .map(|a| a.as_uuid())
        .collect();
    let rows: Vec<(Uuid, Uuid, String)> =
        sqlx::query_as("SELECT id, user_id, currency FROM accounts WHERE id = ANY($1)")
            .bind(&account_ids)
            .fetch_all(&mut *conn)
            .await?;
    let mut owners = AccountOwners::new();
    for (id, user_id, currency) in rows {
        let currency = Currency::parse(&currency)
            .map_err(|e| StoreError::Corrupt(format!("account {id}: {e}")))?;
        owners.insert(
            AccountId::from_uuid(id),
            (UserId::from_uuid(user_id), currency),
        );
    }
    let users = owners_of_batch(batch, &owners)?;
    let mut inserted = 0;
    for ((records, users), sealed) in batch
        .chunks(ROWS_PER_STATEMENT)
        .zip(users.chunks(ROWS_PER_STATEMENT))
        .zip(sealed.chunks(ROWS_PER_STATEMENT))
    {
        let mut columns = Columns::default();
        for ((record, user_id), sealed) in records.iter().zip(users).zip(sealed) {
            columns.push(record, *user_id, sealed);
        }
        inserted += sqlx::query(
            "INSERT INTO transactions (id, user_id, account_id, posted_on, occurred_at,
                 amount_minor, currency, description, merchant, mcc, category, category_source,
                 source, source_ref, description_terms)
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::date[],
                 $5::timestamptz[], $6::int8[], $7::text[], $8::text[], $9::text[], $10::int4[],
                 $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&columns.id)
        .bind(&columns.user_id)
        .bind(&columns.account_id)
        .bind(&columns.posted_on)
        .bind(&columns.occurred_at)
        .bind(&columns.amount_minor)
        .bind(&columns.currency)
        .bind(&columns.description)
        .bind(&columns.merchant)
        .bind(&columns.mcc)
        .bind(&columns.category)
        .bind(&columns.category_source)
        .bind(&columns.source)
        .bind(&columns.source_ref)
        .bind(&columns.description_terms)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(InsertReport {
        inserted,
        duplicates: batch.len() as u64 - inserted,
    })
}
