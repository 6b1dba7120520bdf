//! [`IngestStore`](crate::IngestStore) on both backends: idempotency keys,
//! sealed batches, the quarantine, account references, CSV profiles and
//! import runs.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

#[async_trait::async_trait]
impl<B> crate::IngestStore for SqlStore<B>
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
{
    async fn claim_idempotency_key(
        &self,
        scope: crate::IdempotencyScope<'_>,
        request_hash: &str,
        times: crate::IdempotencyTimes,
    ) -> Result<crate::IdempotencyClaim, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        // An expired key, or a claim abandoned by a process that
        // died, is claimed afresh.
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2
             AND (created_at < $3 OR (response IS NULL AND created_at < $4))",
        )
        .bind(scope.principal)
        .bind(scope.key)
        .bind(times.expired_before)
        .bind(times.abandoned_before)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(scope.principal)
        .bind(scope.key)
        .bind(request_hash)
        .bind(times.now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let claim = if claimed == 1 {
            crate::IdempotencyClaim::New
        } else {
            let (hash, status, response): (String, Option<i32>, Option<String>) = sqlx::query_as(
                "SELECT request_hash, status, response FROM idempotency_keys
                     WHERE scope = $1 AND key = $2",
            )
            .bind(scope.principal)
            .bind(scope.key)
            .fetch_one(&mut *tx)
            .await?;
            match (hash == request_hash, status, response) {
                (false, _, _) => crate::IdempotencyClaim::Mismatch,
                (true, Some(status), Some(response)) => crate::IdempotencyClaim::Replay {
                    status: u16::try_from(status).unwrap_or(500),
                    response,
                },
                (true, _, _) => crate::IdempotencyClaim::InProgress,
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn complete_idempotency_key(
        &self,
        scope: crate::IdempotencyScope<'_>,
        status: u16,
        response: &str,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE idempotency_keys SET status = $3, response = $4
             WHERE scope = $1 AND key = $2",
        )
        .bind(scope.principal)
        .bind(scope.key)
        .bind(i32::from(status))
        .bind(response)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn release_idempotency_key(
        &self,
        scope: crate::IdempotencyScope<'_>,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM idempotency_keys
             WHERE scope = $1 AND key = $2 AND response IS NULL",
        )
        .bind(scope.principal)
        .bind(scope.key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_idempotency_keys(
        &self,
        before: OffsetDateTime,
    ) -> Result<u64, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let deleted = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }

    async fn seal_batch(
        &self,
        transactions: Vec<finsight_core::IdentifiedTransaction>,
        quarantine: Vec<crate::QuarantineEntry>,
    ) -> Result<crate::SealedBatch, crate::StoreError> {
        let (transactions, sealed) = self.seal_owned(transactions).await?;
        let sealed_quarantine = self.seal_quarantine(&quarantine).await?;
        Ok(crate::SealedBatch {
            transactions,
            sealed,
            quarantine,
            sealed_quarantine,
        })
    }

    async fn write_sealed_batch(
        &self,
        batch: crate::SealedBatch,
        now: OffsetDateTime,
    ) -> Result<crate::BatchReport, crate::StoreError> {
        self.backend.write_sealed(batch, now).await
    }

    async fn quarantine_page(
        &self,
        query: &crate::QuarantineQuery,
    ) -> Result<crate::QuarantinePage, crate::StoreError> {
        if !(1..=1000).contains(&query.limit) {
            return Err(finsight_core::ValidationError::new("limit", "must be 1 to 1000").into());
        }
        let (scope, owner) = match query.scope {
            crate::QuarantineScope::All => ("all", None),
            crate::QuarantineScope::Person(user) => ("person", Some(user.as_uuid())),
            crate::QuarantineScope::Tenant(tenant) => ("tenant", Some(tenant.as_uuid())),
        };
        // The scope narrows the rows before the limit, so no one's
        // records push anyone else's out of a page.
        let rows: Vec<crate::rows::QuarantineRow> = sqlx::query_as(
            "SELECT q.id, q.source, q.origin, q.location, q.raw, q.field, q.reason, q.record,
                    q.account_id, q.status, q.created_at, q.resolved_at, q.transaction_id
             FROM quarantine q
             WHERE ($1 IS NULL OR q.status = $1)
               AND ($2 = 'all'
                    OR ($2 = 'person' AND q.account_id IN (
                        SELECT a.id FROM accounts a
                        JOIN users u ON u.id = a.user_id
                        JOIN memberships m ON m.household_id = u.household_id
                        WHERE m.user_id = $3))
                    OR ($2 = 'tenant' AND q.account_id IN (
                        SELECT a.id FROM accounts a
                        JOIN users u ON u.id = a.user_id
                        WHERE u.tenant_id = $3)))
               AND ($4 IS NULL OR q.created_at < $4 OR (q.created_at = $4 AND q.id < $5))
             ORDER BY q.created_at DESC, q.id DESC LIMIT $6",
        )
        .bind(query.status.map(|s| s.as_str()))
        .bind(scope)
        .bind(owner)
        .bind(query.before.map(|c| c.created_at))
        .bind(query.before.map(|c| c.id))
        .bind(i64::from(query.limit) + 1)
        .fetch_all(self.read_pool())
        .await?;
        let more = rows.len() > query.limit as usize;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(query.limit as usize) {
            let record: crate::QuarantinedRecord = self.reveal_quarantine(row).await?.try_into()?;
            records.push(record);
        }
        let next = if more {
            records.last().map(|r| crate::QuarantineCursor {
                created_at: r.created_at,
                id: r.id,
            })
        } else {
            None
        };
        Ok(crate::QuarantinePage { records, next })
    }

    async fn quarantined_record(
        &self,
        id: Uuid,
    ) -> Result<Option<crate::QuarantinedRecord>, crate::StoreError> {
        let row: Option<crate::rows::QuarantineRow> = sqlx::query_as(
            "SELECT id, source, origin, location, raw, field, reason, record, account_id,
                    status, created_at, resolved_at, transaction_id
             FROM quarantine WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.read_pool())
        .await?;
        match row {
            Some(row) => Ok(Some(self.reveal_quarantine(row).await?.try_into()?)),
            None => Ok(None),
        }
    }

    async fn resolve_quarantined(
        &self,
        id: Uuid,
        transaction: &finsight_core::NewTransaction,
        now: OffsetDateTime,
    ) -> Result<crate::InsertReport, crate::StoreError> {
        let sealed = self
            .seal_records(&[(transaction.transaction_id(), transaction)])
            .await?;
        let mut tx = self.write_tx().await?;
        let report = B::insert_in(&mut tx, std::slice::from_ref(transaction), &sealed).await?;
        let updated = sqlx::query(
            "UPDATE quarantine SET status = 'resolved', resolved_at = $2, transaction_id = $3
             WHERE id = $1 AND status = 'open'",
        )
        .bind(id)
        .bind(now)
        .bind(transaction.transaction_id().as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(finsight_core::ValidationError::new(
                "id",
                format!("no open quarantined record {id}"),
            )
            .into());
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn update_quarantine_reason(
        &self,
        id: Uuid,
        field: &str,
        reason: &str,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE quarantine SET field = $2, reason = $3 WHERE id = $1")
            .bind(id)
            .bind(field)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn bind_account_reference(
        &self,
        reference: &str,
        account: finsight_core::AccountId,
    ) -> Result<crate::ReferenceBinding, crate::StoreError> {
        let index = self.reference_index(reference).await?;
        let owner: Option<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT u.tenant_id, u.household_id FROM accounts a JOIN users u ON u.id = a.user_id
             WHERE a.id = $1",
        )
        .bind(account.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        let (tenant, household) = owner.ok_or_else(|| {
            finsight_core::ValidationError::new(
                "account",
                format!("account {account} does not exist"),
            )
        })?;
        let sealed = self
            .seal_value(
                finsight_core::TenantId::from_uuid(tenant),
                crate::sealing::column::ACCOUNT_REFERENCE,
                index.as_bytes(),
                reference,
            )
            .await?;
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO account_references (household_id, reference_index, reference, account_id)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (household_id, reference_index) DO NOTHING",
        )
        .bind(household)
        .bind(index)
        .bind(&sealed)
        .bind(account.as_uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let binding = if inserted == 1 {
            crate::ReferenceBinding::Bound
        } else {
            let (bound,): (Uuid,) = sqlx::query_as(
                "SELECT account_id FROM account_references
                 WHERE household_id = $1 AND reference_index = $2",
            )
            .bind(household)
            .bind(index)
            .fetch_one(&mut *tx)
            .await?;
            if bound == account.as_uuid() {
                crate::ReferenceBinding::Unchanged
            } else {
                crate::ReferenceBinding::Conflict
            }
        };
        tx.commit().await?;
        Ok(binding)
    }

    async fn accounts_for_reference(
        &self,
        reference: &str,
    ) -> Result<Vec<finsight_core::AccountId>, crate::StoreError> {
        let index = self.reference_index(reference).await?;
        let rows: Vec<(Uuid,)> = sqlx::query_as(
            "SELECT account_id FROM account_references WHERE reference_index = $1
             ORDER BY account_id",
        )
        .bind(index)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(account,)| finsight_core::AccountId::from_uuid(account))
            .collect())
    }

    async fn account_aliases(
        &self,
    ) -> Result<Vec<(String, finsight_core::AccountId)>, crate::StoreError> {
        let rows: Vec<(Uuid, String, Uuid)> =
            sqlx::query_as("SELECT reference_index, reference, account_id FROM account_references")
                .fetch_all(self.read_pool())
                .await?;
        let mut aliases = Vec::with_capacity(rows.len());
        for (index, sealed, account) in rows {
            let reference = self
                .reveal(
                    crate::sealing::column::ACCOUNT_REFERENCE,
                    index.as_bytes(),
                    &sealed,
                )
                .await?;
            aliases.push((reference, finsight_core::AccountId::from_uuid(account)));
        }
        aliases.sort();
        Ok(aliases)
    }

    async fn save_csv_profile(
        &self,
        name: &str,
        profile_json: &str,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO csv_profiles (name, profile, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET profile = excluded.profile,
                 updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(profile_json)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn csv_profile(&self, name: &str) -> Result<Option<String>, crate::StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT profile FROM csv_profiles WHERE name = $1")
                .bind(name)
                .fetch_optional(self.read_pool())
                .await?;
        Ok(row.map(|(p,)| p))
    }

    async fn record_import_run(&self, run: &crate::ImportRun) -> Result<(), crate::StoreError> {
        let columns = (!run.columns.is_empty())
            .then(|| serde_json::to_string(&run.columns))
            .transpose()
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO import_runs (id, source, origin, account_id, started_at,
                 finished_at, accepted, duplicates, quarantined, columns)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(run.id)
        .bind(&run.source)
        .bind(&run.origin)
        .bind(run.account_id.map(|a| a.as_uuid()))
        .bind(run.started_at)
        .bind(run.finished_at)
        .bind(run.accepted as i64)
        .bind(run.duplicates as i64)
        .bind(run.quarantined as i64)
        .bind(columns)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_runs(
        &self,
        since: OffsetDateTime,
    ) -> Result<Vec<crate::ImportRun>, crate::StoreError> {
        let rows: Vec<crate::rows::ImportRunRow> = sqlx::query_as(
            "SELECT id, source, origin, account_id, started_at, finished_at, accepted,
                    duplicates, quarantined, columns
             FROM import_runs WHERE finished_at >= $1 ORDER BY finished_at, id",
        )
        .bind(since)
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn daily_counts(&self, since: Date) -> Result<Vec<crate::DailyCount>, crate::StoreError> {
        let rows: Vec<(String, Uuid, Date, i64)> = sqlx::query_as(
            "SELECT source, account_id, day, transactions FROM daily_volumes
             WHERE day >= $1 ORDER BY source, account_id, day",
        )
        .bind(since)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(source, account, day, count)| crate::DailyCount {
                source,
                account_id: finsight_core::AccountId::from_uuid(account),
                day,
                transactions: crate::rows::to_u64(count),
            })
            .collect())
    }

    async fn last_posted(
        &self,
    ) -> Result<Vec<(String, finsight_core::AccountId, Date)>, crate::StoreError> {
        let rows: Vec<(String, Uuid, Date)> = sqlx::query_as(
            "SELECT source, account_id, MAX(day) FROM daily_volumes
             GROUP BY source, account_id ORDER BY source, account_id",
        )
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(s, a, d)| (s, finsight_core::AccountId::from_uuid(a), d))
            .collect())
    }
}
