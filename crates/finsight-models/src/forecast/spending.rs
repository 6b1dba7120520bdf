//! A person's spending as time series: money out per top-level category
//! (income and transfers between one's own accounts are not spending) and
//! in total, per calendar month or ISO week, zero where nothing was spent.

use std::collections::BTreeMap;

use time::{Date, Duration, Month};

/// The series name of all spending together.
pub const TOTAL: &str = "total";

/// One transaction as the series see it: money out is negative.
#[derive(Debug, Clone, Copy)]
pub struct Spend<'a> {
    pub date: Date,
    pub category: Option<&'a str>,
    pub amount: f64,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Monthly,
    Weekly,
}

impl Granularity {
    /// The first day of the period holding `date`.
    pub fn period_of(self, date: Date) -> Date {
        match self {
            Granularity::Monthly => date.replace_day(1).expect("day 1 exists"),
            Granularity::Weekly => {
                date - Duration::days(i64::from(date.weekday().number_days_from_monday()))
            }
        }
    }

    /// The first day of the period after the one starting `start`.
    pub fn next(self, start: Date) -> Date {
        match self {
            Granularity::Monthly => {
                let (year, month) = if start.month() == Month::December {
                    (start.year() + 1, Month::January)
                } else {
                    (start.year(), start.month().next())
                };
                Date::from_calendar_date(year, month, 1).expect("day 1 exists")
            }
            Granularity::Weekly => start + Duration::days(7),
        }
    }

    pub fn season(self) -> usize {
        match self {
            Granularity::Monthly => 12,
            Granularity::Weekly => 52,
        }
    }

    /// The season position of a period (month of year, ISO week).
    pub fn phase(self, start: Date) -> usize {
        match self {
            Granularity::Monthly => start.month() as usize - 1,
            Granularity::Weekly => (start.iso_week() as usize - 1) % 52,
        }
    }
}

/// Whether a category counts as spending.
pub fn is_spending(category: Option<&str>) -> bool {
    let root = category.map_or("uncategorized", |c| c.split('.').next().unwrap_or(c));
    !matches!(root, "income" | "transfers")
}

/// The series from the period holding `first` to the one holding `last`
/// (both complete periods are the caller's business): per top-level
/// category with any spending, and [`TOTAL`]. Refunds in a category lower
/// its spending, never below zero.
pub fn spending_series(
    items: &[Spend<'_>],
    granularity: Granularity,
    first: Date,
    last: Date,
) -> (Vec<Date>, BTreeMap<String, Vec<f64>>) {
    let mut periods = Vec::new();
    let mut at = granularity.period_of(first);
    while at <= last {
        periods.push(at);
        at = granularity.next(at);
    }
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut total = vec![0.0; periods.len()];
    for item in items {
        if !is_spending(item.category) || item.date < first || item.date > last {
            continue;
        }
        let period = granularity.period_of(item.date);
        let Ok(index) = periods.binary_search(&period) else {
            continue;
        };
        let root = item
            .category
            .map_or("uncategorized", |c| c.split('.').next().unwrap_or(c));
        let values = series
            .entry(root.to_owned())
            .or_insert_with(|| vec![0.0; periods.len()]);
        values[index] -= item.amount;
        total[index] -= item.amount;
    }
    for values in series.values_mut().chain([&mut total]) {
        for v in values.iter_mut() {
            *v = v.max(0.0);
        }
    }
    series.retain(|_, v| v.iter().any(|x| *x > 0.0));
    series.insert(TOTAL.to_owned(), total);
    (periods, series)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn sums_spending_per_month_and_category() {
        let items = [
            Spend {
                date: date!(2024 - 01 - 05),
                category: Some("groceries.supermarket"),
                amount: -50.0,
            },
            Spend {
                date: date!(2024 - 01 - 20),
                category: Some("groceries"),
                amount: -25.0,
            },
            Spend {
                date: date!(2024 - 03 - 02),
                category: Some("dining.coffee"),
                amount: -4.0,
            },
            Spend {
                date: date!(2024 - 03 - 02),
                category: Some("income.salary"),
                amount: 3000.0,
            },
            Spend {
                date: date!(2024 - 02 - 02),
                category: Some("transfers.savings"),
                amount: -500.0,
            },
        ];
        let (periods, series) = spending_series(
            &items,
            Granularity::Monthly,
            date!(2024 - 01 - 01),
            date!(2024 - 03 - 31),
        );
        assert_eq!(periods.len(), 3);
        assert_eq!(series["groceries"], vec![75.0, 0.0, 0.0]);
        assert_eq!(series["dining"], vec![0.0, 0.0, 4.0]);
        assert_eq!(series[TOTAL], vec![75.0, 0.0, 4.0]);
        assert!(!series.contains_key("income") && !series.contains_key("transfers"));
        assert_eq!(
            Granularity::Weekly.period_of(date!(2024 - 01 - 07)),
            date!(2024 - 01 - 01)
        );
    }
}
