//! Storage for the stream processor: each stage's position in the outbox,
//! loading the transactions an outbox batch names, category updates that
//! respect who set a category, and the users' category rules.

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

#[async_trait::async_trait]
pub trait ProcessorStore: Send + Sync {
    /// The last outbox sequence number a stage has finished (0 at first).
    async fn stage_position(&self, stage: &str) -> Result<i64, StoreError>;

    async fn save_stage_position(
        &self,
        stage: &str,
        position: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

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
