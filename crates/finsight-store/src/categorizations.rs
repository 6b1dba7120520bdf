//! What the categorizer decided about each transaction: the category, its
//! confidence, the registered model and version that decided, and whether
//! it was applied or is waiting in the person's review queue. The model
//! version answers "which model categorized this transaction?", and from
//! it the registry answers which run, data and code produced that model.

use finsight_core::{CategoryId, TenantId, TransactionId, UserId};

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategorizationStatus {
    /// Confident: the category was set on the transaction.
    Applied,
    /// Not confident: waiting for the person to confirm or choose.
    Review,
    /// The person chose (their choice is the transaction's category).
    Resolved,
}

impl CategorizationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CategorizationStatus::Applied => "applied",
            CategorizationStatus::Review => "review",
            CategorizationStatus::Resolved => "resolved",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        [Self::Applied, Self::Review, Self::Resolved]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Categorization {
    pub transaction_id: TransactionId,
    pub tenant: TenantId,
    pub user_id: UserId,
    /// The registered model's name and version.
    pub model: String,
    pub version: i64,
    pub category: CategoryId,
    pub confidence: f64,
    pub status: CategorizationStatus,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

/// Where a review-queue page starts after.
pub type ReviewCursor = (i64, TransactionId);

#[async_trait::async_trait]
pub trait CategorizationStore: Send + Sync {
    /// Records decisions, replacing earlier ones for the same transaction
    /// unless the person has already resolved it.
    async fn record_categorizations(&self, records: &[Categorization]) -> Result<(), StoreError>;
    async fn categorization_of(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<Categorization>, StoreError>;
    /// The users' transactions waiting for review, oldest first.
    async fn review_queue(
        &self,
        users: &[UserId],
        after: Option<ReviewCursor>,
        limit: u32,
    ) -> Result<Vec<Categorization>, StoreError>;
    /// Marks a transaction's decision resolved; false if it had none
    /// waiting.
    async fn resolve_categorization(&self, transaction: TransactionId) -> Result<bool, StoreError>;
}
