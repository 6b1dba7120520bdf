//! A budget through the month: spent to date against what is available
//! (the amount plus last month's unspent part where the line rolls over),
//! the level reached (80%, 100%) and the month-end projection at the
//! current pace, and which crossing a new transaction caused — what the
//! stream processor turns into alerts.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

/// How far into a budget a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Under,
    /// 80% or more spent.
    Warning,
    /// All of it spent, or more.
    Over,
}

impl Level {
    pub fn of(spent: Decimal, available: Decimal) -> Level {
        if available <= Decimal::ZERO {
            return if spent > Decimal::ZERO {
                Level::Over
            } else {
                Level::Under
            };
        }
        if spent >= available {
            Level::Over
        } else if spent * Decimal::TEN >= available * Decimal::from(8) {
            Level::Warning
        } else {
            Level::Under
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Under => "under",
            Level::Warning => "warning",
            Level::Over => "over",
        }
    }

    /// The percentage a level starts at, for alerts.
    pub fn percent(self) -> u32 {
        match self {
            Level::Under => 0,
            Level::Warning => 80,
            Level::Over => 100,
        }
    }
}

/// Days into the month before a pace projection is trusted.
pub const PACE_MIN_DAYS: u32 = 7;

#[derive(Debug, Clone, PartialEq)]
pub struct LineStatus {
    pub category: String,
    pub amount: Decimal,
    /// Carried over from last month (zero unless the line rolls over).
    pub carried: Decimal,
    pub available: Decimal,
    pub spent: Decimal,
    pub remaining: Decimal,
    /// Spent over available.
    pub ratio: f64,
    pub level: Level,
    /// Month-end spending at the pace so far (from day [`PACE_MIN_DAYS`]).
    pub projected: Option<Decimal>,
    /// The projection passes what is available while spending has not.
    pub projected_overrun: bool,
}

/// The month so far: `day` of `days_in_month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthPosition {
    pub day: u32,
    pub days_in_month: u32,
}

impl MonthPosition {
    pub fn of(date: Date) -> MonthPosition {
        MonthPosition {
            day: u32::from(date.day()),
            days_in_month: u32::from(date.month().length(date.year())),
        }
    }

    pub fn days_left(self) -> u32 {
        self.days_in_month - self.day
    }
}

/// The first day of the date's month.
pub fn month_start(date: Date) -> Date {
    date.replace_day(1).expect("every month has a first day")
}

/// The first day of the month before.
pub fn previous_month_start(date: Date) -> Date {
    month_start(
        month_start(date)
            .previous_day()
            .expect("dates have a day before"),
    )
}

/// A budget alert in words, amounts shown to the places of the line's
/// amount.
pub fn alert_text(line: &LineStatus, currency: &str, at: MonthPosition) -> String {
    let places = line.amount.scale() as usize;
    let line = &LineStatus {
        spent: line.spent.round_dp(places as u32),
        available: line.available.round_dp(places as u32),
        projected: line.projected.map(|p| p.round_dp(places as u32)),
        ..line.clone()
    };
    let (spent, available) = (
        format!("{:.places$}", line.spent),
        format!("{:.places$}", line.available),
    );
    let days = match at.days_left() {
        0 => "on the last day of the month".to_owned(),
        1 => "with 1 day to go".to_owned(),
        n => format!("with {n} days to go"),
    };
    match (line.level, line.projected) {
        (Level::Over, _) => format!(
            "You've spent {spent} {currency} of your {available} {currency} {} budget ({:.0}%) {days}",
            line.category,
            line.ratio * 100.0
        ),
        (Level::Warning, _) => format!(
            "You've used {:.0}% of your {} budget: {spent} {currency} of {available} {currency} {days}",
            line.ratio * 100.0,
            line.category,
        ),
        (Level::Under, Some(projected)) => format!(
            "At this pace your {} spending reaches {projected:.places$} {currency} by month end, over its {available} {currency} budget",
            line.category
        ),
        (Level::Under, None) => format!(
            "{} budget: {spent} {currency} of {available} {currency} spent",
            line.category
        ),
    }
}

/// What is available this month: the amount, plus last month's unspent
/// part when the line rolls over.
pub fn available(amount: Decimal, rollover: bool, spent_last_month: Decimal) -> (Decimal, Decimal) {
    let carried = if rollover {
        (amount - spent_last_month).max(Decimal::ZERO)
    } else {
        Decimal::ZERO
    };
    (amount + carried, carried)
}

pub fn status(
    category: &str,
    amount: Decimal,
    carried: Decimal,
    spent: Decimal,
    at: MonthPosition,
) -> LineStatus {
    let available = amount + carried;
    let ratio = if available > Decimal::ZERO {
        (spent / available).to_f64().unwrap_or(0.0)
    } else {
        0.0
    };
    let projected = (at.day >= PACE_MIN_DAYS)
        .then(|| (spent * Decimal::from(at.days_in_month) / Decimal::from(at.day)).round_dp(2));
    let level = Level::of(spent, available);
    LineStatus {
        category: category.to_owned(),
        amount,
        carried,
        available,
        spent,
        remaining: available - spent,
        ratio: (ratio * 1000.0).round() / 1000.0,
        level,
        projected_overrun: level < Level::Over && projected.is_some_and(|p| p > available),
        projected,
    }
}

/// The level a transaction took the line to, when it crossed one.
pub fn crossed(before: Decimal, after: Decimal, available: Decimal) -> Option<Level> {
    let (from, to) = (Level::of(before, available), Level::of(after, available));
    (to > from).then_some(to)
}
