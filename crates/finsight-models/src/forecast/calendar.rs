//! The frequency of a dated series, inferred from the spacing of its
//! dates, and where a date falls in the season (its month, quarter, week
//! or weekday).

use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Frequency {
    /// The median gap between consecutive dates decides; `None` when there
    /// are fewer than two dates or the gap fits no frequency.
    pub fn infer(dates: &[Date]) -> Option<Self> {
        let mut gaps: Vec<i64> = dates
            .windows(2)
            .map(|w| (w[1] - w[0]).whole_days())
            .collect();
        if gaps.is_empty() {
            return None;
        }
        gaps.sort_unstable();
        Some(match gaps[gaps.len() / 2] {
            1 => Frequency::Daily,
            6..=8 => Frequency::Weekly,
            28..=31 => Frequency::Monthly,
            89..=92 => Frequency::Quarterly,
            365 | 366 => Frequency::Yearly,
            _ => return None,
        })
    }

    /// Periods per season.
    pub fn season(self) -> usize {
        match self {
            Frequency::Daily => 7,
            Frequency::Weekly => 52,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::Yearly => 1,
        }
    }

    /// The position of `date` within the season.
    pub fn phase(self, date: Date) -> usize {
        match self {
            Frequency::Daily => date.weekday().number_days_from_monday() as usize,
            Frequency::Weekly => (date.iso_week() as usize - 1) % 52,
            Frequency::Monthly => date.month() as usize - 1,
            Frequency::Quarterly => (date.month() as usize - 1) / 3,
            Frequency::Yearly => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn infers_from_the_median_gap() {
        let months = [
            date!(2024 - 01 - 01),
            date!(2024 - 02 - 01),
            date!(2024 - 03 - 01),
        ];
        assert_eq!(Frequency::infer(&months), Some(Frequency::Monthly));
        assert_eq!(Frequency::Monthly.phase(date!(2024 - 03 - 01)), 2);
        let weeks = [
            date!(2024 - 01 - 01),
            date!(2024 - 01 - 08),
            date!(2024 - 01 - 15),
        ];
        assert_eq!(Frequency::infer(&weeks), Some(Frequency::Weekly));
        assert_eq!(Frequency::infer(&[date!(2024 - 01 - 01)]), None);
    }
}
