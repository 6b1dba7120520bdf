//! A categorizer trained on the first 80% of generated people's months
//! categorizes the last 20% better than the payee baseline.

use finsight_models::TrainOptions;
use finsight_models::evaluate::{LabeledRow, categorizer};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::date;

pub fn generated_rows(users: u32, months: u32) -> Vec<LabeledRow> {
    let synth = Synthesizer::new(SynthConfig {
        users,
        months,
        seed: 11,
        first_month: date!(2025 - 01 - 01),
    })
    .unwrap();
    let mut rows = Vec::new();
    for index in 0..synth.profiles().len() {
        for t in synth.generate_user(index).transactions {
            rows.push(LabeledRow {
                date: t.posted_on.date(),
                description: t.description.to_string(),
                merchant: None,
                amount: Some(t.amount.minor_units() as f64 / 100.0),
                mcc: t.mcc.map(|m| m.code()),
                category: t.category.unwrap().to_string(),
            });
        }
    }
    rows
}

#[test]
fn beats_the_payee_baseline_on_a_time_ordered_split() {
    let mut rows = generated_rows(40, 12);
    let report = categorizer(&mut rows, 0.8, TrainOptions::default()).unwrap();
    assert!(report.test_from >= date!(2025 - 10 - 01), "{report:?}");
    assert!(
        report.model.accuracy > report.baseline.accuracy,
        "{report:?}"
    );
    assert!(
        report.model.macro_f1 > report.baseline.macro_f1,
        "{report:?}"
    );
    assert!(report.model.macro_f1 >= 0.85, "{report:?}");
}
