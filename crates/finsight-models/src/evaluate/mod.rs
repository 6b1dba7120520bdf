//! Held-out evaluation in time order: train on the earliest share of the
//! rows by date, score on the rest, model and baseline side by side. The
//! CLI's `finsight eval` reads a file into these rows; tests build them
//! from generated data.

mod anomaly;
mod forecast;
mod recurring;

pub use anomaly::{
    AnomalyReport, AnomalyRow, DetectorScore, anomalies, average_precision, roc_auc,
};
pub use forecast::{
    DatedSeries, ForecastEvalError, ForecastReport, MethodScore, forecasts, method_names, smape,
};

pub use recurring::{PersonHistory, RecurringReport, TruthSeries, recurring};

use serde::Serialize;
use time::Date;

use crate::categorize::{
    Categorizer, CategorizerError, Labeled, PayeeBaseline, Sample, TrainOptions,
};
use crate::metrics::Classification;

/// One labelled transaction of an evaluation file.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledRow {
    pub date: Date,
    pub description: String,
    pub merchant: Option<String>,
    pub amount: Option<f64>,
    pub mcc: Option<u16>,
    pub category: String,
}

impl LabeledRow {
    fn labeled(&self) -> Labeled<'_> {
        Labeled {
            sample: Sample {
                description: &self.description,
                merchant: self.merchant.as_deref(),
                amount: self.amount,
                mcc: self.mcc,
                account_kind: None,
                date: Some(self.date),
                person: None,
            },
            label: &self.category,
            correction: false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategorizerReport {
    pub model: Classification,
    pub baseline: Classification,
    pub train_rows: usize,
    pub test_rows: usize,
    /// The first date of the test rows.
    pub test_from: Date,
    pub labels: usize,
    pub features: usize,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EvaluateError {
    #[error("the file has {0} rows; at least 2 are needed to hold some out")]
    TooFewRows(usize),
    #[error(transparent)]
    Train(#[from] CategorizerError),
}

/// Sorts `rows` by date (stably, so rows of one day keep the file's order),
/// trains on the first `train_share` and scores the rest.
pub fn categorizer(
    rows: &mut [LabeledRow],
    train_share: f64,
    options: TrainOptions,
) -> Result<CategorizerReport, EvaluateError> {
    if rows.len() < 2 {
        return Err(EvaluateError::TooFewRows(rows.len()));
    }
    rows.sort_by_key(|r| r.date);
    let cut = ((rows.len() as f64 * train_share).floor() as usize).clamp(1, rows.len() - 1);
    let (train, test) = rows.split_at(cut);
    let examples: Vec<Labeled<'_>> = train.iter().map(LabeledRow::labeled).collect();
    let model = Categorizer::train(&examples, options)?;
    let baseline = PayeeBaseline::train(&examples);
    let tested: Vec<Labeled<'_>> = test.iter().map(LabeledRow::labeled).collect();
    let model_predictions: Vec<&str> = tested
        .iter()
        .map(|e| model.predict(&e.sample).label)
        .collect();
    let baseline_predictions: Vec<&str> =
        tested.iter().map(|e| baseline.predict(&e.sample)).collect();
    let truth = tested.iter().map(|e| e.label);
    Ok(CategorizerReport {
        model: Classification::score(truth.clone().zip(model_predictions)),
        baseline: Classification::score(truth.zip(baseline_predictions)),
        train_rows: train.len(),
        test_rows: test.len(),
        test_from: test[0].date,
        labels: model.labels().len(),
        features: model.feature_count(),
    })
}
