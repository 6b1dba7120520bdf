//! Key loading, tenant resolution and the sealing and opening of personal
//! fields, for every store trait's SQL.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

/// `data_keys` columns: id, tenant, purpose, version, wrapped key, KEK id,
/// state.
type KeyRowColumns = (Vec<u8>, Uuid, String, i32, Vec<u8>, Vec<u8>, String);

impl<B> SqlStore<B>
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
    /// Stores a new key row as the tenant's active key for its purpose, unless
    /// one is active already (two processes racing for the first key: one
    /// wins). Rotation marks the old key `retiring` first.
    pub(super) async fn insert_key_row(
        tx: &mut sqlx::Transaction<'static, Db<B>>,
        row: &crate::vault::KeyRow,
        now: OffsetDateTime,
    ) -> Result<u64, crate::StoreError> {
        Ok(sqlx::query(
            "INSERT INTO data_keys (id, tenant_id, purpose, version, wrapped, kek_id, state,
                                    created_at)
             SELECT $1, $2, $3, $4, $5, $6, 'active', $7
             WHERE NOT EXISTS (SELECT 1 FROM data_keys
                               WHERE tenant_id = $2 AND purpose = $3 AND state = 'active')
             ON CONFLICT (tenant_id, purpose, version) DO NOTHING",
        )
        .bind(&row.id)
        .bind(row.tenant)
        .bind(&row.purpose)
        .bind(row.version)
        .bind(&row.wrapped)
        .bind(&row.kek_id)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected())
    }

    /// Reloads every key from `data_keys`.
    pub(crate) async fn load_keys(&self) -> Result<(), crate::StoreError> {
        let rows: Vec<KeyRowColumns> = sqlx::query_as(
            "SELECT id, tenant_id, purpose, version, wrapped, kek_id, state
                 FROM data_keys",
        )
        .fetch_all(self.read_pool())
        .await?;
        self.vault.install(
            rows.into_iter()
                .map(|(id, tenant, purpose, version, wrapped, kek_id, state)| {
                    crate::vault::KeyRow {
                        id,
                        tenant,
                        purpose,
                        version,
                        wrapped,
                        kek_id,
                        state,
                    }
                })
                .collect(),
        )
    }

    /// The tenant's active key for `purpose`, created on first use.
    pub(crate) async fn key(
        &self,
        tenant: finsight_core::TenantId,
        purpose: crate::vault::KeyPurpose,
    ) -> Result<std::sync::Arc<crate::vault::DataKey>, crate::StoreError> {
        if let Some(key) = self.vault.active(tenant, purpose) {
            return Ok(key);
        }
        self.load_keys().await?;
        if let Some(key) = self.vault.active(tenant, purpose) {
            return Ok(key);
        }
        let row = self.vault.new_key_row(tenant, purpose, 1);
        let mut tx = self.write_tx().await?;
        let now = self.clock.now();
        let created = Self::insert_key_row(&mut tx, &row, now).await?;
        tx.commit().await?;
        if created == 1 {
            let event = finsight_core::audit::AuditEvent {
                actor: "system".into(),
                action: "keys.create".into(),
                subject: format!("data_key:{}", hex::encode(&row.id)),
                detail: format!("tenant:{tenant} purpose:{}", purpose.as_str()),
            };
            crate::AuditStore::append_audit(self, &event, now).await?;
        }
        self.load_keys().await?;
        self.vault.active(tenant, purpose).ok_or_else(|| {
            crate::StoreError::Corrupt(format!("no active {} key", purpose.as_str()))
        })
    }

    /// The tenant's data and index keys.
    pub(crate) async fn keys_of(
        &self,
        tenant: finsight_core::TenantId,
    ) -> Result<crate::sealing::KeyPair, crate::StoreError> {
        Ok((
            self.key(tenant, crate::vault::KeyPurpose::Data).await?,
            self.key(tenant, crate::vault::KeyPurpose::Index).await?,
        ))
    }

    pub(crate) async fn tenant_of_user(
        &self,
        user: finsight_core::UserId,
    ) -> Result<Option<finsight_core::TenantId>, crate::StoreError> {
        if let Some(tenant) = self.vault.tenant_of_user(user) {
            return Ok(Some(tenant));
        }
        let row: Option<(Uuid,)> = sqlx::query_as("SELECT tenant_id FROM users WHERE id = $1")
            .bind(user.as_uuid())
            .fetch_optional(self.read_pool())
            .await?;
        let tenant = row.map(|(t,)| finsight_core::TenantId::from_uuid(t));
        if let Some(tenant) = tenant {
            self.vault.remember_users([(user, tenant)]);
        }
        Ok(tenant)
    }

    pub(crate) async fn tenant_of_account(
        &self,
        account: finsight_core::AccountId,
    ) -> Result<Option<finsight_core::TenantId>, crate::StoreError> {
        if let Some(tenant) = self.vault.tenant_of_account(account) {
            return Ok(Some(tenant));
        }
        let row: Option<(Uuid,)> = sqlx::query_as(
            "SELECT u.tenant_id FROM accounts a JOIN users u ON u.id = a.user_id
             WHERE a.id = $1",
        )
        .bind(account.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        let tenant = row.map(|(t,)| finsight_core::TenantId::from_uuid(t));
        if let Some(tenant) = tenant {
            self.vault.remember_accounts([(account, tenant)]);
        }
        Ok(tenant)
    }

    /// The data and index keys of each account's tenant (none for
    /// unknown accounts, whose batches are refused).
    pub(crate) async fn account_keys(
        &self,
        accounts: impl Iterator<Item = finsight_core::AccountId>,
    ) -> Result<crate::sealing::AccountKeys, crate::StoreError> {
        let mut keys = crate::sealing::AccountKeys::new();
        for account in accounts {
            if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(account) {
                let pair = match self.tenant_of_account(account).await? {
                    Some(tenant) => Some(self.keys_of(tenant).await?),
                    None => None,
                };
                slot.insert(pair);
            }
        }
        Ok(keys)
    }

    /// Sealed descriptions and terms for a few records, in order.
    pub(crate) async fn seal_records(
        &self,
        records: &[(finsight_core::TransactionId, &finsight_core::NewTransaction)],
    ) -> Result<Vec<crate::sealing::SealedText>, crate::StoreError> {
        let keys = self
            .account_keys(records.iter().map(|(_, r)| r.account_id))
            .await?;
        Ok(records
            .iter()
            .map(|(id, record)| crate::sealing::seal_with(&keys, *id, record))
            .collect())
    }

    /// Seals a batch on a blocking thread (the key lookups first),
    /// handing the records back with their sealed text.
    pub(crate) async fn seal_owned(
        &self,
        transactions: Vec<finsight_core::IdentifiedTransaction>,
    ) -> Result<
        (
            Vec<finsight_core::IdentifiedTransaction>,
            Vec<crate::sealing::SealedText>,
        ),
        crate::StoreError,
    > {
        let keys = self
            .account_keys(transactions.iter().map(|t| t.record().account_id))
            .await?;
        tokio::task::spawn_blocking(move || {
            let sealed = transactions
                .iter()
                .map(|t| crate::sealing::seal_with(&keys, t.id(), t.record()))
                .collect();
            (transactions, sealed)
        })
        .await
        .map_err(|e| crate::StoreError::Task {
            task: "sealing",
            reason: e.to_string(),
        })
    }

    /// Sealed raw text and parsed record of quarantine entries, in
    /// order, under the account's tenant (or the system tenant).
    pub(crate) async fn seal_quarantine(
        &self,
        entries: &[crate::QuarantineEntry],
    ) -> Result<Vec<(String, Option<String>)>, crate::StoreError> {
        let mut sealed = Vec::with_capacity(entries.len());
        for entry in entries {
            let tenant = match entry.account_id {
                Some(account) => self.tenant_of_account(account).await?,
                None => None,
            }
            .unwrap_or_else(crate::vault::system_tenant);
            let key = self.key(tenant, crate::vault::KeyPurpose::Data).await?;
            let id = entry.id();
            let row = id.as_bytes();
            sealed.push((
                crate::vault::Vault::seal(
                    &key,
                    crate::sealing::column::QUARANTINE_RAW,
                    row,
                    &entry.raw,
                ),
                entry.record.as_deref().map(|record| {
                    crate::vault::Vault::seal(
                        &key,
                        crate::sealing::column::QUARANTINE_RECORD,
                        row,
                        record,
                    )
                }),
            ));
        }
        Ok(sealed)
    }

    /// Seals a short value of `tenant` for `column` of row `row`.
    pub(crate) async fn seal_value(
        &self,
        tenant: finsight_core::TenantId,
        column: &str,
        row: &[u8],
        text: &str,
    ) -> Result<String, crate::StoreError> {
        let key = self.key(tenant, crate::vault::KeyPurpose::Data).await?;
        Ok(crate::vault::Vault::seal(&key, column, row, text))
    }

    /// Opens a stored value, loading keys another process created.
    pub(crate) async fn reveal(
        &self,
        column: &str,
        row: &[u8],
        stored: &str,
    ) -> Result<String, crate::StoreError> {
        match self.vault.open(column, row, stored) {
            Ok(text) => Ok(text),
            Err(crate::vault::OpenError::UnknownKey(_)) => {
                self.load_keys().await?;
                self.vault
                    .open(column, row, stored)
                    .map_err(|e| crate::StoreError::Corrupt(format!("{column}: {e}")))
            }
            Err(e) => Err(crate::StoreError::Corrupt(e.to_string())),
        }
    }

    pub(crate) async fn reveal_opt(
        &self,
        column: &str,
        row: &[u8],
        stored: Option<String>,
    ) -> Result<Option<String>, crate::StoreError> {
        match stored {
            Some(stored) => Ok(Some(self.reveal(column, row, &stored).await?)),
            None => Ok(None),
        }
    }

    /// Opens the sealed columns of transaction rows in place.
    pub(crate) async fn reveal_rows(
        &self,
        rows: &mut [crate::rows::TransactionRow],
    ) -> Result<(), crate::StoreError> {
        for row in rows {
            let id = *row.id.as_bytes();
            row.description = self
                .reveal(crate::sealing::column::DESCRIPTION, &id, &row.description)
                .await?;
            row.notes = self
                .reveal_opt(crate::sealing::column::NOTES, &id, row.notes.take())
                .await?;
        }
        Ok(())
    }

    /// Opens a quarantine row's sealed text.
    pub(crate) async fn reveal_quarantine(
        &self,
        mut row: crate::rows::QuarantineRow,
    ) -> Result<crate::rows::QuarantineRow, crate::StoreError> {
        let id = *row.id.as_bytes();
        row.raw = self
            .reveal(crate::sealing::column::QUARANTINE_RAW, &id, &row.raw)
            .await?;
        row.record = self
            .reveal_opt(
                crate::sealing::column::QUARANTINE_RECORD,
                &id,
                row.record.take(),
            )
            .await?;
        Ok(row)
    }

    /// The `LIKE` pattern over `description_terms` for a user's text
    /// search (`None`: the query has no words).
    pub(crate) async fn terms_pattern(
        &self,
        user: finsight_core::UserId,
        text: &str,
    ) -> Result<Option<String>, crate::StoreError> {
        let Some(tenant) = self.tenant_of_user(user).await? else {
            return Ok(None);
        };
        let index = self.key(tenant, crate::vault::KeyPurpose::Index).await?;
        Ok(crate::vault::Vault::terms_pattern(&index, text))
    }

    /// The blind index of an account reference from a bank file
    /// (under the system tenant's index key: files name accounts
    /// before their tenant is known), as a uuid-sized key.
    pub(crate) async fn reference_index(&self, reference: &str) -> Result<Uuid, crate::StoreError> {
        let key = self
            .key(
                crate::vault::system_tenant(),
                crate::vault::KeyPurpose::Index,
            )
            .await?;
        let hash = crate::vault::Vault::blind_index(&key, "account-reference", reference);
        let bytes: [u8; 16] = hash.try_into().expect("16-byte blind index");
        Ok(Uuid::from_bytes(bytes))
    }

    /// Moves account references of the plain table (before
    /// encryption) into the sealed one.
    pub(crate) async fn seal_legacy_aliases(&self) -> Result<(), crate::StoreError> {
        let rows: Vec<(String, Uuid)> =
            sqlx::query_as("SELECT reference, account_id FROM account_aliases")
                .fetch_all(self.read_pool())
                .await?;
        for (reference, account) in rows {
            crate::IngestStore::bind_account_reference(
                self,
                &reference,
                finsight_core::AccountId::from_uuid(account),
            )
            .await?;
            let mut tx = self.write_tx().await?;
            sqlx::query("DELETE FROM account_aliases WHERE reference = $1")
                .bind(&reference)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The blind index a throttled subject is stored under.
    pub(super) async fn throttle_key(&self, subject: &str) -> Result<Vec<u8>, crate::StoreError> {
        let key = self
            .key(
                crate::vault::system_tenant(),
                crate::vault::KeyPurpose::Index,
            )
            .await?;
        Ok(crate::vault::Vault::blind_index(&key, "throttle", subject))
    }

    /// A login row with its email opened.
    pub(super) async fn login_record(
        &self,
        row: Option<crate::identity::LoginRow>,
    ) -> Result<Option<crate::LoginRecord>, crate::StoreError> {
        let Some(mut row) = row else {
            return Ok(None);
        };
        row.2 = self
            .reveal(crate::sealing::column::EMAIL, row.0.as_bytes(), &row.2)
            .await?;
        crate::identity::login_from_row(row).map(Some)
    }

    /// How many values of every sealed column use key `id_hex`.
    pub(super) async fn sealed_count(&self, id_hex: &str) -> Result<u64, crate::StoreError> {
        let pattern = format!("e1:{id_hex}:%");
        let mut total = 0u64;
        for (table, _, column, _) in crate::sealing::SEALED_COLUMNS {
            let (count,): (i64,) = sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1"
            ))
            .bind(&pattern)
            .fetch_one(self.read_pool())
            .await?;
            total += count as u64;
        }
        Ok(total)
    }

    /// The blind index of a login email (under the system tenant's
    /// index key: sign-in does not know the tenant yet).
    pub(crate) async fn email_index(
        &self,
        email: &finsight_core::Email,
    ) -> Result<Vec<u8>, crate::StoreError> {
        let key = self
            .key(
                crate::vault::system_tenant(),
                crate::vault::KeyPurpose::Index,
            )
            .await?;
        Ok(crate::vault::Vault::blind_index(
            &key,
            "email",
            email.as_str(),
        ))
    }
}
