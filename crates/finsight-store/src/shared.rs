//! Statements that read and write the same on both backends (sqlx accepts
//! `$N` parameters on SQLite too), written once as macros over the
//! backend's connection or pool. Each expands inside an `async fn` that
//! returns `Result<_, StoreError>`, so `?` propagates from there.

/// Inserts or updates a [`Directory`](crate::Directory) inside the open
/// transaction `$tx`. An account whose owner, kind or currency would change
/// is refused, naming it.
macro_rules! upsert_directory_in {
    ($tx:ident, $directory:expr, $sealed:expr) => {
        for tenant in &$directory.tenants {
            sqlx::query(
                "INSERT INTO tenants (id, name) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(tenant.id.as_uuid())
            .bind(&tenant.name)
            .execute(&mut *$tx)
            .await?;
        }
        for (household, name) in $directory.households.iter().zip(&$sealed.0) {
            sqlx::query(
                "INSERT INTO households (id, tenant_id, name) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(household.id.as_uuid())
            .bind(household.tenant_id.as_uuid())
            .bind(name)
            .execute(&mut *$tx)
            .await?;
        }
        for (user, name) in $directory.users.iter().zip(&$sealed.1) {
            sqlx::query(
                "INSERT INTO users (id, tenant_id, household_id, display_name)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name",
            )
            .bind(user.id.as_uuid())
            .bind(user.tenant_id.as_uuid())
            .bind(user.household_id.as_uuid())
            .bind(name)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "INSERT INTO memberships (household_id, user_id, role) VALUES ($1, $2, 'owner')
                 ON CONFLICT (household_id, user_id) DO NOTHING",
            )
            .bind(user.household_id.as_uuid())
            .bind(user.id.as_uuid())
            .execute(&mut *$tx)
            .await?;
        }
        for (index, account) in $directory.accounts.iter().enumerate() {
            let written = sqlx::query(
                "INSERT INTO accounts (id, user_id, kind, currency, name, institution, closed_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (id) DO UPDATE
                 SET name = excluded.name, institution = excluded.institution,
                     closed_on = excluded.closed_on
                 WHERE accounts.user_id = excluded.user_id AND accounts.kind = excluded.kind
                   AND accounts.currency = excluded.currency",
            )
            .bind(account.id.as_uuid())
            .bind(account.user_id.as_uuid())
            .bind(account.kind.as_str())
            .bind(account.currency.code())
            .bind(&account.name)
            .bind(&account.institution)
            .bind(account.closed_on)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if written == 0 {
                return Err($crate::rows::account_changed(index, account.id).into());
            }
        }
    };
}

/// `DirectoryStore::account`, `accounts_of_user` and `users`, and
/// `LedgerStore::outbox_after`, over the pool `$pool`.
macro_rules! fetch_account {
    ($pool:expr, $id:expr) => {{
        let row: Option<$crate::rows::AccountRow> = sqlx::query_as(
            "SELECT id, user_id, kind, currency, name, institution, closed_on FROM accounts WHERE id = $1",
        )
        .bind($id.as_uuid())
        .fetch_optional($pool)
        .await?;
        row.map(finsight_core::Account::try_from).transpose()
    }};
}

macro_rules! fetch_accounts_of_user {
    ($pool:expr, $user:expr) => {{
        let rows: Vec<$crate::rows::AccountRow> = sqlx::query_as(
            "SELECT id, user_id, kind, currency, name, institution, closed_on FROM accounts
             WHERE user_id = $1 ORDER BY id",
        )
        .bind($user.as_uuid())
        .fetch_all($pool)
        .await?;
        rows.into_iter()
            .map(finsight_core::Account::try_from)
            .collect()
    }};
}

macro_rules! fetch_users {
    ($self:ident, $pool:expr) => {{
        let rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
            "SELECT id, tenant_id, household_id, display_name FROM users ORDER BY id",
        )
        .fetch_all($pool)
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for (id, tenant, household, name) in rows {
            let name = $self
                .reveal($crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                .await?;
            users.push($crate::stats::user_from_row((id, tenant, household, name)));
        }
        Ok(users)
    }};
}

/// Sealed household and user names of a directory, in order (sealed
/// before the directory's write transaction: sealing may create keys).
macro_rules! seal_directory {
    ($self:ident, $directory:expr) => {{
        let mut households = Vec::with_capacity($directory.households.len());
        for household in &$directory.households {
            households.push(
                $self
                    .seal_value(
                        household.tenant_id,
                        $crate::sealing::column::HOUSEHOLD_NAME,
                        household.id.as_uuid().as_bytes(),
                        &household.name,
                    )
                    .await?,
            );
        }
        let mut users = Vec::with_capacity($directory.users.len());
        for user in &$directory.users {
            users.push(
                $self
                    .seal_value(
                        user.tenant_id,
                        $crate::sealing::column::DISPLAY_NAME,
                        user.id.as_uuid().as_bytes(),
                        &user.display_name,
                    )
                    .await?,
            );
        }
        $self
            .vault
            .remember_users($directory.users.iter().map(|u| (u.id, u.tenant_id)));
        (households, users)
    }};
}

macro_rules! fetch_outbox_after {
    ($pool:expr, $after:expr, $limit:expr) => {{
        let rows: Vec<(i64, uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
            "SELECT seq, transaction_id, user_id FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind($after)
        .bind(i64::from($limit))
        .fetch_all($pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, transaction_id, user_id)| $crate::OutboxEntry {
                seq,
                transaction_id: finsight_core::TransactionId::from_uuid(transaction_id),
                user_id: finsight_core::UserId::from_uuid(user_id),
            })
            .collect())
    }};
}

/// Implements [`IngestStore`](crate::IngestStore) for a backend that has
/// `write_tx()` (a write transaction), `read_pool()` and a module-level
/// `insert_in(conn, batch)`. Every statement is the same on both backends.
macro_rules! impl_ingest_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::IngestStore for $store {
            async fn claim_idempotency_key(
                &self,
                scope: $crate::IdempotencyScope<'_>,
                request_hash: &str,
                times: $crate::IdempotencyTimes,
            ) -> Result<$crate::IdempotencyClaim, $crate::StoreError> {
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
                    $crate::IdempotencyClaim::New
                } else {
                    let (hash, status, response): (String, Option<i32>, Option<String>) =
                        sqlx::query_as(
                            "SELECT request_hash, status, response FROM idempotency_keys
                             WHERE scope = $1 AND key = $2",
                        )
                        .bind(scope.principal)
                        .bind(scope.key)
                        .fetch_one(&mut *tx)
                        .await?;
                    match (hash == request_hash, status, response) {
                        (false, _, _) => $crate::IdempotencyClaim::Mismatch,
                        (true, Some(status), Some(response)) => $crate::IdempotencyClaim::Replay {
                            status: u16::try_from(status).unwrap_or(500),
                            response,
                        },
                        (true, _, _) => $crate::IdempotencyClaim::InProgress,
                    }
                };
                tx.commit().await?;
                Ok(claim)
            }

            async fn complete_idempotency_key(
                &self,
                scope: $crate::IdempotencyScope<'_>,
                status: u16,
                response: &str,
            ) -> Result<(), $crate::StoreError> {
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
                scope: $crate::IdempotencyScope<'_>,
            ) -> Result<(), $crate::StoreError> {
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
                before: time::OffsetDateTime,
            ) -> Result<u64, $crate::StoreError> {
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
                quarantine: Vec<$crate::QuarantineEntry>,
            ) -> Result<$crate::SealedBatch, $crate::StoreError> {
                let (transactions, sealed) = self.seal_owned(transactions).await?;
                let sealed_quarantine = self.seal_quarantine(&quarantine).await?;
                Ok($crate::SealedBatch {
                    transactions,
                    sealed,
                    quarantine,
                    sealed_quarantine,
                })
            }

            async fn write_sealed_batch(
                &self,
                batch: $crate::SealedBatch,
                now: time::OffsetDateTime,
            ) -> Result<$crate::BatchReport, $crate::StoreError> {
                self.write_good_and_bad(batch, now).await
            }

            async fn quarantine_page(
                &self,
                query: &$crate::QuarantineQuery,
            ) -> Result<$crate::QuarantinePage, $crate::StoreError> {
                if !(1..=1000).contains(&query.limit) {
                    return Err(finsight_core::ValidationError::new(
                        "limit",
                        "must be 1 to 1000",
                    )
                    .into());
                }
                let (scope, owner) = match query.scope {
                    $crate::QuarantineScope::All => ("all", None),
                    $crate::QuarantineScope::Person(user) => ("person", Some(user.as_uuid())),
                    $crate::QuarantineScope::Tenant(tenant) => ("tenant", Some(tenant.as_uuid())),
                };
                // The scope narrows the rows before the limit, so no one's
                // records push anyone else's out of a page.
                let rows: Vec<$crate::rows::QuarantineRow> = sqlx::query_as(
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
                    let record: $crate::QuarantinedRecord =
                        self.reveal_quarantine(row).await?.try_into()?;
                    records.push(record);
                }
                let next = if more {
                    records.last().map(|r| $crate::QuarantineCursor {
                        created_at: r.created_at,
                        id: r.id,
                    })
                } else {
                    None
                };
                Ok($crate::QuarantinePage { records, next })
            }

            async fn quarantined_record(
                &self,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::QuarantinedRecord>, $crate::StoreError> {
                let row: Option<$crate::rows::QuarantineRow> = sqlx::query_as(
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
                id: uuid::Uuid,
                transaction: &finsight_core::NewTransaction,
                now: time::OffsetDateTime,
            ) -> Result<$crate::InsertReport, $crate::StoreError> {
                let sealed = self
                    .seal_records(&[(transaction.transaction_id(), transaction)])
                    .await?;
                let mut tx = self.write_tx().await?;
                let report = insert_in(&mut tx, std::slice::from_ref(transaction), &sealed).await?;
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
                id: uuid::Uuid,
                field: &str,
                reason: &str,
            ) -> Result<(), $crate::StoreError> {
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
            ) -> Result<$crate::ReferenceBinding, $crate::StoreError> {
                let index = self.reference_index(reference).await?;
                let owner: Option<(uuid::Uuid, uuid::Uuid)> = sqlx::query_as(
                    "SELECT u.tenant_id, u.household_id FROM accounts a JOIN users u ON u.id = a.user_id
                     WHERE a.id = $1",
                )
                .bind(account.as_uuid())
                .fetch_optional(self.read_pool())
                .await?;
                let (tenant, household) = owner.ok_or_else(|| {
                    finsight_core::ValidationError::new("account", format!("account {account} does not exist"))
                })?;
                let sealed = self
                    .seal_value(
                        finsight_core::TenantId::from_uuid(tenant),
                        $crate::sealing::column::ACCOUNT_REFERENCE,
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
                    $crate::ReferenceBinding::Bound
                } else {
                    let (bound,): (uuid::Uuid,) = sqlx::query_as(
                        "SELECT account_id FROM account_references
                         WHERE household_id = $1 AND reference_index = $2",
                    )
                    .bind(household)
                    .bind(index)
                    .fetch_one(&mut *tx)
                    .await?;
                    if bound == account.as_uuid() {
                        $crate::ReferenceBinding::Unchanged
                    } else {
                        $crate::ReferenceBinding::Conflict
                    }
                };
                tx.commit().await?;
                Ok(binding)
            }

            async fn accounts_for_reference(
                &self,
                reference: &str,
            ) -> Result<Vec<finsight_core::AccountId>, $crate::StoreError> {
                let index = self.reference_index(reference).await?;
                let rows: Vec<(uuid::Uuid,)> = sqlx::query_as(
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
            ) -> Result<Vec<(String, finsight_core::AccountId)>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, String, uuid::Uuid)> = sqlx::query_as(
                    "SELECT reference_index, reference, account_id FROM account_references",
                )
                .fetch_all(self.read_pool())
                .await?;
                let mut aliases = Vec::with_capacity(rows.len());
                for (index, sealed, account) in rows {
                    let reference = self
                        .reveal($crate::sealing::column::ACCOUNT_REFERENCE, index.as_bytes(), &sealed)
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
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
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

            async fn csv_profile(&self, name: &str) -> Result<Option<String>, $crate::StoreError> {
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT profile FROM csv_profiles WHERE name = $1")
                        .bind(name)
                        .fetch_optional(self.read_pool())
                        .await?;
                Ok(row.map(|(p,)| p))
            }

            async fn record_import_run(
                &self,
                run: &$crate::ImportRun,
            ) -> Result<(), $crate::StoreError> {
                let columns = (!run.columns.is_empty())
                    .then(|| serde_json::to_string(&run.columns))
                    .transpose()
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
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
                since: time::OffsetDateTime,
            ) -> Result<Vec<$crate::ImportRun>, $crate::StoreError> {
                let rows: Vec<$crate::rows::ImportRunRow> = sqlx::query_as(
                    "SELECT id, source, origin, account_id, started_at, finished_at, accepted,
                            duplicates, quarantined, columns
                     FROM import_runs WHERE finished_at >= $1 ORDER BY finished_at, id",
                )
                .bind(since)
                .fetch_all(self.read_pool())
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn daily_counts(
                &self,
                since: time::Date,
            ) -> Result<Vec<$crate::DailyCount>, $crate::StoreError> {
                let rows: Vec<(String, uuid::Uuid, time::Date, i64)> = sqlx::query_as(
                    "SELECT source, account_id, day, transactions FROM daily_volumes
                     WHERE day >= $1 ORDER BY source, account_id, day",
                )
                .bind(since)
                .fetch_all(self.read_pool())
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(source, account, day, count)| $crate::DailyCount {
                        source,
                        account_id: finsight_core::AccountId::from_uuid(account),
                        day,
                        transactions: $crate::rows::to_u64(count),
                    })
                    .collect())
            }

            async fn last_posted(
                &self,
            ) -> Result<Vec<(String, finsight_core::AccountId, time::Date)>, $crate::StoreError> {
                let rows: Vec<(String, uuid::Uuid, time::Date)> = sqlx::query_as(
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
    };
}

/// Implements [`ProcessorStore`](crate::ProcessorStore) for a backend with
/// `write_tx()`, `read_pool()` and a `Db` type alias.
macro_rules! impl_processor_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ProcessorStore for $store {
            async fn stage_position(&self, stage: &str) -> Result<i64, $crate::StoreError> {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT position FROM processor_positions WHERE stage = $1")
                        .bind(stage)
                        .fetch_optional(self.read_pool())
                        .await?;
                Ok(row.map_or(0, |(p,)| p))
            }

            async fn save_stage_position(
                &self,
                stage: &str,
                position: i64,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO processor_positions (stage, position, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (stage) DO UPDATE SET position = excluded.position,
                         updated_at = excluded.updated_at",
                )
                .bind(stage)
                .bind(position)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn outbox_head(&self) -> Result<i64, $crate::StoreError> {
                let (head,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM outbox")
                    .fetch_one(self.read_pool())
                    .await?;
                Ok(head.unwrap_or(0))
            }

            async fn transactions_by_id(
                &self,
                ids: &[finsight_core::TransactionId],
            ) -> Result<Vec<finsight_core::Transaction>, $crate::StoreError> {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(1000) {
                    let mut query = sqlx::QueryBuilder::<Db>::new(
                        "SELECT id, user_id, account_id, posted_on, occurred_at, amount_minor,
                                currency, description, merchant, mcc, category, category_source,
                                source, source_ref, notes
                         FROM transactions WHERE id IN (",
                    );
                    let mut separated = query.separated(", ");
                    for id in chunk {
                        separated.push_bind(id.as_uuid());
                    }
                    query.push(")");
                    let mut rows: Vec<$crate::rows::TransactionRow> =
                        query.build_query_as().fetch_all(self.read_pool()).await?;
                    self.reveal_rows(&mut rows).await?;
                    for row in rows {
                        out.push(row.try_into()?);
                    }
                }
                Ok(out)
            }

            async fn apply_categories(
                &self,
                updates: &[$crate::CategoryUpdate],
            ) -> Result<u64, $crate::StoreError> {
                if updates.is_empty() {
                    return Ok(0);
                }
                let mut tx = self.write_tx().await?;
                let mut changed = 0;
                for chunk in updates.chunks(1000) {
                    let mut statement =
                        sqlx::QueryBuilder::<Db>::new("WITH v (id, category, source, rank) AS (");
                    statement.push_values(chunk, |mut row, update| {
                        row.push_bind(update.transaction_id.as_uuid())
                            .push_bind(update.category.as_str())
                            .push_bind(update.source.as_str())
                            .push_bind($crate::processing::source_rank(update.source));
                    });
                    statement.push(format!(
                        ") UPDATE transactions SET category = v.category, category_source = v.source
                         FROM v
                         WHERE transactions.id = v.id AND {} <= v.rank
                           AND (transactions.category IS NULL OR transactions.category <> v.category
                                OR transactions.category_source <> v.source)",
                        $crate::processing::SOURCE_RANK_SQL
                    ));
                    changed += statement.build().execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(changed)
            }

            async fn rules_of_users(
                &self,
                users: &[finsight_core::UserId],
            ) -> Result<Vec<finsight_core::CategoryRule>, $crate::StoreError> {
                let mut out = Vec::new();
                for chunk in users.chunks(1000) {
                    let mut query = sqlx::QueryBuilder::<Db>::new(
                        "SELECT id, user_id, pattern, category, priority FROM category_rules
                         WHERE user_id IN (",
                    );
                    let mut separated = query.separated(", ");
                    for user in chunk {
                        separated.push_bind(user.as_uuid());
                    }
                    query.push(")");
                    let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String, i32)> =
                        query.build_query_as().fetch_all(self.read_pool()).await?;
                    for (id, user, pattern, category, priority) in rows {
                        out.push(finsight_core::CategoryRule {
                            id,
                            user_id: finsight_core::UserId::from_uuid(user),
                            pattern,
                            category: finsight_core::CategoryId::parse(&category).map_err(|e| {
                                $crate::StoreError::Corrupt(format!("category rule {id}: {e}"))
                            })?,
                            priority,
                        });
                    }
                }
                Ok(out)
            }

            async fn add_category_rule(
                &self,
                rule: &finsight_core::CategoryRule,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO category_rules (id, user_id, pattern, category, priority, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(rule.id)
                .bind(rule.user_id.as_uuid())
                .bind(&rule.pattern)
                .bind(rule.category.as_str())
                .bind(rule.priority)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn delete_category_rule(
                &self,
                user: finsight_core::UserId,
                id: uuid::Uuid,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let deleted = sqlx::query("DELETE FROM category_rules WHERE id = $1 AND user_id = $2")
                    .bind(id)
                    .bind(user.as_uuid())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(deleted > 0)
            }
        }
    };
}

/// Implements [`JobStore`](crate::JobStore): the job-run statements are the
/// same on both backends; leadership (`$try_lead`, an `async fn`) is not.
macro_rules! impl_job_store {
    ($store:ty, $try_lead:item) => {
        #[async_trait::async_trait]
        impl $crate::JobStore for $store {
        $try_lead

        async fn claim_job_run(
            &self,
            job: &str,
            run_key: &str,
            now: time::OffsetDateTime,
        ) -> Result<$crate::JobClaim, $crate::StoreError> {
            let mut tx = self.write_tx().await?;
            let inserted = sqlx::query(
                "INSERT INTO job_runs (job, run_key, started_at) VALUES ($1, $2, $3)
                 ON CONFLICT (job, run_key) DO NOTHING",
            )
            .bind(job)
            .bind(run_key)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let claim = if inserted == 1 {
                $crate::JobClaim::Claimed
            } else {
                let (outcome,): (Option<String>,) = sqlx::query_as(
                    "SELECT outcome FROM job_runs WHERE job = $1 AND run_key = $2",
                )
                .bind(job)
                .bind(run_key)
                .fetch_one(&mut *tx)
                .await?;
                match outcome {
                    Some(outcome) => $crate::JobClaim::Finished { outcome },
                    None => {
                        sqlx::query("UPDATE job_runs SET started_at = $3 WHERE job = $1 AND run_key = $2")
                            .bind(job)
                            .bind(run_key)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        $crate::JobClaim::Resumed
                    }
                }
            };
            tx.commit().await?;
            Ok(claim)
        }

        async fn finish_job_run(
            &self,
            job: &str,
            run_key: &str,
            outcome: &str,
            now: time::OffsetDateTime,
        ) -> Result<(), $crate::StoreError> {
            let mut tx = self.write_tx().await?;
            sqlx::query(
                "UPDATE job_runs SET finished_at = $3, outcome = $4 WHERE job = $1 AND run_key = $2",
            )
            .bind(job)
            .bind(run_key)
            .bind(now)
            .bind(outcome)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        }
        }
    };
}

/// Implements [`AuditStore`](crate::AuditStore); `$lock` is the statement
/// that serialises appenders ("" where the write transaction already does).
macro_rules! impl_audit_store {
    ($store:ty, $lock:expr) => {
        #[async_trait::async_trait]
        impl $crate::AuditStore for $store {
            async fn append_audit(
                &self,
                event: &finsight_core::audit::AuditEvent,
                now: time::OffsetDateTime,
            ) -> Result<finsight_core::audit::AuditEntry, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                if !$lock.is_empty() {
                    sqlx::query($lock).execute(&mut *tx).await?;
                }
                let last: Option<(i64, Vec<u8>)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                        .fetch_optional(&mut *tx)
                        .await?;
                let (seq, prev_hash) = match last {
                    Some((seq, hash)) => (seq + 1, $crate::audit::hash_from(hash, seq)?),
                    None => (1, [0u8; 32]),
                };
                // Stored times have microsecond precision on PostgreSQL:
                // hash what will be read back.
                let at = now
                    .replace_nanosecond(now.nanosecond() / 1000 * 1000)
                    .unwrap_or(now);
                let hash = finsight_core::audit::entry_hash(seq, at, event, &prev_hash);
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(seq)
                .bind(at)
                .bind(&event.actor)
                .bind(&event.action)
                .bind(&event.subject)
                .bind(&event.detail)
                .bind(prev_hash.as_slice())
                .bind(hash.as_slice())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(finsight_core::audit::AuditEntry {
                    seq,
                    at,
                    event: event.clone(),
                    prev_hash,
                    hash,
                })
            }

            async fn prune_audit(
                &self,
                before: time::OffsetDateTime,
            ) -> Result<Option<(i64, [u8; 32])>, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                if !$lock.is_empty() {
                    sqlx::query($lock).execute(&mut *tx).await?;
                }
                let last: Option<(i64, Vec<u8>)> = sqlx::query_as(
                    "SELECT seq, hash FROM audit_log
                     WHERE at < $1 AND seq < (SELECT MAX(seq) FROM audit_log)
                     ORDER BY seq DESC LIMIT 1",
                )
                .bind(before)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((seq, hash)) = last else {
                    return Ok(None);
                };
                sqlx::query(
                    "INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, $1, $2)
                     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                )
                .bind(seq)
                .bind(&hash)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
                    .bind(seq)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some((seq, $crate::audit::hash_from(hash, seq)?)))
            }

            async fn audit_checkpoint(
                &self,
            ) -> Result<Option<(i64, [u8; 32])>, $crate::StoreError> {
                let row: Option<(i64, Vec<u8>)> =
                    sqlx::query_as("SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
                        .fetch_optional(self.read_pool())
                        .await?;
                row.map(|(seq, hash)| Ok((seq, $crate::audit::hash_from(hash, seq)?)))
                    .transpose()
            }

            async fn audit_entries(
                &self,
                after: i64,
                limit: u32,
            ) -> Result<Vec<finsight_core::audit::AuditEntry>, $crate::StoreError> {
                let rows: Vec<(i64, time::OffsetDateTime, String, String, String, String, Vec<u8>, Vec<u8>)> =
                    sqlx::query_as(
                        "SELECT seq, at, actor, action, subject, detail, prev_hash, hash
                         FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                    )
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(self.read_pool())
                    .await?;
                rows.into_iter()
                    .map(|(seq, at, actor, action, subject, detail, prev_hash, hash)| {
                        Ok(finsight_core::audit::AuditEntry {
                            seq,
                            at,
                            event: finsight_core::audit::AuditEvent { actor, action, subject, detail },
                            prev_hash: $crate::audit::hash_from(prev_hash, seq)?,
                            hash: $crate::audit::hash_from(hash, seq)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

/// `LedgerStore::edit_transaction`, the same on both backends.
macro_rules! edit_transaction {
    ($self:ident, $id:expr, $edit:expr) => {{
        let owner: Option<(uuid::Uuid,)> =
            sqlx::query_as("SELECT user_id FROM transactions WHERE id = $1")
                .bind($id.as_uuid())
                .fetch_optional($self.read_pool())
                .await?;
        let Some((owner,)) = owner else {
            return Ok(false);
        };
        // Seal before the write transaction: sealing may create a key.
        let notes = match &$edit.notes {
            Some(Some(text)) => {
                let tenant = $self
                    .tenant_of_user(finsight_core::UserId::from_uuid(owner))
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt(format!("user {owner}")))?;
                Some(Some(
                    $self
                        .seal_value(
                            tenant,
                            $crate::sealing::column::NOTES,
                            $id.as_uuid().as_bytes(),
                            text,
                        )
                        .await?,
                ))
            }
            Some(None) => Some(None),
            None => None,
        };
        let mut tx = $self.write_tx().await?;
        if let Some(category) = &$edit.category {
            sqlx::query(
                "UPDATE transactions SET category = $2, category_source = 'user' WHERE id = $1",
            )
            .bind($id.as_uuid())
            .bind(category.as_str())
            .execute(&mut *tx)
            .await?;
        }
        if let Some(notes) = &notes {
            sqlx::query("UPDATE transactions SET notes = $2 WHERE id = $1")
                .bind($id.as_uuid())
                .bind(notes.as_deref())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }};
}

/// `DirectoryStore::tenants`, over the pool `$pool`.
macro_rules! fetch_tenants {
    ($pool:expr) => {{
        let rows: Vec<(uuid::Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM tenants ORDER BY name, id")
                .fetch_all($pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| finsight_core::Tenant {
                id: finsight_core::TenantId::from_uuid(id),
                name,
            })
            .collect())
    }};
}

/// `LedgerStore::transactions` given the backend's statement `$sql`: the
/// parameters, the blind-index search pattern and the opening of sealed
/// columns are the same on both backends.
macro_rules! fetch_transactions_page {
    ($self:ident, $pool:expr, $sql:expr, $query:expr) => {{
        let query = $query;
        let limit = query.checked_limit()?;
        let (min_e4, max_e4) = query.amount_bounds_e4()?;
        let terms = match &query.text {
            Some(text) => $self.terms_pattern(query.user_id, text).await?,
            None => None,
        };
        let mut rows: Vec<$crate::rows::TransactionRow> = sqlx::query_as($sql)
            .bind(query.user_id.as_uuid())
            .bind(query.account_id.map(|a| a.as_uuid()))
            .bind(query.from)
            .bind(query.to)
            .bind(query.category.as_ref().map(|c| c.as_str()))
            .bind(query.after.map(|c| c.posted_on))
            .bind(query.after.map(|c| c.id.as_uuid()))
            .bind(limit + 1)
            .bind(min_e4)
            .bind(max_e4)
            .bind(query.text_pattern())
            .bind(terms)
            .fetch_all($pool)
            .await?;
        $self.reveal_rows(&mut rows).await?;
        $crate::rows::page_from_rows(rows, query.limit as usize)
    }};
}
