//! Storage for the stream processor: the outbox split into partitions by
//! user, leases that give each partition to one replica at a time, each
//! stage's position per partition, loading the transactions an outbox batch
//! names, category updates that respect who set a category, and the users'
//! category rules.

use finsight_core::{CategoryId, CategoryRule, CategorySource, Transaction, TransactionId, UserId};
use time::OffsetDateTime;

use crate::StoreError;

/// Set a transaction's category, unless a stronger source already did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryUpdate {
    pub transaction_id: TransactionId,
    pub category: CategoryId,
    pub source: CategorySource,
}

/// SQL rank of a stored `category_source`, matching [`CategorySource`]'s
/// order (0 for none).
pub(crate) const SOURCE_RANK_SQL: &str = "(CASE category_source WHEN 'model' THEN 1 WHEN 'mcc' THEN 2 \
     WHEN 'source' THEN 3 WHEN 'rule' THEN 4 WHEN 'user' THEN 5 ELSE 0 END)";

pub(crate) fn source_rank(source: CategorySource) -> i32 {
    match source {
        CategorySource::Model => 1,
        CategorySource::Mcc => 2,
        CategorySource::Source => 3,
        CategorySource::Rule => 4,
        CategorySource::User => 5,
    }
}

/// How many partitions the outbox is split into: at most this many
/// replicas share the processing.
pub const PARTITIONS: u16 = 16;

/// The partition of a user's outbox entries (the low four bits of the id's
/// last byte; the migrations compute the same in SQL).
pub fn partition_of(user: UserId) -> u16 {
    u16::from(user.as_uuid().as_bytes()[15] % PARTITIONS as u8)
}

#[async_trait::async_trait]
pub trait ProcessorStore: Send + Sync {
    /// Records `holder` as a live replica, then renews its leases and
    /// evens out the partitions between the live replicas: it gives up
    /// partitions beyond its fair share and takes free or expired ones up
    /// to it. Returns the partitions it holds until `now + ttl`, ascending.
    async fn claim_partitions(
        &self,
        holder: &str,
        now: OffsetDateTime,
        ttl: time::Duration,
    ) -> Result<Vec<u16>, StoreError>;

    /// Gives up every lease `holder` has (on a clean stop), so others need
    /// not wait for them to expire.
    async fn release_partitions(&self, holder: &str) -> Result<(), StoreError>;

    /// The last outbox sequence number a stage has finished in each
    /// partition that has one (the others are at 0).
    async fn stage_positions(&self, stage: &str) -> Result<Vec<(u16, i64)>, StoreError>;

    /// Moves a stage's position in these partitions to `position`, only
    /// while `holder` holds every one of their leases at `now`; false
    /// (nothing saved) when it does not, so a replica that lost a lease
    /// cannot move anyone back.
    async fn save_stage_positions(
        &self,
        stage: &str,
        partitions: &[u16],
        position: i64,
        holder: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` entries with `seq > after` in these partitions, in
    /// order (read in outbox order, keeping these partitions' entries).
    async fn partition_outbox_after(
        &self,
        partitions: &[u16],
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::OutboxEntry>, StoreError>;

    /// The newest outbox sequence number (0 when empty).
    async fn outbox_head(&self) -> Result<i64, StoreError>;

    /// The transactions with these ids (in no particular order; missing
    /// ids are skipped).
    async fn transactions_by_id(
        &self,
        ids: &[TransactionId],
    ) -> Result<Vec<Transaction>, StoreError>;

    /// Applies the updates whose source is at least as strong as the
    /// transaction's current one; returns how many changed.
    async fn apply_categories(&self, updates: &[CategoryUpdate]) -> Result<u64, StoreError>;

    /// The rules of these users, in no particular order.
    async fn rules_of_users(&self, users: &[UserId]) -> Result<Vec<CategoryRule>, StoreError>;

    async fn add_category_rule(
        &self,
        rule: &CategoryRule,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Deletes one of the user's rules; false if the user has no such rule.
    async fn delete_category_rule(&self, user: UserId, id: uuid::Uuid) -> Result<bool, StoreError>;
}
