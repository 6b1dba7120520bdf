//! Goals: plans, milestones, and probabilities that are calibrated — of the
//! goals given about 70%, about 70% are reached in a simulated future.

use finsight_planning::goals::{CashFlow, milestones_crossed, plan, success_probability};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rust_decimal_macros::dec;

#[test]
fn a_plan_states_the_contribution_and_a_feasible_alternative() {
    let flow = CashFlow {
        mean: 500.0,
        sd: 100.0,
        months: 12,
    };
    let easy = plan(dec!(3000), dec!(600), 12, flow, 2000, 1);
    assert_eq!(easy.required_monthly, dec!(200));
    assert!(easy.feasible && easy.probability > 0.95);
    let hard = plan(dec!(12000), dec!(0), 12, flow, 2000, 1);
    assert_eq!(hard.required_monthly, dec!(1000));
    assert!(!hard.feasible && hard.probability < 0.05);
    assert_eq!(hard.feasible_months, Some(24));
    assert_eq!(hard.feasible_target, Some(dec!(6000)));
    assert_eq!(plan(dec!(100), dec!(100), 3, flow, 100, 1).probability, 1.0);
}

#[test]
fn milestones_are_crossed_once() {
    assert_eq!(
        milestones_crossed(dec!(1000), dec!(200), dec!(600)),
        vec![25, 50]
    );
    assert_eq!(
        milestones_crossed(dec!(1000), dec!(600), dec!(700)),
        Vec::<u32>::new()
    );
    assert_eq!(
        milestones_crossed(dec!(1000), dec!(700), dec!(1000)),
        vec![75, 100]
    );
}

/// Synthetic people: a true mean and spread of free cash flow, a year of
/// history seen, a goal set from it; the probability is computed from the
/// history alone, then one true future decides.
#[test]
fn probabilities_are_calibrated() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut buckets = [(0usize, 0usize, 0.0f64); 5];
    for person in 0..4000u64 {
        let mean: f64 = rng.random_range(100.0..900.0);
        let sd: f64 = rng.random_range(100.0..500.0);
        let history: Vec<f64> = (0..12)
            .map(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                mean + sd * z
            })
            .collect();
        let flow = CashFlow::from_history(&history);
        let months: u32 = rng.random_range(6..=24);
        let target = flow.mean.max(50.0) * f64::from(months) * rng.random_range(0.4..1.2);
        let p = success_probability(flow, target, months, 500, person);
        let mut left = target;
        for month in 0..months {
            let free: f64 = ({
                let z: f64 = StandardNormal.sample(&mut rng);
                mean + sd * z
            })
            .max(0.0);
            left -= free.min(left / f64::from(months - month));
        }
        let bucket = ((p * 5.0) as usize).min(4);
        buckets[bucket].0 += 1;
        buckets[bucket].1 += usize::from(left <= 0.0);
        buckets[bucket].2 += p;
    }
    for (n, (count, reached, sum)) in buckets.iter().enumerate() {
        let predicted = sum / *count as f64;
        let observed = *reached as f64 / *count as f64;
        assert!(
            *count < 200 || (predicted - observed).abs() < 0.06,
            "bucket {n}: predicted {predicted:.3}, observed {observed:.3} over {count}"
        );
    }
}
