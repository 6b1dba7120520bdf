//! The global model: one set of boosted trees trained across every series
//! of a panel (all of a tenant's people and categories), so a short or
//! noisy series borrows what the others show. Each training row is a
//! series at an origin and a horizon: its last 12 values, the values a
//! season and two before the target, the recent mean and share of zeros —
//! all divided by the series' recent level — the horizon and the target's
//! position in the season; the target is the value `h` steps ahead,
//! divided by the same level (and clipped, so a rare burst does not steer
//! the squared loss).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::gbt::{Gbt, GbtOptions};

const LAGS: usize = 12;
/// Training rows beyond this are sampled down.
const MAX_ROWS: usize = 150_000;

/// One series as the global model sees it: values, and the season position
/// of the first.
#[derive(Debug, Clone, Copy)]
pub struct SeriesView<'a> {
    pub values: &'a [f64],
    pub phase: usize,
}

/// The recent level a series is divided by: the mean absolute value of
/// its last 12 observations (1 when they are all zero).
fn level(history: &[f64]) -> f64 {
    let mean_abs =
        |values: &[f64]| values.iter().map(|v| v.abs()).sum::<f64>() / values.len().max(1) as f64;
    let recent = mean_abs(&history[history.len().saturating_sub(LAGS)..]);
    if recent > 1e-9 {
        return recent;
    }
    let all = mean_abs(history);
    if all > 1e-9 { all } else { 1.0 }
}

/// Normalized targets beyond this are clipped: one series waking from
/// years of zeros must not steer the squared loss for all the others.
const TARGET_CLIP: f64 = 8.0;

fn features(history: &[f64], phase: usize, m: usize, h: usize) -> Vec<f64> {
    let n = history.len();
    let scale = level(history);
    let mut row = Vec::with_capacity(LAGS + 6);
    for k in 0..LAGS {
        row.push(if k < n {
            history[n - 1 - k] / scale
        } else {
            f64::NAN
        });
    }
    let target = n + h - 1;
    for back in [m, 2 * m] {
        row.push(if m >= 2 && target >= back && target - back < n {
            history[target - back] / scale
        } else {
            f64::NAN
        });
    }
    let recent = &history[n.saturating_sub(3)..];
    row.push(recent.iter().sum::<f64>() / recent.len().max(1) as f64 / scale);
    let window = &history[n.saturating_sub(LAGS)..];
    row.push(window.iter().filter(|v| **v == 0.0).count() as f64 / window.len().max(1) as f64);
    row.push(h as f64);
    row.push(if m >= 2 {
        ((phase + target) % m) as f64
    } else {
        0.0
    });
    row
}

/// Boosted trees over the whole panel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GlobalModel {
    trees: Gbt,
    season: usize,
}

impl GlobalModel {
    /// Trains on every (origin, horizon ≤ `horizon`) of every series with at
    /// least 3 observations before the origin.
    pub fn train(panel: &[SeriesView<'_>], season: usize, horizon: usize, seed: u64) -> Self {
        let mut examples: Vec<(usize, usize, usize)> = Vec::new();
        for (s, view) in panel.iter().enumerate() {
            let n = view.values.len();
            for origin in 3..n {
                for h in 1..=horizon.min(n - origin) {
                    examples.push((s, origin, h));
                }
            }
        }
        if examples.len() > MAX_ROWS {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
            examples.shuffle(&mut rng);
            examples.truncate(MAX_ROWS);
            examples.sort_unstable();
        }
        let mut rows = Vec::with_capacity(examples.len());
        let mut targets = Vec::with_capacity(examples.len());
        for (s, origin, h) in examples {
            let view = panel[s];
            let history = &view.values[..origin];
            rows.push(features(history, view.phase, season, h));
            targets.push(
                (view.values[origin + h - 1] / level(history)).clamp(-TARGET_CLIP, TARGET_CLIP),
            );
        }
        let options = GbtOptions {
            seed,
            absolute: true,
            learning_rate: 0.15,
            ..GbtOptions::default()
        };
        Self {
            trees: Gbt::train(&rows, &targets, &options),
            season,
        }
    }

    pub fn forecast(&self, view: SeriesView<'_>, horizon: usize) -> Vec<f64> {
        if view.values.is_empty() {
            return vec![0.0; horizon];
        }
        let scale = level(view.values);
        (1..=horizon)
            .map(|h| {
                self.trees
                    .predict(&features(view.values, view.phase, self.season, h))
                    * scale
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_shared_seasonal_shape() {
        let shape = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0];
        let series: Vec<Vec<f64>> = (0..60)
            .map(|s| {
                let base = 50.0 + s as f64 * 5.0;
                (0..36).map(|t| base * shape[t % 12]).collect()
            })
            .collect();
        let panel: Vec<SeriesView<'_>> = series
            .iter()
            .map(|v| SeriesView {
                values: &v[..30],
                phase: 0,
            })
            .collect();
        let model = GlobalModel::train(&panel, 12, 6, 1);
        let f = model.forecast(panel[10], 6);
        let truth = &series[10][30..36];
        let mae: f64 = f.iter().zip(truth).map(|(a, b)| (a - b).abs()).sum::<f64>() / 6.0;
        assert!(mae < 15.0, "{f:?} vs {truth:?}");
    }
}
