//! The online store: every entity's latest vector per feature view, one
//! key per (view, entity) so a lookup is one read. Two implementations:
//! [`memory`] (in process, the default) and [`redis`] (shared by replicas).
//! Both keep each entity's windowed state beside its vectors; a vector
//! records until when it holds, and a lookup after that (an event left a
//! window, with no new event since) evaluates the state again, so expired
//! windows are right without a sweeper.

pub mod memory;
pub mod redis;

use crate::EntityState;
use crate::event::{EntityKey, Event};

#[derive(Debug, thiserror::Error)]
pub enum OnlineError {
    #[error("online store unavailable: {0}")]
    Unavailable(String),
    #[error("online store holds unreadable data: {0}")]
    Corrupt(String),
}

/// One looked-up vector: the view's values in feature order, or `None`
/// when the entity has none (unknown, or past the view's TTL).
pub type Vector = Option<Vec<Option<f64>>>;

#[async_trait::async_trait]
pub trait OnlineStore: Send + Sync {
    /// Which implementation (a metric label).
    fn kind(&self) -> &'static str;

    /// Adds events to their entities' state and recomputes the touched
    /// entities' vectors as of `now`. `is_new[i]` says whether the offline
    /// log had not seen event `i` before (it decides replays of events too
    /// old for the state to remember). Returns how many events counted.
    async fn apply(
        &self,
        events: &[Event],
        is_new: &[bool],
        now: i64,
    ) -> Result<usize, OnlineError>;

    /// The vectors of `view` (an index into the feature set) for
    /// `entities`, as of `now`.
    async fn lookup(
        &self,
        view: usize,
        entities: &[EntityKey],
        now: i64,
    ) -> Result<Vec<Vector>, OnlineError>;

    /// Replaces everything with these states (a cold start from the
    /// offline store), vectors computed as of `now`.
    async fn rebuild(
        &self,
        states: Vec<(EntityKey, EntityState)>,
        now: i64,
    ) -> Result<(), OnlineError>;

    /// How many entities are held.
    async fn entity_count(&self) -> Result<usize, OnlineError>;
}

/// Records a lookup's latency and null rate for its view.
pub(crate) fn record_lookup(
    store: &'static str,
    view: &str,
    started: std::time::Instant,
    vectors: &[Vector],
) {
    let view = view.to_owned();
    metrics::histogram!("finsight_features_lookup_seconds", "store" => store, "view" => view.clone())
        .record(started.elapsed().as_secs_f64());
    let (mut values, mut nulls) = (0u64, 0u64);
    for vector in vectors {
        match vector {
            Some(v) => {
                values += v.len() as u64;
                nulls += v.iter().filter(|x| x.is_none()).count() as u64;
            }
            None => values += 1,
        }
        if vector.is_none() {
            nulls += 1;
        }
    }
    metrics::counter!("finsight_features_lookup_values_total", "view" => view.clone())
        .increment(values);
    metrics::counter!("finsight_features_lookup_nulls_total", "view" => view).increment(nulls);
}

/// What applying a batch of events did: how many counted, and the newest
/// event time per entity kind (each view's freshness).
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub(crate) counted: usize,
    newest: std::collections::HashMap<crate::EntityKind, i64>,
}

impl Applied {
    /// Adds `indices` of `events` (all of one entity) to its `state`,
    /// first moving what left the entity's longest window into its totals.
    pub(crate) fn add(
        &mut self,
        set: &crate::FeatureSet,
        state: &mut EntityState,
        events: &[Event],
        indices: &[usize],
        is_new: &[bool],
        now: i64,
    ) {
        let Some(&first) = indices.first() else {
            return;
        };
        let kind = events[first].entity.kind;
        let older_than = now.saturating_sub(set.horizon(kind));
        state.evict(older_than);
        for &i in indices {
            if state.insert(
                &events[i],
                older_than,
                is_new.get(i).copied().unwrap_or(true),
            ) {
                self.counted += 1;
                let newest = self.newest.entry(kind).or_insert(i64::MIN);
                *newest = (*newest).max(events[i].at);
            }
        }
    }

    /// Records how old the newest event applied to each view's entities is.
    pub(crate) fn record_freshness(&self, set: &crate::FeatureSet, now: i64) {
        for (&kind, &at) in &self.newest {
            for &view in set.views_of(kind) {
                metrics::gauge!("finsight_features_freshness_seconds", "view" => set.views()[view].name.clone())
                    .set((now - at).max(0) as f64 / 1e6);
            }
        }
    }
}
