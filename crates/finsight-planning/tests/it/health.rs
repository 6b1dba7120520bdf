//! The health score's indicators and the emergency fund.

use finsight_planning::health::{HealthInput, emergency_fund, score};
use rust_decimal_macros::dec;

fn input() -> HealthInput {
    HealthInput {
        monthly_income: vec![dec!(4000); 6],
        monthly_spending: vec![
            dec!(3000),
            dec!(3100),
            dec!(2900),
            dec!(3000),
            dec!(3000),
            dec!(3000),
        ],
        liquid_savings: Some(dec!(9000)),
        debt_payments: dec!(800),
        months_with_penalties: 0,
        has_budget: true,
        has_goal: true,
    }
}

#[test]
fn a_steady_saver_is_healthy_and_an_overspender_is_not() {
    let good = score(&input());
    assert_eq!(good.band, "healthy", "{good:?}");
    let bad = score(&HealthInput {
        monthly_spending: vec![dec!(4600); 6],
        liquid_savings: None,
        months_with_penalties: 4,
        has_budget: false,
        has_goal: false,
        ..input()
    });
    assert!(bad.score < 40, "{bad:?}");
    // Drivers come weakest first, each with what would help.
    assert!(bad.indicators.windows(2).all(|w| w[0].score <= w[1].score));
    assert!(bad.indicators.iter().all(|i| !i.improve.is_empty()));
    let planning = bad.indicators.iter().find(|i| i.key == "planning").unwrap();
    assert_eq!(planning.score, 0);
}

#[test]
fn a_volatile_income_needs_a_larger_fund() {
    let spending = [3000.0; 12];
    let steady = emergency_fund(&[4000.0; 12], &spending, dec!(0), 5000, 1);
    let volatile: Vec<f64> = (0..12)
        .map(|m| if m % 2 == 0 { 1500.0 } else { 6500.0 })
        .collect();
    let uneven = emergency_fund(&volatile, &spending, dec!(0), 5000, 1);
    assert!(
        uneven.recommended > steady.recommended,
        "{uneven:?} vs {steady:?}"
    );
    assert!(steady.months_of_spending >= 1.0);
    let covered = emergency_fund(&[4000.0; 12], &spending, steady.recommended, 5000, 1);
    assert_eq!(covered.coverage, 1.0);
    assert_eq!(covered.monthly_plan, dec!(0));
    assert_eq!(
        steady,
        emergency_fund(&[4000.0; 12], &spending, dec!(0), 5000, 1),
        "seeded"
    );
}
