//! What flows through the stages: a batch of committed transactions in
//! commit order, each with what earlier stages decided about it in this
//! run, so a later stage (anomaly scoring after categorization and the
//! feature update) works on the enriched record instead of re-reading it.

use finsight_core::{CategoryId, Transaction};

/// What stages have added to one transaction in this run. Later issues add
/// their own fields (fresh features, anomaly scores, alerts) here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enrichments {
    /// The category a stage decided (and stored) in this run.
    pub category: Option<CategoryId>,
}

/// One transaction and its enrichments.
#[derive(Debug, Clone)]
pub struct StageItem {
    /// The transaction as committed (before this run's enrichments).
    pub transaction: Transaction,
    /// Its outbox position.
    pub seq: i64,
    pub enrichments: Enrichments,
}

impl StageItem {
    /// The category as it stands after earlier stages of this run.
    pub fn category(&self) -> Option<&CategoryId> {
        self.enrichments
            .category
            .as_ref()
            .or(self.transaction.category.as_ref())
    }
}

/// The transactions a stage has not seen yet, in commit order.
#[derive(Debug, Clone, Default)]
pub struct StageBatch {
    pub items: Vec<StageItem>,
}

impl StageBatch {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn transactions(&self) -> impl Iterator<Item = &Transaction> {
        self.items.iter().map(|item| &item.transaction)
    }
}
