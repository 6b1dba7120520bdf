//! Signing in and proving who you are. Sessions are opaque bearer tokens
//! kept server-side, so revocation is immediate: a short-lived access token
//! (15 minutes) and a refresh token (30 days) that rotates on every use; a
//! refresh token presented twice revokes its whole family (theft
//! detection). Service accounts use long-lived API keys. Repeated failed
//! sign-ins lock the login with exponential back-off.

use std::sync::Arc;

use finsight_core::audit::AuditEvent;
use finsight_core::{ApiKeyId, Clock, Email, LoginId, LoginKind, Password, Principal, TenantId};
use finsight_store::{ApiKeyRecord, NewLogin, RefreshOutcome, SessionTokens, Store};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::ServiceError;
use crate::passwords::PasswordHashing;
use crate::tokens::{self, TokenKind};

/// Lifetimes, hashing cost and lockout policy.
#[derive(Debug, Clone, Copy)]
pub struct AuthSettings {
    pub hashing: PasswordHashing,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Failed sign-ins in a row before the first lock.
    pub lockout_threshold: u32,
    /// The first lock; each further failure doubles it.
    pub lockout_base: Duration,
    pub lockout_max: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            hashing: PasswordHashing::default(),
            access_ttl: Duration::minutes(15),
            refresh_ttl: Duration::days(30),
            lockout_threshold: 5,
            lockout_base: Duration::seconds(30),
            lockout_max: Duration::hours(1),
        }
    }
}

impl AuthSettings {
    /// How long to lock after `failures` consecutive failures, if at all.
    pub fn lock_for(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.lockout_threshold)?;
        let factor = 1_i32.checked_shl(over.min(20)).unwrap_or(i32::MAX);
        Some((self.lockout_base * factor).min(self.lockout_max))
    }
}

/// The tokens handed to a client that signed in or refreshed.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub access_token: String,
    pub access_expires_at: OffsetDateTime,
    pub refresh_token: String,
    pub refresh_expires_at: OffsetDateTime,
}

/// A request's verified identity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Principal,
    /// The session family, for logout (none for API keys).
    pub session_family: Option<Uuid>,
}

#[derive(Clone)]
pub struct Authenticator {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    settings: AuthSettings,
    /// Verified against when the email is unknown, so the answer takes as
    /// long as for a wrong password (hashed on first need, not at start).
    decoy_hash: Arc<std::sync::OnceLock<String>>,
}

impl Authenticator {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: AuthSettings) -> Self {
        let decoy_hash = Arc::new(std::sync::OnceLock::new());
        Self {
            store,
            clock,
            settings,
            decoy_hash,
        }
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    async fn audit(&self, actor: &str, action: &str, subject: &str, detail: &str) {
        let event = AuditEvent {
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            detail: detail.to_owned(),
        };
        if let Err(error) = self.store.append_audit(&event, self.clock.now()).await {
            tracing::error!(%error, action, "audit append failed");
        }
    }

    async fn hash_password(&self, password: Password) -> String {
        let hashing = self.settings.hashing;
        tokio::task::spawn_blocking(move || hashing.hash(password.expose()))
            .await
            .expect("password hashing does not panic")
    }

    async fn verify_password(&self, password: String, stored: String) -> bool {
        let hashing = self.settings.hashing;
        tokio::task::spawn_blocking(move || hashing.verify(&password, &stored))
            .await
            .unwrap_or(false)
    }

    /// Creates a login (CLI bootstrap, admin API). `actor` is recorded in
    /// the audit log.
    pub async fn create_login(
        &self,
        actor: &str,
        tenant: TenantId,
        email: &str,
        password: &str,
        kind: LoginKind,
    ) -> Result<LoginId, ServiceError> {
        let email = Email::parse(email)?;
        let password = Password::parse(password)?;
        if let LoginKind::Person(user) = kind {
            let person = self
                .store
                .user(user)
                .await?
                .filter(|u| u.tenant_id == tenant)
                .ok_or(ServiceError::NotFound("user"))?;
            debug_assert_eq!(person.id, user);
        }
        let id = LoginId::from_random_bytes(tokens::random_id());
        let login = NewLogin {
            id,
            tenant,
            email,
            password_hash: self.hash_password(password).await,
            kind,
        };
        self.store.create_login(&login, self.clock.now()).await?;
        self.audit(actor, "login.create", &format!("login:{id}"), "")
            .await;
        Ok(id)
    }

    /// Signs in with email and password.
    pub async fn login(&self, email: &str, password: &str) -> Result<IssuedSession, ServiceError> {
        let now = self.clock.now();
        let record = match Email::parse(email) {
            Ok(email) => self.store.login_by_email(&email).await?,
            Err(_) => None,
        };
        let Some(record) = record else {
            let (decoy, hashing) = (Arc::clone(&self.decoy_hash), self.settings.hashing);
            let password = password.to_owned();
            let _ = tokio::task::spawn_blocking(move || {
                let decoy = decoy.get_or_init(|| hashing.hash("decoy password for unknown emails"));
                hashing.verify(&password, decoy)
            })
            .await;
            self.audit("anonymous", "auth.login_failed", "unknown-login", "")
                .await;
            return Err(ServiceError::InvalidCredentials);
        };
        let subject = format!("login:{}", record.id);
        if let Some(until) = record.locked_until.filter(|until| *until > now) {
            self.audit("anonymous", "auth.login_locked", &subject, "")
                .await;
            return Err(ServiceError::Locked {
                retry_after_secs: u64::try_from((until - now).whole_seconds())
                    .unwrap_or(1)
                    .max(1),
            });
        }
        if !self
            .verify_password(password.to_owned(), record.password_hash.clone())
            .await
        {
            let failures = self.store.record_failed_login(record.id).await?;
            let detail = format!("failures={failures}");
            self.audit("anonymous", "auth.login_failed", &subject, &detail)
                .await;
            if let Some(lock) = self.settings.lock_for(failures) {
                self.store.lock_login(record.id, now + lock).await?;
                self.audit(
                    "system",
                    "auth.lockout",
                    &subject,
                    &format!("seconds={}", lock.whole_seconds()),
                )
                .await;
            }
            return Err(ServiceError::InvalidCredentials);
        }
        self.store.record_successful_login(record.id).await?;
        let session = self.issue(now);
        self.store
            .create_session(record.id, &session.1, now)
            .await?;
        self.audit(&subject, "auth.login", &subject, "").await;
        Ok(session.0)
    }

    fn issue(&self, now: OffsetDateTime) -> (IssuedSession, SessionTokens) {
        let (access_token, access_hash) = tokens::generate(TokenKind::Access);
        let (refresh_token, refresh_hash) = tokens::generate(TokenKind::Refresh);
        let stored = SessionTokens {
            session: Uuid::from_bytes(tokens::random_id()),
            access_hash,
            access_expires_at: now + self.settings.access_ttl,
            refresh_hash,
            refresh_expires_at: now + self.settings.refresh_ttl,
        };
        let issued = IssuedSession {
            access_token,
            access_expires_at: stored.access_expires_at,
            refresh_token,
            refresh_expires_at: stored.refresh_expires_at,
        };
        (issued, stored)
    }

    /// Spends a refresh token for a new pair.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedSession, ServiceError> {
        if TokenKind::of(refresh_token) != Some(TokenKind::Refresh) {
            return Err(ServiceError::Unauthenticated);
        }
        let now = self.clock.now();
        let (issued, stored) = self.issue(now);
        match self
            .store
            .rotate_session(&tokens::hash(refresh_token), &stored, now)
            .await?
        {
            RefreshOutcome::Rotated { login, .. } => match self.store.login(login).await? {
                Some(record) if record.locked_until.is_none_or(|until| until <= now) => Ok(issued),
                _ => Err(ServiceError::Unauthenticated),
            },
            RefreshOutcome::Reused => {
                self.audit(
                    "anonymous",
                    "auth.refresh_reused",
                    "session-family",
                    "family revoked",
                )
                .await;
                Err(ServiceError::Unauthenticated)
            }
            RefreshOutcome::Invalid => Err(ServiceError::Unauthenticated),
        }
    }

    /// Ends the session family the request came with.
    pub async fn logout(&self, who: &Authenticated) -> Result<(), ServiceError> {
        if let Some(family) = who.session_family {
            self.store.revoke_family(family, self.clock.now()).await?;
            let actor = who.principal.actor();
            self.audit(&actor, "auth.logout", &actor, "").await;
        }
        Ok(())
    }

    /// Verifies a bearer token (access token or API key).
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated, ServiceError> {
        let now = self.clock.now();
        match TokenKind::of(token) {
            Some(TokenKind::Access) => {
                let session = self
                    .store
                    .session_by_access(&tokens::hash(token))
                    .await?
                    .filter(|s| s.access_expires_at > now)
                    .ok_or(ServiceError::Unauthenticated)?;
                let record = self
                    .store
                    .login(session.login)
                    .await?
                    .ok_or(ServiceError::Unauthenticated)?;
                let principal = match record.kind {
                    LoginKind::Person(user) => Principal::Person {
                        login: record.id,
                        tenant: record.tenant,
                        user,
                        memberships: self.store.memberships_of(user).await?,
                    },
                    LoginKind::Staff(role) => Principal::Staff {
                        login: record.id,
                        tenant: record.tenant,
                        role,
                    },
                };
                Ok(Authenticated {
                    principal,
                    session_family: Some(session.family),
                })
            }
            Some(TokenKind::ApiKey) => {
                let key = self
                    .store
                    .api_key_by_hash(&tokens::hash(token))
                    .await?
                    .ok_or(ServiceError::Unauthenticated)?;
                Ok(Authenticated {
                    principal: Principal::Service {
                        key: key.id,
                        tenant: key.tenant,
                    },
                    session_family: None,
                })
            }
            _ => Err(ServiceError::Unauthenticated),
        }
    }

    /// A new API key for the admin's tenant; the secret is shown once.
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        name: &str,
    ) -> Result<(ApiKeyRecord, String), ServiceError> {
        require_admin(principal)?;
        self.create_api_key_for(&principal.actor(), principal.tenant(), name)
            .await
    }

    /// Creates a key without a principal (the CLI, run by an operator).
    pub async fn create_api_key_for(
        &self,
        actor: &str,
        tenant: TenantId,
        name: &str,
    ) -> Result<(ApiKeyRecord, String), ServiceError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(
                finsight_core::ValidationError::new("name", "must be 1 to 100 characters").into(),
            );
        }
        let (secret, hash) = tokens::generate(TokenKind::ApiKey);
        let record = ApiKeyRecord {
            id: ApiKeyId::from_random_bytes(tokens::random_id()),
            tenant,
            name: name.to_owned(),
            created_at: self.clock.now(),
            revoked: false,
        };
        self.store.create_api_key(&record, &hash).await?;
        self.audit(
            actor,
            "api_key.create",
            &format!("api_key:{}", record.id),
            "",
        )
        .await;
        Ok((record, secret))
    }

    pub async fn api_keys(&self, principal: &Principal) -> Result<Vec<ApiKeyRecord>, ServiceError> {
        require_admin(principal)?;
        Ok(self.store.api_keys(principal.tenant()).await?)
    }

    pub async fn revoke_api_key(
        &self,
        principal: &Principal,
        id: ApiKeyId,
    ) -> Result<(), ServiceError> {
        require_admin(principal)?;
        if !self
            .store
            .revoke_api_key(principal.tenant(), id, self.clock.now())
            .await?
        {
            return Err(ServiceError::NotFound("api key"));
        }
        self.audit(
            &principal.actor(),
            "api_key.revoke",
            &format!("api_key:{id}"),
            "",
        )
        .await;
        Ok(())
    }
}

pub(crate) fn require_admin(principal: &Principal) -> Result<(), ServiceError> {
    if principal.is_admin() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("only an admin may do this"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_doubles_from_the_threshold_up_to_the_cap() {
        let settings = AuthSettings::default();
        assert_eq!(settings.lock_for(4), None);
        assert_eq!(settings.lock_for(5), Some(Duration::seconds(30)));
        assert_eq!(settings.lock_for(6), Some(Duration::seconds(60)));
        assert_eq!(settings.lock_for(12), Some(Duration::hours(1)));
        assert_eq!(settings.lock_for(400), Some(Duration::hours(1)));
    }
}
