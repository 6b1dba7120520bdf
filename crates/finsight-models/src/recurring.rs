//! Recurring payments found in a person's history: subscriptions, bills,
//! rent, salaries. Transactions are grouped by account, payee and direction,
//! split where their amounts jump apart (a salary and a yearly bonus from
//! the same employer), and a group becomes a series when its intervals fit
//! one cadence — weekly, biweekly, twice a month, monthly, quarterly or
//! yearly — tolerating weekend and holiday shifts, late payments and missed
//! ones. A series says its next date and amount (with an interval), when its
//! price changed, and whether it has stopped.
//!
//! Amounts are integer minor units of the account's currency: exact in and
//! exact out; the caller attaches the currency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, Weekday};

/// One transaction as the detector sees it.
#[derive(Debug, Clone)]
pub struct Occurrence<K> {
    /// The caller's handle (a transaction id), returned in the series.
    pub key: K,
    /// The account, so two cards' payments never mix.
    pub account: u128,
    /// The normalized payee ([`crate::payee::normalize`]).
    pub payee: String,
    pub date: Date,
    /// Signed minor units: spending is negative, income positive.
    pub amount_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Biweekly,
    Semimonthly,
    Monthly,
    /// Every two months (water bills).
    Bimonthly,
    Quarterly,
    Yearly,
}

impl Cadence {
    pub const ALL: [Cadence; 7] = [
        Cadence::Weekly,
        Cadence::Biweekly,
        Cadence::Semimonthly,
        Cadence::Monthly,
        Cadence::Bimonthly,
        Cadence::Quarterly,
        Cadence::Yearly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Biweekly => "biweekly",
            Cadence::Semimonthly => "semimonthly",
            Cadence::Monthly => "monthly",
            Cadence::Bimonthly => "bimonthly",
            Cadence::Quarterly => "quarterly",
            Cadence::Yearly => "yearly",
        }
    }

    /// The mean interval in days.
    pub fn days(self) -> f64 {
        match self {
            Cadence::Weekly => 7.0,
            Cadence::Biweekly => 14.0,
            Cadence::Semimonthly => 365.25 / 24.0,
            Cadence::Monthly => 365.25 / 12.0,
            Cadence::Bimonthly => 365.25 / 6.0,
            Cadence::Quarterly => 365.25 / 4.0,
            Cadence::Yearly => 365.25,
        }
    }

    /// How far an interval may stray and still count: month lengths,
    /// weekends and holidays, a late payment.
    fn tolerance(self) -> f64 {
        match self {
            Cadence::Weekly => 1.5,
            Cadence::Biweekly => 2.0,
            Cadence::Semimonthly => 4.0,
            Cadence::Monthly => 5.0,
            Cadence::Bimonthly => 7.0,
            Cadence::Quarterly => 10.0,
            Cadence::Yearly => 20.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStatus {
    Active,
    /// No payment where at least two were due.
    Cancelled,
}

/// A payment that cost more or less than the stable price before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceChange {
    pub date: Date,
    pub from_minor: i64,
    pub to_minor: i64,
}

/// The next payment: its date and amount, with the range the amount is
/// expected in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    pub date: Date,
    pub amount_minor: i64,
    pub low_minor: i64,
    pub high_minor: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series<K> {
    pub account: u128,
    pub payee: String,
    pub cadence: Cadence,
    pub income: bool,
    pub status: SeriesStatus,
    /// The members, oldest first.
    pub occurrences: Vec<K>,
    pub first_date: Date,
    pub last_date: Date,
    pub last_amount_minor: i64,
    /// Whether the amount is the same every time (a subscription) rather
    /// than varying (an electricity bill).
    pub fixed_amount: bool,
    pub next: Expected,
    pub price_changes: Vec<PriceChange>,
    /// The share of intervals that fit the cadence, in [0, 1].
    pub regularity: f64,
}

/// Tuning; the defaults are what `finsight eval recurring` measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DetectOptions {
    pub min_occurrences: usize,
    /// The share of intervals that must fit.
    pub min_regularity: f64,
    /// Amounts further apart than this ratio are different series.
    pub band_gap: f64,
    /// Weekly and biweekly groups must keep their amount within this
    /// coefficient of variation (shopping every Saturday is not a bill).
    pub max_short_cadence_cv: f64,
    /// A series with fewer dates than this must keep its amount within
    /// `max_few_cv` (three visits to a shop can be two months apart by
    /// chance).
    pub few_occurrences: usize,
    pub max_few_cv: f64,
}

impl Default for DetectOptions {
    fn default() -> Self {
        Self {
            min_occurrences: 3,
            min_regularity: 0.75,
            band_gap: 1.35,
            max_short_cadence_cv: 0.2,
            few_occurrences: 6,
            max_few_cv: 0.35,
        }
    }
}

/// Finds the recurring series among one person's transactions, as of the
/// day `as_of` (the last day the history covers).
pub fn detect<K: Clone>(
    occurrences: &[Occurrence<K>],
    as_of: Date,
    options: DetectOptions,
) -> Vec<Series<K>> {
    let mut groups: BTreeMap<(u128, &str, bool), Vec<&Occurrence<K>>> = BTreeMap::new();
    for occurrence in occurrences {
        if occurrence.amount_minor == 0 || occurrence.payee.is_empty() {
            continue;
        }
        groups
            .entry((
                occurrence.account,
                occurrence.payee.as_str(),
                occurrence.amount_minor > 0,
            ))
            .or_default()
            .push(occurrence);
    }
    let mut found = Vec::new();
    for mut members in groups.into_values() {
        members.sort_by_key(|o| o.date);
        // The whole group first (a seasonal gas bill, a subscription whose
        // price doubled); a group that is irregular or pays twice on a day
        // (a salary and a bonus) is split by amount (also two subscriptions
        // billed by the same company).
        let one_per_day = members.windows(2).all(|w| w[0].date != w[1].date);
        if members.len() >= options.min_occurrences
            && one_per_day
            && let Some(series) = series_of(members.clone(), as_of, options)
        {
            found.push(series);
            continue;
        }
        let group = members.len();
        for band in amount_bands(members, options.band_gap) {
            // A band is one of a few series, not a slice of a shop's visits.
            if band.len() >= options.min_occurrences
                && (band.len() * 3 >= group || band.len() >= options.few_occurrences)
                && let Some(series) = series_of(band, as_of, options)
            {
                found.push(series);
            }
        }
    }
    found.sort_by(|a, b| {
        (a.account, &a.payee, a.first_date).cmp(&(b.account, &b.payee, b.first_date))
    });
    found
}

/// Splits a group where sorted absolute amounts jump by more than `gap`×;
/// each band comes back in date order.
fn amount_bands<K>(mut members: Vec<&Occurrence<K>>, gap: f64) -> Vec<Vec<&Occurrence<K>>> {
    members.sort_by_key(|o| o.amount_minor.unsigned_abs());
    let mut bands: Vec<Vec<&Occurrence<K>>> = Vec::new();
    let mut previous: Option<u64> = None;
    for member in members {
        let amount = member.amount_minor.unsigned_abs();
        match previous {
            Some(p) if (amount as f64) <= (p as f64) * gap => {
                bands.last_mut().expect("a band is open").push(member)
            }
            _ => bands.push(vec![member]),
        }
        previous = Some(amount);
    }
    for band in &mut bands {
        band.sort_by_key(|o| o.date);
    }
    bands
}

fn series_of<K: Clone>(
    members: Vec<&Occurrence<K>>,
    as_of: Date,
    options: DetectOptions,
) -> Option<Series<K>> {
    // Two payments on one day (a correction, a split charge) are one due date.
    let dates: Vec<Date> = {
        let mut d: Vec<Date> = members.iter().map(|o| o.date).collect();
        d.dedup();
        d
    };
    if dates.len() < options.min_occurrences {
        return None;
    }
    let intervals: Vec<f64> = dates
        .windows(2)
        .map(|w| (w[1] - w[0]).whole_days() as f64)
        .collect();
    // The best fit; among equals, the cadence whose period the intervals
    // stray from least (twice a month and every two weeks both fit 13–16).
    let (cadence, (regularity, _)) = Cadence::ALL
        .iter()
        .map(|c| (*c, fit(*c, &intervals)))
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.1.1.total_cmp(&a.1.1)))?;
    if regularity < options.min_regularity {
        return None;
    }
    let amounts: Vec<i64> = members.iter().map(|o| o.amount_minor).collect();
    let spread = variation(&amounts);
    if matches!(cadence, Cadence::Weekly | Cadence::Biweekly)
        && spread > options.max_short_cadence_cv
    {
        return None;
    }
    // Few payments fit some cadence by chance; a bill's amount also holds
    // (or changed once, to a new price that holds).
    let price_changes = price_changes(&members);
    if dates.len() < options.few_occurrences
        && spread > options.max_few_cv
        && price_changes.is_empty()
    {
        return None;
    }
    let last = *members.last()?;
    let first_date = members[0].date;
    let fixed_amount = is_stable(&amounts[amounts.len() - 2..]);
    let next_date = next_date(cadence, &dates, last.date);
    let overdue = (as_of - last.date).whole_days() as f64;
    let status = if overdue > 2.0 * cadence.days() + cadence.tolerance() {
        SeriesStatus::Cancelled
    } else {
        SeriesStatus::Active
    };
    Some(Series {
        account: last.account,
        payee: last.payee.clone(),
        cadence,
        income: last.amount_minor > 0,
        status,
        occurrences: members.iter().map(|o| o.key.clone()).collect(),
        first_date,
        last_date: last.date,
        last_amount_minor: last.amount_minor,
        fixed_amount,
        next: expected_amount(&amounts, fixed_amount, next_date),
        price_changes,
        regularity,
    })
}

/// The share of intervals that are one period (full credit) or two or three
/// periods, a missed payment (half credit); and the mean distance of the
/// regular ones from the period.
fn fit(cadence: Cadence, intervals: &[f64]) -> (f64, f64) {
    if intervals.is_empty() {
        return (0.0, f64::INFINITY);
    }
    let (period, tolerance) = (cadence.days(), cadence.tolerance());
    let mut score = 0.0;
    let mut regular = 0;
    let mut distance = 0.0;
    for interval in intervals {
        if (interval - period).abs() <= tolerance {
            score += 1.0;
            regular += 1;
            distance += (interval - period).abs();
        } else if (2..=3).any(|k| (interval - k as f64 * period).abs() <= tolerance * k as f64) {
            score += 0.5;
        }
    }
    if regular < intervals.len().min(2) {
        return (0.0, f64::INFINITY);
    }
    (score / intervals.len() as f64, distance / regular as f64)
}

/// Coefficient of variation of the absolute amounts.
fn variation(amounts: &[i64]) -> f64 {
    let values: Vec<f64> = amounts.iter().map(|a| a.unsigned_abs() as f64).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    if mean == 0.0 {
        return 0.0;
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    var.sqrt() / mean
}

/// Amounts within 1% of each other.
fn is_stable(amounts: &[i64]) -> bool {
    let (Some(min), Some(max)) = (amounts.iter().min(), amounts.iter().max()) else {
        return false;
    };
    (max - min).unsigned_abs() * 100 <= min.unsigned_abs().max(max.unsigned_abs())
}

/// A step from a stable price (the three payments before it agree) to a
/// new one that differs by more than 1% and holds at the next payment; a
/// varying bill has no stable price, so it never reports one.
fn price_changes<K>(members: &[&Occurrence<K>]) -> Vec<PriceChange> {
    let mut changes = Vec::new();
    for i in 3..members.len() {
        let before = [
            members[i - 3].amount_minor,
            members[i - 2].amount_minor,
            members[i - 1].amount_minor,
        ];
        let now = members[i].amount_minor;
        let holds = members
            .get(i + 1)
            .is_none_or(|next| is_stable(&[now, next.amount_minor]));
        if is_stable(&before) && !is_stable(&[before[2], now]) && holds {
            changes.push(PriceChange {
                date: members[i].date,
                from_minor: before[2],
                to_minor: now,
            });
        }
    }
    changes
}

/// The next due date. Calendar cadences keep their day of the month (or
/// two days, twice a month), moved off a weekend the way this series moves
/// (earlier or later, as its history shows); weekly ones add their period.
fn next_date(cadence: Cadence, dates: &[Date], last: Date) -> Date {
    match cadence {
        Cadence::Weekly => last + Duration::days(7),
        Cadence::Biweekly => last + Duration::days(14),
        Cadence::Monthly | Cadence::Bimonthly | Cadence::Quarterly | Cadence::Yearly => {
            let months = match cadence {
                Cadence::Monthly => 1,
                Cadence::Bimonthly => 2,
                Cadence::Quarterly => 3,
                _ => 12,
            };
            let day = nominal_day(dates.iter().map(|d| d.day()), shifts_later(dates));
            let nominal = on_day(add_months(last, months), day);
            off_weekend(nominal, dates)
        }
        Cadence::Semimonthly => {
            let later = shifts_later(dates);
            let early = nominal_day(dates.iter().map(|d| d.day()).filter(|d| *d <= 15), later);
            let late = nominal_day(dates.iter().map(|d| d.day()).filter(|d| *d > 15), later);
            let this_month = on_day(last, late);
            let candidate = if last.day() <= 15 && this_month > last {
                this_month
            } else {
                on_day(add_months(last, 1), early)
            };
            off_weekend(candidate, dates)
        }
    }
}

/// The most common day of the month. Among equals: the earliest for a
/// series that moves weekend dates later (its weekday dates are on time,
/// its Mondays late), else the latest ("the last business day" lands at the
/// month's end).
fn nominal_day(days: impl Iterator<Item = u8>, shifts_later: bool) -> u8 {
    let mut counts = [0u32; 32];
    for day in days {
        counts[day as usize] += 1;
    }
    let best = (1..32).map(|d| counts[d]).max().unwrap_or(0);
    let mut ties = (1..32u8).filter(|d| counts[*d as usize] == best);
    let day = if shifts_later {
        ties.next()
    } else {
        ties.next_back()
    };
    day.unwrap_or(1)
}

/// Whether this series pays late when a date falls on a weekend (more
/// Mondays than Fridays in its history).
fn shifts_later(history: &[Date]) -> bool {
    let mondays = history
        .iter()
        .filter(|d| d.weekday() == Weekday::Monday)
        .count();
    let fridays = history
        .iter()
        .filter(|d| d.weekday() == Weekday::Friday)
        .count();
    mondays > fridays
}

fn on_day(month: Date, day: u8) -> Date {
    let last = month.month().length(month.year());
    month
        .replace_day(day.min(last))
        .expect("a clamped day is valid")
}

fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).expect("month in range");
    Date::from_calendar_date(total.div_euclid(12), month, 1).expect("first of month is valid")
}

/// A weekend date moves to the weekday this series uses: later if it has
/// paid on Mondays after a weekend day, else earlier.
fn off_weekend(date: Date, history: &[Date]) -> Date {
    if !is_weekend(date) || history.iter().any(|d| is_weekend(*d)) {
        return date;
    }
    let step = if shifts_later(history) { 1 } else { -1 };
    let mut moved = date;
    while is_weekend(moved) {
        moved += Duration::days(step);
    }
    moved
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// A fixed price repeats; a varying bill is expected at the median of its
/// last six, within their range.
fn expected_amount(amounts: &[i64], fixed: bool, date: Date) -> Expected {
    let last = *amounts.last().expect("a series has members");
    if fixed {
        return Expected {
            date,
            amount_minor: last,
            low_minor: last,
            high_minor: last,
        };
    }
    let mut recent: Vec<i64> = amounts[amounts.len().saturating_sub(6)..].to_vec();
    recent.sort_unstable();
    let median = recent[recent.len() / 2];
    Expected {
        date,
        amount_minor: median,
        low_minor: recent[0],
        high_minor: recent[recent.len() - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn occurrence(payee: &str, date: Date, amount_minor: i64) -> Occurrence<usize> {
        Occurrence {
            key: 0,
            account: 1,
            payee: payee.into(),
            date,
            amount_minor,
        }
    }

    fn monthly(payee: &str, day: u8, amounts: &[i64]) -> Vec<Occurrence<usize>> {
        amounts
            .iter()
            .enumerate()
            .map(|(n, a)| {
                occurrence(
                    payee,
                    on_day(add_months(date!(2025 - 01 - 01), n as i32), day),
                    *a,
                )
            })
            .collect()
    }

    #[test]
    fn a_subscription_with_a_raise_is_monthly_with_one_price_change() {
        let doubled = monthly("nytimes", 3, &[-400, -400, -400, -1700, -1700]);
        let found = detect(&doubled, date!(2025 - 05 - 20), DetectOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].price_changes.len(), 1);
        let history = monthly("netflix com", 12, &[-1549, -1549, -1549, -1799, -1799]);
        let found = detect(&history, date!(2025 - 05 - 20), DetectOptions::default());
        assert_eq!(found.len(), 1);
        let series = &found[0];
        assert_eq!(series.cadence, Cadence::Monthly);
        assert_eq!(series.status, SeriesStatus::Active);
        assert!(series.fixed_amount && !series.income);
        assert_eq!(
            series.price_changes,
            vec![PriceChange {
                date: date!(2025 - 04 - 12),
                from_minor: -1549,
                to_minor: -1799
            }]
        );
        assert_eq!(series.next.date, date!(2025 - 06 - 12));
        assert_eq!(series.next.amount_minor, -1799);
    }

    #[test]
    fn a_missed_month_and_weekend_shifts_are_tolerated() {
        // Rent on the first business day; March is missing.
        let dates = [
            date!(2025 - 01 - 02),
            date!(2025 - 02 - 03),
            date!(2025 - 04 - 01),
            date!(2025 - 05 - 01),
            date!(2025 - 06 - 02),
        ];
        let history: Vec<_> = dates
            .iter()
            .map(|d| occurrence("oakwood", *d, -180000))
            .collect();
        let found = detect(&history, date!(2025 - 06 - 10), DetectOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cadence, Cadence::Monthly);
        assert_eq!(found[0].next.date, date!(2025 - 07 - 01));
    }

    #[test]
    fn a_stopped_subscription_is_cancelled_and_salary_is_income() {
        let history = monthly("gym", 3, &[-3000, -3000, -3000]);
        let found = detect(&history, date!(2025 - 08 - 01), DetectOptions::default());
        assert_eq!(found[0].status, SeriesStatus::Cancelled);
        let salary = monthly("acme salary", 25, &[500000, 500000, 515000, 515000]);
        let found = detect(&salary, date!(2025 - 04 - 28), DetectOptions::default());
        assert!(found[0].income);
    }

    #[test]
    fn a_yearly_bonus_does_not_break_the_salary_and_shopping_is_not_a_bill() {
        let mut history = monthly("acme", 28, &[400000; 8]);
        history.push(occurrence("acme", date!(2025 - 03 - 28), 100000));
        let found = detect(&history, date!(2025 - 08 - 30), DetectOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].occurrences.len(), 8);
        // Groceries every few days at varying amounts.
        let shopping: Vec<_> = (0..30)
            .map(|n| {
                occurrence(
                    "rewe",
                    date!(2025 - 01 - 01) + Duration::days(n * 3 + n % 2),
                    -(2000 + n * 317 % 5000),
                )
            })
            .collect();
        assert!(detect(&shopping, date!(2025 - 04 - 01), DetectOptions::default()).is_empty());
    }

    #[test]
    fn semimonthly_pay_lands_on_its_two_days() {
        let mut history = Vec::new();
        for n in 0..6 {
            let month = add_months(date!(2025 - 01 - 01), n);
            history.push(occurrence("acme payroll", on_day(month, 15), 250000));
            history.push(occurrence("acme payroll", on_day(month, 30), 250000));
        }
        let found = detect(&history, date!(2025 - 07 - 01), DetectOptions::default());
        assert_eq!(found[0].cadence, Cadence::Semimonthly);
        assert_eq!(found[0].next.date, date!(2025 - 07 - 15));
    }
}
