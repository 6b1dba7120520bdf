//! Insight generators: each looks at one side of a person's picture (a
//! [`Snapshot`] the service assembles from the ledger and the models'
//! outputs) and says what matters, with the numbers behind it, an impact
//! in money, a confidence and an action. Each insight has a stable key
//! (kind, subject, period), so feedback on it sticks and it is not shown
//! again once dismissed.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

use crate::budget::median;
use crate::tracking::{Level, LineStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InsightKind {
    CategorySpike,
    PriceIncrease,
    NewRecurring,
    BillShortfall,
    UnusualTransaction,
    BudgetAtRisk,
    GoalOffTrack,
    SavingsOpportunity,
    IncomeChange,
}

impl InsightKind {
    pub const ALL: [InsightKind; 9] = [
        InsightKind::CategorySpike,
        InsightKind::PriceIncrease,
        InsightKind::NewRecurring,
        InsightKind::BillShortfall,
        InsightKind::UnusualTransaction,
        InsightKind::BudgetAtRisk,
        InsightKind::GoalOffTrack,
        InsightKind::SavingsOpportunity,
        InsightKind::IncomeChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InsightKind::CategorySpike => "category_spike",
            InsightKind::PriceIncrease => "price_increase",
            InsightKind::NewRecurring => "new_recurring",
            InsightKind::BillShortfall => "bill_shortfall",
            InsightKind::UnusualTransaction => "unusual_transaction",
            InsightKind::BudgetAtRisk => "budget_at_risk",
            InsightKind::GoalOffTrack => "goal_off_track",
            InsightKind::SavingsOpportunity => "savings_opportunity",
            InsightKind::IncomeChange => "income_change",
        }
    }

    pub fn parse(text: &str) -> Option<InsightKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A number behind an insight.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub name: String,
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    /// Stable across requests: kind, subject and period.
    pub key: String,
    pub kind: InsightKind,
    pub title: String,
    pub body: String,
    /// What acting on it is worth (or what is at stake), per month unless
    /// the body says otherwise.
    pub impact: Decimal,
    /// 0–1.
    pub confidence: f64,
    pub action: String,
    pub figures: Vec<Figure>,
}

fn figure(name: &str, value: Decimal) -> Figure {
    Figure {
        name: name.to_owned(),
        value: value.round_dp(2),
    }
}

/// One top-level category's spending.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryMonths {
    pub category: String,
    /// Complete months, oldest first.
    pub monthly: Vec<Decimal>,
    pub this_month: Decimal,
    /// This month's spending per merchant, largest first.
    pub merchants_this_month: Vec<(String, Decimal)>,
    /// Each merchant's usual monthly spending (its median over the same
    /// complete months).
    pub merchants_usual: Vec<(String, Decimal)>,
}

/// A recurring series, as the detector found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    pub payee: String,
    pub category: Option<String>,
    pub income: bool,
    pub active: bool,
    pub first_date: Date,
    pub next_date: Date,
    /// Positive.
    pub next_amount: Decimal,
    /// The latest change: (date, from, to), positive amounts.
    pub price_change: Option<(Date, Decimal, Decimal)>,
    /// Payments a year at its cadence.
    pub per_year: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertSummary {
    pub id: String,
    pub text: String,
    pub amount: Decimal,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalSummary {
    pub id: String,
    pub name: String,
    pub probability: f64,
    pub required_monthly: Decimal,
    pub free_cash_flow: Decimal,
}

/// A fee paid recently.
#[derive(Debug, Clone, PartialEq)]
pub struct Fee {
    pub description: String,
    pub amount: Decimal,
    pub date: Date,
}

/// What the generators see.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub today: Date,
    pub currency: String,
    pub categories: Vec<CategoryMonths>,
    /// Complete months, oldest first.
    pub income_monthly: Vec<Decimal>,
    pub income_this_month: Decimal,
    pub spent_this_month: Decimal,
    pub bills: Vec<Bill>,
    /// Unanswered anomaly alerts of the last two weeks.
    pub alerts: Vec<AlertSummary>,
    pub budgets: Vec<LineStatus>,
    pub goals: Vec<GoalSummary>,
    /// Fees of the last 90 days.
    pub fees: Vec<Fee>,
}

impl Snapshot {
    fn money(&self, d: Decimal) -> String {
        format!("{} {}", d.round_dp(2), self.currency)
    }

    fn period(&self) -> String {
        format!("{}-{:02}", self.today.year(), self.today.month() as u8)
    }
}

/// Every generator's insights.
pub fn generate(s: &Snapshot) -> Vec<Insight> {
    let mut out = Vec::new();
    out.extend(category_spikes(s));
    out.extend(price_increases(s));
    out.extend(new_recurring(s));
    out.extend(bill_shortfall(s));
    out.extend(unusual_transactions(s));
    out.extend(budgets_at_risk(s));
    out.extend(goals_off_track(s));
    out.extend(savings_opportunities(s));
    out.extend(income_change(s));
    out
}

/// Spending this month already 25% over the usual month (and at least 25
/// units), with the merchants that made the difference.
pub fn category_spikes(s: &Snapshot) -> Vec<Insight> {
    let mut out = Vec::new();
    for c in &s.categories {
        if c.monthly.len() < 3 {
            continue;
        }
        let usual = median(&c.monthly);
        let excess = c.this_month - usual;
        if usual <= Decimal::ZERO
            || c.this_month * Decimal::from(4) <= usual * Decimal::from(5)
            || excess < Decimal::from(25)
        {
            continue;
        }
        let mut drivers: Vec<(String, Decimal)> = c
            .merchants_this_month
            .iter()
            .map(|(m, v)| {
                let usual = c
                    .merchants_usual
                    .iter()
                    .find(|(u, _)| u == m)
                    .map_or(Decimal::ZERO, |(_, v)| *v);
                (m.clone(), *v - usual)
            })
            .filter(|(_, d)| *d > Decimal::ZERO)
            .collect();
        drivers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let why: Vec<String> = drivers
            .iter()
            .take(3)
            .map(|(m, d)| format!("{m} +{}", s.money(*d)))
            .collect();
        let spread = crate::budget::CategorySpending {
            category: c.category.clone(),
            monthly: c.monthly.clone(),
            forecast: None,
        }
        .variability();
        out.push(Insight {
            key: format!("category_spike:{}:{}", c.category, s.period()),
            kind: InsightKind::CategorySpike,
            title: format!(
                "{} spending is {:.0}% above usual",
                c.category,
                (excess / usual * Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0)
            ),
            body: format!(
                "You have spent {} on {} this month against a usual {} a month (median of {} months){}.",
                s.money(c.this_month),
                c.category,
                s.money(usual),
                c.monthly.len(),
                if why.is_empty() {
                    String::new()
                } else {
                    format!("; most of the difference: {}", why.join(", "))
                }
            ),
            impact: excess.round_dp(2),
            confidence: (0.9 - spread).clamp(0.3, 0.9),
            action: format!("Review this month's {} purchases", c.category),
            figures: vec![
                figure("this_month", c.this_month),
                figure("usual", usual),
                figure("excess", excess),
            ],
        });
    }
    out
}

/// A bill whose price went up in the last 60 days.
pub fn price_increases(s: &Snapshot) -> Vec<Insight> {
    s.bills
        .iter()
        .filter(|b| b.active && !b.income)
        .filter_map(|b| {
            let (date, from, to) = b.price_change?;
            if to <= from || (s.today - date).whole_days() > 60 {
                return None;
            }
            let yearly = ((to - from) * Decimal::try_from(b.per_year).ok()?).round_dp(2);
            Some(Insight {
                key: format!("price_increase:{}:{date}", b.payee),
                kind: InsightKind::PriceIncrease,
                title: format!("{} went up to {}", b.payee, s.money(to)),
                body: format!(
                    "{} rose from {} to {} on {date}: {} more a year.",
                    b.payee,
                    s.money(from),
                    s.money(to),
                    s.money(yearly)
                ),
                impact: yearly,
                confidence: 0.9,
                action: format!(
                    "Check whether {} is still worth it, or switch plan",
                    b.payee
                ),
                figures: vec![
                    figure("from", from),
                    figure("to", to),
                    figure("per_year", yearly),
                ],
            })
        })
        .collect()
}

/// A recurring charge that started in the last 60 days.
pub fn new_recurring(s: &Snapshot) -> Vec<Insight> {
    s.bills
        .iter()
        .filter(|b| b.active && !b.income && (s.today - b.first_date).whole_days() <= 60)
        .filter_map(|b| {
            let yearly = (b.next_amount * Decimal::try_from(b.per_year).ok()?).round_dp(2);
            Some(Insight {
                key: format!("new_recurring:{}:{}", b.payee, b.first_date),
                kind: InsightKind::NewRecurring,
                title: format!("New recurring charge: {}", b.payee),
                body: format!(
                    "{} has charged you regularly since {}; the next {} is due on {} ({} a year).",
                    b.payee,
                    b.first_date,
                    s.money(b.next_amount),
                    b.next_date,
                    s.money(yearly)
                ),
                impact: yearly,
                confidence: 0.75,
                action: "Make sure you meant to subscribe".into(),
                figures: vec![
                    figure("next_amount", b.next_amount),
                    figure("per_year", yearly),
                ],
            })
        })
        .collect()
}

/// Bills due before the month ends that this month's cash so far (income
/// in, less spending) does not cover.
pub fn bill_shortfall(s: &Snapshot) -> Vec<Insight> {
    let month_end = s.today.replace_day(1).ok().and_then(|first| {
        let next = if first.month() == time::Month::December {
            first
                .replace_year(first.year() + 1)
                .ok()?
                .replace_month(time::Month::January)
                .ok()?
        } else {
            first.replace_month(first.month().next()).ok()?
        };
        next.previous_day()
    });
    let Some(month_end) = month_end else {
        return Vec::new();
    };
    let due: Vec<&Bill> = s
        .bills
        .iter()
        .filter(|b| b.active && !b.income && b.next_date >= s.today && b.next_date <= month_end)
        .collect();
    let incoming: Decimal = s
        .bills
        .iter()
        .filter(|b| b.active && b.income && b.next_date >= s.today && b.next_date <= month_end)
        .map(|b| b.next_amount)
        .sum();
    let bills: Decimal = due.iter().map(|b| b.next_amount).sum();
    let cash = s.income_this_month + incoming - s.spent_this_month;
    let short = bills - cash;
    if due.is_empty() || short <= Decimal::ZERO {
        return Vec::new();
    }
    let names: Vec<String> = due
        .iter()
        .take(4)
        .map(|b| format!("{} {} on {}", b.payee, s.money(b.next_amount), b.next_date))
        .collect();
    vec![Insight {
        key: format!("bill_shortfall:{}", s.period()),
        kind: InsightKind::BillShortfall,
        title: format!(
            "{} of bills due this month may not be covered",
            s.money(bills)
        ),
        body: format!(
            "Due before month end: {}. This month's income so far and expected ({}) less spending ({}) leaves {} short.",
            names.join(", "),
            s.money(s.income_this_month + incoming),
            s.money(s.spent_this_month),
            s.money(short)
        ),
        impact: short.round_dp(2),
        confidence: 0.7,
        action: "Move money in before the bills are due, or hold off on spending".into(),
        figures: vec![
            figure("bills", bills),
            figure("cash", cash),
            figure("short", short),
        ],
    }]
}

/// Anomaly alerts nobody has answered yet.
pub fn unusual_transactions(s: &Snapshot) -> Vec<Insight> {
    s.alerts
        .iter()
        .map(|a| Insight {
            key: format!("unusual_transaction:{}", a.id),
            kind: InsightKind::UnusualTransaction,
            title: format!("Unusual charge of {} on {}", s.money(a.amount), a.date),
            body: format!(
                "{}. If it was not you, tell us and contact your bank.",
                a.text
            ),
            impact: a.amount,
            confidence: 0.6,
            action: "Confirm whether this was you".into(),
            figures: vec![figure("amount", a.amount)],
        })
        .collect()
}

/// Budget lines at 80% or more, or on pace to overrun.
pub fn budgets_at_risk(s: &Snapshot) -> Vec<Insight> {
    s.budgets
        .iter()
        .filter(|l| l.level > Level::Under || l.projected_overrun)
        .map(|l| {
            let projected = l.projected.unwrap_or(l.spent);
            let over = (projected.max(l.spent) - l.available).max(Decimal::ZERO);
            Insight {
                key: format!("budget_at_risk:{}:{}", l.category, s.period()),
                kind: InsightKind::BudgetAtRisk,
                title: match l.level {
                    Level::Over => format!("{} budget is spent", l.category),
                    _ => format!("{} budget at {:.0}%", l.category, l.ratio * 100.0),
                },
                body: format!(
                    "You have spent {} of {} for {}{}.",
                    s.money(l.spent),
                    s.money(l.available),
                    l.category,
                    match l.projected {
                        Some(p) if p > l.available =>
                            format!("; at this pace the month ends near {}", s.money(p)),
                        _ => String::new(),
                    }
                ),
                impact: over.max(l.spent - l.available).max(Decimal::ONE),
                confidence: if l.level == Level::Over { 0.95 } else { 0.7 },
                action: format!("Slow down on {} until the month ends", l.category),
                figures: vec![
                    figure("spent", l.spent),
                    figure("available", l.available),
                    figure("projected", projected),
                ],
            }
        })
        .collect()
}

/// Goals under an even chance.
pub fn goals_off_track(s: &Snapshot) -> Vec<Insight> {
    s.goals
        .iter()
        .filter(|g| g.probability < 0.5)
        .map(|g| {
            let gap = (g.required_monthly - g.free_cash_flow.max(Decimal::ZERO)).max(Decimal::ZERO);
            Insight {
                key: format!("goal_off_track:{}:{}", g.id, s.period()),
                kind: InsightKind::GoalOffTrack,
                title: format!(
                    "{} is off track ({:.0}% chance)",
                    g.name,
                    g.probability * 100.0
                ),
                body: format!(
                    "{} needs {} a month; your free cash flow averages {}.",
                    g.name,
                    s.money(g.required_monthly),
                    s.money(g.free_cash_flow)
                ),
                impact: gap.max(Decimal::ONE),
                confidence: 0.8,
                action: "See the goal's strategies: what to cut, or a later date".into(),
                figures: vec![
                    figure("required_monthly", g.required_monthly),
                    figure("free_cash_flow", g.free_cash_flow),
                ],
            }
        })
        .collect()
}

/// Two or more active subscriptions of the same kind, and fees paid.
pub fn savings_opportunities(s: &Snapshot) -> Vec<Insight> {
    let mut out = Vec::new();
    let mut by_category: std::collections::BTreeMap<&str, Vec<&Bill>> = Default::default();
    for b in s.bills.iter().filter(|b| b.active && !b.income) {
        if let Some(c) = b
            .category
            .as_deref()
            .filter(|c| c.starts_with("subscriptions."))
        {
            by_category.entry(c).or_default().push(b);
        }
    }
    for (category, bills) in by_category {
        if bills.len() < 2 {
            continue;
        }
        let cheapest = bills
            .iter()
            .map(|b| {
                b.next_amount * Decimal::try_from(b.per_year).unwrap_or_default()
                    / Decimal::from(12)
            })
            .min()
            .unwrap_or_default()
            .round_dp(2);
        let names: Vec<&str> = bills.iter().map(|b| b.payee.as_str()).collect();
        out.push(Insight {
            key: format!("savings_opportunity:{category}"),
            kind: InsightKind::SavingsOpportunity,
            title: format!(
                "{} {} subscriptions",
                bills.len(),
                category.rsplit('.').next().unwrap_or(category)
            ),
            body: format!(
                "You pay for {} ({category}); dropping one saves at least {} a month.",
                names.join(", "),
                s.money(cheapest)
            ),
            impact: cheapest,
            confidence: 0.65,
            action: "Keep the one you use most".into(),
            figures: vec![figure("monthly_saving", cheapest)],
        });
    }
    let fees: Decimal = s.fees.iter().map(|f| f.amount).sum();
    if fees >= Decimal::from(5) {
        out.push(Insight {
            key: format!("savings_opportunity:fees:{}", s.period()),
            kind: InsightKind::SavingsOpportunity,
            title: format!("{} in fees over 90 days", s.money(fees)),
            body: format!(
                "{} fee payments in the last 90 days ({}); most can be avoided.",
                s.fees.len(),
                s.fees
                    .iter()
                    .take(3)
                    .map(|f| format!("{} {}", f.description, s.money(f.amount)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            impact: (fees / Decimal::from(3)).round_dp(2),
            confidence: 0.8,
            action: "Ask your bank to waive them, or switch to a fee-free account".into(),
            figures: vec![figure("fees_90_days", fees)],
        });
    }
    out
}

/// Last month's income 15% off the usual.
pub fn income_change(s: &Snapshot) -> Vec<Insight> {
    let Some((last, before)) = s.income_monthly.split_last() else {
        return Vec::new();
    };
    if before.len() < 3 {
        return Vec::new();
    }
    let usual = median(before);
    if usual <= Decimal::ZERO {
        return Vec::new();
    }
    let change = *last - usual;
    let share = (change / usual).to_f64().unwrap_or(0.0);
    if share.abs() < 0.15 {
        return Vec::new();
    }
    let up = change > Decimal::ZERO;
    vec![Insight {
        key: format!("income_change:{}", s.period()),
        kind: InsightKind::IncomeChange,
        title: format!(
            "Income {} {:.0}% last month",
            if up { "rose" } else { "fell" },
            share.abs() * 100.0
        ),
        body: format!(
            "Last month brought {} against a usual {}.{}",
            s.money(*last),
            s.money(usual),
            if up {
                " Putting the difference aside now keeps it from being spent."
            } else {
                " Your budget may need to follow until it recovers."
            }
        ),
        impact: change.abs().round_dp(2),
        confidence: 0.7,
        action: if up {
            "Move the extra to a goal".into()
        } else {
            "Review your budget for a leaner month".into()
        },
        figures: vec![figure("last_month", *last), figure("usual", usual)],
    }]
}
