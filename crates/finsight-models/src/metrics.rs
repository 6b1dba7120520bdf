//! How good a classifier is on held-out data: accuracy, and macro-F1 (the
//! mean F1 over every label that is either true or predicted somewhere,
//! as scikit-learn computes it), so rare categories count as much as
//! groceries.

use std::collections::BTreeMap;

use serde::Serialize;

/// Accuracy and macro-F1 of predictions against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Classification {
    pub accuracy: f64,
    pub macro_f1: f64,
    /// How many pairs were scored.
    pub count: usize,
}

impl Classification {
    /// Scores `(truth, predicted)` pairs. No pairs score zero.
    pub fn score<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        #[derive(Default)]
        struct Counts {
            true_positive: u64,
            false_positive: u64,
            false_negative: u64,
        }
        let mut per_label: BTreeMap<&str, Counts> = BTreeMap::new();
        let (mut count, mut correct) = (0usize, 0usize);
        for (truth, predicted) in pairs {
            count += 1;
            if truth == predicted {
                correct += 1;
                per_label.entry(truth).or_default().true_positive += 1;
            } else {
                per_label.entry(truth).or_default().false_negative += 1;
                per_label.entry(predicted).or_default().false_positive += 1;
            }
        }
        if count == 0 {
            return Self {
                accuracy: 0.0,
                macro_f1: 0.0,
                count,
            };
        }
        let f1_sum: f64 = per_label
            .values()
            .map(|c| {
                let denominator = 2 * c.true_positive + c.false_positive + c.false_negative;
                if denominator == 0 {
                    0.0
                } else {
                    2.0 * c.true_positive as f64 / denominator as f64
                }
            })
            .sum();
        Self {
            accuracy: correct as f64 / count as f64,
            macro_f1: f1_sum / per_label.len() as f64,
            count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Classification;

    #[test]
    fn matches_scikit_learn_on_a_small_case() {
        // sklearn: accuracy_score = 0.6, f1_score(average="macro") = 0.5555…
        let truth = ["a", "a", "b", "b", "c"];
        let predicted = ["a", "b", "b", "b", "a"];
        let score = Classification::score(truth.into_iter().zip(predicted));
        assert!((score.accuracy - 0.6).abs() < 1e-12);
        // a: tp 1 fp 1 fn 1 → 0.5; b: tp 2 fp 1 → 0.8; c: fn 1 → 0.
        assert!((score.macro_f1 - (0.5 + 0.8 + 0.0) / 3.0).abs() < 1e-12);
        assert_eq!(Classification::score([]).count, 0);
    }
}
