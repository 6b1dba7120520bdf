//! Signing in and proving who you are. Sessions are opaque bearer tokens
//! kept server-side, so revocation is immediate: a short-lived access token
//! (15 minutes) and a refresh token (30 days) that rotates on every use; a
//! refresh token presented twice revokes its whole family (theft
//! detection). Service accounts use long-lived API keys. Failed sign-ins
//! are throttled per (email, client address) with exponential back-off —
//! known and unknown emails alike, so the answer never tells which exist —
//! and never lock the login itself: someone else's guesses from another
//! address cannot keep a person out. A flood of failures for one email
//! from many addresses throttles the addresses that have never signed in
//! to it; the person's own known address still gets in.

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
    /// Failed sign-ins for one email from one address before the first
    /// back-off.
    pub lockout_threshold: u32,
    /// The first back-off; each further failure doubles it.
    pub lockout_base: Duration,
    pub lockout_max: Duration,
    /// Failed sign-ins for one email from all addresses before addresses
    /// that never signed in to it are throttled too.
    pub email_lockout_threshold: u32,
    /// Failures older than this are forgotten.
    pub lockout_window: Duration,
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
            email_lockout_threshold: 50,
            lockout_window: Duration::hours(1),
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

    /// Signs in with email and password (from an unknown address: tests,
    /// the CLI).
    pub async fn login(&self, email: &str, password: &str) -> Result<IssuedSession, ServiceError> {
        self.login_from(email, password, "-").await
    }

    /// Signs in with email and password from `client` (the caller's
    /// address). Unknown emails are answered exactly like wrong passwords,
    /// throttling included.
    pub async fn login_from(
        &self,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<IssuedSession, ServiceError> {
        let now = self.clock.now();
        let typed = email.trim().to_lowercase();
        let pair = format!("pair\u{0}{typed}\u{0}{client}");
        let everywhere = format!("email\u{0}{typed}");
        let known = format!("known\u{0}{typed}\u{0}{client}");
        let candidates = match Email::parse(email) {
            Ok(email) => self.store.logins_by_email(&email).await?,
            Err(_) => Vec::new(),
        };
        let subject = candidates
            .first()
            .map_or_else(|| "unknown-login".to_owned(), |l| format!("login:{}", l.id));
        if let Some(wait) = self.throttled(&pair, &everywhere, &known, now).await? {
            self.audit("anonymous", "auth.login_throttled", &subject, "")
                .await;
            return Err(ServiceError::Locked {
                retry_after_secs: u64::try_from(wait.whole_seconds()).unwrap_or(1).max(1),
            });
        }
        let matched = self.matching_login(&candidates, password).await;
        let Some(record) = matched else {
            let window_start = now - self.settings.lockout_window;
            let failures = self.store.count_failure(&pair, now, window_start).await?;
            let everywhere_failures = self
                .store
                .count_failure(&everywhere, now, window_start)
                .await?;
            self.audit(
                "anonymous",
                "auth.login_failed",
                &subject,
                &format!("failures={failures}"),
            )
            .await;
            if let Some(lock) = self.settings.lock_for(failures) {
                self.store.lock_throttle(&pair, now + lock).await?;
                self.audit(
                    "system",
                    "auth.throttle",
                    &subject,
                    &format!("seconds={}", lock.whole_seconds()),
                )
                .await;
            }
            if let Some(over) =
                everywhere_failures.checked_sub(self.settings.email_lockout_threshold)
                && let Some(lock) = self
                    .settings
                    .lock_for(self.settings.lockout_threshold + over)
            {
                self.store.lock_throttle(&everywhere, now + lock).await?;
            }
            return Err(ServiceError::InvalidCredentials);
        };
        self.store.reset_throttle(&pair, now).await?;
        self.store.reset_throttle(&known, now).await?;
        let session = self.issue(now);
        self.store
            .create_session(record.id, &session.1, now)
            .await?;
        let subject = format!("login:{}", record.id);
        self.audit(&subject, "auth.login", &subject, "").await;
        Ok(session.0)
    }

    /// How long this attempt must wait, if at all: its own (email,
    /// address) back-off, or the email-wide one unless the address has
    /// signed in to this email before.
    async fn throttled(
        &self,
        pair: &str,
        everywhere: &str,
        known: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Duration>, ServiceError> {
        let waiting = |state: Option<finsight_store::ThrottleState>| {
            state
                .and_then(|s| s.locked_until)
                .filter(|until| *until > now)
                .map(|until| until - now)
        };
        if let Some(wait) = waiting(self.store.throttle(pair).await?) {
            return Ok(Some(wait));
        }
        if let Some(wait) = waiting(self.store.throttle(everywhere).await?)
            && self.store.throttle(known).await?.is_none()
        {
            return Ok(Some(wait));
        }
        Ok(None)
    }

    /// The login whose password this is (emails are unique per tenant, so
    /// one address may have a login in several tenants). With none, a
    /// decoy hash is verified, so an unknown email takes as long.
    async fn matching_login(
        &self,
        candidates: &[finsight_store::LoginRecord],
        password: &str,
    ) -> Option<finsight_store::LoginRecord> {
        if candidates.is_empty() {
            let (decoy, hashing) = (Arc::clone(&self.decoy_hash), self.settings.hashing);
            let password = password.to_owned();
            let _ = tokio::task::spawn_blocking(move || {
                let decoy = decoy.get_or_init(|| hashing.hash("decoy password for unknown emails"));
                hashing.verify(&password, decoy)
            })
            .await;
            return None;
        }
        for record in candidates {
            if self
                .verify_password(password.to_owned(), record.password_hash.clone())
                .await
            {
                return Some(record.clone());
            }
        }
        None
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
            // Sign-in throttling never applies here: a refresh token is
            // proof of an earlier sign-in, and refusing one it has already
            // spent would end the session.
            RefreshOutcome::Rotated { login, .. } => match self.store.login(login).await? {
                Some(_) => Ok(issued),
                None => Err(ServiceError::Unauthenticated),
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
        finsight_core::text::check_printable("name", name)?;
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
