//! The in-process online store: entities in sharded maps behind
//! reader-writer locks, so lookups from many request threads rarely wait
//! on the processor's writes. Models in the same process read vectors in
//! place with [`MemoryOnlineStore::with_vector`].

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::FeatureSet;
use crate::engine::{Computed, EntityState, days_since};
use crate::event::{EntityKey, Event, stable_hash};
use crate::online::{Applied, OnlineError, OnlineStore, Vector, record_lookup};

const SHARDS: usize = 32;

#[derive(Debug, Default)]
struct Entry {
    state: EntityState,
    /// Per view of the entity's kind, in [`FeatureSet::views_of`] order.
    vectors: Vec<Option<Computed>>,
}

type Shard = RwLock<HashMap<EntityKey, Entry>>;

#[derive(Debug)]
pub struct MemoryOnlineStore {
    set: Arc<FeatureSet>,
    shards: Vec<Shard>,
}

/// A vector read in place: values by feature position, time-since
/// features turned into days at the lookup time.
#[derive(Debug, Clone, Copy)]
pub struct VectorRef<'a> {
    values: &'a [Option<f64>],
    since: &'a [usize],
    at: i64,
}

impl VectorRef<'_> {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, feature: usize) -> Option<f64> {
        let value = (*self.values.get(feature)?)?;
        Some(if self.since.contains(&feature) {
            days_since(value, self.at)
        } else {
            value
        })
    }
}

impl MemoryOnlineStore {
    pub fn new(set: Arc<FeatureSet>) -> Self {
        Self {
            set,
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
        }
    }

    fn shard(&self, entity: &EntityKey) -> &Shard {
        let hash = stable_hash(entity.id.as_bytes()) ^ entity.kind as u64;
        &self.shards[(hash % SHARDS as u64) as usize]
    }

    fn slot(&self, view: usize, kind: crate::EntityKind) -> Option<usize> {
        self.set.views_of(kind).iter().position(|&v| v == view)
    }

    /// Calls `read` with `view`'s vector of `entity` as of `now` (`None`
    /// when there is none), without copying it when it is current.
    pub fn with_vector<R>(
        &self,
        view: usize,
        entity: &EntityKey,
        now: i64,
        read: impl FnOnce(Option<VectorRef<'_>>) -> R,
    ) -> R {
        let plan = self.set.plan(view);
        let Some(slot) = self.slot(view, entity.kind) else {
            return read(None);
        };
        let shard = self.shard(entity).read().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = shard.get(entity) else {
            return read(None);
        };
        match entry.vectors.get(slot).and_then(Option::as_ref) {
            Some(c) if c.computed_at <= now && now < c.valid_until => read(Some(VectorRef {
                values: &c.values,
                since: &plan.since,
                at: now,
            })),
            _ => {
                let fresh = plan.evaluate(&entry.state, now);
                read(fresh.as_ref().map(|c| VectorRef {
                    values: &c.values,
                    since: &plan.since,
                    at: now,
                }))
            }
        }
    }

    fn recompute(&self, entity: &EntityKey, entry: &mut Entry, now: i64) {
        let views = self.set.views_of(entity.kind);
        entry.vectors = views
            .iter()
            .map(|&v| self.set.plan(v).evaluate(&entry.state, now))
            .collect();
    }
}

#[async_trait::async_trait]
impl OnlineStore for MemoryOnlineStore {
    fn kind(&self) -> &'static str {
        "memory"
    }

    async fn apply(
        &self,
        events: &[Event],
        is_new: &[bool],
        now: i64,
    ) -> Result<usize, OnlineError> {
        let mut applied = Applied::default();
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by(|&a, &b| events[a].entity.cmp(&events[b].entity));
        for group in order.chunk_by(|&a, &b| events[a].entity == events[b].entity) {
            let entity = &events[group[0]].entity;
            let mut shard = self
                .shard(entity)
                .write()
                .unwrap_or_else(|e| e.into_inner());
            let entry = shard.entry(entity.clone()).or_default();
            applied.add(&self.set, &mut entry.state, events, group, is_new, now);
            self.recompute(entity, entry, now);
        }
        applied.record_freshness(&self.set, now);
        Ok(applied.counted)
    }

    async fn lookup(
        &self,
        view: usize,
        entities: &[EntityKey],
        now: i64,
    ) -> Result<Vec<Vector>, OnlineError> {
        let started = Instant::now();
        let vectors: Vec<Vector> = entities
            .iter()
            .map(|entity| {
                self.with_vector(view, entity, now, |vector| {
                    vector.map(|v| (0..v.len()).map(|i| v.get(i)).collect())
                })
            })
            .collect();
        record_lookup(self.kind(), &self.set.views()[view].name, started, &vectors);
        Ok(vectors)
    }

    async fn rebuild(
        &self,
        states: Vec<(EntityKey, EntityState)>,
        now: i64,
    ) -> Result<(), OnlineError> {
        for shard in &self.shards {
            shard.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
        for (entity, state) in states {
            let mut entry = Entry {
                state,
                vectors: Vec::new(),
            };
            entry
                .state
                .evict(now.saturating_sub(self.set.horizon(entity.kind)));
            self.recompute(&entity, &mut entry, now);
            self.shard(&entity)
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(entity, entry);
        }
        Ok(())
    }

    async fn entity_count(&self) -> Result<usize, OnlineError> {
        Ok(self
            .shards
            .iter()
            .map(|s| s.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum())
    }
}
