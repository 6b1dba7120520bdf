//! Storage for ingestion: quarantined records, account aliases, saved CSV
//! profiles, import runs (the raw material of data-quality monitoring) and
//! daily volumes. One implementation serves both backends (`shared.rs`).

use finsight_core::{
    AccountId, IdentifiedTransaction, NewTransaction, TenantId, TransactionId, UserId,
};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{InsertReport, StoreError};

/// A record that could not be accepted, with where it came from and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineEntry {
    /// The kind of source (`csv`, `ofx`, `kafka`, `api`, ...).
    pub source: String,
    /// Which one: a file name, `topic/partition`, an API request id.
    pub origin: String,
    /// Where in it: `line 12`, `offset 881`.
    pub location: String,
    /// The record's text as received.
    pub raw: String,
    pub field: String,
    pub reason: String,
    /// The parsed record (JSON), when parsing got that far, for retries.
    pub record: Option<String>,
    /// The account the import was for, when it named one.
    pub account_id: Option<AccountId>,
}

impl QuarantineEntry {
    /// Stable per (source, origin, location, raw, account): quarantining
    /// the same bad record twice keeps one entry, and the same text sent
    /// for two accounts (two tenants' batches of `{"posted_on":"x"}`) stays
    /// two entries, one for each.
    pub fn id(&self) -> Uuid {
        let mut hasher = Sha256::new();
        let account = self.account_id.map(|a| a.to_string()).unwrap_or_default();
        for part in [
            &self.source,
            &self.origin,
            &self.location,
            &self.raw,
            &account,
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineStatus {
    Open,
    Resolved,
}

impl QuarantineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineStatus::Open => "open",
            QuarantineStatus::Resolved => "resolved",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "open" => Ok(Self::Open),
            "resolved" => Ok(Self::Resolved),
            other => Err(StoreError::Corrupt(format!("quarantine status {other:?}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedRecord {
    pub id: Uuid,
    pub entry: QuarantineEntry,
    pub status: QuarantineStatus,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    /// The ledger transaction a resolved record became.
    pub transaction_id: Option<TransactionId>,
}

/// A batch whose personal text is encrypted, ready to write.
#[derive(Debug)]
pub struct SealedBatch {
    pub(crate) transactions: Vec<IdentifiedTransaction>,
    pub(crate) sealed: Vec<crate::sealing::SealedText>,
    pub(crate) quarantine: Vec<QuarantineEntry>,
    pub(crate) sealed_quarantine: Vec<(String, Option<String>)>,
}

/// What one atomic write of good and bad records did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub ledger: InsertReport,
    /// New quarantine entries (already quarantined ones are not counted).
    pub quarantined: u64,
}

/// One finished import, for data-quality monitoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRun {
    pub id: Uuid,
    pub source: String,
    pub origin: String,
    pub account_id: Option<AccountId>,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub accepted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// CSV header columns, for schema-drift detection.
    pub columns: Vec<String>,
}

/// Transactions per source, account and posting day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCount {
    pub source: String,
    pub account_id: AccountId,
    pub day: Date,
    pub transactions: u64,
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// First use: go ahead, then complete the key with the response.
    New,
    /// Used before with the same request: replay this response.
    Replay { status: u16, response: String },
    /// Used before with a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Whose quarantined records a listing covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineScope {
    /// Every record (the operator's CLI).
    All,
    /// Records of accounts in the households this person belongs to.
    Person(UserId),
    /// Records of accounts of one tenant.
    Tenant(TenantId),
}

/// Where a quarantine page continues: below this record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarantineCursor {
    pub created_at: OffsetDateTime,
    pub id: Uuid,
}

impl QuarantineCursor {
    /// Opaque text form for APIs: `UNIX_NANOS~UUID`.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.created_at.unix_timestamp_nanos(), self.id)
    }

    pub fn decode(text: &str) -> Result<Self, finsight_core::ValidationError> {
        let bad =
            || finsight_core::ValidationError::new("cursor", "not a cursor this server issued");
        let (nanos, id) = text.split_once('~').ok_or_else(bad)?;
        let nanos: i128 = nanos.parse().map_err(|_| bad())?;
        Ok(Self {
            created_at: OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| bad())?,
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct QuarantineQuery {
    pub scope: QuarantineScope,
    pub status: Option<QuarantineStatus>,
    pub before: Option<QuarantineCursor>,
    /// 1 to 1,000.
    pub limit: u32,
}

#[derive(Debug, Clone)]
pub struct QuarantinePage {
    pub records: Vec<QuarantinedRecord>,
    /// Where the next page starts; none on the last page.
    pub next: Option<QuarantineCursor>,
}

/// What binding an account reference did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceBinding {
    /// Newly bound.
    Bound,
    /// It was bound to this account already.
    Unchanged,
    /// It is bound to another account of the household; nothing changed.
    Conflict,
}

/// Which idempotency key: the principal that sent it (keys of different
/// principals never meet) and the key itself.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyScope<'a> {
    pub principal: &'a str,
    pub key: &'a str,
}

/// How long idempotency claims live.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyTimes {
    pub now: OffsetDateTime,
    /// Keys created before this are expired: claimed afresh.
    pub expired_before: OffsetDateTime,
    /// Claims still unfinished since before this were abandoned (their
    /// process died): claimed afresh.
    pub abandoned_before: OffsetDateTime,
}

#[async_trait::async_trait]
pub trait IngestStore: Send + Sync {
    /// Claims a key for a request whose body hashes to `request_hash`.
    async fn claim_idempotency_key(
        &self,
        scope: IdempotencyScope<'_>,
        request_hash: &str,
        times: IdempotencyTimes,
    ) -> Result<IdempotencyClaim, StoreError>;

    /// Stores the response to replay for later uses of the key.
    async fn complete_idempotency_key(
        &self,
        scope: IdempotencyScope<'_>,
        status: u16,
        response: &str,
    ) -> Result<(), StoreError>;

    /// Forgets an unfinished claim (the request failed; a retry may run).
    async fn release_idempotency_key(&self, scope: IdempotencyScope<'_>) -> Result<(), StoreError>;

    /// Deletes keys created before `before`; how many.
    async fn purge_idempotency_keys(&self, before: OffsetDateTime) -> Result<u64, StoreError>;

    /// Writes accepted transactions (each with its outbox entry) and
    /// quarantine entries in one atomic commit, so a crash can never keep
    /// one half of a batch.
    async fn write_batch(
        &self,
        transactions: Vec<IdentifiedTransaction>,
        quarantine: Vec<QuarantineEntry>,
        now: OffsetDateTime,
    ) -> Result<BatchReport, StoreError> {
        let sealed = self.seal_batch(transactions, quarantine).await?;
        self.write_sealed_batch(sealed, now).await
    }

    /// Encrypts a batch's personal text (the first half of
    /// [`IngestStore::write_batch`]), so a caller can seal the next batch
    /// while the previous one is being written.
    async fn seal_batch(
        &self,
        transactions: Vec<IdentifiedTransaction>,
        quarantine: Vec<QuarantineEntry>,
    ) -> Result<SealedBatch, StoreError>;

    /// Writes a sealed batch in one atomic commit.
    async fn write_sealed_batch(
        &self,
        batch: SealedBatch,
        now: OffsetDateTime,
    ) -> Result<BatchReport, StoreError>;

    /// Newest first, across every tenant (the operator's view); `status`
    /// none for all.
    async fn quarantined(
        &self,
        status: Option<QuarantineStatus>,
        limit: u32,
    ) -> Result<Vec<QuarantinedRecord>, StoreError> {
        Ok(self
            .quarantine_page(&QuarantineQuery {
                scope: QuarantineScope::All,
                status,
                before: None,
                limit,
            })
            .await?
            .records)
    }

    /// One page of quarantined records within a scope, newest first: the
    /// scope narrows the query before the limit applies.
    async fn quarantine_page(&self, query: &QuarantineQuery) -> Result<QuarantinePage, StoreError>;

    async fn quarantined_record(&self, id: Uuid) -> Result<Option<QuarantinedRecord>, StoreError>;

    /// Inserts the corrected transaction and marks the entry resolved, in
    /// one commit.
    async fn resolve_quarantined(
        &self,
        id: Uuid,
        transaction: &NewTransaction,
        now: OffsetDateTime,
    ) -> Result<InsertReport, StoreError>;

    /// Records a new reason after a failed retry.
    async fn update_quarantine_reason(
        &self,
        id: Uuid,
        field: &str,
        reason: &str,
    ) -> Result<(), StoreError>;

    /// Binds a bank file's name for an account (OFX `ACCTID`, an IBAN) to
    /// the account, within the household that owns it. A reference once
    /// bound in a household is never rebound: binding it to another
    /// account answers [`ReferenceBinding::Conflict`] and changes nothing.
    async fn bind_account_reference(
        &self,
        reference: &str,
        account: AccountId,
    ) -> Result<ReferenceBinding, StoreError>;

    /// Every account a bank file's reference is bound to (one per
    /// household at most; found by its blind index).
    async fn accounts_for_reference(&self, reference: &str) -> Result<Vec<AccountId>, StoreError>;

    async fn account_aliases(&self) -> Result<Vec<(String, AccountId)>, StoreError>;

    async fn save_csv_profile(
        &self,
        name: &str,
        profile_json: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    async fn csv_profile(&self, name: &str) -> Result<Option<String>, StoreError>;

    async fn record_import_run(&self, run: &ImportRun) -> Result<(), StoreError>;

    /// Runs finished at or after `since`, oldest first.
    async fn import_runs(&self, since: OffsetDateTime) -> Result<Vec<ImportRun>, StoreError>;

    /// Daily transaction counts from `since` (inclusive).
    async fn daily_counts(&self, since: Date) -> Result<Vec<DailyCount>, StoreError>;

    /// The latest posting date per source and account.
    async fn last_posted(&self) -> Result<Vec<(String, AccountId, Date)>, StoreError>;
}
