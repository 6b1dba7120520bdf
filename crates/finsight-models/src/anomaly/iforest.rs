//! Isolation forest (Liu, Ting & Zhou 2008): random axis-parallel splits
//! isolate a rare point in few steps; the score is 2^(−E[h(x)] / c(ψ)),
//! near 1 for anomalies, about 0.5 or less for ordinary points. Trees are
//! built in parallel with rayon, each from its own seeded generator, so
//! the forest is the same whatever the thread count.

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
enum Node {
    Split {
        feature: u16,
        value: f64,
        left: u32,
        right: u32,
    },
    /// c(size): the expected further depth below a leaf holding `size`
    /// points, computed once here instead of on every scored row.
    Leaf { rest: f64 },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tree {
    nodes: Vec<Node>,
}

/// c(n): the average path length of an unsuccessful search in a binary
/// search tree of n points, which normalizes path lengths.
fn average_path(n: f64) -> f64 {
    if n <= 1.0 {
        0.0
    } else if n <= 2.0 {
        1.0
    } else {
        2.0 * ((n - 1.0).ln() + 0.577_215_664_901_532_9) - 2.0 * (n - 1.0) / n
    }
}

impl Tree {
    fn build(rows: &[Vec<f64>], picked: &mut [usize], limit: usize, rng: &mut ChaCha8Rng) -> Self {
        let mut tree = Tree { nodes: Vec::new() };
        tree.grow(rows, picked, 0, limit, rng);
        tree
    }

    fn grow(
        &mut self,
        rows: &[Vec<f64>],
        members: &mut [usize],
        depth: usize,
        limit: usize,
        rng: &mut ChaCha8Rng,
    ) -> u32 {
        let at = self.nodes.len() as u32;
        self.nodes.push(Node::Leaf {
            rest: average_path(members.len() as f64),
        });
        if depth >= limit || members.len() <= 1 {
            return at;
        }
        let features = rows[members[0]].len();
        // Features that vary here; a constant one cannot split.
        let varying: Vec<(usize, f64, f64)> = (0..features)
            .filter_map(|f| {
                let (lo, hi) = members
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &i| {
                        (lo.min(rows[i][f]), hi.max(rows[i][f]))
                    });
                (hi > lo).then_some((f, lo, hi))
            })
            .collect();
        if varying.is_empty() {
            return at;
        }
        let (feature, lo, hi) = varying[rng.random_range(0..varying.len())];
        let value = rng.random_range(lo..hi);
        let mut split = 0;
        for k in 0..members.len() {
            if rows[members[k]][feature] < value {
                members.swap(k, split);
                split += 1;
            }
        }
        let (left_members, right_members) = members.split_at_mut(split);
        let left = self.grow(rows, left_members, depth + 1, limit, rng);
        let right = self.grow(rows, right_members, depth + 1, limit, rng);
        self.nodes[at as usize] = Node::Split {
            feature: feature as u16,
            value,
            left,
            right,
        };
        at
    }

    fn path_length(&self, row: &[f64]) -> f64 {
        let mut at = 0usize;
        let mut depth = 0.0;
        loop {
            match &self.nodes[at] {
                Node::Leaf { rest } => return depth + rest,
                Node::Split {
                    feature,
                    value,
                    left,
                    right,
                } => {
                    at = if row[*feature as usize] < *value {
                        *left
                    } else {
                        *right
                    } as usize;
                    depth += 1.0;
                }
            }
        }
    }
}

/// A trained forest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IsolationForest {
    trees: Vec<Tree>,
    sample_size: usize,
}

impl IsolationForest {
    /// `trees` trees, each on `sample_size` rows drawn without
    /// replacement, grown to depth ⌈log2 ψ⌉ (scikit-learn's defaults are
    /// 100 and 256).
    pub fn fit(rows: &[Vec<f64>], trees: usize, sample_size: usize, seed: u64) -> Self {
        let psi = sample_size.min(rows.len()).max(1);
        let limit = (psi as f64).log2().ceil() as usize;
        let trees = (0..trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(t as u64 * 0x9E37_79B9));
                if rows.is_empty() {
                    return Tree {
                        nodes: vec![Node::Leaf { rest: 0.0 }],
                    };
                }
                let mut picked = sample(&mut rng, rows.len(), psi).into_vec();
                Tree::build(rows, &mut picked, limit, &mut rng)
            })
            .collect();
        Self {
            trees,
            sample_size: psi,
        }
    }

    /// The anomaly score in (0, 1].
    pub fn score(&self, row: &[f64]) -> f64 {
        if self.trees.is_empty() {
            return 0.5;
        }
        let mean =
            self.trees.iter().map(|t| t.path_length(row)).sum::<f64>() / self.trees.len() as f64;
        let c = average_path(self.sample_size as f64).max(1e-9);
        2f64.powf(-mean / c)
    }

    /// Scores many rows in parallel.
    pub fn score_all(&self, rows: &[Vec<f64>]) -> Vec<f64> {
        rows.par_iter().map(|r| self.score(r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlier_scores_higher_and_the_forest_is_deterministic() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let rows: Vec<Vec<f64>> = (0..1000)
            .map(|_| vec![rng.random_range(0.0..1.0), rng.random_range(0.0..1.0)])
            .collect();
        let forest = IsolationForest::fit(&rows, 100, 256, 3);
        let again = IsolationForest::fit(&rows, 100, 256, 3);
        let outlier = forest.score(&[5.0, 5.0]);
        let inlier = forest.score(&[0.5, 0.5]);
        assert!(outlier > 0.65 && inlier < 0.5, "{outlier} {inlier}");
        assert_eq!(outlier, again.score(&[5.0, 5.0]));
    }
}
