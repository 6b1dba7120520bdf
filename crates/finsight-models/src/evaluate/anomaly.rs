//! Anomaly evaluation: labelled transactions replayed in time order
//! through the detector the processor runs (each scored against the
//! person's history before it), the model trained on the first share of
//! the period and every later transaction scored; beside it, a plain
//! isolation forest on the raw columns. ROC-AUC, PR-AUC (average
//! precision) and precision / recall when alerting on the top 1%.

use std::collections::HashMap;

use serde::Serialize;

use crate::anomaly::{self, AnomalyModel, Charge, IsolationForest, Profile};
use crate::stable_hash;

/// One labelled row of an evaluation file.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyRow {
    pub user: String,
    /// Seconds since the epoch.
    pub at: i64,
    pub local_hour: Option<u8>,
    pub amount: f64,
    pub currency: String,
    pub merchant: String,
    pub category: Option<String>,
    pub mcc: Option<u16>,
    pub country: Option<String>,
    pub label: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectorScore {
    pub roc_auc: f64,
    pub pr_auc: f64,
    /// At an alert budget of 1% of scored transactions.
    pub precision_at_1pct: f64,
    pub recall_at_1pct: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnomalyReport {
    pub finsight: DetectorScore,
    pub iforest_raw: DetectorScore,
    pub scored: usize,
    pub anomalies: usize,
    pub warmup: usize,
}

/// ROC-AUC by the rank-sum formula (ties share their rank).
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            ranks[order[k]] = rank;
        }
        i = j + 1;
    }
    let positives = labels.iter().filter(|l| **l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    let sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(r, _)| r)
        .sum();
    (sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Average precision (scikit-learn's `average_precision_score`).
pub fn average_precision(scores: &[f64], labels: &[bool]) -> f64 {
    let positives = labels.iter().filter(|l| **l).count() as f64;
    if positives == 0.0 {
        return f64::NAN;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let (mut hits, mut ap, mut i) = (0.0, 0.0, 0);
    while i < order.len() {
        // A block of tied scores is one threshold.
        let mut j = i;
        let mut block_hits = 0.0;
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            if labels[order[j]] {
                block_hits += 1.0;
            }
            j += 1;
        }
        hits += block_hits;
        ap += (block_hits / positives) * (hits / j as f64);
        i = j;
    }
    ap
}

fn at_budget(scores: &[f64], labels: &[bool], budget: f64) -> (f64, f64) {
    let k = ((scores.len() as f64 * budget).ceil() as usize).max(1);
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]));
    let hits = order[..k.min(order.len())]
        .iter()
        .filter(|&&i| labels[i])
        .count() as f64;
    let positives = labels.iter().filter(|l| **l).count() as f64;
    (
        hits / k as f64,
        if positives > 0.0 {
            hits / positives
        } else {
            f64::NAN
        },
    )
}

fn charge(row: &AnomalyRow) -> Charge<'_> {
    Charge {
        at: row.at,
        amount: row.amount,
        currency: &row.currency,
        merchant: &row.merchant,
        category: row.category.as_deref(),
        country: row.country.as_deref(),
        local_hour: row.local_hour,
        balance: None,
    }
}

fn score_of(scores: &[f64], labels: &[bool]) -> DetectorScore {
    let (precision, recall) = at_budget(scores, labels, 0.01);
    DetectorScore {
        roc_auc: roc_auc(scores, labels),
        pr_auc: average_precision(scores, labels),
        precision_at_1pct: precision,
        recall_at_1pct: recall,
    }
}

/// The raw columns as numbers: amount, hour, weekday, MCC, and the
/// merchant, country and currency as hashed codes.
fn raw_columns(row: &AnomalyRow) -> Vec<f64> {
    let code = |text: &str| (stable_hash(&[text.as_bytes()]) % 10_000) as f64;
    vec![
        row.amount,
        f64::from(row.local_hour.unwrap_or(((row.at / 3600) % 24) as u8)),
        ((row.at / 86_400 + 4) % 7) as f64,
        f64::from(row.mcc.unwrap_or(0)),
        code(&row.merchant),
        code(row.country.as_deref().unwrap_or("")),
        code(&row.currency),
    ]
}

/// Replays `rows` (sorted here by time) and scores both detectors on the
/// rows after the first `warmup_share` of the period.
pub fn anomalies(rows: &mut [AnomalyRow], warmup_share: f64, seed: u64) -> Option<AnomalyReport> {
    rows.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.user.cmp(&b.user)));
    let (first, last) = (rows.first()?.at, rows.last()?.at);
    let cut = first + ((last - first) as f64 * warmup_share) as i64;
    let split = rows.partition_point(|r| r.at <= cut);
    let mut profiles: HashMap<&str, Profile> = HashMap::new();
    // Warm-up: profiles learn, the model trains on what they saw.
    let (mut warm_features, mut warm_evidence) = (Vec::new(), Vec::new());
    for row in &rows[..split] {
        let profile = profiles
            .entry(row.user.as_str())
            .or_insert_with(|| Profile::new(0.01));
        let assessment = anomaly::assess(profile, &charge(row));
        warm_features.push(assessment.features);
        warm_evidence.push(assessment.evidence);
        anomaly::judge(profile, None, &charge(row));
    }
    let model = AnomalyModel::train(&warm_features, &warm_evidence, seed);
    let (mut scores, mut labels) = (Vec::new(), Vec::new());
    for row in &rows[split..] {
        let profile = profiles
            .entry(row.user.as_str())
            .or_insert_with(|| Profile::new(0.01));
        let verdict = anomaly::judge(profile, Some(&model), &charge(row));
        // Money coming in is never an alert; it still counts as scored.
        scores.push(if row.amount < 0.0 { verdict.score } else { 0.0 });
        labels.push(row.label);
    }
    let raw_train: Vec<Vec<f64>> = rows[..split].iter().map(raw_columns).collect();
    let raw_test: Vec<Vec<f64>> = rows[split..].iter().map(raw_columns).collect();
    let forest = IsolationForest::fit(&raw_train, 100, 256, seed);
    let raw_scores = forest.score_all(&raw_test);
    Some(AnomalyReport {
        finsight: score_of(&scores, &labels),
        iforest_raw: score_of(&raw_scores, &labels),
        scored: scores.len(),
        anomalies: labels.iter().filter(|l| **l).count(),
        warmup: split,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_match_scikit_learn() {
        // sklearn: roc_auc_score = 0.75, average_precision_score = 0.8333…
        let scores = [0.1, 0.4, 0.35, 0.8];
        let labels = [false, false, true, true];
        assert!((roc_auc(&scores, &labels) - 0.75).abs() < 1e-12);
        assert!((average_precision(&scores, &labels) - 0.833_333_333_333_333_4).abs() < 1e-12);
        let (p, r) = at_budget(&scores, &labels, 0.25);
        assert_eq!((p, r), (1.0, 0.5));
    }
}
