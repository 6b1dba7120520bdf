//! Anomaly detection on every transaction: features from the person's own
//! history ([`profile`]), robust statistics that say why (an amount many
//! MADs above their usual in the category, a first purchase in a country,
//! a burst of charges, a duplicate), an isolation forest over the same
//! features that catches combinations no single rule names, one score
//! calibrated to [0, 1] against the scores of ordinary traffic, and a
//! per-person threshold that tracks a target alert rate and moves with
//! their feedback.

pub mod iforest;
pub mod profile;

use serde::{Deserialize, Serialize};

pub use iforest::IsolationForest;
pub use profile::Profile;
use profile::RecentCharge;

/// A transaction as the detector sees it. `amount` is negative for money
/// out; `at` is seconds since the epoch; `local_hour` the hour where it
/// happened, when known.
#[derive(Debug, Clone, Copy)]
pub struct Charge<'a> {
    pub at: i64,
    pub amount: f64,
    pub currency: &'a str,
    /// The normalized payee.
    pub merchant: &'a str,
    pub category: Option<&'a str>,
    pub country: Option<&'a str>,
    pub local_hour: Option<u8>,
    /// The account's balance after this charge, when known.
    pub balance: Option<f64>,
}

/// Why a transaction looks unusual; the key of feedback offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    AmountSpike,
    NewCountry,
    NewMerchant,
    NewCurrency,
    Velocity,
    Duplicate,
    OddHour,
    BalanceDrain,
    Unusual,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AmountSpike => "amount_spike",
            Reason::NewCountry => "new_country",
            Reason::NewMerchant => "new_merchant",
            Reason::NewCurrency => "new_currency",
            Reason::Velocity => "velocity",
            Reason::Duplicate => "duplicate",
            Reason::OddHour => "odd_hour",
            Reason::BalanceDrain => "balance_drain",
            Reason::Unusual => "unusual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Reason::AmountSpike,
            Reason::NewCountry,
            Reason::NewMerchant,
            Reason::NewCurrency,
            Reason::Velocity,
            Reason::Duplicate,
            Reason::OddHour,
            Reason::BalanceDrain,
            Reason::Unusual,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// One piece of evidence: its weight in the score and what to tell the
/// person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub reason: Reason,
    pub weight: f64,
    pub text: String,
}

/// The feature vector's names, in order.
pub const FEATURES: [&str; 12] = [
    "amount_z",
    "amount_ratio_log",
    "new_merchant",
    "new_country",
    "new_currency",
    "count_1h",
    "count_24h",
    "hour_rarity",
    "duplicate",
    "balance_drain",
    "spend_log",
    "history_log",
];

/// A person needs this many transactions before novelty means anything.
const SETTLED: u64 = 10;

/// Features of a charge against the profile as it was before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub features: Vec<f64>,
    pub contributions: Vec<Contribution>,
    /// 1 − e^(−Σ evidence): the robust statistics' own score.
    pub evidence: f64,
}

pub(crate) fn merchant_key(merchant: &str) -> u64 {
    crate::stable_hash(&[merchant.as_bytes()])
}

fn category_root(category: Option<&str>) -> &str {
    category.map_or("uncategorized", |c| c.split('.').next().unwrap_or(c))
}

/// Computes the features and the evidence for `charge` from `profile`.
pub fn assess(profile: &Profile, charge: &Charge<'_>) -> Assessment {
    let spend = (-charge.amount).max(0.0);
    let log_spend = spend.ln_1p();
    let root = category_root(charge.category);
    let settled = profile.count >= SETTLED;
    let history = profile
        .categories
        .get(root)
        .filter(|r| r.len() >= 5)
        .unwrap_or(&profile.overall);
    let (z, ratio) = match (spend > 0.0, history.median_mad()) {
        (true, Some((median, mad))) if history.len() >= 5 => {
            // Amounts below a unit scale are noise, whatever the MAD.
            let z = (log_spend - median) / mad.max(0.25);
            (z, log_spend - median)
        }
        _ => (0.0, 0.0),
    };
    let key = merchant_key(charge.merchant);
    let new_merchant = settled && spend > 0.0 && !profile.merchants.contains_key(&key);
    let new_country = settled
        && charge
            .country
            .is_some_and(|c| !profile.countries.is_empty() && !profile.countries.contains_key(c));
    let new_currency = settled && !profile.currencies.contains_key(charge.currency);
    let in_last = |seconds: i64| {
        profile
            .last
            .iter()
            // Only earlier charges: a posted-date time can lie after this one.
            .filter(|c| (0..=seconds).contains(&(charge.at - c.at)) && c.amount < 0.0)
            .count() as f64
    };
    let (count_1h, count_24h) = (in_last(3_600), in_last(86_400));
    let duplicate = profile.last.iter().rev().find(|c| {
        c.merchant == key
            && c.amount == charge.amount
            && (charge.at - c.at).abs() <= 86_400
            && spend > 0.0
    });
    let hour_rarity = match charge.local_hour {
        Some(h) if settled => {
            1.0 - f64::from(profile.hours[h as usize % 24] + 1) / (profile.count as f64 + 24.0)
                * 24.0
        }
        _ => 0.0,
    };
    let drain = match charge.balance {
        Some(balance) if spend > 0.0 => spend / (balance + spend).max(1.0),
        _ => 0.0,
    };
    let features = vec![
        z,
        ratio,
        f64::from(u8::from(new_merchant)),
        f64::from(u8::from(new_country)),
        f64::from(u8::from(new_currency)),
        count_1h,
        count_24h,
        hour_rarity,
        f64::from(u8::from(duplicate.is_some())),
        drain,
        log_spend,
        (profile.count as f64).ln_1p(),
    ];
    let mut contributions = Vec::new();
    if z > 2.5 {
        contributions.push(Contribution {
            reason: Reason::AmountSpike,
            weight: (z - 2.5) / 2.0,
            text: format!(
                "{:.1}× your usual {} spend",
                ratio.exp(),
                root.replace('_', " ")
            ),
        });
    }
    if new_country {
        contributions.push(Contribution {
            reason: Reason::NewCountry,
            weight: 2.0,
            text: format!("first purchase in {}", charge.country.unwrap_or("?")),
        });
    }
    if new_merchant {
        contributions.push(Contribution {
            reason: Reason::NewMerchant,
            weight: 0.3 + 0.3 * z.clamp(0.0, 3.0),
            text: format!("first time at {}", charge.merchant),
        });
    }
    if new_currency && spend > 0.0 {
        contributions.push(Contribution {
            reason: Reason::NewCurrency,
            weight: 1.0,
            text: format!("first payment in {}", charge.currency),
        });
    }
    if count_1h >= 3.0 && spend > 0.0 {
        contributions.push(Contribution {
            reason: Reason::Velocity,
            weight: 0.6 * (count_1h - 2.0),
            text: format!("{} charges in the last hour", count_1h as u32 + 1),
        });
    }
    if let Some(previous) = duplicate {
        let minutes = (charge.at - previous.at).abs() / 60;
        contributions.push(Contribution {
            reason: Reason::Duplicate,
            weight: if minutes <= 60 { 2.5 } else { 1.0 },
            text: format!(
                "the same amount at {} {} minutes earlier",
                charge.merchant, minutes
            ),
        });
    }
    if hour_rarity > 0.9 && spend > 0.0 {
        contributions.push(Contribution {
            reason: Reason::OddHour,
            weight: 0.5 * hour_rarity,
            text: format!(
                "at {}:00, an hour you rarely spend",
                charge.local_hour.unwrap_or(0)
            ),
        });
    }
    if drain > 0.5 {
        contributions.push(Contribution {
            reason: Reason::BalanceDrain,
            weight: 3.0 * (drain - 0.5),
            text: format!("takes {:.0}% of the account's balance", drain * 100.0),
        });
    }
    contributions.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let total: f64 = contributions.iter().map(|c| c.weight).sum();
    Assessment {
        features,
        contributions,
        evidence: 1.0 - (-total).exp(),
    }
}

/// Adds the charge to the profile (after it was scored).
pub fn remember(profile: &mut Profile, charge: &Charge<'_>) {
    let spend = (-charge.amount).max(0.0);
    if spend > 0.0 {
        let root = category_root(charge.category).to_owned();
        profile
            .categories
            .entry(root)
            .or_default()
            .push(spend.ln_1p());
        profile.overall.push(spend.ln_1p());
        *profile
            .merchants
            .entry(merchant_key(charge.merchant))
            .or_insert(0) += 1;
    }
    if let Some(country) = charge.country {
        *profile.countries.entry(country.to_owned()).or_insert(0) += 1;
    }
    *profile
        .currencies
        .entry(charge.currency.to_owned())
        .or_insert(0) += 1;
    if let Some(hour) = charge.local_hour {
        profile.hours[hour as usize % 24] += 1;
    }
    profile.count += 1;
    profile.remember_charge(RecentCharge {
        at: charge.at,
        amount: charge.amount,
        merchant: merchant_key(charge.merchant),
    });
}

/// The trained part: an isolation forest over the features and the
/// distribution of combined scores on ordinary traffic, which calibrates a
/// raw score to the share of traffic scoring lower.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnomalyModel {
    pub forest: IsolationForest,
    reference: Vec<f64>,
}

/// How much the forest counts beside the robust statistics.
const FOREST_WEIGHT: f64 = 0.35;

impl AnomalyModel {
    /// Trains on feature vectors of past traffic (unlabelled; anomalies
    /// among them are what isolation expects).
    pub fn train(rows: &[Vec<f64>], evidence: &[f64], seed: u64) -> Self {
        let forest = IsolationForest::fit(rows, 100, 256, seed);
        let forest_scores = forest.score_all(rows);
        let mut reference: Vec<f64> = forest_scores
            .iter()
            .zip(evidence)
            .map(|(f, e)| raw(*e, *f))
            .collect();
        reference.sort_by(f64::total_cmp);
        // A few thousand points calibrate as well as all of them.
        let keep = 4_000;
        if reference.len() > keep {
            let step = reference.len() as f64 / keep as f64;
            reference = (0..keep)
                .map(|i| reference[(i as f64 * step) as usize])
                .collect();
        }
        Self { forest, reference }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a model serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }

    /// The calibrated score: the share of reference traffic scoring below
    /// this (ties half), blended with the evidence so a clear rule hit is
    /// never ranked as ordinary.
    pub fn score(&self, assessment: &Assessment) -> f64 {
        let r = raw(assessment.evidence, self.forest.score(&assessment.features));
        let below = self.reference.partition_point(|v| *v < r);
        let equal = self.reference[below..].partition_point(|v| *v <= r);
        let rank = (below as f64 + 0.5 * equal as f64) / self.reference.len().max(1) as f64;
        0.5 * rank + 0.5 * r
    }
}

fn raw(evidence: f64, forest: f64) -> f64 {
    (1.0 - FOREST_WEIGHT) * evidence + FOREST_WEIGHT * forest
}

/// The score without a trained model: the evidence alone.
pub fn score_without_model(assessment: &Assessment) -> f64 {
    assessment.evidence
}

/// The decision for one charge.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub score: f64,
    pub threshold: f64,
    pub alert: bool,
    pub contributions: Vec<Contribution>,
}

/// Never alert below this, however quiet a person's history.
pub const THRESHOLD_FLOOR: f64 = 0.75;

/// Scores a charge, decides against the person's threshold (their score
/// quantile at the target rate, the floor, and the feedback offset for the
/// leading reason), and updates the profile.
pub fn judge(profile: &mut Profile, model: Option<&AnomalyModel>, charge: &Charge<'_>) -> Verdict {
    let assessment = assess(profile, charge);
    let score = match model {
        Some(model) => model.score(&assessment),
        None => score_without_model(&assessment),
    };
    let lead = assessment
        .contributions
        .first()
        .map_or(Reason::Unusual, |c| c.reason);
    let offset = profile.feedback.get(&lead).copied().unwrap_or(0.0);
    let threshold = (profile.threshold.estimate.max(THRESHOLD_FLOOR) + offset).clamp(0.5, 0.999);
    let alert = charge.amount < 0.0 && score >= threshold && profile.count >= SETTLED;
    profile.threshold.observe(score);
    remember(profile, charge);
    let mut contributions = assessment.contributions;
    if contributions.is_empty() {
        contributions.push(Contribution {
            reason: Reason::Unusual,
            weight: score,
            text: "an unusual combination for you".to_owned(),
        });
    }
    contributions.truncate(3);
    Verdict {
        score,
        threshold,
        alert,
        contributions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge<'a>(at: i64, amount: f64, merchant: &'a str, country: &'a str) -> Charge<'a> {
        Charge {
            at,
            amount,
            currency: "USD",
            merchant,
            category: Some("groceries"),
            country: Some(country),
            local_hour: Some(12),
            balance: None,
        }
    }

    #[test]
    fn explains_a_spike_in_a_new_country() {
        let mut profile = Profile::new(0.01);
        for day in 0..40 {
            let c = charge(day * 86_400, -50.0 - (day % 7) as f64, "safeway", "US");
            let verdict = judge(&mut profile, None, &c);
            assert!(!verdict.alert, "day {day}: {verdict:?}");
        }
        let odd = charge(41 * 86_400, -900.0, "electro megastore", "BR");
        let verdict = judge(&mut profile, None, &odd);
        assert!(verdict.alert, "{verdict:?}");
        let texts: Vec<&str> = verdict
            .contributions
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains("your usual groceries spend")),
            "{texts:?}"
        );
        assert!(texts.contains(&"first purchase in BR"), "{texts:?}");
        let bytes = profile.to_bytes();
        assert_eq!(Profile::from_bytes(&bytes).unwrap(), profile);
    }

    #[test]
    fn feedback_moves_the_threshold_for_that_reason() {
        let mut profile = Profile::new(0.01);
        profile.learn(Reason::NewCountry, true);
        profile.learn(Reason::NewCountry, true);
        profile.learn(Reason::Duplicate, false);
        assert!(profile.feedback[&Reason::NewCountry] > 0.05);
        assert!(profile.feedback[&Reason::Duplicate] < 0.0);
    }
}
