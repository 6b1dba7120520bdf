//! The categorizer's training job for one tenant. Labels are the
//! categories people, their rules and their banks set (never the models'
//! own guesses); a person's own corrections weigh more. The candidate is
//! trained on the earliest 80% by date and scored on the latest 20%, beside
//! the payee baseline and the current champion on the same rows; the rule
//! that decides promotion is logged with the decision. The registered
//! version is the same recipe trained on every label, so the newest
//! merchants are known to it.

use std::collections::HashMap;

use finsight_core::{AccountId, CategorySource, TenantId, Transaction, TransactionId};
use finsight_models::categorize::{Labeled, Sample};
use finsight_models::{Categorizer, Classification, PayeeBaseline, TrainOptions};
use finsight_store::TransactionQuery;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use crate::tracking::RunRecorder;
use crate::{CATEGORIZER, CHAMPION, MlopsError, TRAINING_EXPERIMENT, millis};

pub use finsight_store::TrainingPorts as TrainingStore;

/// The version of the model's byte format and features.
pub const MODEL_FORMAT: &str = "categorizer/1";

/// How a candidate must compare with the champion on the same held-out
/// rows to replace it.
pub const PROMOTION_RULE: &str = "promote when there is no champion, or when the candidate's \
     macro-F1 on the time-ordered holdout is at least the champion's and its accuracy is at most \
     0.5 points lower";

#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub run_id: String,
    pub version: i64,
    pub candidate: Classification,
    pub baseline: Classification,
    /// The champion's version and its score on the same held-out rows.
    pub champion: Option<(i64, Classification)>,
    pub promoted: bool,
    pub train_rows: usize,
    pub test_rows: usize,
    pub labels: usize,
}

/// A labelled transaction as training reads it.
struct Row {
    id: TransactionId,
    person: u128,
    date: Date,
    description: String,
    merchant: Option<String>,
    amount: f64,
    mcc: Option<u16>,
    account_kind: &'static str,
    label: String,
    correction: bool,
}

impl Row {
    fn labeled(&self) -> Labeled<'_> {
        Labeled {
            sample: Sample {
                description: &self.description,
                merchant: self.merchant.as_deref(),
                amount: Some(self.amount),
                mcc: self.mcc,
                account_kind: Some(self.account_kind),
                date: Some(self.date),
                person: Some(self.person),
            },
            label: &self.label,
            correction: self.correction,
        }
    }
}

/// The categorizer's view of a stored transaction.
pub fn sample_of<'t>(transaction: &'t Transaction, account_kind: Option<&'t str>) -> Sample<'t> {
    Sample {
        description: transaction.description.as_str(),
        merchant: transaction.merchant.as_deref(),
        amount: Some(amount_of(transaction)),
        mcc: transaction.mcc.map(|m| m.code()),
        account_kind,
        date: Some(transaction.posted_on.date()),
        person: Some(transaction.user_id.as_uuid().as_u128()),
    }
}

/// The amount as a model feature (a float is fine here; the ledger keeps
/// the exact decimal).
fn amount_of(transaction: &Transaction) -> f64 {
    let minor = transaction.amount.minor_units() as f64;
    minor / 10f64.powi(transaction.amount.currency().minor_unit_exponent() as i32)
}

/// Reads every labelled transaction of the tenant's people.
async fn labelled_rows(
    store: &dyn TrainingStore,
    tenant: TenantId,
) -> Result<Vec<Row>, MlopsError> {
    let mut rows = Vec::new();
    for user in store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.tenant_id == tenant)
    {
        let kinds: HashMap<AccountId, &'static str> = store
            .accounts_of_user(user.id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.kind.as_str()))
            .collect();
        let mut query = TransactionQuery::for_user(user.id);
        query.limit = TransactionQuery::MAX_LIMIT;
        loop {
            let page = store.transactions(&query).await?;
            for t in &page.transactions {
                let (Some(category), Some(source)) = (&t.category, t.category_source) else {
                    continue;
                };
                if !matches!(
                    source,
                    CategorySource::User | CategorySource::Rule | CategorySource::Source
                ) {
                    continue;
                }
                rows.push(Row {
                    id: t.id,
                    person: t.user_id.as_uuid().as_u128(),
                    date: t.posted_on.date(),
                    description: t.description.as_str().to_owned(),
                    merchant: t.merchant.clone(),
                    amount: amount_of(t),
                    mcc: t.mcc.map(|m| m.code()),
                    account_kind: kinds.get(&t.account_id).copied().unwrap_or("checking"),
                    label: category.as_str().to_owned(),
                    correction: source == CategorySource::User,
                });
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
    }
    // By date, then id: the same data always gives the same order.
    rows.sort_by_key(|r| (r.date, r.id.as_uuid()));
    Ok(rows)
}

/// Which data: a hash of every (transaction, label, weight) trained on.
fn fingerprint(rows: &[Row]) -> String {
    let mut hash = Sha256::new();
    for row in rows {
        hash.update(row.id.as_uuid().as_bytes());
        hash.update(row.label.as_bytes());
        hash.update([u8::from(row.correction)]);
    }
    hex::encode(hash.finalize())
}

fn score(predict: impl Fn(&Sample<'_>) -> String, test: &[Row]) -> Classification {
    let predicted: Vec<String> = test.iter().map(|r| predict(&r.labeled().sample)).collect();
    Classification::score(
        test.iter()
            .map(|r| r.label.as_str())
            .zip(predicted.iter().map(String::as_str)),
    )
}

/// Trains, evaluates, records and (by the rule) promotes the tenant's
/// categorizer. `actor` is who asked, for the run's user.
pub async fn train_categorizer(
    store: &dyn TrainingStore,
    tenant: TenantId,
    actor: &str,
    now: OffsetDateTime,
    options: TrainOptions,
) -> Result<TrainReport, MlopsError> {
    let rows = labelled_rows(store, tenant).await?;
    let labels = {
        let mut l: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        l.sort_unstable();
        l.dedup();
        l.len()
    };
    if rows.len() < 20 || labels < 2 {
        return Err(MlopsError::Nothing(format!(
            "the tenant has {} labelled transactions in {labels} categories; training needs at \
             least 20 in 2",
            rows.len()
        )));
    }
    let cut = rows.len() * 4 / 5;
    let (train, test) = rows.split_at(cut);
    let train_examples: Vec<Labeled<'_>> = train.iter().map(Row::labeled).collect();
    let candidate_model = Categorizer::train(&train_examples, options)?;
    let baseline_model = PayeeBaseline::train(&train_examples);
    let candidate = score(|s| candidate_model.predict(s).label.to_owned(), test);
    let baseline = score(|s| baseline_model.predict(s).to_owned(), test);
    let champion = match store.registered_model(tenant, CATEGORIZER).await? {
        Some(model) => match model.aliases.iter().find(|(a, _)| a == CHAMPION) {
            Some((_, version)) => {
                let version = store
                    .model_version(tenant, CATEGORIZER, *version)
                    .await?
                    .ok_or_else(|| {
                        MlopsError::Broken("the champion's version is missing".into())
                    })?;
                let served = crate::registry::load_categorizer(store, tenant, &version).await?;
                Some((
                    version.version,
                    score(|s| served.predict(s).label.to_owned(), test),
                ))
            }
            None => None,
        },
        None => None,
    };
    let promoted = champion.as_ref().is_none_or(|(_, c)| {
        candidate.macro_f1 >= c.macro_f1 && candidate.accuracy >= c.accuracy - 0.005
    });

    let started = millis(now);
    let tags = vec![
        ("mlflow.runName".to_owned(), format!("train {CATEGORIZER}")),
        ("finsight.model".to_owned(), CATEGORIZER.to_owned()),
        ("finsight.model_format".to_owned(), MODEL_FORMAT.to_owned()),
        ("finsight.code_version".to_owned(), env!("CARGO_PKG_VERSION").to_owned()),
        ("training_set.source".to_owned(), "ledger: categories set by people, their rules and their banks; feature views: none (the categorizer reads each transaction's own fields)".to_owned()),
        ("training_set.fingerprint".to_owned(), fingerprint(&rows)),
        ("training_set.from".to_owned(), rows[0].date.to_string()),
        ("training_set.to".to_owned(), rows[rows.len() - 1].date.to_string()),
        ("training_set.rows".to_owned(), rows.len().to_string()),
        ("holdout.from".to_owned(), test[0].date.to_string()),
        ("promotion.rule".to_owned(), PROMOTION_RULE.to_owned()),
        ("promotion.decision".to_owned(), if promoted { "promoted" } else { "kept the champion" }.to_owned()),
    ];
    let run = RunRecorder::start(
        store,
        tenant,
        TRAINING_EXPERIMENT,
        &format!("train {CATEGORIZER}"),
        actor,
        started,
        &tags,
    )
    .await?;
    let params = vec![
        ("epochs".to_owned(), options.epochs.to_string()),
        (
            "learning_rate".to_owned(),
            options.learning_rate.to_string(),
        ),
        ("l2".to_owned(), options.l2.to_string()),
        ("min_count".to_owned(), options.min_count.to_string()),
        (
            "correction_weight".to_owned(),
            options.correction_weight.to_string(),
        ),
        ("seed".to_owned(), options.seed.to_string()),
        ("train_share".to_owned(), "0.8".to_owned()),
    ];
    let mut metrics = vec![
        ("holdout.accuracy", candidate.accuracy),
        ("holdout.macro_f1", candidate.macro_f1),
        ("baseline.accuracy", baseline.accuracy),
        ("baseline.macro_f1", baseline.macro_f1),
        ("rows.train", train.len() as f64),
        ("rows.test", test.len() as f64),
        ("labels", labels as f64),
    ];
    if let Some((_, c)) = &champion {
        metrics.push(("champion.accuracy", c.accuracy));
        metrics.push(("champion.macro_f1", c.macro_f1));
    }
    run.log(&params, &metrics, &[], started).await?;

    let all: Vec<Labeled<'_>> = rows.iter().map(Row::labeled).collect();
    let model = Categorizer::train(&all, options)?;
    let (_, source) = run
        .put_artifact("model/categorizer.bin", &model.to_bytes())
        .await?;
    if store.registered_model(tenant, CATEGORIZER).await?.is_none() {
        match store
            .create_registered_model(
                tenant,
                CATEGORIZER,
                "Transaction categories, per tenant",
                started,
            )
            .await
        {
            Ok(()) | Err(finsight_store::StoreError::Invalid(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let version = store
        .create_model_version(
            tenant,
            CATEGORIZER,
            Some(&run.info.id),
            &source,
            "",
            started,
        )
        .await?;
    if promoted {
        crate::registry::promote(
            store,
            tenant,
            CATEGORIZER,
            version.version,
            CHAMPION,
            started,
        )
        .await?;
    }
    run.finish("FINISHED", millis(now)).await?;
    Ok(TrainReport {
        run_id: run.info.id.clone(),
        version: version.version,
        candidate,
        baseline,
        champion,
        promoted,
        train_rows: train.len(),
        test_rows: test.len(),
        labels,
    })
}
