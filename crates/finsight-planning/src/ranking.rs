//! Ranking insights by expected value, learned from feedback.
//!
//! Each insight kind has, per person, a Beta posterior on "the person acts
//! on it": the prior is the population's acceptance rate for the kind
//! (shrunk to the strength of [`PRIOR_STRENGTH`] answers), updated with the
//! person's own accepts (successes), dismissals (failures) and snoozes
//! (half a failure). Ranking draws one rate per kind from its posterior
//! (Thompson sampling: kinds the person has not judged yet still get
//! shown) and orders by `ln(1 + impact) × confidence × novelty × rate`.
//! Novelty: an insight dismissed is gone, one snoozed is gone until the
//! snooze ends, one already accepted stays but sinks.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution};
use rust_decimal::prelude::ToPrimitive;

use crate::insights::{Insight, InsightKind};

/// How many answers the population prior is worth.
pub const PRIOR_STRENGTH: f64 = 4.0;
/// Novelty of an insight already acted on.
const ACCEPTED_NOVELTY: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    Accept,
    Dismiss,
    Snooze,
}

impl Response {
    pub fn as_str(self) -> &'static str {
        match self {
            Response::Accept => "accept",
            Response::Dismiss => "dismiss",
            Response::Snooze => "snooze",
        }
    }

    pub fn parse(text: &str) -> Option<Response> {
        [Response::Accept, Response::Dismiss, Response::Snooze]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// Answers to one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub accepted: u64,
    pub dismissed: u64,
    pub snoozed: u64,
}

impl Counts {
    pub fn add(&mut self, response: Response, n: u64) {
        match response {
            Response::Accept => self.accepted += n,
            Response::Dismiss => self.dismissed += n,
            Response::Snooze => self.snoozed += n,
        }
    }
}

/// The person's latest answer to one insight.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub key: String,
    pub kind: InsightKind,
    pub response: Response,
    /// Milliseconds: a snooze lasts until then.
    pub until: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub insight: Insight,
    pub score: f64,
    /// The posterior mean rate the person acts on this kind.
    pub expected_rate: f64,
    pub novelty: f64,
}

/// The posterior `(α, β)` of a kind.
pub fn posterior(population: Counts, mine: Counts) -> (f64, f64) {
    let failures = |c: Counts| c.dismissed as f64 + 0.5 * c.snoozed as f64;
    let rate = (1.0 + population.accepted as f64)
        / (2.0 + population.accepted as f64 + failures(population));
    (
        PRIOR_STRENGTH * rate + mine.accepted as f64,
        PRIOR_STRENGTH * (1.0 - rate) + failures(mine),
    )
}

/// Ranks `insights` for a person: `answers` are theirs (per insight, the
/// latest), `history` their counts per kind, `population` everyone's;
/// `now` in milliseconds; the draw is seeded.
pub fn rank(
    insights: Vec<Insight>,
    answers: &[Answer],
    history: &HashMap<InsightKind, Counts>,
    population: &HashMap<InsightKind, Counts>,
    now: i64,
    seed: u64,
) -> Vec<Ranked> {
    let latest: HashMap<&str, &Answer> = answers.iter().map(|a| (a.key.as_str(), a)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draws: HashMap<InsightKind, (f64, f64)> = HashMap::new();
    for kind in InsightKind::ALL {
        let (a, b) = posterior(
            population.get(&kind).copied().unwrap_or_default(),
            history.get(&kind).copied().unwrap_or_default(),
        );
        let draw = Beta::new(a, b).map_or(a / (a + b), |d| d.sample(&mut rng));
        draws.insert(kind, (draw, a / (a + b)));
    }
    let mut ranked: Vec<Ranked> = insights
        .into_iter()
        .filter_map(|insight| {
            let novelty = match latest.get(insight.key.as_str()) {
                Some(a) if a.response == Response::Dismiss => return None,
                Some(a) if a.response == Response::Snooze && a.until.is_some_and(|u| u > now) => {
                    return None;
                }
                Some(a) if a.response == Response::Accept => ACCEPTED_NOVELTY,
                _ => 1.0,
            };
            let (draw, expected_rate) = draws[&insight.kind];
            let impact = insight.impact.to_f64().unwrap_or(0.0).max(0.0);
            let score = (1.0 + impact).ln() * insight.confidence * novelty * draw;
            Some(Ranked {
                insight,
                score,
                expected_rate,
                novelty,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.insight.key.cmp(&b.insight.key))
    });
    ranked
}
