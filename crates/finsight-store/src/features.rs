//! The feature store's offline side: the fact log the feature stage
//! writes (one row per processed transaction, one per market close), the
//! registered view definitions, materialized snapshots and which days are
//! materialized. Times are microseconds since the Unix epoch.

use finsight_features::market::MarketReject;
use finsight_features::{EntityKey, FactFilter, LedgerFact, MarketFact};
use time::Date;

use crate::StoreError;

/// One view's vector of one entity at the end of a day.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSnapshot {
    /// `name:vVERSION`.
    pub view_key: String,
    pub entity: EntityKey,
    pub as_of: i64,
    pub created_at: i64,
    pub values: Vec<Option<f64>>,
}

/// Where a page of facts starts after: a log position.
pub type FactCursor = i64;

#[async_trait::async_trait]
pub trait FeatureStore: Send + Sync {
    /// Records a view's definition; refuses (`Invalid`) a different
    /// definition under a version already registered.
    async fn register_feature_view(
        &self,
        name: &str,
        version: u32,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Appends facts, skipping ones already logged; per fact, whether it
    /// was new.
    async fn append_ledger_facts(&self, facts: &[LedgerFact]) -> Result<Vec<bool>, StoreError>;

    /// Which of these log positions are already logged.
    async fn logged_fact_seqs(&self, seqs: &[i64]) -> Result<Vec<i64>, StoreError>;

    /// One entity's facts with event time at or before `until_at`, in
    /// event-time order.
    async fn ledger_facts_of(
        &self,
        entity: FactFilter<'_>,
        until_at: i64,
    ) -> Result<Vec<LedgerFact>, StoreError>;

    /// Facts with event time in `[from_at, to_at]` in log order, after
    /// the position `after`, at most `limit`.
    async fn ledger_facts_between(
        &self,
        from_at: i64,
        to_at: i64,
        after: Option<FactCursor>,
        limit: u32,
    ) -> Result<Vec<LedgerFact>, StoreError>;

    /// Appends daily closes; an existing (entity, day) is kept as it was.
    /// Per fact, whether it was new.
    async fn append_market_facts(&self, facts: &[MarketFact]) -> Result<Vec<bool>, StoreError>;

    /// One market entity's closes up to `until` (inclusive), by day.
    async fn market_facts_of(
        &self,
        entity: &EntityKey,
        until: Date,
    ) -> Result<Vec<MarketFact>, StoreError>;

    /// Every close from `from` to `to` (inclusive), by entity and day.
    async fn market_facts_between(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<MarketFact>, StoreError>;

    /// Writes snapshots; one already there for the same view, entity and
    /// time is replaced (materializing again is idempotent). How many.
    async fn save_feature_snapshots(
        &self,
        snapshots: &[FeatureSnapshot],
    ) -> Result<u64, StoreError>;

    /// An entity's snapshots of a view, newest first, at most `limit`.
    async fn feature_snapshots(
        &self,
        view_key: &str,
        entity: &EntityKey,
        limit: u32,
    ) -> Result<Vec<FeatureSnapshot>, StoreError>;

    /// Keeps rejected market rows of the file `source` with their reasons
    /// (a row already kept for the same line is replaced).
    async fn quarantine_market_rows(
        &self,
        source: &str,
        rejects: &[MarketReject],
        now: i64,
    ) -> Result<(), StoreError>;

    /// Rejected market rows, newest file first, at most `limit`.
    async fn market_quarantine(
        &self,
        limit: u32,
    ) -> Result<Vec<(String, MarketReject)>, StoreError>;

    async fn mark_features_materialized(&self, day: Date, now: i64) -> Result<(), StoreError>;

    /// The days from `from` to `to` already materialized.
    async fn features_materialized_days(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<Date>, StoreError>;
}
