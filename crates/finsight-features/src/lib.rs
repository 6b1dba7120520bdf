//! Finsight's feature store. Feature views are declared as data
//! ([`Registry`], `features.toml`); one pure engine ([`engine`]) evaluates
//! an entity's events at a point in time; the offline store (SQL, in
//! `finsight-store`) keeps the event log and materialized snapshots, and an
//! [`OnlineStore`] (in process or Redis) keeps every entity's latest vector
//! for lookups in microseconds, fed by a stage of the stream processor.
//! Both answer from the same engine on the same exact integers, so a
//! training set built offline equals what was served online.

pub mod definition;
pub mod engine;
pub mod event;
pub mod market;
pub mod online;
mod registry;
pub mod training;

use std::collections::HashMap;
use std::sync::Arc;

pub use definition::{
    Aggregation, DefinitionError, EntityKind, Feature, FeatureKind, FeatureView, Field, Filter,
    Window,
};
pub use engine::{Computed, EntityState, ViewPlan};
pub use event::{
    EntityKey, Event, FactFilter, LedgerFact, MarketFact, market_entity, market_event,
};
pub use online::{OnlineError, OnlineStore, memory::MemoryOnlineStore, redis::RedisOnlineStore};
pub use registry::{Registry, STARTER_TOML};

/// A registry compiled for evaluation: each view's plan, and per entity
/// kind its views and how long its events must be kept.
#[derive(Debug)]
pub struct FeatureSet {
    registry: Registry,
    plans: Vec<ViewPlan>,
    by_kind: HashMap<EntityKind, Vec<usize>>,
}

impl FeatureSet {
    pub fn new(registry: Registry) -> Arc<Self> {
        let plans = registry.views().iter().map(ViewPlan::new).collect();
        let mut by_kind: HashMap<EntityKind, Vec<usize>> = HashMap::new();
        for (i, view) in registry.views().iter().enumerate() {
            by_kind.entry(view.entity).or_default().push(i);
        }
        Arc::new(Self {
            registry,
            plans,
            by_kind,
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn views(&self) -> &[FeatureView] {
        self.registry.views()
    }

    pub fn plan(&self, view: usize) -> &ViewPlan {
        &self.plans[view]
    }

    pub fn view_index(&self, name: &str) -> Option<usize> {
        self.registry.views().iter().position(|v| v.name == name)
    }

    /// The views of one entity kind, by index.
    pub fn views_of(&self, kind: EntityKind) -> &[usize] {
        self.by_kind.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// How far back an entity's events must be kept for its views.
    pub fn horizon(&self, kind: EntityKind) -> i64 {
        self.views_of(kind)
            .iter()
            .map(|&v| self.plans[v].horizon_micros)
            .max()
            .unwrap_or(0)
    }
}
