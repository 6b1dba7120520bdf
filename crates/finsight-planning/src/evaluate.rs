//! Goal probabilities measured on anyone's monthly free-cash-flow series,
//! in time order: each series' last `horizon` months are held out; goals
//! to be reached by then are set at several multiples of what the seen
//! months' mean would reach; each gets a probability from the seen months
//! alone, and the held-out months decide (the same contribution rule as
//! the simulation). Beside the model: the plug-in simulation (the seen
//! mean and spread taken as known) and the plain plan check (reached if
//! the required contribution fits the seen mean).

use crate::goals::{CashFlow, success_probability};

/// Goals per series, as multiples of the seen mean's reach.
pub const TARGET_MULTIPLES: [f64; 5] = [0.5, 0.75, 1.0, 1.25, 1.5];
/// Months a series needs before the held-out part.
pub const MIN_HISTORY: usize = 6;

/// One predicted-probability bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub from: f64,
    pub to: f64,
    pub goals: usize,
    pub predicted: f64,
    pub reached: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalEvaluation {
    pub series: usize,
    pub skipped: usize,
    pub goals: usize,
    /// The share of goals the held-out months reached.
    pub reached: f64,
    /// Brier scores (lower is better): the model, the plug-in simulation,
    /// the plan check.
    pub brier: f64,
    pub brier_plugin: f64,
    pub brier_plan: f64,
    /// The model's calibration, in tenths.
    pub buckets: Vec<Bucket>,
}

/// Whether `future` months of free cash flow fill `target` under the
/// simulation's rule (what is still needed, spread over the months left,
/// as far as each month allows).
pub fn reached(target: f64, future: &[f64]) -> bool {
    let mut left = target;
    for (m, free) in future.iter().enumerate() {
        left -= free.max(0.0).min(left / (future.len() - m) as f64);
    }
    left <= 1e-9
}

pub fn evaluate_goals(
    series: &[Vec<f64>],
    horizon: usize,
    paths: usize,
    seed: u64,
) -> GoalEvaluation {
    let mut rows: Vec<(f64, f64, f64, bool)> = Vec::new();
    let mut skipped = 0;
    for (s, values) in series.iter().enumerate() {
        if horizon == 0 || values.len() < horizon + MIN_HISTORY {
            skipped += 1;
            continue;
        }
        let (seen, future) = values.split_at(values.len() - horizon);
        let flow = CashFlow::from_history(seen);
        // A person who saves nothing on average still sets goals: the
        // reach is then taken from the spread.
        let reach = flow.mean.max(flow.sd / 2.0).max(1.0) * horizon as f64;
        let known = CashFlow {
            months: 1_000_000,
            ..flow
        };
        for (k, multiple) in TARGET_MULTIPLES.iter().enumerate() {
            let target = reach * multiple;
            let seed = seed ^ ((s as u64) << 8 | k as u64);
            let p = success_probability(flow, target, horizon as u32, paths, seed);
            let plugin = success_probability(known, target, horizon as u32, paths, seed);
            let plan = if target / horizon as f64 <= flow.mean {
                1.0
            } else {
                0.0
            };
            rows.push((p, plugin, plan, reached(target, future)));
        }
    }
    let n = rows.len().max(1) as f64;
    let brier = |pick: fn(&(f64, f64, f64, bool)) -> f64| {
        rows.iter()
            .map(|r| (pick(r) - f64::from(u8::from(r.3))).powi(2))
            .sum::<f64>()
            / n
    };
    let buckets = (0..10)
        .filter_map(|b| {
            let (from, to) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
            let inside: Vec<_> = rows
                .iter()
                .filter(|r| r.0 >= from && (r.0 < to || (b == 9 && r.0 <= 1.0)))
                .collect();
            (!inside.is_empty()).then(|| Bucket {
                from,
                to,
                goals: inside.len(),
                predicted: inside.iter().map(|r| r.0).sum::<f64>() / inside.len() as f64,
                reached: inside.iter().filter(|r| r.3).count() as f64 / inside.len() as f64,
            })
        })
        .collect();
    GoalEvaluation {
        series: series.len() - skipped,
        skipped,
        goals: rows.len(),
        reached: rows.iter().filter(|r| r.3).count() as f64 / n,
        brier: brier(|r| r.0),
        brier_plugin: brier(|r| r.1),
        brier_plan: brier(|r| r.2),
        buckets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_fills_what_is_left_over_the_months_left() {
        assert!(reached(300.0, &[100.0, 100.0, 100.0]));
        assert!(!reached(300.0, &[100.0, -50.0, 100.0]));
        // A lean month is caught up later.
        assert!(reached(300.0, &[50.0, 150.0, 200.0]));
    }

    #[test]
    fn short_series_are_skipped_and_scores_are_bounded() {
        let steady: Vec<f64> = (0..24).map(|m| 500.0 + (m % 3) as f64 * 50.0).collect();
        let report = evaluate_goals(&[steady, vec![1.0; 5]], 6, 500, 1);
        assert_eq!((report.series, report.skipped, report.goals), (1, 1, 5));
        assert!(
            report.brier <= 0.25 && report.brier_plan <= 1.0,
            "{report:?}"
        );
    }
}
