//! What the detector remembers about one person: their recent spending per
//! category (for robust z-scores from median and MAD), the merchants,
//! countries and currencies they have used, their last charges (velocity
//! and duplicates), the hours they usually spend at, and their adaptive
//! alert threshold with what their feedback taught it. A plain value that
//! serializes to bytes; the processor stores one per person.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::Reason;

/// How many recent amounts are kept per category.
const RECENT: usize = 60;
/// Charges kept for velocity and duplicates (and at most a day old).
const LAST: usize = 64;

/// The recent log-amounts of one category, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recent {
    values: VecDeque<f64>,
}

impl Recent {
    pub fn push(&mut self, value: f64) {
        if self.values.len() == RECENT {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Median and MAD (scaled by 1.4826 to match a normal's σ).
    pub fn median_mad(&self) -> Option<(f64, f64)> {
        if self.values.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.values.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        Some((median, 1.4826 * deviations[deviations.len() / 2]))
    }
}

/// A charge remembered for velocity and duplicate checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RecentCharge {
    pub at: i64,
    pub amount: f64,
    pub merchant: u64,
}

/// A streaming quantile (stochastic approximation): each score moves the
/// estimate up by `rate·τ` when above it and down by `rate·(1 − τ)` when
/// not, so it settles where a share 1 − τ of scores lie above.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreamingQuantile {
    pub tau: f64,
    pub estimate: f64,
    pub seen: u64,
}

impl StreamingQuantile {
    pub fn new(tau: f64, start: f64) -> Self {
        Self {
            tau,
            estimate: start,
            seen: 0,
        }
    }

    pub fn observe(&mut self, score: f64) {
        self.seen += 1;
        // Larger steps while young, settling to 0.005: a burst of high
        // scores must not lift the threshold out of reach at once.
        let rate = (1.0 / (self.seen as f64).sqrt()).max(0.005);
        if score > self.estimate {
            self.estimate += rate * self.tau;
        } else {
            self.estimate -= rate * (1.0 - self.tau);
        }
        self.estimate = self.estimate.clamp(0.0, 1.0);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub categories: BTreeMap<String, Recent>,
    pub overall: Recent,
    pub merchants: BTreeMap<u64, u32>,
    pub countries: BTreeMap<String, u32>,
    pub currencies: BTreeMap<String, u32>,
    pub last: VecDeque<RecentCharge>,
    pub hours: [u32; 24],
    pub count: u64,
    pub threshold: StreamingQuantile,
    /// Threshold offsets per reason, learnt from feedback.
    pub feedback: BTreeMap<Reason, f64>,
}

impl Profile {
    /// A new person's profile, with the alert rate to aim for.
    pub fn new(target_rate: f64) -> Self {
        Self {
            categories: BTreeMap::new(),
            overall: Recent::default(),
            merchants: BTreeMap::new(),
            countries: BTreeMap::new(),
            currencies: BTreeMap::new(),
            last: VecDeque::new(),
            hours: [0; 24],
            count: 0,
            threshold: StreamingQuantile::new(1.0 - target_rate, 1.0 - target_rate),
            feedback: BTreeMap::new(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("a profile serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }

    pub(super) fn remember_charge(&mut self, charge: RecentCharge) {
        while self
            .last
            .front()
            .is_some_and(|c| charge.at - c.at > 86_400 || self.last.len() >= LAST)
        {
            self.last.pop_front();
        }
        self.last.push_back(charge);
    }

    /// Moves the threshold for transactions like one flagged for
    /// `reason`: up when the person says it was them, down when not.
    pub fn learn(&mut self, reason: Reason, was_me: bool) {
        let offset = self.feedback.entry(reason).or_insert(0.0);
        *offset = (*offset + if was_me { 0.03 } else { -0.03 }).clamp(-0.3, 0.3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streaming_quantile_settles_at_its_level() {
        let mut q = StreamingQuantile::new(0.9, 0.5);
        for i in 0..20_000u64 {
            q.observe((i * 7919 % 1000) as f64 / 1000.0);
        }
        assert!((q.estimate - 0.9).abs() < 0.03, "{}", q.estimate);
    }

    #[test]
    fn median_and_mad() {
        let mut r = Recent::default();
        for v in [1.0, 2.0, 3.0, 4.0, 100.0] {
            r.push(v);
        }
        let (median, mad) = r.median_mad().unwrap();
        assert_eq!(median, 3.0);
        assert!((mad - 1.4826).abs() < 1e-9);
    }
}
