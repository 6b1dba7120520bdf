//! Each generator fires on its trigger and stays quiet otherwise.

use finsight_planning::insights::*;
use finsight_planning::tracking::{MonthPosition, status};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use time::macros::date;

fn quiet() -> Snapshot {
    Snapshot {
        today: date!(2026 - 12 - 20),
        currency: "GBP".into(),
        categories: vec![CategoryMonths {
            category: "dining".into(),
            monthly: vec![
                dec!(300),
                dec!(280),
                dec!(320),
                dec!(310),
                dec!(290),
                dec!(300),
            ],
            this_month: dec!(250),
            merchants_this_month: vec![("pizza place".into(), dec!(150))],
            merchants_usual: vec![("pizza place".into(), dec!(140))],
        }],
        income_monthly: vec![dec!(3000); 6],
        income_this_month: dec!(3000),
        spent_this_month: dec!(1500),
        bills: vec![bill("streamflix", "subscriptions.streaming")],
        alerts: vec![],
        budgets: vec![status(
            "dining",
            dec!(500),
            dec!(0),
            dec!(250),
            MonthPosition {
                day: 20,
                days_in_month: 31,
            },
        )],
        goals: vec![GoalSummary {
            id: "g1".into(),
            name: "Holiday".into(),
            probability: 0.8,
            required_monthly: dec!(200),
            free_cash_flow: dec!(500),
        }],
        fees: vec![],
    }
}

fn bill(payee: &str, category: &str) -> Bill {
    Bill {
        payee: payee.into(),
        category: Some(category.into()),
        income: false,
        active: true,
        first_date: date!(2025 - 01 - 05),
        next_date: date!(2027 - 01 - 05),
        next_amount: dec!(10.99),
        price_change: None,
        per_year: 12.0,
    }
}

fn kinds(s: &Snapshot) -> Vec<InsightKind> {
    generate(s).into_iter().map(|i| i.kind).collect()
}

#[test]
fn a_quiet_month_says_nothing() {
    assert_eq!(kinds(&quiet()), vec![]);
}

#[test]
fn a_category_spike_names_the_merchants() {
    let mut s = quiet();
    s.categories[0].this_month = dec!(520);
    s.categories[0]
        .merchants_this_month
        .push(("sushi bar".into(), dec!(260)));
    let found = category_spikes(&s);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].body.contains("sushi bar +260"),
        "{}",
        found[0].body
    );
    assert_eq!(found[0].impact, dec!(220));
    s.categories[0].this_month = dec!(360);
    assert!(category_spikes(&s).is_empty(), "within 25% of usual");
}

#[test]
fn price_increases_and_new_charges() {
    let mut s = quiet();
    s.bills[0].price_change = Some((date!(2026 - 11 - 05), dec!(10.99), dec!(12.99)));
    let found = price_increases(&s);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].impact, dec!(24));
    s.bills[0].price_change = Some((date!(2026 - 06 - 05), dec!(10.99), dec!(12.99)));
    assert!(price_increases(&s).is_empty(), "too long ago");
    s.bills[0].price_change = Some((date!(2026 - 11 - 05), dec!(12.99), dec!(10.99)));
    assert!(price_increases(&s).is_empty(), "a cut");
    assert!(new_recurring(&s).is_empty());
    s.bills[0].first_date = date!(2026 - 11 - 01);
    assert_eq!(new_recurring(&s).len(), 1);
}

#[test]
fn a_bill_the_month_cannot_cover() {
    let mut s = quiet();
    let mut rent = bill("landlord", "housing.rent");
    rent.next_date = date!(2026 - 12 - 28);
    rent.next_amount = dec!(1200);
    s.bills.push(rent);
    assert!(bill_shortfall(&s).is_empty(), "1500 left covers 1200");
    s.spent_this_month = dec!(2500);
    let found = bill_shortfall(&s);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].impact, dec!(700));
}

#[test]
fn alerts_budgets_goals_savings_and_income() {
    let mut s = quiet();
    s.alerts.push(AlertSummary {
        id: "a1".into(),
        text: "first purchase in NG".into(),
        amount: dec!(2450),
        date: date!(2026 - 12 - 19),
    });
    assert_eq!(unusual_transactions(&s).len(), 1);
    s.budgets = vec![status(
        "dining",
        dec!(300),
        dec!(0),
        dec!(250),
        MonthPosition {
            day: 20,
            days_in_month: 31,
        },
    )];
    assert_eq!(budgets_at_risk(&s).len(), 1);
    s.goals[0].probability = 0.3;
    assert_eq!(goals_off_track(&s).len(), 1);
    s.bills.push(bill("vidstream", "subscriptions.streaming"));
    let savings = savings_opportunities(&s);
    assert_eq!(savings.len(), 1);
    assert_eq!(savings[0].impact, dec!(10.99));
    s.fees.push(Fee {
        description: "overdraft fee".into(),
        amount: dec!(25),
        date: date!(2026 - 11 - 02),
    });
    assert_eq!(savings_opportunities(&s).len(), 2);
    assert!(income_change(&s).is_empty());
    s.income_monthly.push(dec!(2200));
    let found = income_change(&s);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].impact, dec!(800));
    assert!(found[0].title.contains("fell"));
    // Every insight carries the numbers behind it and a stable key.
    for i in generate(&s) {
        assert!(
            !i.figures.is_empty() && !i.key.is_empty() && i.confidence > 0.0,
            "{i:?}"
        );
        assert!(i.impact > Decimal::ZERO, "{i:?}");
    }
}
