//! Categorization (the user's rules, then the tenant's learned categorizer
//! — or, for a tenant without one yet, the merchant category code), and a
//! final bookkeeping stage.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use finsight_core::{
    AccountId, CategoryId, CategoryRule, CategorySource, Clock, TenantId, Transaction, UserId,
    apply_rules, mcc_category,
};
use finsight_mlops::serving::{CategorizerServing, Served};
use finsight_mlops::training::sample_of;
use finsight_mlops::{CATEGORIZER, millis};
use finsight_store::{Categorization, CategorizationStatus, CategoryUpdate, ProcessorStore};

use crate::{ProcessorError, Stage, StageBatch};

pub use finsight_store::ModelStagePorts;

/// The learned categorizer as the stage uses it: the served champions,
/// where decisions are recorded, and the confidence below which a
/// prediction waits for the person instead of being applied.
pub struct LearnedCategories {
    pub serving: Arc<CategorizerServing>,
    pub store: Arc<dyn ModelStagePorts>,
    pub clock: Arc<dyn Clock>,
    pub review_threshold: f32,
    /// Users' tenants and accounts' kinds never change: looked up once.
    tenants: Mutex<HashMap<UserId, TenantId>>,
    kinds: Mutex<HashMap<AccountId, &'static str>>,
}

impl LearnedCategories {
    pub fn new(
        serving: Arc<CategorizerServing>,
        store: Arc<dyn ModelStagePorts>,
        clock: Arc<dyn Clock>,
        review_threshold: f32,
    ) -> Self {
        Self {
            serving,
            store,
            clock,
            review_threshold,
            tenants: Mutex::default(),
            kinds: Mutex::default(),
        }
    }

    async fn tenant_of(&self, user: UserId) -> Result<Option<TenantId>, ProcessorError> {
        if let Some(tenant) = self
            .tenants
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&user)
        {
            return Ok(Some(*tenant));
        }
        let Some(found) = self.store.user(user).await? else {
            return Ok(None);
        };
        self.tenants
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user, found.tenant_id);
        Ok(Some(found.tenant_id))
    }

    async fn kind_of(&self, account: AccountId) -> Result<Option<&'static str>, ProcessorError> {
        if let Some(kind) = self
            .kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&account)
        {
            return Ok(Some(*kind));
        }
        let Some(found) = self.store.account(account).await? else {
            return Ok(None);
        };
        let kind = found.kind.as_str();
        self.kinds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(account, kind);
        Ok(Some(kind))
    }
}

/// Gives each transaction the category of the user's best matching rule,
/// else the tenant's categorizer's (applied when confident, queued for the
/// person's review when not), else — for a tenant with no categorizer yet
/// — its merchant category code; never overriding a stronger source (a
/// person's choice beats a rule, which beats the bank's category, which
/// beats the MCC and the model).
pub struct Categorize {
    store: Arc<dyn ProcessorStore>,
    learned: Option<LearnedCategories>,
}

impl Categorize {
    pub fn new(store: Arc<dyn ProcessorStore>) -> Self {
        Self {
            store,
            learned: None,
        }
    }

    pub fn with_model(mut self, learned: LearnedCategories) -> Self {
        self.learned = Some(learned);
        self
    }
}

/// What the stage decided for one transaction.
enum Decision {
    Set(CategoryUpdate),
    /// The model was not confident: the person decides.
    Review,
}

fn update(
    transaction: &Transaction,
    category: CategoryId,
    source: CategorySource,
) -> Option<Decision> {
    let unchanged = transaction.category.as_ref() == Some(&category)
        && transaction.category_source == Some(source);
    (!unchanged && source.may_replace(transaction.category_source)).then_some(Decision::Set(
        CategoryUpdate {
            transaction_id: transaction.id,
            category,
            source,
        },
    ))
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
        let mut decisions: Vec<Option<Decision>> = Vec::with_capacity(batch.len());
        let mut records: Vec<Categorization> = Vec::new();
        for t in batch.transactions() {
            let user_rules = rules.get(&t.user_id).map_or(&[][..], Vec::as_slice);
            if let Some(category) = apply_rules(user_rules, t.description.as_str()) {
                decisions.push(update(t, category.clone(), CategorySource::Rule));
                continue;
            }
            if !CategorySource::Model.may_replace(t.category_source) {
                decisions.push(None);
                continue;
            }
            let served = match &self.learned {
                Some(learned) => match learned.tenant_of(t.user_id).await? {
                    Some(tenant) => learned.serving.get(tenant).map(|s| (learned, tenant, s)),
                    None => None,
                },
                None => None,
            };
            match served {
                Some((learned, tenant, served)) => {
                    let (decision, record) = predict(learned, tenant, &served, t).await?;
                    decisions.push(decision);
                    records.extend(record);
                }
                None => decisions.push(
                    t.mcc
                        .and_then(mcc_category)
                        .and_then(|category| update(t, category, CategorySource::Mcc)),
                ),
            }
        }
        let updates: Vec<CategoryUpdate> = decisions
            .iter()
            .filter_map(|d| match d {
                Some(Decision::Set(update)) => Some(update.clone()),
                _ => None,
            })
            .collect();
        let changed = self.store.apply_categories(&updates).await?;
        if let Some(learned) = &self.learned {
            learned.store.record_categorizations(&records).await?;
        }
        // Stored: the stages after this one see the category in this run.
        for (item, decision) in batch.items.iter_mut().zip(decisions) {
            if let Some(Decision::Set(update)) = decision {
                item.enrichments.category = Some(update.category);
            }
        }
        metrics::counter!("finsight_processor_categorized_total").increment(changed);
        metrics::counter!("finsight_categorizer_reviews_total").increment(
            records
                .iter()
                .filter(|r| r.status == CategorizationStatus::Review)
                .count() as u64,
        );
        Ok(())
    }
}

async fn predict(
    learned: &LearnedCategories,
    tenant: TenantId,
    served: &Served,
    t: &Transaction,
) -> Result<(Option<Decision>, Option<Categorization>), ProcessorError> {
    let kind = learned.kind_of(t.account_id).await?;
    let started = std::time::Instant::now();
    let prediction = served.model.predict(&sample_of(t, kind));
    metrics::histogram!("finsight_categorizer_predict_seconds")
        .record(started.elapsed().as_secs_f64());
    let Ok(category) = CategoryId::parse(prediction.label) else {
        return Ok((None, None));
    };
    let confident = prediction.confidence >= learned.review_threshold;
    let record = Categorization {
        transaction_id: t.id,
        tenant,
        user_id: t.user_id,
        model: CATEGORIZER.to_owned(),
        version: served.version,
        category: category.clone(),
        confidence: f64::from(prediction.confidence),
        status: if confident {
            CategorizationStatus::Applied
        } else {
            CategorizationStatus::Review
        },
        created_at: millis(learned.clock.now()),
    };
    let decision = if confident {
        update(t, category, CategorySource::Model)
    } else {
        Some(Decision::Review)
    };
    Ok((decision, Some(record)))
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
