//! Transaction categorization: a multinomial logistic regression over the
//! hashed features of [`features`], trained with AdaGrad on examples whose
//! identical feature sets are merged first (a person's 300 coffees at the
//! same café are one example of weight 300, so training takes seconds).
//! Every prediction carries its probability; the caller decides what is
//! confident enough to apply and what goes to a person's review queue.
//! [`PayeeBaseline`] is the bar it must clear: the most frequent category
//! of the payee.

mod baseline;
mod features;

use std::collections::HashMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

pub use baseline::PayeeBaseline;
pub use features::Sample;

/// A training example: a transaction, its category, and how much it counts.
#[derive(Debug, Clone, Copy)]
pub struct Labeled<'a> {
    pub sample: Sample<'a>,
    pub label: &'a str,
    /// A person's own correction: weighted by
    /// [`TrainOptions::correction_weight`], and it teaches the person ×
    /// payee feature.
    pub correction: bool,
}

/// How to train; recorded in the model and logged as the run's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub epochs: u32,
    pub learning_rate: f32,
    pub l2: f32,
    /// Features seen in fewer training examples are dropped.
    pub min_count: u32,
    pub correction_weight: f32,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 12,
            learning_rate: 0.3,
            l2: 1e-6,
            min_count: 1,
            correction_weight: 5.0,
            seed: 7,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CategorizerError {
    #[error("there is nothing to train on: no labelled transactions")]
    NoExamples,
    #[error("the model's bytes do not decode: {0}")]
    Corrupt(String),
}

/// One distinct feature set (as rows) with the weight of each label it had.
type Merged = (Vec<u32>, Vec<(u32, f32)>);

/// A category with its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction<'m> {
    pub label: &'m str,
    pub confidence: f32,
}

/// A trained categorizer. Serializes to bytes ([`Categorizer::to_bytes`])
/// for the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Categorizer {
    labels: Vec<String>,
    /// Sorted feature ids; a feature's row is its position.
    features: Vec<u64>,
    /// `features.len() × labels.len()`, row-major.
    weights: Vec<f32>,
    bias: Vec<f32>,
    options: TrainOptions,
}

impl Categorizer {
    /// Trains on `examples`. Deterministic: the same examples in the same
    /// order with the same options give the same model, bit for bit.
    pub fn train(
        examples: &[Labeled<'_>],
        options: TrainOptions,
    ) -> Result<Self, CategorizerError> {
        if examples.is_empty() {
            return Err(CategorizerError::NoExamples);
        }
        let mut labels: Vec<String> = examples.iter().map(|e| e.label.to_owned()).collect();
        labels.sort_unstable();
        labels.dedup();
        let mut extracted: Vec<Vec<u64>> = Vec::with_capacity(examples.len());
        let mut seen: HashMap<u64, u32> = HashMap::new();
        for example in examples {
            let mut ids = Vec::with_capacity(48);
            features::extract(&example.sample, example.correction, &mut ids);
            for id in &ids {
                *seen.entry(*id).or_default() += 1;
            }
            extracted.push(ids);
        }
        let mut features: Vec<u64> = seen
            .into_iter()
            .filter(|(_, count)| *count >= options.min_count)
            .map(|(id, _)| id)
            .collect();
        features.sort_unstable();

        // Identical feature sets become one example with per-label weights.
        let mut merged: HashMap<Vec<u32>, Vec<(u32, f32)>> = HashMap::new();
        for (example, ids) in examples.iter().zip(&extracted) {
            let rows: Vec<u32> = ids
                .iter()
                .filter_map(|id| features.binary_search(id).ok().map(|row| row as u32))
                .collect();
            let label = labels
                .binary_search_by(|l| l.as_str().cmp(example.label))
                .unwrap() as u32;
            let weight = if example.correction {
                options.correction_weight
            } else {
                1.0
            };
            let targets = merged.entry(rows).or_default();
            match targets.iter_mut().find(|(l, _)| *l == label) {
                Some((_, w)) => *w += weight,
                None => targets.push((label, weight)),
            }
        }
        let mut merged: Vec<Merged> = merged.into_iter().collect();
        merged.sort_unstable_by(|a, b| a.0.cmp(&b.0));

        let mut model = Self {
            weights: vec![0.0; features.len() * labels.len()],
            bias: vec![0.0; labels.len()],
            labels,
            features,
            options,
        };
        model.fit(&mut merged);
        Ok(model)
    }

    fn fit(&mut self, examples: &mut [Merged]) {
        let classes = self.labels.len();
        let TrainOptions {
            epochs,
            learning_rate,
            l2,
            seed,
            ..
        } = self.options;
        let mut weight_g2 = vec![0.0f32; self.weights.len()];
        let mut bias_g2 = vec![0.0f32; classes];
        let mut gradient = vec![0.0f32; classes];
        let mut probabilities = vec![0.0f32; classes];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..epochs {
            examples.shuffle(&mut rng);
            for (rows, targets) in examples.iter() {
                let scale = row_scale(rows.len());
                self.logits(rows.iter().map(|r| *r as usize), scale, &mut probabilities);
                softmax(&mut probabilities);
                let total: f32 = targets.iter().map(|(_, w)| w).sum();
                for (c, g) in gradient.iter_mut().enumerate() {
                    *g = total * probabilities[c];
                }
                for (label, weight) in targets {
                    gradient[*label as usize] -= weight;
                }
                for c in 0..classes {
                    bias_g2[c] += gradient[c] * gradient[c];
                    self.bias[c] -= learning_rate * gradient[c] / (bias_g2[c].sqrt() + 1e-8);
                }
                for row in rows {
                    let start = *row as usize * classes;
                    let weights = &mut self.weights[start..start + classes];
                    let g2 = &mut weight_g2[start..start + classes];
                    for c in 0..classes {
                        let g = gradient[c] * scale + l2 * weights[c];
                        g2[c] += g * g;
                        weights[c] -= learning_rate * g / (g2[c].sqrt() + 1e-8);
                    }
                }
            }
        }
    }

    fn logits(&self, rows: impl Iterator<Item = usize>, scale: f32, out: &mut [f32]) {
        let classes = self.labels.len();
        out.copy_from_slice(&self.bias);
        for row in rows {
            let weights = &self.weights[row * classes..(row + 1) * classes];
            for (o, w) in out.iter_mut().zip(weights) {
                *o += w * scale;
            }
        }
    }

    /// The probability of every label for one transaction, in
    /// [`Categorizer::labels`] order.
    pub fn probabilities(&self, sample: &Sample<'_>) -> Vec<f32> {
        let mut ids = Vec::with_capacity(48);
        features::extract(sample, true, &mut ids);
        let rows: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.features.binary_search(id).ok())
            .collect();
        let mut out = vec![0.0; self.labels.len()];
        self.logits(rows.iter().copied(), row_scale(rows.len()), &mut out);
        softmax(&mut out);
        out
    }

    /// The most probable category and its probability.
    pub fn predict(&self, sample: &Sample<'_>) -> Prediction<'_> {
        self.top(sample, 1).swap_remove(0)
    }

    /// The `k` most probable categories, most probable first.
    pub fn top(&self, sample: &Sample<'_>, k: usize) -> Vec<Prediction<'_>> {
        let probabilities = self.probabilities(sample);
        let mut order: Vec<usize> = (0..probabilities.len()).collect();
        order.sort_by(|a, b| {
            probabilities[*b]
                .total_cmp(&probabilities[*a])
                .then(a.cmp(b))
        });
        order
            .into_iter()
            .take(k.max(1))
            .map(|i| Prediction {
                label: &self.labels[i],
                confidence: probabilities[i],
            })
            .collect()
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn options(&self) -> TrainOptions {
        self.options
    }

    /// How many features the model kept.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("a categorizer always serializes")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CategorizerError> {
        let model: Self =
            postcard::from_bytes(bytes).map_err(|e| CategorizerError::Corrupt(e.to_string()))?;
        let consistent = model.weights.len() == model.features.len() * model.labels.len()
            && model.bias.len() == model.labels.len()
            && !model.labels.is_empty()
            && model.features.windows(2).all(|w| w[0] < w[1]);
        if !consistent {
            return Err(CategorizerError::Corrupt(
                "its dimensions do not agree".into(),
            ));
        }
        Ok(model)
    }
}

/// Features are scaled by 1/√n so a long description does not shout.
fn row_scale(rows: usize) -> f32 {
    1.0 / (rows.max(1) as f32).sqrt()
}

fn softmax(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        // libm's, so a seed trains the same model on every platform.
        *v = libm::expf(*v - max);
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(description: &str, amount: f64) -> Sample<'_> {
        Sample {
            description,
            amount: Some(amount),
            ..Sample::default()
        }
    }

    fn examples() -> Vec<Labeled<'static>> {
        let rows: &[(&str, f64, &str)] = &[
            ("POS DEBIT SHELL OIL #0012", -40.0, "transport.fuel"),
            ("SHELL OIL #0093", -55.0, "transport.fuel"),
            ("CHEVRON 0042", -38.0, "transport.fuel"),
            ("TRADER JOE'S #552", -83.0, "groceries"),
            ("TRADER JOE'S #101", -61.0, "groceries"),
            ("WHOLE FOODS MKT 10233", -120.0, "groceries"),
            ("ACME CORP PAYROLL PPD ID: 1234567", 2500.0, "income.salary"),
            ("ACME CORP PAYROLL PPD ID: 1234567", 2500.0, "income.salary"),
            ("SQ *BLUE BOTTLE 0412", -5.5, "dining.coffee"),
            ("SQ *BLUE BOTTLE 1312", -6.0, "dining.coffee"),
        ];
        rows.iter()
            .map(|(d, a, l)| Labeled {
                sample: sample(d, *a),
                label: l,
                correction: false,
            })
            .collect()
    }

    #[test]
    fn learns_merchants_and_generalizes_to_other_stores() {
        let model = Categorizer::train(&examples(), TrainOptions::default()).unwrap();
        let predict = |d, a| model.predict(&sample(d, a)).label.to_owned();
        assert_eq!(predict("SHELL OIL #7777 HOUSTON", -47.0), "transport.fuel");
        assert_eq!(
            predict("DEBIT CARD PURCHASE - TRADER JOE'S #999", -70.0),
            "groceries"
        );
        assert_eq!(
            predict("ACME CORP PAYROLL PPD ID: 1234567", 2600.0),
            "income.salary"
        );
        let known = model.predict(&sample("SQ *BLUE BOTTLE 9999", -5.0));
        let unknown = model.predict(&sample("ZXQW VBNM", -5.0));
        assert!(known.confidence > unknown.confidence);
        let total: f32 = model.probabilities(&sample("CHEVRON", -3.0)).iter().sum();
        assert!((total - 1.0).abs() < 1e-4);
    }

    #[test]
    fn training_is_deterministic_and_round_trips_through_bytes() {
        let a = Categorizer::train(&examples(), TrainOptions::default()).unwrap();
        let b = Categorizer::train(&examples(), TrainOptions::default()).unwrap();
        assert_eq!(a, b);
        let bytes = a.to_bytes();
        assert_eq!(Categorizer::from_bytes(&bytes).unwrap(), a);
        assert!(Categorizer::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        assert_eq!(
            Categorizer::train(&[], TrainOptions::default()),
            Err(CategorizerError::NoExamples)
        );
    }

    #[test]
    fn a_persons_correction_wins_for_them_and_not_for_others() {
        let mut examples = examples();
        for store in 0..20 {
            let text: &'static str = Box::leak(format!("SHELL OIL #{store:04}").into_boxed_str());
            examples.push(Labeled {
                sample: sample(text, -45.0),
                label: "transport.fuel",
                correction: false,
            });
        }
        for _ in 0..3 {
            examples.push(Labeled {
                sample: Sample {
                    person: Some(42),
                    ..sample("SHELL OIL #0012", -40.0)
                },
                label: "business.travel",
                correction: true,
            });
        }
        examples.push(Labeled {
            sample: sample("LOCAL BISTRO", -40.0),
            label: "business.travel",
            correction: false,
        });
        let model = Categorizer::train(&examples, TrainOptions::default()).unwrap();
        let mine = Sample {
            person: Some(42),
            ..sample("SHELL OIL #0555", -42.0)
        };
        let theirs = Sample {
            person: Some(7),
            ..sample("SHELL OIL #0555", -42.0)
        };
        assert_eq!(model.predict(&mine).label, "business.travel");
        assert_eq!(model.predict(&theirs).label, "transport.fuel");
    }
}
