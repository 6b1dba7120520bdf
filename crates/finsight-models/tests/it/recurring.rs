//! Recurring detection on generated people, whose salaries, bills,
//! subscriptions and standing transfers the generator knows.

use finsight_models::evaluate::{PersonHistory, TruthSeries, recurring};
use finsight_models::payee;
use finsight_models::recurring::{DetectOptions, Occurrence};
use finsight_synth::{SynthConfig, Synthesizer};
use time::Date;
use time::macros::date;

pub fn generated_people(users: u32, months: u32) -> (Vec<PersonHistory<[u8; 16]>>, Date) {
    let synth = Synthesizer::new(SynthConfig {
        users,
        months,
        seed: 5,
        first_month: date!(2025 - 01 - 01),
    })
    .unwrap();
    let mut people = Vec::new();
    let mut last = date!(2025 - 01 - 01);
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        let occurrences = activity
            .transactions
            .iter()
            .map(|t| {
                last = last.max(t.posted_on.date());
                Occurrence {
                    key: *t.transaction_id().as_uuid().as_bytes(),
                    account: t.account_id.as_uuid().as_u128(),
                    payee: payee::normalize(t.description.as_str()),
                    date: t.posted_on.date(),
                    amount_minor: t.amount.minor_units(),
                }
            })
            .collect();
        let truth = activity
            .recurring
            .iter()
            .map(|r| TruthSeries {
                members: r
                    .transaction_ids
                    .iter()
                    .map(|id| *id.as_uuid().as_bytes())
                    .zip(r.dates.iter().copied())
                    .collect(),
                price_raised_on: r.price_raised_on,
                cancelled: r.cancelled,
            })
            .collect();
        people.push(PersonHistory { occurrences, truth });
    }
    (people, last)
}

#[test]
fn finds_what_the_generator_planted() {
    let (people, last) = generated_people(30, 14);
    let report = recurring(&people, last, 45, DetectOptions::default());
    assert!(report.true_series > 100, "{report:?}");
    assert!(report.precision >= 0.8, "{report:?}");
    assert!(report.recall >= 0.8, "{report:?}");
    assert!(report.next_date_mae_days <= 3.0, "{report:?}");
    assert!(
        report.price_rises > 0 && report.price_rise_detection_rate >= 0.8,
        "{report:?}"
    );
}
