//! Savings goals: the monthly contribution an amount and a date need,
//! whether the person's free cash flow (income less spending) carries it,
//! a feasible date or amount when it does not, milestones, and the
//! probability of success by Monte Carlo over the cash-flow distribution.
//!
//! The simulation: each path draws its own mean and spread of free cash
//! flow from their posterior given the months seen (so a short history
//! widens the futures, rather than trusting its estimate), then each
//! month's free cash flow from a normal with them. Each month the person puts in
//! what is still needed spread over the months left, as far as that
//! month's free cash flow (if positive) allows. The goal is reached when
//! the saved amount reaches the target by the date.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

/// Paths per projection.
pub const PATHS: usize = 10_000;

/// What a person's monthly free cash flow looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CashFlow {
    pub mean: f64,
    pub sd: f64,
    /// The months the estimate rests on.
    pub months: usize,
}

impl CashFlow {
    /// From each past month's free cash flow.
    pub fn from_history(monthly: &[f64]) -> CashFlow {
        let n = monthly.len();
        if n == 0 {
            return CashFlow {
                mean: 0.0,
                sd: 0.0,
                months: 0,
            };
        }
        let mean = monthly.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (monthly.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            mean.abs() * 0.5
        };
        CashFlow {
            mean,
            sd,
            months: n,
        }
    }
}

/// The chance of reaching `remaining` more within `months`, over `paths`
/// simulated futures drawn from `seed`.
pub fn success_probability(
    flow: CashFlow,
    remaining: f64,
    months: u32,
    paths: usize,
    seed: u64,
) -> f64 {
    if remaining <= 0.0 {
        return 1.0;
    }
    if months == 0 || paths == 0 {
        return 0.0;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = flow.months.max(1) as f64;
    let spread = ChiSquared::new((n - 1.0).max(1.0)).ok();
    let mut reached = 0usize;
    for _ in 0..paths {
        // The posterior of (mean, sd) given n months (Jeffreys prior):
        // sd² = (n−1)s²/χ²ₙ₋₁, mean ~ N(x̄, sd²/n).
        let sd = match &spread {
            Some(chi) if flow.months > 1 => {
                let draw: f64 = chi.sample(&mut rng);
                flow.sd * ((n - 1.0) / draw.max(1e-9)).sqrt()
            }
            _ => flow.sd,
        };
        let z: f64 = StandardNormal.sample(&mut rng);
        let mean = flow.mean + sd / n.sqrt() * z;
        let mut left = remaining;
        for month in 0..months {
            let z: f64 = StandardNormal.sample(&mut rng);
            let free = (mean + sd * z).max(0.0);
            left -= free.min(left / f64::from(months - month));
            if left <= 0.0 {
                break;
            }
        }
        if left <= 0.0 {
            reached += 1;
        }
    }
    reached as f64 / paths as f64
}

/// A goal's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalPlan {
    pub required_monthly: Decimal,
    /// The person's expected monthly free cash flow.
    pub free_cash_flow: Decimal,
    /// The required contribution fits the expected free cash flow.
    pub feasible: bool,
    pub probability: f64,
    /// When infeasible: the months from now a date needs for the expected
    /// free cash flow to carry the goal (none when there is none to give).
    pub feasible_months: Option<u32>,
    /// When infeasible: what the expected free cash flow reaches by the
    /// date.
    pub feasible_target: Option<Decimal>,
}

/// Plans a goal `months` from now.
pub fn plan(
    target: Decimal,
    saved: Decimal,
    months: u32,
    flow: CashFlow,
    paths: usize,
    seed: u64,
) -> GoalPlan {
    let remaining = (target - saved).max(Decimal::ZERO);
    let required = if months == 0 {
        remaining
    } else {
        (remaining / Decimal::from(months))
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::AwayFromZero)
    };
    let free = Decimal::from_f64(flow.mean).unwrap_or_default().round_dp(2);
    let feasible = remaining.is_zero() || (months > 0 && required <= free);
    let probability =
        success_probability(flow, remaining.to_f64().unwrap_or(0.0), months, paths, seed);
    let (feasible_months, feasible_target) = if feasible {
        (None, None)
    } else {
        let months_needed = (free > Decimal::ZERO).then(|| {
            (remaining / free)
                .ceil()
                .to_u32()
                .unwrap_or(u32::MAX)
                .max(1)
        });
        let reachable = saved + free.max(Decimal::ZERO) * Decimal::from(months);
        (months_needed, Some(reachable.round_dp(2)))
    };
    GoalPlan {
        required_monthly: required,
        free_cash_flow: free,
        feasible,
        probability: (probability * 1000.0).round() / 1000.0,
        feasible_months,
        feasible_target,
    }
}

/// The milestones, in percent of the target.
pub const MILESTONES: [u32; 4] = [25, 50, 75, 100];

/// The milestones reached at `saved`.
pub fn milestones_reached(target: Decimal, saved: Decimal) -> Vec<u32> {
    MILESTONES
        .into_iter()
        .filter(|m| {
            target > Decimal::ZERO && saved * Decimal::ONE_HUNDRED >= target * Decimal::from(*m)
        })
        .collect()
}

/// The milestones a change from `before` to `after` reached.
pub fn milestones_crossed(target: Decimal, before: Decimal, after: Decimal) -> Vec<u32> {
    let had = milestones_reached(target, before);
    milestones_reached(target, after)
        .into_iter()
        .filter(|m| !had.contains(m))
        .collect()
}
