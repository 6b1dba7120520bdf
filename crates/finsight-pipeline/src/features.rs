//! The feature store at work: the processor stage that logs every committed
//! transaction's facts and keeps the online store current, the cold start
//! that rebuilds the online store from the offline log, point-in-time
//! training sets, materialization (also a daily job) and market data.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use finsight_core::Clock;
use finsight_features::event::micros;
use finsight_features::training::{PointInTime, TrainingRow, row_values};
use finsight_features::{
    EntityKey, EntityState, Event, FeatureSet, LedgerFact, MarketFact, OnlineError, OnlineStore,
};
use finsight_store::{FeatureSnapshot, FeatureStore, PARTITIONS, ProcessorStore, StoreError};
use time::Date;

use crate::{DailyJob, ProcessorError, Stage, StageBatch};

impl From<OnlineError> for ProcessorError {
    fn from(error: OnlineError) -> Self {
        ProcessorError::Stage {
            stage: "features",
            reason: error.to_string(),
        }
    }
}

/// The feature store's parts, wired once: the views, the offline log and
/// the online store.
#[derive(Clone)]
pub struct Features {
    pub set: Arc<FeatureSet>,
    pub offline: Arc<dyn FeatureStore>,
    pub online: Arc<dyn OnlineStore>,
    pub clock: Arc<dyn Clock>,
}

/// Facts read per page.
const PAGE: u32 = 5_000;

/// What a materialization did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Materialized {
    pub facts_backfilled: u64,
    pub days: u64,
    pub days_skipped: u64,
    pub snapshots: u64,
}

impl Features {
    fn now(&self) -> i64 {
        micros(self.clock.now())
    }

    /// Registers every view's definition, refusing one changed under an
    /// old version.
    pub async fn register_views(&self) -> Result<(), StoreError> {
        let now = self.now();
        for view in self.set.views() {
            self.offline
                .register_feature_view(&view.name, view.version, &view.fingerprint(), now)
                .await?;
        }
        Ok(())
    }

    /// Logs transactions' facts (categories as given) and applies the new
    /// ones to the online store. Returns how many facts were new.
    pub async fn ingest(&self, facts: &[LedgerFact]) -> Result<usize, ProcessorError> {
        if facts.is_empty() {
            return Ok(0);
        }
        let new = self.offline.append_ledger_facts(facts).await?;
        let mut events = Vec::with_capacity(facts.len() * 4);
        let mut flags = Vec::with_capacity(facts.len() * 4);
        for (fact, is_new) in facts.iter().zip(&new) {
            for event in fact.events() {
                events.push(event);
                flags.push(*is_new);
            }
        }
        self.online.apply(&events, &flags, self.now()).await?;
        Ok(new.iter().filter(|n| **n).count())
    }

    /// Logs market closes; new ones reach the online store. Returns how
    /// many were new.
    pub async fn ingest_market(&self, facts: &[MarketFact]) -> Result<usize, ProcessorError> {
        let new = self.offline.append_market_facts(facts).await?;
        let events: Vec<Event> = facts.iter().map(MarketFact::event).collect();
        self.online.apply(&events, &new, self.now()).await?;
        Ok(new.iter().filter(|n| **n).count())
    }

    /// Every entity's state from the whole offline log.
    async fn all_states(&self, until: i64) -> Result<BTreeMap<EntityKey, Vec<Event>>, StoreError> {
        let mut events: BTreeMap<EntityKey, Vec<Event>> = BTreeMap::new();
        let mut after = None;
        loop {
            let page = self
                .offline
                .ledger_facts_between(i64::MIN, until, after, PAGE)
                .await?;
            for fact in &page {
                for event in fact.events() {
                    events.entry(event.entity.clone()).or_default().push(event);
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE as usize => after = Some(last.seq),
                _ => break,
            }
        }
        let until_day = finsight_features::event::from_micros(until).date();
        for fact in self
            .offline
            .market_facts_between(Date::MIN, until_day)
            .await?
        {
            let event = fact.event();
            events.entry(event.entity.clone()).or_default().push(event);
        }
        Ok(events)
    }

    /// A cold start: the online store rebuilt from the offline log.
    /// Returns how many entities it holds.
    pub async fn rebuild_online(&self) -> Result<usize, ProcessorError> {
        let now = self.now();
        let states: Vec<(EntityKey, EntityState)> = self
            .all_states(i64::MAX)
            .await?
            .into_iter()
            .map(|(entity, events)| (entity, EntityState::from_events(&events)))
            .collect();
        let count = states.len();
        self.online.rebuild(states, now).await?;
        Ok(count)
    }

    /// The events the offline log holds for one entity up to `until`.
    async fn events_of(&self, entity: &EntityKey, until: i64) -> Result<Vec<Event>, StoreError> {
        if let Some(filter) = entity.fact_filter() {
            let facts = self.offline.ledger_facts_of(filter, until).await?;
            return Ok(facts
                .iter()
                .flat_map(LedgerFact::events)
                .filter(|e| &e.entity == entity)
                .collect());
        }
        let until_day = finsight_features::event::from_micros(until).date();
        Ok(self
            .offline
            .market_facts_of(entity, until_day)
            .await?
            .iter()
            .map(MarketFact::event)
            .collect())
    }

    /// Point-in-time values of `columns` for each row, in row order.
    pub async fn training_set(
        &self,
        rows: &[TrainingRow],
        columns: &[(usize, usize)],
        mode: PointInTime,
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<Vec<Option<f64>>>, StoreError> {
        let mut by_entity: HashMap<&EntityKey, Vec<usize>> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            by_entity.entry(&row.entity).or_default().push(i);
        }
        let mut values = vec![Vec::new(); rows.len()];
        for (entity, indices) in by_entity {
            let until = indices
                .iter()
                .map(|&i| rows[i].at)
                .max()
                .unwrap_or(i64::MIN);
            let events = self.events_of(entity, until).await?;
            for &i in &indices {
                values[i] = row_values(&self.set, columns, &rows[i], &events, mode);
            }
            progress(indices.len());
        }
        Ok(values)
    }

    /// Logs the facts of committed transactions posted from `from` to `to`
    /// that the feature stage has not seen (data imported before the
    /// feature store existed), taken as known when they happened.
    async fn backfill(
        &self,
        ledger: &dyn ProcessorStore,
        from: Date,
        to: Date,
    ) -> Result<u64, ProcessorError> {
        let partitions: Vec<u16> = (0..PARTITIONS).collect();
        let mut after = 0;
        let mut added = 0;
        loop {
            let entries = ledger
                .partition_outbox_after(&partitions, after, PAGE)
                .await?;
            let Some(last) = entries.last() else { break };
            after = last.seq;
            // Only what the log lacks is read (and decrypted) again.
            let all: Vec<i64> = entries.iter().map(|e| e.seq).collect();
            let logged: std::collections::HashSet<i64> = self
                .offline
                .logged_fact_seqs(&all)
                .await?
                .into_iter()
                .collect();
            let missing: Vec<_> = entries
                .iter()
                .filter(|e| !logged.contains(&e.seq))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let ids: Vec<_> = missing.iter().map(|e| e.transaction_id).collect();
            let seqs: HashMap<_, i64> = missing.iter().map(|e| (e.transaction_id, e.seq)).collect();
            let facts: Vec<LedgerFact> = ledger
                .transactions_by_id(&ids)
                .await?
                .iter()
                .filter(|t| (from..=to).contains(&t.posted_on.date()))
                .map(|t| {
                    let at = finsight_features::event::event_time(t);
                    let category = t.category.as_ref().map(|c| c.as_str());
                    LedgerFact::of(t, seqs[&t.id], category, at)
                })
                .collect();
            if !facts.is_empty() {
                added += self
                    .offline
                    .append_ledger_facts(&facts)
                    .await?
                    .into_iter()
                    .filter(|n| *n)
                    .count() as u64;
            }
        }
        Ok(added)
    }

    /// Backfills the log from the ledger, then writes each view's vector
    /// at the end of every day from `from` to `to` for every entity with
    /// an event that day. Days already done are skipped (resumable);
    /// doing a day again writes the same rows (idempotent). `progress` is
    /// told each finished day.
    pub async fn materialize(
        &self,
        ledger: &dyn ProcessorStore,
        from: Date,
        to: Date,
        redo: bool,
        mut progress: impl FnMut(Date),
    ) -> Result<Materialized, ProcessorError> {
        let mut report = Materialized {
            facts_backfilled: self.backfill(ledger, from, to).await?,
            ..Materialized::default()
        };
        let done: Vec<Date> = if redo {
            Vec::new()
        } else {
            self.offline.features_materialized_days(from, to).await?
        };
        let end_of = |day: Date| micros(day.next_day().unwrap_or(day).midnight().assume_utc()) - 1;
        let events = self.all_states(end_of(to)).await?;
        // Each entity's state holds all its events; evaluating at a day's
        // end looks only at what happened by then.
        let mut by_day: BTreeMap<Date, Vec<&EntityKey>> = BTreeMap::new();
        let states: HashMap<&EntityKey, EntityState> = events
            .iter()
            .map(|(entity, events)| (entity, EntityState::from_events(events)))
            .collect();
        for (entity, events) in &events {
            let mut days: Vec<Date> = events
                .iter()
                .map(|e| finsight_features::event::from_micros(e.at).date())
                .filter(|d| (from..=to).contains(d))
                .collect();
            days.sort_unstable();
            days.dedup();
            for day in days {
                by_day.entry(day).or_default().push(entity);
            }
        }
        let mut day = from;
        loop {
            if done.contains(&day) {
                report.days_skipped += 1;
            } else {
                let at = end_of(day);
                let created_at = self.now();
                let mut snapshots = Vec::new();
                for entity in by_day.get(&day).map_or(&[][..], Vec::as_slice) {
                    for &view in self.set.views_of(entity.kind) {
                        if !self.set.views()[view].materialize {
                            continue;
                        }
                        let plan = self.set.plan(view);
                        if let Some(computed) = plan.evaluate(&states[entity], at) {
                            snapshots.push(FeatureSnapshot {
                                view_key: self.set.views()[view].key(),
                                entity: (*entity).clone(),
                                as_of: at,
                                created_at,
                                values: computed.read(plan, at),
                            });
                        }
                    }
                }
                report.snapshots += self.offline.save_feature_snapshots(&snapshots).await?;
                self.offline
                    .mark_features_materialized(day, created_at)
                    .await?;
                report.days += 1;
            }
            progress(day);
            match day.next_day() {
                Some(next) if next <= to => day = next,
                _ => break,
            }
        }
        Ok(report)
    }
}

/// Logs every committed transaction's facts (with the category an earlier
/// stage decided) and keeps the online store current.
pub struct UpdateFeatures {
    features: Features,
}

impl UpdateFeatures {
    pub fn new(features: Features) -> Self {
        Self { features }
    }
}

#[async_trait::async_trait]
impl Stage for UpdateFeatures {
    fn name(&self) -> &'static str {
        "features"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        let created_at = self.features.now();
        let facts: Vec<LedgerFact> = batch
            .items
            .iter()
            .map(|item| {
                LedgerFact::of(
                    &item.transaction,
                    item.seq,
                    item.category().map(|c| c.as_str()),
                    created_at,
                )
            })
            .collect();
        let new = self.features.ingest(&facts).await?;
        metrics::counter!("finsight_features_facts_total").increment(new as u64);
        Ok(())
    }
}

/// The daily job: materializes the day.
pub struct MaterializeFeatures {
    pub features: Features,
    pub ledger: Arc<dyn ProcessorStore>,
}

#[async_trait::async_trait]
impl DailyJob for MaterializeFeatures {
    fn name(&self) -> &'static str {
        "features-materialize"
    }

    async fn run(&self, day: Date) -> Result<String, ProcessorError> {
        let report = self
            .features
            .materialize(self.ledger.as_ref(), day, day, true, |_| {})
            .await?;
        Ok(format!(
            "{} snapshots, {} facts backfilled",
            report.snapshots, report.facts_backfilled
        ))
    }
}
