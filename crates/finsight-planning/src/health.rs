//! The financial-health score (0–100) and the emergency fund.
//!
//! The score follows the Financial Health Network's FinHealth Score in
//! spirit — spend, save, borrow, plan — with the indicators a person's
//! transactions can show: spending against income, bills paid without
//! penalty fees, liquid savings in months of spending, debt load, savings
//! rate, income stability, and planning (a budget and a goal in use). Each
//! indicator scores 0–100 with what would raise it; the score is their
//! mean, banded as FinHealth does (80+ healthy, 40–79 coping, under 40
//! vulnerable).
//!
//! The emergency fund is sized by Monte Carlo: a year of monthly income and
//! spending paths, with the person's variability and a small chance each
//! month that income stops for three months; the recommended fund covers
//! the 95th percentile of the deepest dip in the cumulative cash flow.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

#[derive(Debug, Clone, PartialEq)]
pub struct HealthInput {
    /// Income of each recent complete month, oldest first.
    pub monthly_income: Vec<Decimal>,
    /// Spending of the same months.
    pub monthly_spending: Vec<Decimal>,
    /// What the savings accounts Finsight sees hold, as their flows add up
    /// (none without a savings account).
    pub liquid_savings: Option<Decimal>,
    /// Monthly mortgage, loan and interest payments (median).
    pub debt_payments: Decimal,
    /// Months among them with a penalty: card interest, a late or
    /// overdraft fee.
    pub months_with_penalties: usize,
    pub has_budget: bool,
    pub has_goal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// A machine name: `spend_vs_income`, …
    pub key: &'static str,
    pub name: &'static str,
    pub value: f64,
    /// The value in words.
    pub display: String,
    pub score: u32,
    /// What would raise the score.
    pub improve: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthScore {
    pub score: u32,
    /// `healthy`, `coping` or `vulnerable`.
    pub band: &'static str,
    /// Weakest first: the drivers.
    pub indicators: Vec<Indicator>,
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Linear between `(x0, y0)` and `(x1, y1)`, flat outside.
fn ramp(x: f64, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    if x <= x0.min(x1) {
        if x0 < x1 { y0 } else { y1 }
    } else if x >= x0.max(x1) {
        if x0 < x1 { y1 } else { y0 }
    } else {
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn sd(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
}

pub fn score(input: &HealthInput) -> HealthScore {
    let income: Vec<f64> = input.monthly_income.iter().map(|d| f(*d)).collect();
    let spending: Vec<f64> = input.monthly_spending.iter().map(|d| f(*d)).collect();
    let (income_mean, spend_mean) = (mean(&income), mean(&spending));
    let months = income.len().max(spending.len()).max(1);
    let mut indicators = Vec::new();

    let ratio = if income_mean > 0.0 {
        spend_mean / income_mean
    } else {
        f64::INFINITY
    };
    let s = if ratio <= 1.0 {
        ramp(ratio, 0.8, 100.0, 1.0, 50.0)
    } else {
        ramp(ratio, 1.0, 50.0, 1.2, 0.0)
    };
    indicators.push(Indicator {
        key: "spend_vs_income",
        name: "Spending less than income",
        value: ratio,
        display: if ratio.is_finite() {
            format!("spending is {:.0}% of income", ratio * 100.0)
        } else {
            "no income seen".into()
        },
        score: s.round() as u32,
        improve: "keep monthly spending under 80% of income".into(),
    });

    let on_time = 1.0 - input.months_with_penalties as f64 / months as f64;
    indicators.push(Indicator {
        key: "bills_on_time",
        name: "Bills paid without penalties",
        value: on_time,
        display: format!(
            "{} of the last {months} months had card interest, late or overdraft fees",
            input.months_with_penalties
        ),
        score: (on_time.clamp(0.0, 1.0) * 100.0).round() as u32,
        improve: "avoid overdraft and interest charges: pay card balances in full and keep a buffer before bills".into(),
    });

    let savings_months = match input.liquid_savings {
        Some(s) if spend_mean > 0.0 => f(s).max(0.0) / spend_mean,
        _ => 0.0,
    };
    let s = if savings_months >= 3.0 {
        ramp(savings_months, 3.0, 75.0, 6.0, 100.0)
    } else if savings_months >= 1.0 {
        ramp(savings_months, 1.0, 40.0, 3.0, 75.0)
    } else {
        ramp(savings_months, 0.0, 0.0, 1.0, 40.0)
    };
    indicators.push(Indicator {
        key: "liquid_savings",
        name: "Liquid savings",
        value: savings_months,
        display: match input.liquid_savings {
            Some(_) => format!("{savings_months:.1} months of spending"),
            None => "no savings account connected".into(),
        },
        score: s.round() as u32,
        improve: "build savings to cover 3–6 months of spending".into(),
    });

    let debt = if income_mean > 0.0 {
        f(input.debt_payments) / income_mean
    } else if f(input.debt_payments) > 0.0 {
        1.0
    } else {
        0.0
    };
    let s = if debt <= 0.36 {
        ramp(debt, 0.15, 100.0, 0.36, 50.0)
    } else {
        ramp(debt, 0.36, 50.0, 0.5, 0.0)
    };
    indicators.push(Indicator {
        key: "debt_load",
        name: "Manageable debt",
        value: debt,
        display: format!("debt payments take {:.0}% of income", debt * 100.0),
        score: s.round() as u32,
        improve: "keep debt payments under 36% of income; pay the costliest debt first".into(),
    });

    let rate = if income_mean > 0.0 {
        (income_mean - spend_mean) / income_mean
    } else {
        -1.0
    };
    indicators.push(Indicator {
        key: "savings_rate",
        name: "Savings rate",
        value: rate,
        display: format!("{:.0}% of income kept", rate * 100.0),
        score: if rate < 0.0 {
            0
        } else {
            ramp(rate, 0.0, 20.0, 0.2, 100.0).round() as u32
        },
        improve: "aim to keep 20% of income; a budget with a savings aim does this".into(),
    });

    let cv = if income_mean > 0.0 {
        sd(&income) / income_mean
    } else {
        1.0
    };
    indicators.push(Indicator {
        key: "income_stability",
        name: "Steady income",
        value: cv,
        display: format!("income varies {:.0}% month to month", cv * 100.0),
        score: ramp(cv, 0.1, 100.0, 0.5, 0.0).round() as u32,
        improve: "with uneven income, keep a larger buffer and budget on the lean months".into(),
    });

    let planning = 50 * u32::from(input.has_budget) + 50 * u32::from(input.has_goal);
    indicators.push(Indicator {
        key: "planning",
        name: "Planning ahead",
        value: f64::from(planning) / 100.0,
        display: match (input.has_budget, input.has_goal) {
            (true, true) => "a budget and a goal in use".into(),
            (true, false) => "a budget, no goal".into(),
            (false, true) => "a goal, no budget".into(),
            (false, false) => "no budget or goal".into(),
        },
        score: planning,
        improve: "set a monthly budget and a savings goal".into(),
    });

    let total = indicators.iter().map(|i| i.score).sum::<u32>() as f64 / indicators.len() as f64;
    let score = total.round() as u32;
    indicators.sort_by_key(|i| i.score);
    HealthScore {
        score,
        band: match score {
            80.. => "healthy",
            40..=79 => "coping",
            _ => "vulnerable",
        },
        indicators,
    }
}

/// Monthly chance that income stops (about once in five years).
const INCOME_LOSS_RATE: f64 = 1.0 / 60.0;
/// How long it stays away.
const INCOME_LOSS_MONTHS: u32 = 3;
const FUND_MONTHS: u32 = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct EmergencyFund {
    pub recommended: Decimal,
    pub months_of_spending: f64,
    pub current: Decimal,
    /// Current over recommended (capped at 1).
    pub coverage: f64,
    /// To put aside monthly to get there in a year.
    pub monthly_plan: Decimal,
}

/// Sizes the fund from monthly income and spending histories.
pub fn emergency_fund(
    monthly_income: &[f64],
    monthly_spending: &[f64],
    current: Decimal,
    paths: usize,
    seed: u64,
) -> EmergencyFund {
    let (income_mean, income_sd) = (mean(monthly_income), sd(monthly_income));
    let (spend_mean, spend_sd) = (mean(monthly_spending), sd(monthly_spending));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut dips = Vec::with_capacity(paths);
    for _ in 0..paths {
        let (mut cumulative, mut peak, mut dip) = (0.0f64, 0.0f64, 0.0f64);
        let mut lost = 0;
        for _ in 0..FUND_MONTHS {
            if lost == 0 && rng.random_bool(INCOME_LOSS_RATE) {
                lost = INCOME_LOSS_MONTHS;
            }
            let z: f64 = StandardNormal.sample(&mut rng);
            let income = if lost > 0 {
                lost -= 1;
                0.0
            } else {
                (income_mean + income_sd * z).max(0.0)
            };
            let z: f64 = StandardNormal.sample(&mut rng);
            let spending = (spend_mean + spend_sd * z).max(0.0);
            cumulative += income - spending;
            peak = peak.max(cumulative);
            dip = dip.max(peak - cumulative);
        }
        dips.push(dip);
    }
    dips.sort_by(f64::total_cmp);
    let p95 = dips
        .get(((paths as f64 * 0.95).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    let recommended = (p95.max(spend_mean) / 100.0).ceil() * 100.0;
    let recommended = Decimal::from_f64(recommended).unwrap_or_default();
    let gap = (recommended - current).max(Decimal::ZERO);
    EmergencyFund {
        months_of_spending: if spend_mean > 0.0 {
            (f(recommended) / spend_mean * 10.0).round() / 10.0
        } else {
            0.0
        },
        coverage: if recommended > Decimal::ZERO {
            (f(current) / f(recommended)).clamp(0.0, 1.0)
        } else {
            1.0
        },
        monthly_plan: (gap / Decimal::from(FUND_MONTHS)).round_dp(2),
        recommended,
        current,
    }
}
