//! The bar a learned categorizer must clear: each payee's most frequent
//! category in the training data (ties to the alphabetically first), and
//! the most frequent category overall for payees never seen.

use std::collections::{BTreeMap, HashMap};

use super::{Labeled, Sample};

#[derive(Debug, Clone)]
pub struct PayeeBaseline {
    by_payee: HashMap<String, String>,
    fallback: String,
}

impl PayeeBaseline {
    pub fn train(examples: &[Labeled<'_>]) -> Self {
        let mut counts: BTreeMap<String, BTreeMap<&str, usize>> = BTreeMap::new();
        let mut overall: BTreeMap<&str, usize> = BTreeMap::new();
        for example in examples {
            *counts
                .entry(example.sample.payee())
                .or_default()
                .entry(example.label)
                .or_default() += 1;
            *overall.entry(example.label).or_default() += 1;
        }
        let most_frequent = |labels: &BTreeMap<&str, usize>| {
            labels
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(label, _)| (*label).to_owned())
                .unwrap_or_default()
        };
        Self {
            fallback: most_frequent(&overall),
            by_payee: counts
                .iter()
                .map(|(payee, labels)| (payee.clone(), most_frequent(labels)))
                .collect(),
        }
    }

    pub fn predict(&self, sample: &Sample<'_>) -> &str {
        self.by_payee.get(&sample.payee()).unwrap_or(&self.fallback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payees_most_frequent_category_else_the_overall_one() {
        let example = |description, label| Labeled {
            sample: Sample {
                description,
                ..Sample::default()
            },
            label,
            correction: false,
        };
        let baseline = PayeeBaseline::train(&[
            example("SHELL #1", "fuel"),
            example("SHELL #2", "fuel"),
            example("SHELL #3", "snacks"),
            example("TESCO", "groceries"),
            example("ALDI", "groceries"),
            example("LIDL", "groceries"),
        ]);
        let predict = |description| {
            baseline
                .predict(&Sample {
                    description,
                    ..Sample::default()
                })
                .to_owned()
        };
        assert_eq!(predict("SHELL #9"), "fuel");
        assert_eq!(predict("NEVER SEEN"), "groceries");
    }
}
