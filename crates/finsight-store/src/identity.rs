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
