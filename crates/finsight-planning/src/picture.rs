//! A person's months at a glance, from their transactions: spending per
//! top-level category and in total, income, debt payments and fees per
//! complete month, the current month so far (with its merchants), and what
//! their savings accounts hold as far as their flows show. Budgets,
//! insights, goals and the health score all start from it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::Date;

use crate::budget::median;
use crate::insights::Fee;
use crate::tracking::{month_start, previous_month_start};

/// What the account a transaction is on does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    /// Checking, cash, investment: spending and income.
    Everyday,
    /// Its flows add up to liquid savings.
    Savings,
    /// A credit card: spending; interest here is a penalty for carrying a
    /// balance.
    Card,
    /// A loan or mortgage: its flows mirror payments made from another
    /// account (counting them would count those twice).
    Loan,
}

impl AccountRole {
    /// The role of an account kind, by its name (`savings`,
    /// `credit_card`, `loan`; anything else is everyday).
    pub fn of_kind(kind: &str) -> AccountRole {
        match kind {
            "savings" => AccountRole::Savings,
            "credit_card" => AccountRole::Card,
            "loan" => AccountRole::Loan,
            _ => AccountRole::Everyday,
        }
    }
}

/// A transaction as the picture needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'a> {
    pub date: Date,
    pub category: Option<&'a str>,
    /// Signed: spending is negative.
    pub amount: Decimal,
    /// The normalized payee or description.
    pub payee: &'a str,
    pub role: AccountRole,
}

/// A fee that signals a bill paid late or an overdrawn account.
fn is_penalty(item: &Item<'_>) -> bool {
    let fee = root(item.category) == "fees" && item.amount < Decimal::ZERO;
    (fee && item.role == AccountRole::Card && item.category == Some("fees.interest_charge"))
        || (fee
            && [
                "late",
                "overdraft",
                "overdrawn",
                "returned",
                "nsf",
                "insufficient",
            ]
            .iter()
            .any(|w| item.payee.contains(w)))
}

/// The month so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthSoFar {
    pub spending: BTreeMap<String, Decimal>,
    pub total_spending: Decimal,
    pub income: Decimal,
    /// Per category, each merchant's spending, largest first.
    pub merchants: BTreeMap<String, Vec<(String, Decimal)>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// The first day of each complete month, oldest first.
    pub months: Vec<Date>,
    /// Per top-level spending category, each month's spending.
    pub spending: BTreeMap<String, Vec<Decimal>>,
    pub total_spending: Vec<Decimal>,
    pub income: Vec<Decimal>,
    /// Mortgage, loan and interest payments.
    pub debt: Vec<Decimal>,
    /// Months with a penalty: card interest, a late or overdraft fee.
    pub penalty_months: usize,
    pub this_month: MonthSoFar,
    /// Per category, each merchant's median monthly spending.
    pub merchants_usual: BTreeMap<String, Vec<(String, Decimal)>>,
    /// The sum of every flow on savings accounts (none without one).
    pub savings: Option<Decimal>,
    /// Fees of the last 90 days.
    pub fees: Vec<Fee>,
}

fn root(category: Option<&str>) -> &str {
    let c = category.unwrap_or("uncategorized");
    c.split('.').next().unwrap_or(c)
}

/// Whether a category counts as spending (not income, not a transfer).
pub fn is_spending(category: Option<&str>) -> bool {
    !matches!(root(category), "income" | "transfers")
}

/// The picture of the `months` complete months before `today`'s, and
/// today's month so far.
pub fn picture(items: &[Item<'_>], today: Date, months: usize) -> Picture {
    let current = month_start(today);
    let mut starts = Vec::with_capacity(months);
    let mut at = current;
    for _ in 0..months {
        at = previous_month_start(at);
        starts.push(at);
    }
    starts.reverse();
    let index = |date: Date| -> Option<usize> {
        let m = month_start(date);
        starts.binary_search(&m).ok()
    };
    let mut spending: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    let mut merchants: BTreeMap<(String, String), Vec<Decimal>> = BTreeMap::new();
    let mut income = vec![Decimal::ZERO; months];
    let mut debt = vec![Decimal::ZERO; months];
    let mut fee_month = vec![false; months];
    let mut this_month = MonthSoFar::default();
    let mut this_merchants: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    let mut savings = None;
    let mut fees = Vec::new();
    for item in items {
        match item.role {
            AccountRole::Savings => {
                *savings.get_or_insert(Decimal::ZERO) += item.amount;
                continue;
            }
            AccountRole::Loan => continue,
            AccountRole::Everyday | AccountRole::Card => {}
        }
        let category = item.category;
        let top = root(category).to_owned();
        let is_income =
            top == "income" && category != Some("income.refund") && item.amount > Decimal::ZERO;
        if top == "fees" && item.amount < Decimal::ZERO && (today - item.date).whole_days() <= 90 {
            fees.push(Fee {
                description: item.payee.to_owned(),
                amount: -item.amount,
                date: item.date,
            });
        }
        if item.date >= current && item.date <= today {
            if is_income {
                this_month.income += item.amount;
            } else if is_spending(category) {
                *this_month.spending.entry(top.clone()).or_default() -= item.amount;
                *this_merchants
                    .entry((top, item.payee.to_owned()))
                    .or_default() -= item.amount;
            }
            continue;
        }
        let Some(m) = index(item.date) else {
            continue;
        };
        if is_income {
            income[m] += item.amount;
        } else if is_spending(category) {
            spending
                .entry(top.clone())
                .or_insert_with(|| vec![Decimal::ZERO; months])[m] -= item.amount;
            merchants
                .entry((top.clone(), item.payee.to_owned()))
                .or_insert_with(|| vec![Decimal::ZERO; months])[m] -= item.amount;
        }
        if (matches!(category, Some("housing.mortgage" | "fees.interest_charge"))
            || root(category) == "transfers" && item.payee.contains("loan"))
            && item.amount < Decimal::ZERO
        {
            debt[m] -= item.amount;
        }
        if is_penalty(item) {
            fee_month[m] = true;
        }
    }
    // Refunds lower a month's spending, never below zero.
    for values in spending.values_mut() {
        for v in values.iter_mut() {
            *v = (*v).max(Decimal::ZERO);
        }
    }
    let total_spending = (0..months)
        .map(|m| spending.values().map(|v| v[m]).sum())
        .collect();
    for v in this_month.spending.values_mut() {
        *v = (*v).max(Decimal::ZERO);
    }
    this_month.total_spending = this_month.spending.values().copied().sum();
    for ((category, merchant), amount) in this_merchants {
        if amount > Decimal::ZERO {
            this_month
                .merchants
                .entry(category)
                .or_default()
                .push((merchant, amount));
        }
    }
    for list in this_month.merchants.values_mut() {
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    let mut merchants_usual: BTreeMap<String, Vec<(String, Decimal)>> = BTreeMap::new();
    for ((category, merchant), values) in merchants {
        let usual = median(&values).max(Decimal::ZERO);
        if usual > Decimal::ZERO {
            merchants_usual
                .entry(category)
                .or_default()
                .push((merchant, usual));
        }
    }
    Picture {
        months: starts,
        spending,
        total_spending,
        income,
        debt,
        penalty_months: fee_month.iter().filter(|f| **f).count(),
        this_month,
        merchants_usual,
        savings,
        fees,
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use time::macros::date;

    use super::*;

    fn item<'a>(date: Date, category: &'a str, amount: Decimal, payee: &'a str) -> Item<'a> {
        Item {
            date,
            category: Some(category),
            amount,
            payee,
            role: AccountRole::Everyday,
        }
    }

    #[test]
    fn months_this_month_refunds_and_savings() {
        let items = vec![
            item(date!(2026 - 10 - 03), "dining.coffee", dec!(-40), "cafe"),
            item(date!(2026 - 10 - 09), "dining", dec!(50), "cafe"),
            item(date!(2026 - 11 - 03), "dining", dec!(-60), "cafe"),
            item(date!(2026 - 11 - 01), "income.salary", dec!(3000), "acme"),
            item(
                date!(2026 - 11 - 20),
                "transfers.savings",
                dec!(-500),
                "to savings",
            ),
            item(
                date!(2026 - 11 - 21),
                "fees.bank",
                dec!(-25),
                "overdraft fee",
            ),
            item(
                date!(2026 - 10 - 21),
                "fees.bank",
                dec!(-5),
                "monthly account fee",
            ),
            Item {
                role: AccountRole::Loan,
                ..item(
                    date!(2026 - 11 - 21),
                    "fees.interest_charge",
                    dec!(-900),
                    "interest",
                )
            },
            item(date!(2026 - 12 - 01), "dining", dec!(-70), "bistro"),
            item(date!(2026 - 12 - 02), "income.salary", dec!(3100), "acme"),
            Item {
                role: AccountRole::Savings,
                ..item(
                    date!(2026 - 11 - 20),
                    "transfers.savings",
                    dec!(500),
                    "from checking",
                )
            },
        ];
        let p = picture(&items, date!(2026 - 12 - 05), 3);
        assert_eq!(
            p.months,
            vec![
                date!(2026 - 09 - 01),
                date!(2026 - 10 - 01),
                date!(2026 - 11 - 01)
            ]
        );
        assert_eq!(p.spending["dining"], vec![dec!(0), dec!(0), dec!(60)]);
        assert_eq!(p.income, vec![dec!(0), dec!(0), dec!(3000)]);
        assert_eq!(p.total_spending[2], dec!(85));
        assert_eq!(p.penalty_months, 1, "the monthly fee is no penalty");
        assert_eq!(p.this_month.spending["dining"], dec!(70));
        assert_eq!(p.this_month.income, dec!(3100));
        assert_eq!(
            p.this_month.merchants["dining"],
            vec![("bistro".to_owned(), dec!(70))]
        );
        assert_eq!(p.savings, Some(dec!(500)));
        assert_eq!(p.fees.len(), 2, "loan interest is no avoidable fee");
    }
}
