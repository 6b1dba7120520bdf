//! The first stages: categorization without learning (the user's rules,
//! then the merchant category code), and a final bookkeeping stage.

use std::collections::HashMap;
use std::sync::Arc;

use finsight_core::{CategoryRule, CategorySource, Transaction, UserId, apply_rules, mcc_category};
use finsight_store::{CategoryUpdate, ProcessorStore};

use crate::{ProcessorError, Stage, StageBatch};

/// Gives each transaction the category of the user's best matching rule,
/// or else of its merchant category code — never overriding a stronger
/// source (a rule beats the bank's category, which beats the MCC).
pub struct Categorize {
    store: Arc<dyn ProcessorStore>,
}

impl Categorize {
    pub fn new(store: Arc<dyn ProcessorStore>) -> Self {
        Self { store }
    }
}

fn decide(transaction: &Transaction, rules: &[CategoryRule]) -> Option<CategoryUpdate> {
    let (category, source) = match apply_rules(rules, transaction.description.as_str()) {
        Some(category) => (category.clone(), CategorySource::Rule),
        None => (mcc_category(transaction.mcc?)?, CategorySource::Mcc),
    };
    let unchanged = transaction.category.as_ref() == Some(&category)
        && transaction.category_source == Some(source);
    (!unchanged && source.may_replace(transaction.category_source)).then_some(CategoryUpdate {
        transaction_id: transaction.id,
        category,
        source,
    })
}

#[async_trait::async_trait]
impl Stage for Categorize {
    fn name(&self) -> &'static str {
        "categorize"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        let mut users: Vec<UserId> = batch.transactions().map(|t| t.user_id).collect();
        users.sort_unstable();
        users.dedup();
        let mut rules: HashMap<UserId, Vec<CategoryRule>> = HashMap::new();
        for rule in self.store.rules_of_users(&users).await? {
            rules.entry(rule.user_id).or_default().push(rule);
        }
        let decisions: Vec<Option<CategoryUpdate>> = batch
            .transactions()
            .map(|t| decide(t, rules.get(&t.user_id).map_or(&[], Vec::as_slice)))
            .collect();
        let updates: Vec<CategoryUpdate> = decisions.iter().flatten().cloned().collect();
        let changed = self.store.apply_categories(&updates).await?;
        // Stored: the stages after this one see the category in this run.
        for (item, decision) in batch.items.iter_mut().zip(decisions) {
            if let Some(update) = decision {
                item.enrichments.category = Some(update.category);
            }
        }
        metrics::counter!("finsight_processor_categorized_total").increment(changed);
        Ok(())
    }
}

/// The last stage: the transaction has been through the pipeline. Today it
/// only counts and logs; it marks where later issues hang alerts.
pub struct RecordProcessed;

#[async_trait::async_trait]
impl Stage for RecordProcessed {
    fn name(&self) -> &'static str {
        "record_processed"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        if let Some(last) = batch.items.last() {
            tracing::debug!(count = batch.len(), last = %last.transaction.id, "processed");
        }
        Ok(())
    }
}
