//! Gradient-boosted regression trees on binned features (the histogram
//! method of LightGBM and scikit-learn's `HistGradientBoostingRegressor`):
//! each feature is cut into at most 63 quantile bins (missing values in a
//! bin of their own), each tree grows level by level choosing the split
//! with the largest drop in squared error from per-bin sums, on a seeded
//! subsample of rows.

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Bins per feature; bin 0 holds missing values.
const BINS: usize = 64;

#[derive(Debug, Clone, Copy)]
pub struct GbtOptions {
    pub trees: usize,
    pub depth: usize,
    pub learning_rate: f64,
    pub min_leaf: usize,
    pub subsample: f64,
    /// L2 shrinkage of leaf values.
    pub lambda: f64,
    pub seed: u64,
    /// Least absolute deviation instead of squared error: trees split on
    /// the residuals' signs and each leaf predicts its residuals' median,
    /// so the model forecasts a conditional median, robust to bursts.
    pub absolute: bool,
}

impl Default for GbtOptions {
    fn default() -> Self {
        Self {
            trees: 80,
            depth: 5,
            learning_rate: 0.08,
            min_leaf: 20,
            subsample: 0.7,
            lambda: 1.0,
            seed: 7,
            absolute: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Node {
    /// Rows whose bin is ≤ `bin` go left.
    Split {
        feature: usize,
        bin: u8,
        left: usize,
        right: usize,
    },
    Leaf(f64),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// Which node each row ends in.
    fn leaf_of(&self, row: &[u8]) -> usize {
        let mut at = 0;
        loop {
            match &self.nodes[at] {
                Node::Leaf(_) => return at,
                Node::Split {
                    feature,
                    bin,
                    left,
                    right,
                } => at = if row[*feature] <= *bin { *left } else { *right },
            }
        }
    }

    /// Replaces every leaf's value by the median residual of its rows.
    fn set_leaf_medians(
        &mut self,
        binned: &[u8],
        features: usize,
        residuals: &[f64],
        rows: &[usize],
    ) {
        let mut members: std::collections::HashMap<usize, Vec<f64>> = Default::default();
        for &i in rows {
            let leaf = self.leaf_of(&binned[i * features..(i + 1) * features]);
            members.entry(leaf).or_default().push(residuals[i]);
        }
        for (leaf, mut values) in members {
            values.sort_by(f64::total_cmp);
            self.nodes[leaf] = Node::Leaf(values[values.len() / 2]);
        }
    }

    fn predict(&self, row: &[u8]) -> f64 {
        let mut at = 0;
        loop {
            match &self.nodes[at] {
                Node::Leaf(value) => return *value,
                Node::Split {
                    feature,
                    bin,
                    left,
                    right,
                } => at = if row[*feature] <= *bin { *left } else { *right },
            }
        }
    }
}

/// A trained ensemble of trees with the bin edges it was trained on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gbt {
    /// Upper edges per feature: a value goes to the first bin (from 1)
    /// whose edge is ≥ it.
    edges: Vec<Vec<f64>>,
    base: f64,
    learning_rate: f64,
    trees: Vec<Tree>,
}

fn bin_of(edges: &[f64], value: f64) -> u8 {
    if value.is_nan() {
        return 0;
    }
    (1 + edges.partition_point(|e| *e < value)).min(BINS - 1) as u8
}

impl Gbt {
    /// Trains on `rows` (each `features` long) against `targets`.
    pub fn train(rows: &[Vec<f64>], targets: &[f64], options: &GbtOptions) -> Self {
        let n = rows.len();
        let features = rows.first().map_or(0, Vec::len);
        let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
        let edges: Vec<Vec<f64>> = (0..features)
            .map(|f| {
                let mut values: Vec<f64> =
                    rows.iter().map(|r| r[f]).filter(|v| !v.is_nan()).collect();
                values.sort_by(f64::total_cmp);
                values.dedup();
                if values.len() < BINS - 1 {
                    return values;
                }
                (1..BINS - 1)
                    .map(|q| values[q * values.len() / (BINS - 1)])
                    .collect::<Vec<f64>>()
            })
            .collect();
        let binned: Vec<u8> = rows
            .iter()
            .flat_map(|r| r.iter().enumerate().map(|(f, v)| bin_of(&edges[f], *v)))
            .collect();
        let base = if n == 0 {
            0.0
        } else if options.absolute {
            let mut sorted = targets.to_vec();
            sorted.sort_by(f64::total_cmp);
            sorted[n / 2]
        } else {
            targets.iter().sum::<f64>() / n as f64
        };
        let mut predictions = vec![base; n];
        let mut trees = Vec::with_capacity(options.trees);
        let take = ((n as f64 * options.subsample) as usize).clamp(1.min(n), n);
        for _ in 0..options.trees {
            let rows_used: Vec<usize> = if take < n {
                let mut picked = sample(&mut rng, n, take).into_vec();
                picked.sort_unstable();
                picked
            } else {
                (0..n).collect()
            };
            let residuals: Vec<f64> = targets
                .iter()
                .zip(&predictions)
                .map(|(t, p)| t - p)
                .collect();
            let tree = if options.absolute {
                // `signum` maps 0 to 1; an exact fit must pull neither way.
                let signs: Vec<f64> = residuals
                    .iter()
                    .map(|r| if *r == 0.0 { 0.0 } else { r.signum() })
                    .collect();
                let mut tree = grow(&binned, features, &signs, rows_used.clone(), options);
                tree.set_leaf_medians(&binned, features, &residuals, &rows_used);
                tree
            } else {
                grow(&binned, features, &residuals, rows_used, options)
            };
            for (i, prediction) in predictions.iter_mut().enumerate() {
                *prediction +=
                    options.learning_rate * tree.predict(&binned[i * features..(i + 1) * features]);
            }
            trees.push(tree);
            // Keeps the generator's stream independent of the row count.
            let _ = rng.random::<u64>();
        }
        Self {
            edges,
            base,
            learning_rate: options.learning_rate,
            trees,
        }
    }

    pub fn predict(&self, row: &[f64]) -> f64 {
        let binned: Vec<u8> = row
            .iter()
            .enumerate()
            .map(|(f, v)| bin_of(&self.edges[f], *v))
            .collect();
        self.base + self.learning_rate * self.trees.iter().map(|t| t.predict(&binned)).sum::<f64>()
    }
}

/// Grows one tree level by level over `rows`.
fn grow(
    binned: &[u8],
    features: usize,
    residuals: &[f64],
    rows: Vec<usize>,
    options: &GbtOptions,
) -> Tree {
    let mut nodes = vec![Node::Leaf(0.0)];
    let mut frontier = vec![(0usize, rows)];
    for level in 0..=options.depth {
        let mut next = Vec::new();
        for (at, members) in frontier {
            let sum: f64 = members.iter().map(|&i| residuals[i]).sum();
            let leaf = sum / (members.len() as f64 + options.lambda);
            nodes[at] = Node::Leaf(leaf);
            if level == options.depth || members.len() < 2 * options.min_leaf {
                continue;
            }
            let Some((feature, bin)) = best_split(binned, features, residuals, &members, options)
            else {
                continue;
            };
            let (left, right): (Vec<usize>, Vec<usize>) = members
                .into_iter()
                .partition(|&i| binned[i * features + feature] <= bin);
            let (l, r) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::Leaf(0.0));
            nodes.push(Node::Leaf(0.0));
            nodes[at] = Node::Split {
                feature,
                bin,
                left: l,
                right: r,
            };
            next.push((l, left));
            next.push((r, right));
        }
        frontier = next;
        if frontier.is_empty() {
            break;
        }
    }
    Tree { nodes }
}

fn best_split(
    binned: &[u8],
    features: usize,
    residuals: &[f64],
    members: &[usize],
    options: &GbtOptions,
) -> Option<(usize, u8)> {
    let total: f64 = members.iter().map(|&i| residuals[i]).sum();
    let n = members.len() as f64;
    let parent = total * total / (n + options.lambda);
    let mut sums = vec![0.0f64; features * BINS];
    let mut counts = vec![0u32; features * BINS];
    for &i in members {
        let row = &binned[i * features..(i + 1) * features];
        for (f, &b) in row.iter().enumerate() {
            sums[f * BINS + b as usize] += residuals[i];
            counts[f * BINS + b as usize] += 1;
        }
    }
    let mut best: Option<(f64, usize, u8)> = None;
    for f in 0..features {
        let (mut left_sum, mut left_count) = (0.0, 0u32);
        for b in 0..BINS - 1 {
            left_sum += sums[f * BINS + b];
            left_count += counts[f * BINS + b];
            let right_count = members.len() as u32 - left_count;
            if (left_count as usize) < options.min_leaf || (right_count as usize) < options.min_leaf
            {
                continue;
            }
            let right_sum = total - left_sum;
            let gain = left_sum * left_sum / (left_count as f64 + options.lambda)
                + right_sum * right_sum / (right_count as f64 + options.lambda)
                - parent;
            if gain > 1e-12 && best.is_none_or(|(g, _, _)| gain > g) {
                best = Some((gain, f, b as u8));
            }
        }
    }
    best.map(|(_, f, b)| (f, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_step_and_a_line() {
        let rows: Vec<Vec<f64>> = (0..2000)
            .map(|i| vec![(i % 100) as f64, (i % 7) as f64])
            .collect();
        let targets: Vec<f64> = rows
            .iter()
            .map(|r| if r[0] < 50.0 { 1.0 } else { 5.0 } + 0.5 * r[1])
            .collect();
        let model = Gbt::train(&rows, &targets, &GbtOptions::default());
        let again = Gbt::train(&rows, &targets, &GbtOptions::default());
        assert_eq!(model.predict(&[10.0, 3.0]), again.predict(&[10.0, 3.0]));
        assert!((model.predict(&[10.0, 2.0]) - 2.0).abs() < 0.3);
        assert!((model.predict(&[80.0, 6.0]) - 8.0).abs() < 0.3);
        assert!((model.predict(&[f64::NAN, 0.0]) - 3.0).abs() < 2.5);
    }
}
