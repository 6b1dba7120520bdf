//! The one computation behind both stores: an entity's events (sorted by
//! event time) evaluated at a time `t`. The offline store builds the state
//! from the events known at `t` and evaluates it; the online store keeps
//! the state current as events arrive and evaluates it at lookup time.
//! Both paths run this code on the same exact integers, which is what makes
//! online = offline hold bit for bit.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::definition::{
    Aggregation, EntityKind, FeatureKind, FeatureView, Field, Filter, MICROS_PER_DAY, Window,
};
use crate::event::{Event, VALUE_SCALE, stable_hash};

/// One event as the state keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub at: i64,
    /// Hash of the event id: replays are recognised by (`at`, `key`).
    pub key: u64,
    pub value: i64,
    pub merchant: u64,
    pub category: Option<Box<str>>,
}

impl Point {
    pub fn of(event: &Event) -> Self {
        Self {
            at: event.at,
            key: stable_hash(event.id.as_bytes()),
            value: event.value,
            merchant: event.merchant,
            category: event.category.as_deref().map(Into::into),
        }
    }
}

/// Exact running totals of the unfiltered value (what all-time features
/// read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub count: u64,
    pub sum: i128,
    pub sum_sq: i128,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub first_at: Option<i64>,
    /// (`at`, `key`, value) of the latest event.
    pub last: Option<(i64, u64, i64)>,
    pub merchants: BTreeSet<u64>,
}

impl Totals {
    fn add(&mut self, point: &Point) {
        self.add_value(point, point.value);
        if point.merchant != 0 {
            self.merchants.insert(point.merchant);
        }
    }

    /// Counts `value` (the point's field value) without its merchant:
    /// finite windows count distinct merchants from their own list.
    #[inline]
    fn add_value(&mut self, point: &Point, v: i64) {
        self.count += 1;
        self.sum += i128::from(v);
        self.sum_sq = self.sum_sq.saturating_add(i128::from(v) * i128::from(v));
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
        self.first_at = Some(self.first_at.map_or(point.at, |f| f.min(point.at)));
        if self
            .last
            .is_none_or(|(at, key, _)| (point.at, point.key) > (at, key))
        {
            self.last = Some((point.at, point.key, v));
        }
    }
}

/// Everything kept about one entity: the events inside the longest window
/// any of its views reads, and totals of the older ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityState {
    /// Sorted by (`at`, `key`).
    pub points: Vec<Point>,
    pub evicted: Totals,
}

impl EntityState {
    /// State from a set of events, in any order (duplicates dropped).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut points: Vec<Point> = events.into_iter().map(Point::of).collect();
        points.sort_by_key(|p| (p.at, p.key));
        points.dedup_by_key(|p| (p.at, p.key));
        Self {
            points,
            evicted: Totals::default(),
        }
    }

    /// Adds an event unless it is already here; `older_than` is the
    /// eviction boundary (an event at or before it only adds to the
    /// totals, and only if `is_new`: the offline log is the judge of
    /// replays the state no longer remembers). Returns whether it counted.
    pub fn insert(&mut self, event: &Event, older_than: i64, is_new: bool) -> bool {
        let point = Point::of(event);
        if point.at <= older_than {
            if is_new {
                self.evicted.add(&point);
            }
            return is_new;
        }
        match self
            .points
            .binary_search_by_key(&(point.at, point.key), |p| (p.at, p.key))
        {
            Ok(_) => false,
            Err(at) => {
                self.points.insert(at, point);
                true
            }
        }
    }

    /// Moves events at or before `older_than` into the totals.
    pub fn evict(&mut self, older_than: i64) {
        let cut = self.points.partition_point(|p| p.at <= older_than);
        for point in self.points.drain(..cut) {
            self.evicted.add(&point);
        }
    }

    /// The latest event time at or before `t`.
    fn last_at(&self, end: usize) -> Option<i64> {
        end.checked_sub(1)
            .map(|i| self.points[i].at)
            .or(self.evicted.last.map(|(at, _, _)| at))
    }
}

/// What one group of features (same window, field and filter) needs
/// collected from its events.
#[derive(Debug, Clone, Default)]
struct Needs {
    /// 30-day buckets counted back from `t`: they shift as `t` moves.
    months: bool,
    values: bool,
    times: bool,
    merchants: bool,
}

#[derive(Debug, Clone)]
struct Group {
    window: Window,
    field: Field,
    filter: Filter,
    needs: Needs,
}

#[derive(Debug, Clone)]
enum Step {
    Aggregate {
        group: usize,
        aggregation: Aggregation,
    },
    RobustZ {
        group: usize,
    },
    Ratio {
        numerator: usize,
        denominator: usize,
    },
}

/// A view compiled for evaluation: features sharing a window, field and
/// filter share one pass over the events.
#[derive(Debug, Clone)]
pub struct ViewPlan {
    pub entity: EntityKind,
    pub ttl_micros: i64,
    pub horizon_micros: i64,
    groups: Vec<Group>,
    steps: Vec<Step>,
    /// Features holding a timestamp (seconds) that reads turn into days.
    pub since: Vec<usize>,
}

impl ViewPlan {
    pub fn new(view: &FeatureView) -> Self {
        let mut groups: Vec<Group> = Vec::new();
        let mut group_of = |window: Window, field: Field, filter: &Filter| -> usize {
            if let Some(i) = groups
                .iter()
                .position(|g| g.window == window && g.field == field && &g.filter == filter)
            {
                return i;
            }
            groups.push(Group {
                window,
                field,
                filter: filter.clone(),
                needs: Needs::default(),
            });
            groups.len() - 1
        };
        let mut steps = Vec::with_capacity(view.features.len());
        let mut since = Vec::new();
        for (i, feature) in view.features.iter().enumerate() {
            let step = match &feature.kind {
                FeatureKind::Aggregate {
                    aggregation,
                    field,
                    window,
                    filter,
                } => Step::Aggregate {
                    group: group_of(*window, *field, filter),
                    aggregation: *aggregation,
                },
                FeatureKind::RobustZ {
                    field,
                    window,
                    filter,
                } => Step::RobustZ {
                    group: group_of(*window, *field, filter),
                },
                FeatureKind::Ratio {
                    numerator,
                    denominator,
                } => Step::Ratio {
                    numerator: *numerator,
                    denominator: *denominator,
                },
            };
            if feature.is_time_since() {
                since.push(i);
            }
            steps.push(step);
        }
        for step in &steps {
            match step {
                Step::Aggregate { group, aggregation } => {
                    let needs = &mut groups[*group].needs;
                    match aggregation {
                        Aggregation::DistinctCount => needs.merchants = true,
                        Aggregation::IntervalMean | Aggregation::IntervalCv => needs.times = true,
                        Aggregation::MonthlyCv => {
                            needs.months = true;
                            needs.values = true;
                            needs.times = true;
                        }
                        Aggregation::Trend | Aggregation::Return | Aggregation::Volatility => {
                            needs.values = true;
                            needs.times = true;
                        }
                        _ => {}
                    }
                }
                Step::RobustZ { group } => groups[*group].needs.values = true,
                Step::Ratio { .. } => {}
            }
        }
        Self {
            entity: view.entity,
            ttl_micros: view.ttl_micros,
            horizon_micros: view.horizon_micros(),
            groups,
            steps,
            since,
        }
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The view's values at `t`, or `None` when the entity has no event at
    /// or before `t` within the TTL. Time-since features hold a timestamp
    /// in seconds; see [`Computed::read`].
    pub fn evaluate(&self, state: &EntityState, t: i64) -> Option<Computed> {
        let end = state.points.partition_point(|p| p.at <= t);
        let last = state.last_at(end)?;
        if last <= t.saturating_sub(self.ttl_micros) {
            return None;
        }
        let mut valid_until = last.saturating_add(self.ttl_micros);
        if let Some(next) = state.points.get(end) {
            valid_until = valid_until.min(next.at);
        }
        let mut accs: Vec<Acc> = Vec::with_capacity(self.groups.len());
        for group in &self.groups {
            let (acc, expires) = Acc::collect(group, state, end, t);
            if let Some(expires) = expires {
                valid_until = valid_until.min(expires);
            }
            accs.push(acc);
        }
        let mut values: Vec<Option<f64>> = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let value = match step {
                Step::Aggregate { group, aggregation } => {
                    accs[*group].aggregate(*aggregation, &self.groups[*group], t)
                }
                Step::RobustZ { group } => accs[*group].robust_z(),
                Step::Ratio {
                    numerator,
                    denominator,
                } => match (values[*numerator], values[*denominator]) {
                    (Some(n), Some(d)) if d != 0.0 => Some(n / d),
                    _ => None,
                },
            };
            values.push(value.filter(|v| v.is_finite()));
        }
        Some(Computed {
            values,
            computed_at: t,
            valid_until,
        })
    }
}

/// A view's values as of `computed_at`, unchanged until `valid_until`
/// (when an event leaves a window or the TTL runs out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computed {
    pub values: Vec<Option<f64>>,
    pub computed_at: i64,
    pub valid_until: i64,
}

impl Computed {
    /// The values as read at `t` (time-since features in days).
    pub fn read(&self, plan: &ViewPlan, t: i64) -> Vec<Option<f64>> {
        let mut values = self.values.clone();
        for &i in &plan.since {
            values[i] = values[i].map(|seconds| days_since(seconds, t));
        }
        values
    }
}

/// Days from a timestamp in seconds to `t` in microseconds.
pub fn days_since(seconds: f64, t: i64) -> f64 {
    (t as f64 / 1e6 - seconds) / 86_400.0
}

/// What one pass over a group's events gathered.
#[derive(Debug, Default)]
struct Acc {
    totals: Totals,
    /// Selected values in time order, when needed.
    values: Vec<i64>,
    times: Vec<i64>,
    merchants: Vec<u64>,
    /// The field value of the latest selected event.
    last_value: Option<i64>,
}

impl Acc {
    /// Returns the accumulator and when its window next loses an event.
    fn collect(group: &Group, state: &EntityState, end: usize, t: i64) -> (Acc, Option<i64>) {
        let mut acc = Acc::default();
        let (start, expires) = match group.window.micros() {
            Some(w) => {
                let from = t.saturating_sub(w);
                let start = state.points[..end].partition_point(|p| p.at <= from);
                (
                    start,
                    state.points[start..end]
                        .first()
                        .map(|p| p.at.saturating_add(w)),
                )
            }
            None => {
                acc.totals = state.evicted.clone();
                (0, None)
            }
        };
        for point in &state.points[start..end] {
            if !group.filter.admits(point.category.as_deref()) {
                continue;
            }
            let Some(value) = group.field.select(point.value) else {
                continue;
            };
            if group.window == Window::All {
                // All-time groups read the unfiltered value (the registry
                // allows no filter there), merchants included.
                acc.totals.add(point);
            } else {
                acc.totals.add_value(point, value);
            }
            acc.last_value = Some(value);
            if group.needs.values {
                acc.values.push(value);
            }
            if group.needs.times {
                acc.times.push(point.at);
            }
            if group.needs.merchants && point.merchant != 0 {
                acc.merchants.push(point.merchant);
            }
        }
        let mut expires = expires;
        if group.needs.months {
            // The next time an event crosses into an older bucket.
            const MONTH: i64 = 30 * MICROS_PER_DAY;
            for at in &acc.times {
                let next = at + ((t - at) / MONTH + 1) * MONTH;
                expires = Some(expires.map_or(next, |e| e.min(next)));
            }
        }
        if group.window == Window::All {
            acc.last_value = acc.totals.last.map(|(_, _, v)| v);
        }
        (acc, expires)
    }

    fn aggregate(&self, aggregation: Aggregation, group: &Group, t: i64) -> Option<f64> {
        let totals = &self.totals;
        let n = totals.count;
        let unit = |v: i128| v as f64 / VALUE_SCALE as f64;
        match aggregation {
            Aggregation::Sum => Some(unit(totals.sum)),
            Aggregation::Count => Some(n as f64),
            Aggregation::Mean => (n > 0).then(|| unit(totals.sum) / n as f64),
            Aggregation::Std => sample_std(n, totals.sum, totals.sum_sq),
            Aggregation::Min => totals.min.map(|v| unit(i128::from(v))),
            Aggregation::Max => totals.max.map(|v| unit(i128::from(v))),
            Aggregation::Last => self.last_value.map(|v| unit(i128::from(v))),
            Aggregation::DistinctCount => {
                if group.window == Window::All {
                    return Some(totals.merchants.len() as f64);
                }
                let mut merchants = self.merchants.clone();
                merchants.sort_unstable();
                merchants.dedup();
                Some(merchants.len() as f64)
            }
            Aggregation::TimeSinceLast => totals.last.map(|(at, _, _)| at as f64 / 1e6),
            Aggregation::TimeSinceFirst => totals.first_at.map(|at| at as f64 / 1e6),
            Aggregation::IntervalMean | Aggregation::IntervalCv => {
                let gaps: Vec<f64> = self
                    .times
                    .windows(2)
                    .map(|w| (w[1] - w[0]) as f64 / MICROS_PER_DAY as f64)
                    .collect();
                let (mean, std) = mean_std(&gaps)?;
                match aggregation {
                    Aggregation::IntervalMean => Some(mean),
                    _ => std.filter(|_| mean > 0.0).map(|s| s / mean),
                }
            }
            Aggregation::MonthlyCv => {
                let months = group
                    .window
                    .micros()
                    .map_or(12, |w| (w / (30 * MICROS_PER_DAY)).max(1))
                    as usize;
                let mut sums = vec![0i128; months];
                for (at, value) in self.times.iter().zip(&self.values) {
                    let month = ((t - at) / (30 * MICROS_PER_DAY)) as usize;
                    if let Some(sum) = sums.get_mut(month) {
                        *sum += i128::from(*value);
                    }
                }
                let sums: Vec<f64> = sums.into_iter().map(unit).collect();
                let (mean, std) = mean_std(&sums)?;
                std.filter(|_| mean != 0.0).map(|s| s / mean)
            }
            Aggregation::Return => {
                let (first, last) = (*self.values.first()?, *self.values.last()?);
                (self.values.len() >= 2 && first != 0).then(|| last as f64 / first as f64 - 1.0)
            }
            Aggregation::Volatility => {
                let returns: Vec<f64> = self
                    .values
                    .windows(2)
                    .filter(|w| w[0] > 0 && w[1] > 0)
                    .map(|w| (w[1] as f64 / w[0] as f64).ln())
                    .collect();
                mean_std(&returns)?.1
            }
            Aggregation::Trend => trend(&self.times, &self.values),
        }
    }

    fn robust_z(&self) -> Option<f64> {
        let latest = self.last_value?;
        let mut sorted = self.values.clone();
        sorted.sort_unstable();
        let median = median_of(&sorted)?;
        let mut deviations: Vec<f64> = sorted.iter().map(|v| (*v as f64 - median).abs()).collect();
        deviations.sort_by(f64::total_cmp);
        let mad = median_f64(&deviations)?;
        (mad > 0.0).then(|| (latest as f64 - median) / (1.4826 * mad))
    }
}

fn sample_std(n: u64, sum: i128, sum_sq: i128) -> Option<f64> {
    if n < 2 {
        return None;
    }
    let n = i128::from(n);
    let numerator = n.checked_mul(sum_sq)?.checked_sub(sum.checked_mul(sum)?)?;
    let variance = numerator.max(0) as f64 / (n * (n - 1)) as f64;
    Some(variance.sqrt() / VALUE_SCALE as f64)
}

/// Mean and sample std (std `None` below two values).
fn mean_std(values: &[f64]) -> Option<(f64, Option<f64>)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.len() >= 2)
        .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    Some((mean, std))
}

fn median_of(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0),
    }
}

fn median_f64(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Least-squares slope, per day, of the running sum of `values` over time.
fn trend(times: &[i64], values: &[i64]) -> Option<f64> {
    if times.len() < 2 {
        return None;
    }
    let origin = times[0];
    let mut running = 0i128;
    let points: Vec<(f64, f64)> = times
        .iter()
        .zip(values)
        .map(|(at, v)| {
            running += i128::from(*v);
            (
                (at - origin) as f64 / MICROS_PER_DAY as f64,
                running as f64 / VALUE_SCALE as f64,
            )
        })
        .collect();
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;
    use crate::event::EntityKey;

    fn event(id: &str, day: i64, value: i64, category: Option<&str>) -> Event {
        Event {
            entity: EntityKey::new(EntityKind::User, "u"),
            id: id.into(),
            at: day * MICROS_PER_DAY,
            created_at: day * MICROS_PER_DAY,
            value: value * VALUE_SCALE,
            merchant: stable_hash(id.as_bytes()),
            category: category.map(Into::into),
        }
    }

    #[test]
    fn windows_sum_spend_and_expire_without_new_events() {
        let registry = Registry::starter();
        let view = registry.view("user_activity").unwrap();
        let plan = ViewPlan::new(view);
        let i = |name: &str| view.feature_index(name).unwrap();
        let events = [
            event("a", 100, -10, Some("dining.coffee")),
            event("b", 120, -30, Some("groceries")),
            event("c", 125, 1000, Some("income.salary")),
        ];
        let state = EntityState::from_events(&events);
        let at = 125 * MICROS_PER_DAY;
        let now = plan.evaluate(&state, at).unwrap();
        assert_eq!(now.values[i("spend_30d")], Some(40.0));
        assert_eq!(now.values[i("spend_7d")], Some(30.0));
        assert_eq!(now.values[i("income_30d")], Some(1000.0));
        assert_eq!(now.values[i("dining_spend_30d")], Some(10.0));
        assert_eq!(now.values[i("count_all")], Some(3.0));
        // "c" leaves the one-hour window first.
        assert_eq!(now.valid_until, at + MICROS_PER_DAY / 24);
        let later = plan.evaluate(&state, 131 * MICROS_PER_DAY).unwrap();
        assert_eq!(later.values[i("spend_30d")], Some(30.0));
        assert_eq!(
            later.read(&plan, 131 * MICROS_PER_DAY)[i("days_since_last")],
            Some(6.0)
        );
        // A point in time before the events sees nothing.
        assert!(plan.evaluate(&state, 99 * MICROS_PER_DAY).is_none());
    }

    #[test]
    fn evicted_events_still_count_all_time() {
        let registry = Registry::starter();
        let view = registry.view("user_activity").unwrap();
        let plan = ViewPlan::new(view);
        let events: Vec<Event> = (0..50)
            .map(|d| event(&format!("e{d}"), d * 20, -(d + 1), None))
            .collect();
        let full = EntityState::from_events(&events);
        let mut online = EntityState::default();
        for e in &events {
            online.insert(e, e.at - plan.horizon_micros - 1, true);
            online.evict(e.at - plan.horizon_micros - 1);
        }
        let t = 1000 * MICROS_PER_DAY;
        assert!(online.points.len() < full.points.len());
        assert_eq!(plan.evaluate(&online, t), plan.evaluate(&full, t));
    }

    #[test]
    fn robust_z_flags_an_outlier() {
        let registry = Registry::starter();
        let view = registry.view("user_activity").unwrap();
        let plan = ViewPlan::new(view);
        let mut events: Vec<Event> = (0..20)
            .map(|d| event(&format!("e{d}"), 100 + d, -(20 + d % 3), None))
            .collect();
        events.push(event("big", 121, -400, None));
        let values = plan
            .evaluate(&EntityState::from_events(&events), 121 * MICROS_PER_DAY)
            .unwrap();
        let z = values.values[view.feature_index("last_spend_z_90d").unwrap()].unwrap();
        assert!(z > 50.0, "{z}");
    }
}
