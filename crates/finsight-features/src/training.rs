//! Point-in-time training sets, pure: for each (entity, time) row, the
//! features as they were known at that time — only events that happened
//! at or before it and that Finsight had learned of by then.

use crate::FeatureSet;
use crate::engine::EntityState;
use crate::event::{EntityKey, Event};

/// One row an analyst asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRow {
    pub entity: EntityKey,
    /// Microseconds since the Unix epoch.
    pub at: i64,
}

/// The requested columns: (view, feature) pairs, a whole view expanded.
pub fn columns(set: &FeatureSet, resolved: &[(usize, Option<usize>)]) -> Vec<(usize, usize)> {
    resolved
        .iter()
        .flat_map(|&(view, feature)| match feature {
            Some(f) => vec![(view, f)],
            None => (0..set.views()[view].features.len())
                .map(|f| (view, f))
                .collect(),
        })
        .collect()
}

/// `view.feature` names of the columns.
pub fn column_names(set: &FeatureSet, columns: &[(usize, usize)]) -> Vec<String> {
    columns
        .iter()
        .map(|&(v, f)| {
            format!(
                "{}.{}",
                set.views()[v].name,
                set.views()[v].features[f].name
            )
        })
        .collect()
}

/// Which events a row sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PointInTime {
    /// Events that happened at or before the row's time (Feast's
    /// point-in-time join): history imported later still counts.
    #[default]
    EventTime,
    /// Only those Finsight had also learned of by then (a strict backtest
    /// that also leaves out late arrivals).
    AsKnown,
}

/// One row's values. `events` are the entity's events (any order, may
/// include later ones: they are left out here). Columns of views of
/// another entity kind are null.
pub fn row_values(
    set: &FeatureSet,
    columns: &[(usize, usize)],
    row: &TrainingRow,
    events: &[Event],
    mode: PointInTime,
) -> Vec<Option<f64>> {
    let known = events.iter().filter(|e| {
        e.entity == row.entity
            && e.at <= row.at
            && (mode == PointInTime::EventTime || e.created_at <= row.at)
    });
    let state = EntityState::from_events(known);
    let mut cache: Vec<(usize, Option<Vec<Option<f64>>>)> = Vec::new();
    columns
        .iter()
        .map(|&(view, feature)| {
            if set.views()[view].entity != row.entity.kind {
                return None;
            }
            let index = match cache.iter().position(|(v, _)| *v == view) {
                Some(i) => i,
                None => {
                    let plan = set.plan(view);
                    cache.push((
                        view,
                        plan.evaluate(&state, row.at).map(|c| c.read(plan, row.at)),
                    ));
                    cache.len() - 1
                }
            };
            cache[index].1.as_ref().and_then(|values| values[feature])
        })
        .collect()
}
