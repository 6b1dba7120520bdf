//! The SQLite bulk write path: one prepared single-row insert reused for
//! every record, on the raw SQLite C API through rusqlite (which links the
//! same bundled libsqlite3 as sqlx). Binding fourteen values per row
//! through sqlx's argument buffers cost more than SQLite's own work; this
//! path removes that (bench/RESULTS.md). It runs on a blocking thread and
//! writes exactly what the sqlx path writes, in the same formats.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use finsight_core::{Currency, IdentifiedTransaction, UserId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::rows::{AccountOwners, CATEGORY_FROM_SOURCE, distinct_accounts, owners_of_batch};
use crate::sealing::SealedText;
use crate::{BatchReport, InsertReport, QuarantineEntry, StoreError};

/// A dedicated writer connection for bulk batches.
#[derive(Clone)]
pub(crate) struct BulkWriter {
    connection: Arc<Mutex<Connection>>,
}

fn bulk_error(error: rusqlite::Error) -> StoreError {
    StoreError::Bulk(error)
}

fn timestamp(at: OffsetDateTime) -> Result<String, StoreError> {
    at.format(&Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {at}: {e}")))
}

impl BulkWriter {
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(bulk_error)?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(bulk_error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;",
            )
            .map_err(bulk_error)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Writes transactions (with their outbox and volume rows, by trigger)
    /// and quarantine entries in one `BEGIN IMMEDIATE` transaction.
    /// `sealed` and `sealed_quarantine` are the encrypted personal text of
    /// `transactions` and `quarantine`, in the same order.
    pub(crate) async fn write(
        &self,
        transactions: Vec<IdentifiedTransaction>,
        sealed: Vec<SealedText>,
        quarantine: Vec<QuarantineEntry>,
        sealed_quarantine: Vec<(String, Option<String>)>,
        now: OffsetDateTime,
    ) -> Result<BatchReport, StoreError> {
        self.on_writer(move |connection| {
            write_blocking(
                connection,
                &transactions,
                &sealed,
                &quarantine,
                &sealed_quarantine,
                now,
            )
        })
        .await
    }

    /// Runs `work` on the writer connection, on a blocking thread.
    async fn on_writer<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().map_err(|_| StoreError::Task {
                task: "bulk writer",
                reason: "an earlier write panicked".into(),
            })?;
            work(&mut connection)
        })
        .await
        .map_err(|e| StoreError::Task {
            task: "bulk writer",
            reason: e.to_string(),
        })?
    }
}

impl BulkWriter {
    /// Appends feature facts with one prepared `INSERT OR IGNORE` reused
    /// per row (sqlx's argument buffers cost more than SQLite's work here
    /// too); per fact, whether it was new.
    pub(crate) async fn append_facts(
        &self,
        facts: Vec<finsight_features::LedgerFact>,
    ) -> Result<Vec<bool>, StoreError> {
        self.on_writer(move |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(bulk_error)?;
            let mut flags = Vec::with_capacity(facts.len());
            {
                let mut insert = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO feature_facts (seq, transaction_id, user_id,
                         account_id, category, merchant, event_at, created_at, value)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )
                    .map_err(bulk_error)?;
                for f in &facts {
                    let changed = insert
                        .execute(params![
                            f.seq,
                            f.id,
                            f.user,
                            f.account,
                            f.category,
                            f.merchant,
                            f.at,
                            f.created_at,
                            f.value
                        ])
                        .map_err(bulk_error)?;
                    flags.push(changed == 1);
                }
            }
            tx.commit().map_err(bulk_error)?;
            Ok(flags)
        })
        .await
    }
}

fn write_blocking(
    connection: &mut Connection,
    batch: &[IdentifiedTransaction],
    sealed: &[SealedText],
    quarantine: &[QuarantineEntry],
    sealed_quarantine: &[(String, Option<String>)],
    now: OffsetDateTime,
) -> Result<BatchReport, StoreError> {
    let tx = connection
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(bulk_error)?;
    let records: Vec<&finsight_core::NewTransaction> = batch.iter().map(|t| t.record()).collect();
    let mut owners = AccountOwners::new();
    {
        let mut account = tx
            .prepare_cached("SELECT user_id, currency FROM accounts WHERE id = ?1")
            .map_err(bulk_error)?;
        for account_id in distinct_accounts(records.iter().copied()) {
            let row: Option<(Vec<u8>, String)> = account
                .query_row(params![account_id.as_uuid().as_bytes().as_slice()], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()
                .map_err(bulk_error)?;
            if let Some((user, currency)) = row {
                let user = uuid::Uuid::from_slice(&user)
                    .map_err(|e| StoreError::Corrupt(format!("account {account_id}: {e}")))?;
                let currency = Currency::parse(&currency)
                    .map_err(|e| StoreError::Corrupt(format!("account {account_id}: {e}")))?;
                owners.insert(account_id, (UserId::from_uuid(user), currency));
            }
        }
    }
    let users = owners_of_batch(records.iter().copied(), &owners)?;
    let mut inserted = 0u64;
    let mut volumes: BTreeMap<(&str, uuid::Uuid, String), i64> = BTreeMap::new();
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO transactions (id, user_id, account_id, posted_on, occurred_at,
                     amount_minor, currency, description, merchant, mcc, category, category_source,
                     source, source_ref, description_terms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT (id) DO NOTHING",
            )
            .map_err(bulk_error)?;
        for ((identified, user), sealed) in batch.iter().zip(&users).zip(sealed) {
            let record = identified.record();
            let id = identified.id().as_uuid();
            let occurred_at = record.occurred_at.map(timestamp).transpose()?;
            let posted_on = record.posted_on.to_string();
            let created = insert
                .execute(params![
                    id.as_bytes().as_slice(),
                    user.as_uuid().as_bytes().as_slice(),
                    record.account_id.as_uuid().as_bytes().as_slice(),
                    posted_on,
                    occurred_at,
                    record.amount.minor_units(),
                    record.amount.currency().code(),
                    sealed.description,
                    record.merchant.as_deref(),
                    record.mcc.map(|m| i32::from(m.code())),
                    record.category.as_ref().map(|c| c.as_str()),
                    record.category.as_ref().map(|_| CATEGORY_FROM_SOURCE),
                    record.source.as_str(),
                    record.source_ref.as_deref(),
                    sealed.terms,
                ])
                .map_err(bulk_error)? as u64;
            if created == 1 {
                inserted += 1;
                *volumes
                    .entry((
                        record.source.as_str(),
                        record.account_id.as_uuid(),
                        posted_on,
                    ))
                    .or_default() += 1;
            }
        }
        let mut volume = tx
            .prepare_cached(
                "INSERT INTO daily_volumes (source, account_id, day, transactions)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (source, account_id, day)
                     DO UPDATE SET transactions = transactions + excluded.transactions",
            )
            .map_err(bulk_error)?;
        for ((source, account, day), count) in volumes {
            volume
                .execute(params![source, account.as_bytes().as_slice(), day, count])
                .map_err(bulk_error)?;
        }
    }
    let mut quarantined = 0u64;
    if !quarantine.is_empty() {
        let created_at = timestamp(now)?;
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO quarantine (id, source, origin, location, raw, field, reason, record,
                     account_id, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10)
                 ON CONFLICT (id) DO NOTHING",
            )
            .map_err(bulk_error)?;
        for (entry, (raw, record)) in quarantine.iter().zip(sealed_quarantine) {
            quarantined += insert
                .execute(params![
                    entry.id().as_bytes().as_slice(),
                    entry.source,
                    entry.origin,
                    entry.location,
                    raw,
                    entry.field,
                    entry.reason,
                    record,
                    entry.account_id.map(|a| a.as_uuid().as_bytes().to_vec()),
                    created_at,
                ])
                .map_err(bulk_error)? as u64;
        }
    }
    tx.commit().map_err(bulk_error)?;
    Ok(BatchReport {
        ledger: InsertReport {
            inserted,
            duplicates: batch.len() as u64 - inserted,
        },
        quarantined,
    })
}
