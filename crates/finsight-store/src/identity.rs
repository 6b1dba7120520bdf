//! Logins, household memberships, sessions and API keys. Only hashes of
//! secrets pass through here: an argon2id PHC string for a password, the
//! SHA-256 of a random token.

use finsight_core::{
    ApiKeyId, Email, Household, HouseholdId, HouseholdRole, LoginId, LoginKind, Membership,
    TenantId, User, UserId,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreError;

/// A login to create.
#[derive(Debug, Clone)]
pub struct NewLogin {
    pub id: LoginId,
    pub tenant: TenantId,
    pub email: Email,
    /// argon2id PHC string.
    pub password_hash: String,
    pub kind: LoginKind,
}

/// A stored login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRecord {
    pub id: LoginId,
    pub tenant: TenantId,
    pub email: String,
    pub password_hash: String,
    pub kind: LoginKind,
}

/// The two tokens of one session, as hashes, with their lifetimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokens {
    pub session: Uuid,
    pub access_hash: [u8; 32],
    pub access_expires_at: OffsetDateTime,
    pub refresh_hash: [u8; 32],
    pub refresh_expires_at: OffsetDateTime,
}

/// A live session found by its access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveSession {
    pub session: Uuid,
    pub family: Uuid,
    pub login: LoginId,
    pub access_expires_at: OffsetDateTime,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was current: it is spent, and the new tokens belong to the
    /// same family.
    Rotated { login: LoginId, family: Uuid },
    /// The token had already been spent: someone replayed it, so the whole
    /// family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub tenant: TenantId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub revoked: bool,
}

#[async_trait::async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates a login; an email already in use in the same tenant (or a
    /// person who has a login) is refused naming `email`. Emails are unique
    /// per tenant: another tenant's use of the address is invisible here.
    async fn create_login(&self, login: &NewLogin, now: OffsetDateTime) -> Result<(), StoreError>;
    /// Every login with this email (one per tenant at most), oldest first.
    async fn logins_by_email(&self, email: &Email) -> Result<Vec<LoginRecord>, StoreError>;
    async fn login(&self, id: LoginId) -> Result<Option<LoginRecord>, StoreError>;

    async fn user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    async fn household(&self, id: HouseholdId) -> Result<Option<Household>, StoreError>;
    /// Ordered by name, then id.
    async fn households_of_tenant(&self, tenant: TenantId) -> Result<Vec<Household>, StoreError>;
    async fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, StoreError>;
    /// Ordered by user id.
    async fn members_of(
        &self,
        household: HouseholdId,
    ) -> Result<Vec<(User, HouseholdRole)>, StoreError>;
    async fn set_membership(
        &self,
        household: HouseholdId,
        user: UserId,
        role: HouseholdRole,
    ) -> Result<(), StoreError>;
    /// Whether there was a membership to remove.
    async fn remove_membership(
        &self,
        household: HouseholdId,
        user: UserId,
    ) -> Result<bool, StoreError>;

    /// Starts a new session family.
    async fn create_session(
        &self,
        login: LoginId,
        tokens: &SessionTokens,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// The unrevoked session whose access token hashes to `access_hash`
    /// (expiry is the caller's to check).
    async fn session_by_access(
        &self,
        access_hash: &[u8; 32],
    ) -> Result<Option<ActiveSession>, StoreError>;
    /// Spends a refresh token and, if it was current, stores `next` in its
    /// family. Atomic: of two concurrent uses, one rotates and the other is
    /// a reuse.
    async fn rotate_session(
        &self,
        refresh_hash: &[u8; 32],
        next: &SessionTokens,
        now: OffsetDateTime,
    ) -> Result<RefreshOutcome, StoreError>;
    async fn revoke_family(&self, family: Uuid, now: OffsetDateTime) -> Result<(), StoreError>;
    /// Ends every session of a login (password change, lockout by admin).
    async fn revoke_sessions_of(
        &self,
        login: LoginId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    async fn create_api_key(
        &self,
        key: &ApiKeyRecord,
        key_hash: &[u8; 32],
    ) -> Result<(), StoreError>;
    /// The unrevoked key that hashes to `key_hash`.
    async fn api_key_by_hash(
        &self,
        key_hash: &[u8; 32],
    ) -> Result<Option<ApiKeyRecord>, StoreError>;
    /// Ordered by creation.
    async fn api_keys(&self, tenant: TenantId) -> Result<Vec<ApiKeyRecord>, StoreError>;
    /// Whether a live key of that tenant was revoked.
    async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: ApiKeyId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}

pub(crate) type LoginRow = (Uuid, Uuid, String, String, Option<Uuid>, Option<String>);

pub(crate) fn login_from_row(row: LoginRow) -> Result<LoginRecord, StoreError> {
    let (id, tenant, email, password_hash, user, staff_role) = row;
    let kind = match (user, staff_role) {
        (Some(user), None) => LoginKind::Person(UserId::from_uuid(user)),
        (None, Some(role)) => LoginKind::Staff(
            finsight_core::StaffRole::parse(&role)
                .map_err(|e| StoreError::Corrupt(format!("login {id}: {e}")))?,
        ),
        _ => {
            return Err(StoreError::Corrupt(format!(
                "login {id}: neither person nor staff"
            )));
        }
    };
    Ok(LoginRecord {
        id: LoginId::from_uuid(id),
        tenant: TenantId::from_uuid(tenant),
        email,
        password_hash,
        kind,
    })
}

pub(crate) fn role_from(text: &str) -> Result<HouseholdRole, StoreError> {
    HouseholdRole::parse(text).map_err(|e| StoreError::Corrupt(format!("membership: {e}")))
}

pub(crate) fn api_key_from_row(
    (id, tenant, name, created_at, revoked_at): (
        Uuid,
        Uuid,
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
    ),
) -> ApiKeyRecord {
    ApiKeyRecord {
        id: ApiKeyId::from_uuid(id),
        tenant: TenantId::from_uuid(tenant),
        name,
        created_at,
        revoked: revoked_at.is_some(),
    }
}

/// Implements [`IdentityStore`]: the statements are the same on both
/// backends.
macro_rules! impl_identity_store {
    ($store:ty) => {
        impl $store {
            async fn login_record(
                &self,
                row: Option<$crate::identity::LoginRow>,
            ) -> Result<Option<$crate::LoginRecord>, $crate::StoreError> {
                let Some(mut row) = row else {
                    return Ok(None);
                };
                row.2 = self
                    .reveal($crate::sealing::column::EMAIL, row.0.as_bytes(), &row.2)
                    .await?;
                $crate::identity::login_from_row(row).map(Some)
            }
        }

        #[async_trait::async_trait]
        impl $crate::IdentityStore for $store {
            async fn create_login(
                &self,
                login: &$crate::NewLogin,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
                let (user, role) = match login.kind {
                    finsight_core::LoginKind::Person(user) => (Some(user.as_uuid()), None),
                    finsight_core::LoginKind::Staff(role) => (None, Some(role.as_str())),
                };
                let index = self.email_index(&login.email).await?;
                let email = self
                    .seal_value(
                        login.tenant,
                        $crate::sealing::column::EMAIL,
                        login.id.as_uuid().as_bytes(),
                        login.email.as_str(),
                    )
                    .await?;
                let mut tx = self.write_tx().await?;
                let taken: Option<(uuid::Uuid,)> = sqlx::query_as(
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
            ) -> Result<Vec<$crate::LoginRecord>, $crate::StoreError> {
                let rows: Vec<$crate::identity::LoginRow> = sqlx::query_as(
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
            ) -> Result<Option<$crate::LoginRecord>, $crate::StoreError> {
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
            ) -> Result<Option<finsight_core::User>, $crate::StoreError> {
                let row: Option<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
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
                        .reveal($crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                        .await?,
                }))
            }

            async fn household(
                &self,
                id: finsight_core::HouseholdId,
            ) -> Result<Option<finsight_core::Household>, $crate::StoreError> {
                let row: Option<(uuid::Uuid, uuid::Uuid, String)> =
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
                        .reveal($crate::sealing::column::HOUSEHOLD_NAME, id.as_bytes(), &name)
                        .await?,
                }))
            }

            async fn households_of_tenant(
                &self,
                tenant: finsight_core::TenantId,
            ) -> Result<Vec<finsight_core::Household>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, uuid::Uuid, String)> = sqlx::query_as(
                    "SELECT id, tenant_id, name FROM households WHERE tenant_id = $1",
                )
                .bind(tenant.as_uuid())
                .fetch_all(self.read_pool())
                .await?;
                let mut households = Vec::with_capacity(rows.len());
                for (id, tenant, name) in rows {
                    households.push(finsight_core::Household {
                        id: finsight_core::HouseholdId::from_uuid(id),
                        tenant_id: finsight_core::TenantId::from_uuid(tenant),
                        name: self
                            .reveal($crate::sealing::column::HOUSEHOLD_NAME, id.as_bytes(), &name)
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
            ) -> Result<Vec<finsight_core::Membership>, $crate::StoreError> {
                let rows: Vec<(uuid::Uuid, String)> = sqlx::query_as(
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
                            role: $crate::identity::role_from(&role)?,
                        })
                    })
                    .collect()
            }

            async fn members_of(
                &self,
                household: finsight_core::HouseholdId,
            ) -> Result<Vec<(finsight_core::User, finsight_core::HouseholdRole)>, $crate::StoreError>
            {
                let rows: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid, String, String)> =
                    sqlx::query_as(
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
                                .reveal($crate::sealing::column::DISPLAY_NAME, id.as_bytes(), &name)
                                .await?,
                        },
                        $crate::identity::role_from(&role)?,
                    ));
                }
                Ok(members)
            }

            async fn set_membership(
                &self,
                household: finsight_core::HouseholdId,
                user: finsight_core::UserId,
                role: finsight_core::HouseholdRole,
            ) -> Result<(), $crate::StoreError> {
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
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let removed = sqlx::query(
                    "DELETE FROM memberships WHERE household_id = $1 AND user_id = $2",
                )
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
                tokens: &$crate::SessionTokens,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
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
            ) -> Result<Option<$crate::ActiveSession>, $crate::StoreError> {
                let row: Option<(uuid::Uuid, uuid::Uuid, uuid::Uuid, time::OffsetDateTime)> =
                    sqlx::query_as(
                        "SELECT id, family_id, login_id, access_expires_at FROM sessions
                         WHERE access_hash = $1 AND revoked_at IS NULL",
                    )
                    .bind(access_hash.as_slice())
                    .fetch_optional(self.read_pool())
                    .await?;
                Ok(row.map(|(session, family, login, access_expires_at)| {
                    $crate::ActiveSession {
                        session,
                        family,
                        login: finsight_core::LoginId::from_uuid(login),
                        access_expires_at,
                    }
                }))
            }

            async fn rotate_session(
                &self,
                refresh_hash: &[u8; 32],
                next: &$crate::SessionTokens,
                now: time::OffsetDateTime,
            ) -> Result<$crate::RefreshOutcome, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let spent: Option<(uuid::Uuid, uuid::Uuid, time::OffsetDateTime)> = sqlx::query_as(
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
                        $crate::RefreshOutcome::Rotated {
                            login: finsight_core::LoginId::from_uuid(login),
                            family,
                        }
                    }
                    Some(_) => $crate::RefreshOutcome::Invalid,
                    None => {
                        let reused: Option<(uuid::Uuid,)> = sqlx::query_as(
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
                                $crate::RefreshOutcome::Reused
                            }
                            None => $crate::RefreshOutcome::Invalid,
                        }
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }

            async fn revoke_family(
                &self,
                family: uuid::Uuid,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
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
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
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
                key: &$crate::ApiKeyRecord,
                key_hash: &[u8; 32],
            ) -> Result<(), $crate::StoreError> {
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
            ) -> Result<Option<$crate::ApiKeyRecord>, $crate::StoreError> {
                let row = sqlx::query_as(
                    "SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
                     WHERE key_hash = $1 AND revoked_at IS NULL",
                )
                .bind(key_hash.as_slice())
                .fetch_optional(self.read_pool())
                .await?;
                Ok(row.map($crate::identity::api_key_from_row))
            }

            async fn api_keys(
                &self,
                tenant: finsight_core::TenantId,
            ) -> Result<Vec<$crate::ApiKeyRecord>, $crate::StoreError> {
                let rows = sqlx::query_as(
                    "SELECT id, tenant_id, name, created_at, revoked_at FROM api_keys
                     WHERE tenant_id = $1 ORDER BY created_at, id",
                )
                .bind(tenant.as_uuid())
                .fetch_all(self.read_pool())
                .await?;
                Ok(rows.into_iter().map($crate::identity::api_key_from_row).collect())
            }

            async fn revoke_api_key(
                &self,
                tenant: finsight_core::TenantId,
                id: finsight_core::ApiKeyId,
                now: time::OffsetDateTime,
            ) -> Result<bool, $crate::StoreError> {
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
    };
}
