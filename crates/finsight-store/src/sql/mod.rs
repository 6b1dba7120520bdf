//! The SQL behind every store trait, written once for both backends.
//!
//! [`SqlStore<B>`] is generic over a [`Backend`] (SQLite or PostgreSQL).
//! Statements that read and write the same on both (sqlx accepts `$N`
//! parameters on SQLite too) live here, one file per store trait
//! (`impl<B> IngestStore for SqlStore<B>` in `sql/ingest.rs`), so a reader
//! goes from a trait method to its SQL in one hop. What differs by dialect
//! — the bulk insert path, leadership, a few statements — is a method or a
//! constant of [`Backend`], implemented in `sqlite.rs` and `postgres.rs`.
//!
//! Every impl carries the same `where` clause: it names the column types a
//! backend must bind and read. Rust does not
//! carry such bounds from a trait to its users (trait aliases are
//! unstable), so each generic impl states them.

use std::future::Future;
use std::sync::Arc;

use finsight_core::NewTransaction;
use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Transaction, Type,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::sealing::SealedText;
use crate::stats::StatsRows;
use crate::vault::{Kek, Vault};
use crate::{BatchReport, InsertReport, SealedBatch, Store, StoreError};

mod alerts;
mod audit;
mod categorizations;
mod features;
mod identity;
mod ingest;
mod invitations;
mod jobs;
mod keys;
mod ledger;
mod planning;
mod preferences;
mod processing;
mod registry;
mod sealing;
mod throttle;
mod tracking;

/// The sqlx database of a backend.
pub type Db<B> = <B as Backend>::Db;

/// What differs between the embedded and the scale-out database.
pub trait Backend: Send + Sync + 'static {
    type Db: Database<QueryResult: RowsAffected>;

    /// Appends parameter `n` (from 1) of a statement built at run time:
    /// `$n` on PostgreSQL, a plain `?` on SQLite, where parameters are
    /// bound in order and any named or numbered one costs a linear search
    /// per parameter (quadratic for a thousand-row `VALUES` list).
    fn push_parameter(sql: &mut String, n: usize);

    /// Serialises appends to the audit chain inside a write transaction
    /// ("" where write transactions are already exclusive).
    const AUDIT_LOCK: &'static str;
    /// Serialises key rotations, likewise.
    const KEY_LOCK: &'static str;
    /// `LedgerStore::monthly_category_totals`: `$1` user, `$2` from, `$3` until.
    const MONTHLY_TOTALS: &'static str;

    /// `LedgerStore::transactions`: the filters of a [`crate::TransactionQuery`]
    /// as `$1`…`$12` (see `sql/ledger.rs` for the binding order).
    fn transactions_page_sql() -> &'static str;

    fn read_pool(&self) -> &Pool<Self::Db>;

    /// A transaction that may write.
    fn write_tx(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, StoreError>> + Send;

    /// Applies this dialect's migrations.
    fn migrate(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Writes sealed transactions and quarantine entries in one commit.
    fn write_sealed(
        &self,
        batch: SealedBatch,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<BatchReport, StoreError>> + Send;

    /// Inserts sealed records inside the caller's transaction: checks every
    /// record against its account; existing ids count as duplicates.
    fn insert_in<'a>(
        conn: &'a mut <Self::Db as Database>::Connection,
        batch: &'a [NewTransaction],
        sealed: &'a [SealedText],
    ) -> impl Future<Output = Result<InsertReport, StoreError>> + Send + 'a;

    /// Appends feature facts, skipping ones already logged; per fact,
    /// whether it was new (`FeatureStore::append_ledger_facts`).
    fn append_facts(
        &self,
        facts: &[finsight_features::LedgerFact],
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Whether this process leads `role` (see `JobStore::try_lead`).
    fn try_lead(&self, role: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The rows behind `LedgerStore::stats`, from one snapshot.
    fn stats_rows(&self) -> impl Future<Output = Result<StatsRows, StoreError>> + Send;
}

/// Parameter `n` in the backend's style. Statements that number their
/// parameters in the order they appear can mix lists and single values
/// (SQLite numbers a `?` after the ones before it).
pub(crate) fn parameter<B: Backend>(n: usize) -> String {
    let mut text = String::new();
    B::push_parameter(&mut text, n);
    text
}

/// Parameters 1 to `count`, comma-separated: an `IN (…)` list.
pub(crate) fn parameter_list<B: Backend>(count: usize) -> String {
    (1..=count)
        .map(parameter::<B>)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "`what` already exists", naming `field`: a unique name taken.
pub(crate) fn already_exists(field: &'static str, what: String) -> StoreError {
    StoreError::Invalid(finsight_core::ValidationError::new(
        field,
        format!("{what} already exists"),
    ))
}

/// "`what` does not exist", naming `field`: a reference to nothing.
pub(crate) fn missing(field: &'static str, what: String) -> StoreError {
    StoreError::Invalid(finsight_core::ValidationError::new(
        field,
        format!("{what} does not exist"),
    ))
}

/// A search page as SQL `LIMIT` and `OFFSET` (at most 1,000 rows).
pub(crate) fn page_bounds(page: crate::Page) -> (i64, i64) {
    (i64::from(page.limit.clamp(1, 1000)), i64::from(page.offset))
}

/// `$1, $2, …` for a list of `rows` values, or `($1, $2), ($3, $4), …`
/// for rows of several `columns`, in the backend's parameter style.
pub(crate) fn placeholders<B: Backend>(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        if columns > 1 {
            sql.push('(');
        }
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            B::push_parameter(&mut sql, row * columns + column + 1);
        }
        if columns > 1 {
            sql.push(')');
        }
    }
    sql
}

/// How many rows a statement changed (each driver has its own result type).
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows_affected(&self) -> u64 {
        self.rows_affected()
    }
}

/// A store on a SQL backend: the backend's connections and the vault that
/// seals personal fields.
pub struct SqlStore<B> {
    backend: B,
    vault: Arc<Vault>,
    /// Dates the keys the store creates on first use.
    clock: Arc<dyn finsight_core::Clock>,
}

impl<B: Backend> SqlStore<B> {
    pub(crate) fn new(backend: B, kek: &Kek, clock: Arc<dyn finsight_core::Clock>) -> Self {
        Self {
            backend,
            vault: Arc::new(Vault::new(kek)),
            clock,
        }
    }

    fn read_pool(&self) -> &Pool<Db<B>> {
        self.backend.read_pool()
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Db<B>>, StoreError> {
        self.backend.write_tx().await
    }
}

#[async_trait::async_trait]
impl<B> Store for SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> f64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
{
    async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrate().await?;
        self.seal_legacy_aliases().await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.read_pool()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_then_columns() {
        use crate::postgres::PostgresBackend;
        use crate::sqlite::SqliteBackend;
        assert_eq!(super::placeholders::<PostgresBackend>(3, 1), "$1, $2, $3");
        assert_eq!(super::placeholders::<SqliteBackend>(2, 2), "(?, ?), (?, ?)");
    }
}
