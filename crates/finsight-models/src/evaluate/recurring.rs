//! Recurring detection scored against planted truth: which series were
//! found (precision and recall, a detected series matching a true one when
//! they share at least half their transactions), how close the predicted
//! next date is to the real one (history cut `holdout_days` before the end,
//! the prediction compared with the first payment after the cut), and how
//! many price rises and cancellations were reported.

use std::collections::HashSet;
use std::hash::Hash;

use serde::Serialize;
use time::{Date, Duration};

use crate::recurring::{DetectOptions, Occurrence, Series, SeriesStatus, detect};

/// A series that really is recurring, with its members and dates.
#[derive(Debug, Clone)]
pub struct TruthSeries<K> {
    pub members: Vec<(K, Date)>,
    pub price_raised_on: Option<Date>,
    pub cancelled: bool,
}

/// One person's transactions and the truth about them.
#[derive(Debug, Clone)]
pub struct PersonHistory<K> {
    pub occurrences: Vec<Occurrence<K>>,
    pub truth: Vec<TruthSeries<K>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RecurringReport {
    pub people: usize,
    pub true_series: usize,
    pub detected_series: usize,
    pub precision: f64,
    pub recall: f64,
    /// Mean absolute error of the next date, in days.
    pub next_date_mae_days: f64,
    pub next_date_cases: usize,
    /// Next dates predicted exactly.
    pub next_date_exact: f64,
    /// Price rises after at least three payments at the old price (what
    /// the detector needs to call a price stable).
    pub price_rises: usize,
    pub price_rise_detection_rate: f64,
    /// Price changes of spending series reported where no price was
    /// changed (a raise of pay is a real change, not counted here).
    pub spurious_price_changes: usize,
    pub cancellations: usize,
    pub cancellation_detection_rate: f64,
}

/// Scores detection over `people`, whose histories end on `as_of`.
pub fn recurring<K: Clone + Eq + Hash>(
    people: &[PersonHistory<K>],
    as_of: Date,
    holdout_days: i64,
    options: DetectOptions,
) -> RecurringReport {
    let cut = as_of - Duration::days(holdout_days);
    let mut report = RecurringReport {
        people: people.len(),
        ..RecurringReport::default()
    };
    let (mut matched_detected, mut matched_truth) = (0usize, 0usize);
    let (mut date_error, mut exact) = (0i64, 0usize);
    let (mut rises_found, mut cancels_found) = (0usize, 0usize);
    for person in people {
        let detected = detect(&person.occurrences, as_of, options);
        let before_cut: Vec<Occurrence<K>> = person
            .occurrences
            .iter()
            .filter(|o| o.date <= cut)
            .cloned()
            .collect();
        let detected_at_cut = detect(&before_cut, cut, options);
        let truths: Vec<&TruthSeries<K>> = person
            .truth
            .iter()
            .filter(|t| distinct_dates(t.members.iter().map(|m| m.1)) >= options.min_occurrences)
            .collect();
        report.true_series += truths.len();
        report.detected_series += detected.len();
        let mut used: HashSet<usize> = HashSet::new();
        for truth in &truths {
            let members: HashSet<&K> = truth.members.iter().map(|m| &m.0).collect();
            let Some(index) = best_match(&detected, &members) else {
                continue;
            };
            matched_truth += 1;
            used.insert(index);
            let series = &detected[index];
            if let Some(raised) = truth.price_raised_on
                && truth.members.iter().filter(|m| m.1 < raised).count() >= 3
            {
                report.price_rises += 1;
                if series
                    .price_changes
                    .iter()
                    .any(|c| (c.date - raised).whole_days().abs() <= 3)
                {
                    rises_found += 1;
                }
            }
            let last = truth.members.iter().map(|m| m.1).max().expect("members");
            let period = series.cadence.days();
            if truth.cancelled && (as_of - last).whole_days() as f64 > 2.5 * period {
                report.cancellations += 1;
                if series.status == SeriesStatus::Cancelled {
                    cancels_found += 1;
                }
            }
            // The next date after the cut, predicted from history up to it.
            let first_after = truth.members.iter().map(|m| m.1).filter(|d| *d > cut).min();
            let before: HashSet<&K> = truth
                .members
                .iter()
                .filter(|m| m.1 <= cut)
                .map(|m| &m.0)
                .collect();
            if let (Some(actual), false) = (first_after, before.is_empty())
                && let Some(at_cut) = best_match(&detected_at_cut, &before)
                    .map(|i| &detected_at_cut[i])
                    .filter(|s| s.status == SeriesStatus::Active)
            {
                let error = (at_cut.next.date - actual).whole_days().abs();
                date_error += error;
                exact += usize::from(error == 0);
                report.next_date_cases += 1;
            }
        }
        matched_detected += used.len();
        let rises: Vec<Date> = truths.iter().filter_map(|t| t.price_raised_on).collect();
        report.spurious_price_changes += detected
            .iter()
            .filter(|s| !s.income)
            .flat_map(|s| &s.price_changes)
            .filter(|c| !rises.iter().any(|r| (c.date - *r).whole_days().abs() <= 3))
            .count();
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    report.precision = ratio(matched_detected, report.detected_series);
    report.recall = ratio(matched_truth, report.true_series);
    report.next_date_mae_days = ratio(date_error as usize, report.next_date_cases);
    report.next_date_exact = ratio(exact, report.next_date_cases);
    report.price_rise_detection_rate = ratio(rises_found, report.price_rises);
    report.cancellation_detection_rate = ratio(cancels_found, report.cancellations);
    report
}

fn distinct_dates(dates: impl Iterator<Item = Date>) -> usize {
    dates.collect::<HashSet<_>>().len()
}

/// The detected series sharing the most members with `members`, if it
/// shares at least half of their union.
fn best_match<K: Eq + Hash>(detected: &[Series<K>], members: &HashSet<&K>) -> Option<usize> {
    detected
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let shared = s.occurrences.iter().filter(|k| members.contains(k)).count();
            let union = s.occurrences.len() + members.len() - shared;
            (i, shared as f64 / union.max(1) as f64)
        })
        .filter(|(_, jaccard)| *jaccard >= 0.5)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}
