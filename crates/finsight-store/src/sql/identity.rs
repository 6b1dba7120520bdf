//! [`IdentityStore`](crate::IdentityStore) on both backends: logins, sessions,
//! API keys, people and memberships.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

#[async_trait::async_trait]
impl<B> crate::IdentityStore for SqlStore<B>
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
    async fn create_login(
        &self,
        login: &crate::NewLogin,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let (user, role) = match login.kind {
            finsight_core::LoginKind::Person(user) => (Some(user.as_uuid()), None),
            finsight_core::LoginKind::Staff(role) => (None, Some(role.as_str())),
        };
        let index = self.email_index(&login.email).await?;
        let email = self
            .seal_value(
                login.tenant,
                crate::sealing::column::EMAIL,
                login.id.as_uuid().as_bytes(),
                login.email.as_str(),
            )
            .await?;
        let mut tx = self.write_tx().await?;
        let taken: Option<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM logins
             WHERE (tenant_id = $1 AND email_index = $2) OR user_id = $3",
        )
        .bind(login.tenant.as_uuid())
        .bind(&index)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
        if taken.is_some() {
            return Err(finsight_core::ValidationError::new(
                "email",
                "is already registered (or the person already has a login)",
            )
            .into());
        }
        sqlx::query(
            "INSERT INTO logins (id, tenant_id, email, password_hash, user_id, staff_role,
                                 created_at, email_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(login.id.as_uuid())
        .bind(login.tenant.as_uuid())
        .bind(&email)
        .bind(&login.password_hash)
        .bind(user)
        .bind(role)
        .bind(now)
        .bind(&index)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn logins_by_email(
        &self,
        email: &finsight_core::Email,
    ) -> Result<Vec<crate::LoginRecord>, crate::StoreError> {
        let rows: Vec<crate::identity::LoginRow> = sqlx::query_as(
            "SELECT id, tenant_id, email, password_hash, user_id, staff_role
             FROM logins WHERE email_index = $1 ORDER BY created_at, id",
        )
        .bind(self.email_index(email).await?)
        .fetch_all(self.read_pool())
        .await?;
        let mut logins = Vec::with_capacity(rows.len());
        for row in rows {
            logins.extend(self.login_record(Some(row)).await?);
        }
        Ok(logins)
    }

    async fn login(
        &self,
        id: finsight_core::LoginId,
    ) -> Result<Option<crate::LoginRecord>, crate::StoreError> {
        let row = sqlx::query_as(
            "SELECT id, tenant_id, email, password_hash, user_id, staff_role
             FROM logins WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        self.login_record(row).await
    }

    async fn user(
        &self,
        id: finsight_core::UserId,
    ) -> Result<Option<finsight_core::User>, crate::StoreError> {
        let row: Option<(Uuid, Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT id, tenant_id, household_id, display_name FROM users WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        let Some((id, tenant, household, name)) = row else {
            return Ok(None);
        };
        Ok(Some(finsight_core::User {
            id: finsight_core::UserId::from_uuid(id),
            tenant_id: finsight_core::TenantId::from_uuid(tenant),
            household_id: finsight_core::HouseholdId::from_uuid(household),
            display_name: self
                .reveal(crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                .await?,
        }))
    }

    async fn household(
        &self,
        id: finsight_core::HouseholdId,
    ) -> Result<Option<finsight_core::Household>, crate::StoreError> {
        let row: Option<(Uuid, Uuid, String)> =
            sqlx::query_as("SELECT id, tenant_id, name FROM households WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(self.read_pool())
                .await?;
        let Some((id, tenant, name)) = row else {
            return Ok(None);
        };
        Ok(Some(finsight_core::Household {
            id: finsight_core::HouseholdId::from_uuid(id),
            tenant_id: finsight_core::TenantId::from_uuid(tenant),
            name: self
                .reveal(crate::sealing::column::HOUSEHOLD_NAME, id.as_bytes(), &name)
                .await?,
        }))
    }

    async fn households_of_tenant(
        &self,
        tenant: finsight_core::TenantId,
    ) -> Result<Vec<finsight_core::Household>, crate::StoreError> {
        let rows: Vec<(Uuid, Uuid, String)> =
            sqlx::query_as("SELECT id, tenant_id, name FROM households WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .fetch_all(self.read_pool())
                .await?;
        let mut households = Vec::with_capacity(rows.len());
        for (id, tenant, name) in rows {
            households.push(finsight_core::Household {
                id: finsight_core::HouseholdId::from_uuid(id),
                tenant_id: finsight_core::TenantId::from_uuid(tenant),
                name: self
                    .reveal(crate::sealing::column::HOUSEHOLD_NAME, id.as_bytes(), &name)
                    .await?,
            });
        }
        // Names are sealed: sort after opening them.
        households.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        Ok(households)
    }

    async fn memberships_of(
        &self,
        user: finsight_core::UserId,
    ) -> Result<Vec<finsight_core::Membership>, crate::StoreError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT household_id, role FROM memberships WHERE user_id = $1
             ORDER BY household_id",
        )
        .bind(user.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter()
            .map(|(household, role)| {
                Ok(finsight_core::Membership {
                    household: finsight_core::HouseholdId::from_uuid(household),
                    role: crate::identity::role_from(&role)?,
                })
            })
            .collect()
    }

    async fn members_of(
        &self,
        household: finsight_core::HouseholdId,
    ) -> Result<Vec<(finsight_core::User, finsight_core::HouseholdRole)>, crate::StoreError> {
        let rows: Vec<(Uuid, Uuid, Uuid, String, String)> = sqlx::query_as(
            "SELECT u.id, u.tenant_id, u.household_id, u.display_name, m.role
                 FROM memberships m JOIN users u ON u.id = m.user_id
                 WHERE m.household_id = $1 ORDER BY u.id",
        )
        .bind(household.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        let mut members = Vec::with_capacity(rows.len());
        for (id, tenant, home, name, role) in rows {
            members.push((
                finsight_core::User {
                    id: finsight_core::UserId::from_uuid(id),
                    tenant_id: finsight_core::TenantId::from_uuid(tenant),
                    household_id: finsight_core::HouseholdId::from_uuid(home),
                    display_name: self
                        .reveal(crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                        .await?,
                },
                crate::identity::role_from(&role)?,
            ));
        }
        Ok(members)
    }

    async fn set_membership(
        &self,
        household: finsight_core::HouseholdId,
        user: finsight_core::UserId,
        role: finsight_core::HouseholdRole,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO memberships (household_id, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (household_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(household.as_uuid())
        .bind(user.as_uuid())
        .bind(role.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_membership(
        &self,
        household: finsight_core::HouseholdId,
        user: finsight_core::UserId,
    ) -> Result<bool, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let removed =
            sqlx::query("DELETE FROM memberships WHERE household_id = $1 AND user_id = $2")
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(removed > 0)
    }

    async fn create_session(
        &self,
        login: finsight_core::LoginId,
        tokens: &crate::SessionTokens,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO sessions (id, family_id, login_id, access_hash, access_expires_at,
                                   refresh_hash, refresh_expires_at, created_at)
             VALUES ($1, $1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(tokens.session)
        .bind(login.as_uuid())
        .bind(tokens.access_hash.as_slice())
        .bind(tokens.access_expires_at)
        .bind(tokens.refresh_hash.as_slice())
        .bind(tokens.refresh_expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_by_access(
        &self,
        access_hash: &[u8; 32],
    ) -> Result<Option<crate::ActiveSession>, crate::StoreError> {
        let row: Option<(Uuid, Uuid, Uuid, OffsetDateTime)> = sqlx::query_as(
            "SELECT id, family_id, login_id, access_expires_at FROM sessions
                 WHERE access_hash = $1 AND revoked_at IS NULL",
        )
        .bind(access_hash.as_slice())
        .fetch_optional(self.read_pool())
        .await?;
        Ok(row.map(
            |(session, family, login, access_expires_at)| crate::ActiveSession {
                session,
                family,
                login: finsight_core::LoginId::from_uuid(login),
                access_expires_at,
            },
        ))
    }

    async fn rotate_session(
        &self,
        refresh_hash: &[u8; 32],
        next: &crate::SessionTokens,
        now: OffsetDateTime,
    ) -> Result<crate::RefreshOutcome, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let spent: Option<(Uuid, Uuid, OffsetDateTime)> = sqlx::query_as(
            "UPDATE sessions SET rotated_at = $2, revoked_at = $2
             WHERE refresh_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL
             RETURNING family_id, login_id, refresh_expires_at",
        )
        .bind(refresh_hash.as_slice())
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match spent {
            Some((family, login, expires)) if expires > now => {
                sqlx::query(
                    "INSERT INTO sessions (id, family_id, login_id, access_hash,
                                           access_expires_at, refresh_hash,
                                           refresh_expires_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(next.session)
                .bind(family)
                .bind(login)
                .bind(next.access_hash.as_slice())
                .bind(next.access_expires_at)
                .bind(next.refresh_hash.as_slice())
                .bind(next.refresh_expires_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                crate::RefreshOutcome::Rotated {
                    login: finsight_core::LoginId::from_uuid(login),
                    family,
                }
            }
            Some(_) => crate::RefreshOutcome::Invalid,
            None => {
                let reused: Option<(Uuid,)> = sqlx::query_as(
                    "SELECT family_id FROM sessions
                     WHERE refresh_hash = $1 AND rotated_at IS NOT NULL",
                )
                .bind(refresh_hash.as_slice())
                .fetch_optional(&mut *tx)
                .await?;
                match reused {
                    Some((family,)) => {
                        sqlx::query(
                            "UPDATE sessions SET revoked_at = $2
                             WHERE family_id = $1 AND revoked_at IS NULL",
                        )
                        .bind(family)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        crate::RefreshOutcome::Reused
                    }
                    None => crate::RefreshOutcome::Invalid,
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn revoke_family(
        &self,
        family: Uuid,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        )
        .bind(family)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn revoke_sessions_of(
        &self,
        login: finsight_core::LoginId,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE login_id = $1 AND revoked_at IS NULL",
        )
        .bind(login.as_uuid())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn create_api_key(
        &self,
        key: &crate::ApiKeyRecord,
        key_hash: &[u8; 32],
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, name, key_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key.id.as_uuid())
        .bind(key.tenant.as_uuid())
        .bind(&key.name)
        .bind(key_hash.as_slice())
        .bind(key.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_key_by_hash(
        &self,
        key_hash: &[u8; 32],
    ) -> Result<Option<crate::ApiKeyRecord>, crate::StoreError> {
        let row = sqlx::query_as(
            "SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash.as_slice())
        .fetch_optional(self.read_pool())
        .await?;
        Ok(row.map(crate::identity::api_key_from_row))
    }

    async fn api_keys(
        &self,
        tenant: finsight_core::TenantId,
    ) -> Result<Vec<crate::ApiKeyRecord>, crate::StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
             WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .bind(tenant.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(crate::identity::api_key_from_row)
            .collect())
    }

    async fn revoke_api_key(
        &self,
        tenant: finsight_core::TenantId,
        id: finsight_core::ApiKeyId,
        now: OffsetDateTime,
    ) -> Result<bool, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let revoked = sqlx::query(
            "UPDATE api_keys SET revoked_at = $3
             WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(revoked > 0)
    }
}
