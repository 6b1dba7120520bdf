//! Statements that read and write the same on both backends (sqlx accepts
//! `$N` parameters on SQLite too), written once as macros over the
//! backend's connection or pool. Each expands inside an `async fn` that
//! returns `Result<_, StoreError>`, so `?` propagates from there.

/// Inserts or updates a [`Directory`](crate::Directory) inside the open
/// transaction `$tx`. An account whose owner, kind or currency would change
/// is refused, naming it.
macro_rules! upsert_directory_in {
    ($tx:ident, $directory:expr) => {
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
        for household in &$directory.households {
            sqlx::query(
                "INSERT INTO households (id, tenant_id, name) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            )
            .bind(household.id.as_uuid())
            .bind(household.tenant_id.as_uuid())
            .bind(&household.name)
            .execute(&mut *$tx)
            .await?;
        }
        for user in &$directory.users {
            sqlx::query(
                "INSERT INTO users (id, tenant_id, household_id, display_name)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name",
            )
            .bind(user.id.as_uuid())
            .bind(user.tenant_id.as_uuid())
            .bind(user.household_id.as_uuid())
            .bind(&user.display_name)
            .execute(&mut *$tx)
            .await?;
        }
        for (index, account) in $directory.accounts.iter().enumerate() {
            let written = sqlx::query(
                "INSERT INTO accounts (id, user_id, kind, currency, name, institution)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO UPDATE
                 SET name = excluded.name, institution = excluded.institution
                 WHERE accounts.user_id = excluded.user_id AND accounts.kind = excluded.kind
                   AND accounts.currency = excluded.currency",
            )
            .bind(account.id.as_uuid())
            .bind(account.user_id.as_uuid())
            .bind(account.kind.as_str())
            .bind(account.currency.code())
            .bind(&account.name)
            .bind(&account.institution)
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
            "SELECT id, user_id, kind, currency, name, institution FROM accounts WHERE id = $1",
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
            "SELECT id, user_id, kind, currency, name, institution FROM accounts
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
    ($pool:expr) => {{
        let rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
            "SELECT id, tenant_id, household_id, display_name FROM users ORDER BY id",
        )
        .fetch_all($pool)
        .await?;
        Ok(rows.into_iter().map($crate::stats::user_from_row).collect())
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
