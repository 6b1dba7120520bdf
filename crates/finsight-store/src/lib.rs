//! Where Finsight keeps its data. Narrow traits say what the rest of the
//! system may ask of storage; each has an embedded implementation (SQLite,
//! the default, one file under the data directory) and a scale-out one
//! (PostgreSQL). Both pass the same conformance suite (`tests/it`).

mod sealing;

mod alerts;
mod audit;
mod categorizations;
mod error;
mod features;
mod identity;
mod ingest;
mod invitations;
mod jobs;
mod keys;
mod ledger;
mod planning;
mod postgres;
mod preferences;
mod processing;
mod registry;
mod rows;
mod sql;
mod sqlite;
mod sqlite_bulk;
mod stats;
mod throttle;
pub mod vault;

use std::sync::Arc;

pub use alerts::{Alert, AlertReason, AlertSink, AlertStore, AnomalyProfileRow};
pub use audit::AuditStore;
pub use categorizations::{
    Categorization, CategorizationStatus, CategorizationStore, ReviewCursor,
};
pub use error::StoreError;
pub use features::{FactCursor, FeatureSnapshot, FeatureStore};
pub use identity::{
    ActiveSession, ApiKeyRecord, IdentityStore, LoginRecord, NewLogin, RefreshOutcome,
    SessionTokens,
};
pub use ingest::{
    BatchReport, DailyCount, IdempotencyClaim, IdempotencyScope, IdempotencyTimes, ImportRun,
    IngestStore, QuarantineCursor, QuarantineEntry, QuarantinePage, QuarantineQuery,
    QuarantineScope, QuarantineStatus, QuarantinedRecord, ReferenceBinding, SealedBatch,
};
pub use invitations::{Consent, Invitation, InvitationOutcome, InvitationStore};
pub use jobs::{JobClaim, JobStore};
pub use keys::{KeyStatus, KeyStore};
pub use ledger::{
    AccountBalance, AccountSummary, CategoryMonthTotal, CategorySummary, Directory, DirectoryStore,
    InsertReport, LedgerStats, LedgerStore, OutboxEntry, PageCursor, TotalsQuery, TransactionEdit,
    TransactionPage, TransactionQuery, UserSummary,
};
pub use planning::{
    BudgetLineRow, DayTotal, GoalRow, InsightAnswerCount, InsightAnswerRow, PlanningStore,
};
pub use postgres::PostgresStore;
pub use preferences::PreferenceStore;
pub use processing::{CategoryUpdate, PARTITIONS, ProcessorStore, partition_of};
pub use registry::{
    AliasMove, Artifact, Experiment, Metric, ModelRegistryStore, ModelVersion, Page,
    RegisteredModel, Run, RunInfo, TrackingStore,
};
pub use sqlite::SqliteStore;
pub use throttle::{ThrottleState, ThrottleStore};
pub use vault::Kek;

/// What model operations need: tracking and the registry.
pub trait RegistryPorts: TrackingStore + ModelRegistryStore {}
impl<T: TrackingStore + ModelRegistryStore + ?Sized> RegistryPorts for T {}

/// What a training job reads and writes: the directory, the ledger, the
/// registry.
pub trait TrainingPorts: DirectoryStore + LedgerStore + RegistryPorts {}
impl<T: DirectoryStore + LedgerStore + RegistryPorts + ?Sized> TrainingPorts for T {}

/// What the categorization stage's learned side reads and writes.
pub trait ModelStagePorts: CategorizationStore + IdentityStore + DirectoryStore {}
impl<T: CategorizationStore + IdentityStore + DirectoryStore + ?Sized> ModelStagePorts for T {}

/// Everything a Finsight process needs from its database.
#[async_trait::async_trait]
pub trait Store:
    DirectoryStore
    + LedgerStore
    + IngestStore
    + ProcessorStore
    + JobStore
    + AuditStore
    + IdentityStore
    + KeyStore
    + ThrottleStore
    + InvitationStore
    + FeatureStore
    + TrackingStore
    + ModelRegistryStore
    + CategorizationStore
    + AlertStore
    + PlanningStore
    + PreferenceStore
    + TrainingPorts
    + ModelStagePorts
{
    /// Applies pending migrations; safe to run on every start.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// A cheap round trip, for readiness checks.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the store a URL names: `sqlite://PATH` (created if missing) or
/// `postgres://…`, sealing personal fields with data keys wrapped by `kek`;
/// `clock` dates the keys it creates. Runs no migrations.
pub async fn open(
    url: &str,
    kek: &Kek,
    clock: Arc<dyn finsight_core::Clock>,
) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url, kek, clock).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PostgresStore::open(url, kek, clock).await?))
    } else {
        Err(StoreError::Config(format!(
            "database url must start with sqlite:// or postgres://, got {:?}",
            url.split(':').next().unwrap_or_default()
        )))
    }
}
