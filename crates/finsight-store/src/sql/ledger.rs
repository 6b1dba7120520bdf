//! [`DirectoryStore`] and [`LedgerStore`] on both backends: who owns what,
//! and the transactions. The bulk insert path and the dialect's page,
//! totals and statistics statements are the backend's.

use finsight_core::{Account, AccountId, Tenant, TransactionId, User, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};
use crate::rows::TotalRow;
use crate::stats::assemble_stats;
use crate::{
    CategoryMonthTotal, Directory, DirectoryStore, InsertReport, LedgerStats, LedgerStore,
    OutboxEntry, StoreError, TotalsQuery, TransactionEdit, TransactionPage, TransactionQuery,
};

/// Sealed household and user names of a directory, in order.
type SealedNames = (Vec<String>, Vec<String>);

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
    /// Seals a directory's household and user names (before its write
    /// transaction: sealing may create keys).
    pub(super) async fn seal_directory(
        &self,
        directory: &Directory,
    ) -> Result<SealedNames, StoreError> {
        let mut households = Vec::with_capacity(directory.households.len());
        for household in &directory.households {
            households.push(
                self.seal_value(
                    household.tenant_id,
                    crate::sealing::column::HOUSEHOLD_NAME,
                    household.id.as_uuid().as_bytes(),
                    &household.name,
                )
                .await?,
            );
        }
        let mut users = Vec::with_capacity(directory.users.len());
        for user in &directory.users {
            users.push(
                self.seal_value(
                    user.tenant_id,
                    crate::sealing::column::DISPLAY_NAME,
                    user.id.as_uuid().as_bytes(),
                    &user.display_name,
                )
                .await?,
            );
        }
        self.vault
            .remember_users(directory.users.iter().map(|u| (u.id, u.tenant_id)));
        Ok((households, users))
    }

    /// Inserts or updates a directory inside the open transaction `tx`. An
    /// account whose owner, kind or currency would change is refused,
    /// naming it.
    pub(super) async fn write_directory(
        tx: &mut sqlx::Transaction<'static, Db<B>>,
        directory: &Directory,
        sealed: &SealedNames,
    ) -> Result<(), StoreError> {
        for tenant in &directory.tenants {
            sqlx::query(
                "INSERT INTO tenants (id, name) VALUES ($1, $2)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(tenant.id.as_uuid())
            .bind(&tenant.name)
            .execute(&mut **tx)
            .await?;
        }
        for (household, name) in directory.households.iter().zip(&sealed.0) {
            sqlx::query(
                "INSERT INTO households (id, tenant_id, name) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(household.id.as_uuid())
            .bind(household.tenant_id.as_uuid())
            .bind(name)
            .execute(&mut **tx)
            .await?;
        }
        for (user, name) in directory.users.iter().zip(&sealed.1) {
            sqlx::query(
                "INSERT INTO users (id, tenant_id, household_id, display_name)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name",
            )
            .bind(user.id.as_uuid())
            .bind(user.tenant_id.as_uuid())
            .bind(user.household_id.as_uuid())
            .bind(name)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO memberships (household_id, user_id, role) VALUES ($1, $2, 'owner')
                 ON CONFLICT (household_id, user_id) DO NOTHING",
            )
            .bind(user.household_id.as_uuid())
            .bind(user.id.as_uuid())
            .execute(&mut **tx)
            .await?;
        }
        for (index, account) in directory.accounts.iter().enumerate() {
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
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if written == 0 {
                return Err(crate::rows::account_changed(index, account.id).into());
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl<B> DirectoryStore for SqlStore<B>
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
    async fn upsert_directory(&self, directory: &Directory) -> Result<(), StoreError> {
        // Sealed before the write transaction: sealing may create keys.
        let sealed = self.seal_directory(directory).await?;
        let mut tx = self.write_tx().await?;
        Self::write_directory(&mut tx, directory, &sealed).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError> {
        let row: Option<crate::rows::AccountRow> = sqlx::query_as(
            "SELECT id, user_id, kind, currency, name, institution, closed_on FROM accounts WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        row.map(finsight_core::Account::try_from).transpose()
    }

    async fn accounts_of_user(&self, user: UserId) -> Result<Vec<Account>, StoreError> {
        let rows: Vec<crate::rows::AccountRow> = sqlx::query_as(
            "SELECT id, user_id, kind, currency, name, institution, closed_on FROM accounts
             WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter()
            .map(finsight_core::Account::try_from)
            .collect()
    }

    async fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows: Vec<(Uuid, Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT id, tenant_id, household_id, display_name FROM users ORDER BY id",
        )
        .fetch_all(self.read_pool())
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for (id, tenant, household, name) in rows {
            let name = self
                .reveal(crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                .await?;
            users.push(crate::stats::user_from_row((id, tenant, household, name)));
        }
        Ok(users)
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, name FROM tenants ORDER BY name, id")
                .fetch_all(self.read_pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name)| finsight_core::Tenant {
                id: finsight_core::TenantId::from_uuid(id),
                name,
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl<B> LedgerStore for SqlStore<B>
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
    async fn edit_transaction(
        &self,
        id: TransactionId,
        edit: &TransactionEdit,
    ) -> Result<bool, StoreError> {
        let owner: Option<(Uuid,)> =
            sqlx::query_as("SELECT user_id FROM transactions WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(self.read_pool())
                .await?;
        let Some((owner,)) = owner else {
            return Ok(false);
        };
        // Seal before the write transaction: sealing may create a key.
        let notes = match &edit.notes {
            Some(Some(text)) => {
                let tenant = self
                    .tenant_of_user(finsight_core::UserId::from_uuid(owner))
                    .await?
                    .ok_or_else(|| crate::StoreError::Corrupt(format!("user {owner}")))?;
                Some(Some(
                    self.seal_value(
                        tenant,
                        crate::sealing::column::NOTES,
                        id.as_uuid().as_bytes(),
                        text,
                    )
                    .await?,
                ))
            }
            Some(None) => Some(None),
            None => None,
        };
        let mut tx = self.write_tx().await?;
        if let Some(category) = &edit.category {
            sqlx::query(
                "UPDATE transactions SET category = $2, category_source = 'user' WHERE id = $1",
            )
            .bind(id.as_uuid())
            .bind(category.as_str())
            .execute(&mut *tx)
            .await?;
        }
        if let Some(notes) = &notes {
            sqlx::query("UPDATE transactions SET notes = $2 WHERE id = $1")
                .bind(id.as_uuid())
                .bind(notes.as_deref())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn insert_transactions(
        &self,
        batch: &[finsight_core::NewTransaction],
    ) -> Result<InsertReport, StoreError> {
        if batch.is_empty() {
            return Ok(InsertReport::default());
        }
        // No quarantine entries, so the timestamp is never written.
        let batch = batch
            .iter()
            .cloned()
            .map(finsight_core::IdentifiedTransaction::new)
            .collect();
        let report =
            crate::IngestStore::write_batch(self, batch, Vec::new(), OffsetDateTime::UNIX_EPOCH)
                .await?;
        Ok(report.ledger)
    }

    async fn transactions(&self, query: &TransactionQuery) -> Result<TransactionPage, StoreError> {
        let limit = query.checked_limit()?;
        let (min_e4, max_e4) = query.amount_bounds_e4()?;
        let terms = match &query.text {
            Some(text) => self.terms_pattern(query.user_id, text).await?,
            None => None,
        };
        let mut rows: Vec<crate::rows::TransactionRow> = sqlx::query_as(B::transactions_page_sql())
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
            .fetch_all(self.read_pool())
            .await?;
        self.reveal_rows(&mut rows).await?;
        crate::rows::page_from_rows(rows, query.limit as usize)
    }

    async fn monthly_category_totals(
        &self,
        query: &TotalsQuery,
    ) -> Result<Vec<CategoryMonthTotal>, StoreError> {
        let rows: Vec<TotalRow> = sqlx::query_as(B::MONTHLY_TOTALS)
            .bind(query.user_id.as_uuid())
            .bind(query.from)
            .bind(query.until)
            .fetch_all(self.read_pool())
            .await?;
        rows.into_iter().map(CategoryMonthTotal::try_from).collect()
    }

    async fn account_balances(
        &self,
        user: UserId,
    ) -> Result<Vec<crate::AccountBalance>, StoreError> {
        let sql = format!(
            "SELECT account_id, currency, CAST(SUM(amount_minor) AS BIGINT), COUNT(*), MAX(posted_on)
             FROM transactions WHERE user_id = {}
             GROUP BY account_id, currency ORDER BY account_id, currency",
            super::parameter::<B>(1)
        );
        let rows: Vec<(Uuid, String, i64, i64, Date)> = sqlx::query_as(&sql)
            .bind(user.as_uuid())
            .fetch_all(self.read_pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(account, currency, balance_minor, transactions, last_posted_on)| {
                    crate::AccountBalance {
                        account_id: AccountId::from_uuid(account),
                        currency,
                        balance_minor,
                        transactions,
                        last_posted_on,
                    }
                },
            )
            .collect())
    }

    async fn outbox_after(&self, after: i64, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let all: Vec<u16> = (0..crate::PARTITIONS).collect();
        crate::ProcessorStore::partition_outbox_after(self, &all, after, limit).await
    }

    async fn stats(&self) -> Result<LedgerStats, StoreError> {
        let mut rows = self.backend.stats_rows().await?;
        for row in &mut rows.by_user {
            row.1 = self
                .reveal(
                    crate::sealing::column::DISPLAY_NAME,
                    row.0.as_bytes(),
                    &row.1,
                )
                .await?;
        }
        assemble_stats(rows)
    }
}
