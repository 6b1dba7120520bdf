//! Budget recommendation as a quadratic program, solved exactly.
//!
//! Given what a person really spends per category (their recent median,
//! blended with the forecast) and a monthly savings aim, choose amounts
//! `b` that
//!
//! ```text
//! minimize   Σ wᵢ (bᵢ − nᵢ)²
//! subject to Σ bᵢ = income − aim,   lᵢ ≤ bᵢ ≤ nᵢ
//! ```
//!
//! where `nᵢ` is the need, `lᵢ` the floor (essentials can lose little,
//! discretionary spending up to half) and `wᵢ` the cost of a cut (high for
//! essentials, lower for categories that vary a lot month to month). The
//! KKT conditions give `bᵢ = clamp(nᵢ − μ/wᵢ, lᵢ, nᵢ)` for one multiplier
//! `μ ≥ 0`; the total is piecewise linear and decreasing in `μ`, so the
//! breakpoints are sorted and `μ` is solved on its segment exactly — no
//! iterative solver, no tolerance. Amounts are then rounded to cents so the
//! total is still exactly met.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

use crate::{cents_of, money_of};

/// How hard a category is to cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flexibility {
    /// Housing, utilities, groceries, health, transport, taxes, education,
    /// insurance-like costs: cut last, and little.
    Essential,
    /// Everything else.
    Discretionary,
}

impl Flexibility {
    /// The flexibility of a top-level category of the default tree.
    pub fn of(category: &str) -> Flexibility {
        let root = category.split('.').next().unwrap_or(category);
        match root {
            "housing" | "utilities" | "groceries" | "health" | "transport" | "taxes"
            | "education" | "business" => Flexibility::Essential,
            _ => Flexibility::Discretionary,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Flexibility::Essential => "essential",
            Flexibility::Discretionary => "discretionary",
        }
    }

    /// The lowest share of the need a budget may leave.
    fn floor(self) -> f64 {
        match self {
            Flexibility::Essential => 0.9,
            Flexibility::Discretionary => 0.5,
        }
    }

    /// The relative cost of cutting one unit of need.
    fn stiffness(self) -> f64 {
        match self {
            Flexibility::Essential => 10.0,
            Flexibility::Discretionary => 1.0,
        }
    }
}

/// One category's recent spending.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySpending {
    pub category: String,
    /// Spending of each recent complete month, oldest first (six is
    /// usual).
    pub monthly: Vec<Decimal>,
    /// The forecast for the coming month, if there is one.
    pub forecast: Option<Decimal>,
}

impl CategorySpending {
    /// The median of the recent months.
    pub fn median(&self) -> Decimal {
        median(&self.monthly)
    }

    /// What the person really needs: the median, averaged with the
    /// forecast when there is one.
    pub fn need(&self) -> Decimal {
        let median = self.median();
        match self.forecast {
            Some(f) if f > Decimal::ZERO => ((median + f) / Decimal::TWO).round_dp(2),
            _ => median,
        }
    }

    /// Month-to-month variability: the median absolute deviation over the
    /// median (0 when steady).
    pub fn variability(&self) -> f64 {
        let m = self.median();
        if m <= Decimal::ZERO {
            return 0.0;
        }
        let deviations: Vec<Decimal> = self.monthly.iter().map(|v| (*v - m).abs()).collect();
        (median(&deviations) / m).to_f64().unwrap_or(0.0)
    }
}

/// The median of amounts (zero for none).
pub fn median(values: &[Decimal]) -> Decimal {
    if values.is_empty() {
        return Decimal::ZERO;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        ((sorted[n / 2 - 1] + sorted[n / 2]) / Decimal::TWO).round_dp(2)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRequest {
    /// Expected monthly income.
    pub income: Decimal,
    /// What the person wants to keep each month.
    pub savings_aim: Decimal,
    pub categories: Vec<CategorySpending>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecommendedLine {
    pub category: String,
    pub amount: Decimal,
    pub need: Decimal,
    pub median: Decimal,
    pub flexibility: Flexibility,
    /// The change against the median, in percent (negative is a cut).
    pub change_percent: f64,
    /// In words: "dining 264.00 (−12% vs your 6-month median 300.00)".
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    pub lines: Vec<RecommendedLine>,
    /// The sum of the lines.
    pub total: Decimal,
    pub income: Decimal,
    pub savings_aim: Decimal,
    /// Income less the total.
    pub planned_saving: Decimal,
    /// Whether the aim can be met within the floors.
    pub feasible: bool,
    /// The most that can be saved within the floors (every line at its
    /// floor).
    pub best_saving: Decimal,
}

/// Recommends a budget meeting the savings aim exactly when it can, cutting
/// essentials least; when it cannot, every line sits at its floor and the
/// answer says so, with the best saving achievable.
pub fn recommend(request: &BudgetRequest) -> Recommendation {
    let needs: Vec<i64> = request
        .categories
        .iter()
        .map(|c| cents_of(c.need()).max(0))
        .collect();
    let flex: Vec<Flexibility> = request
        .categories
        .iter()
        .map(|c| Flexibility::of(&c.category))
        .collect();
    let floors: Vec<i64> = needs
        .iter()
        .zip(&flex)
        .map(|(n, f)| (*n as f64 * f.floor()).ceil() as i64)
        .collect();
    let weights: Vec<f64> = request
        .categories
        .iter()
        .zip(&needs)
        .zip(&flex)
        .map(|((c, n), f)| f.stiffness() / ((*n).max(1) as f64 * (1.0 + c.variability())))
        .collect();
    let target = cents_of(request.income - request.savings_aim);
    let need_total: i64 = needs.iter().sum();
    let floor_total: i64 = floors.iter().sum();
    let (amounts, feasible) = if need_total <= target {
        (needs.clone(), true)
    } else if floor_total > target {
        (floors.clone(), false)
    } else {
        (solve(&needs, &floors, &weights, target), true)
    };
    let lines: Vec<RecommendedLine> = request
        .categories
        .iter()
        .zip(&amounts)
        .zip(&flex)
        .map(|((c, amount), flexibility)| {
            let amount = money_of(*amount);
            let median = c.median();
            let change_percent = if median > Decimal::ZERO {
                ((amount - median) / median * Decimal::ONE_HUNDRED)
                    .to_f64()
                    .unwrap_or(0.0)
            } else {
                0.0
            };
            let months = c.monthly.len();
            let explanation = if median > Decimal::ZERO {
                format!(
                    "{} {amount} ({}{:.0}% vs your {months}-month median {median}{})",
                    c.category,
                    if change_percent >= 0.0 { "+" } else { "−" },
                    change_percent.abs(),
                    match flexibility {
                        Flexibility::Essential => "; essential, cut least",
                        Flexibility::Discretionary => "",
                    }
                )
            } else {
                format!(
                    "{} {amount} (no spending in the last {months} months)",
                    c.category
                )
            };
            RecommendedLine {
                category: c.category.clone(),
                amount,
                need: c.need(),
                median,
                flexibility: *flexibility,
                change_percent: (change_percent * 10.0).round() / 10.0,
                explanation,
            }
        })
        .collect();
    let total: Decimal = lines.iter().map(|l| l.amount).sum();
    Recommendation {
        planned_saving: request.income - total,
        best_saving: request.income - money_of(floor_total),
        total,
        lines,
        income: request.income,
        savings_aim: request.savings_aim,
        feasible,
    }
}

/// The exact minimizer in cents, for `Σ floors ≤ target < Σ needs`.
fn solve(needs: &[i64], floors: &[i64], weights: &[f64], target: i64) -> Vec<i64> {
    // μ at which each line reaches its floor; on [0, that] it moves with
    // slope −1/w.
    let mut breaks: Vec<(f64, usize)> = (0..needs.len())
        .map(|i| (weights[i] * (needs[i] - floors[i]) as f64, i))
        .collect();
    breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut slope: f64 = weights.iter().map(|w| 1.0 / w).sum();
    let mut sum_at = needs.iter().sum::<i64>() as f64;
    let mut mu = 0.0;
    let target_f = target as f64;
    for (at, i) in &breaks {
        let next = sum_at - slope * (at - mu);
        if next <= target_f {
            break;
        }
        sum_at = next;
        mu = *at;
        slope -= 1.0 / weights[*i];
    }
    if slope > 0.0 {
        mu += (sum_at - target_f) / slope;
    }
    let exact: Vec<f64> = (0..needs.len())
        .map(|i| (needs[i] as f64 - mu / weights[i]).clamp(floors[i] as f64, needs[i] as f64))
        .collect();
    // Whole cents, then the cents short handed to the largest remainders.
    let mut cents: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut short = target - cents.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor())
            .total_cmp(&(exact[*a] - exact[*a].floor()))
            .then(a.cmp(b))
    });
    while short > 0 {
        let before = short;
        for &i in &order {
            if short > 0 && cents[i] < needs[i] {
                cents[i] += 1;
                short -= 1;
            }
        }
        if short == before {
            break;
        }
    }
    while short < 0 {
        let before = short;
        for &i in order.iter().rev() {
            if short < 0 && cents[i] > floors[i] {
                cents[i] -= 1;
                short += 1;
            }
        }
        if short == before {
            break;
        }
    }
    cents
}

/// A shift the person may accept: the last months all ran well over (or
/// under) the budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Adjustment {
    pub category: String,
    pub current: Decimal,
    pub proposed: Decimal,
    pub reason: String,
}

/// Months of a steady shift before an adjustment is proposed.
pub const SHIFT_MONTHS: usize = 3;

/// Proposes a new amount when the last [`SHIFT_MONTHS`] complete months
/// were all more than 10% over the budget, or all more than 25% under it:
/// the median of those months, rounded to a whole unit.
pub fn adjustment(category: &str, budget: Decimal, monthly: &[Decimal]) -> Option<Adjustment> {
    if monthly.len() < SHIFT_MONTHS || budget <= Decimal::ZERO {
        return None;
    }
    let recent = &monthly[monthly.len() - SHIFT_MONTHS..];
    let over = Decimal::from_f64(1.10).expect("constant");
    let under = Decimal::from_f64(0.75).expect("constant");
    let direction = if recent.iter().all(|m| *m > budget * over) {
        "over"
    } else if recent.iter().all(|m| *m < budget * under) {
        "under"
    } else {
        return None;
    };
    let proposed = median(recent).round_dp(0);
    Some(Adjustment {
        category: category.to_owned(),
        current: budget,
        proposed,
        reason: format!(
            "{category} ran {direction} its budget of {budget} for {SHIFT_MONTHS} months in a row (median {})",
            median(recent)
        ),
    })
}
