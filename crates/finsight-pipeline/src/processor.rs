//! The outbox follower: the outbox's partitions this replica holds a lease
//! on (so each user's transactions are processed in order by one replica at
//! a time, and a crashed replica's partitions move on), bounded batches,
//! per-stage positions per partition, enrichments handed from stage to
//! stage, a failing stage backed off on its own while the others go on,
//! back-off when idle, leases released on a clean stop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use finsight_core::Clock;
use finsight_store::{ProcessorStore, StoreError, partition_of};

use crate::batch::{Enrichments, StageBatch, StageItem};

#[derive(Debug, thiserror::Error)]
pub enum ProcessorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stage {stage} failed: {reason}")]
    Stage { stage: &'static str, reason: String },
    /// The request is wrong: which field, and why.
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// One step of processing. `process` may see a transaction more than once
/// (after a crash between its work and the saved position), so it must be
/// idempotent.
#[async_trait::async_trait]
pub trait Stage: Send + Sync {
    /// Stable name; the key of the stage's saved position.
    fn name(&self) -> &'static str;

    /// Handles a batch of committed transactions, in commit order; may add
    /// to their enrichments for the stages after it.
    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError>;
}

/// A stage that failed: when to try it again, and why it failed.
struct Failing {
    retry_at: Instant,
    wait: Duration,
    error: String,
}

pub struct Processor {
    store: Arc<dyn ProcessorStore>,
    clock: Arc<dyn Clock>,
    stages: Vec<Arc<dyn Stage>>,
    batch_size: u32,
    failing: Mutex<HashMap<&'static str, Failing>>,
    /// This replica's name in the partition leases.
    holder: String,
    lease_ttl: time::Duration,
    /// The partitions held at the last claim, and when it was made.
    leases: Mutex<Option<(Vec<u16>, time::OffsetDateTime)>>,
}

/// How long a partition stays with a replica that stops renewing it.
const LEASE_TTL: time::Duration = time::Duration::seconds(15);

/// The first wait after the outbox runs dry, doubling while it stays
/// dry: short, so a commit just after a batch waits milliseconds.
const FIRST_IDLE_WAIT: Duration = Duration::from_millis(2);
/// Longest wait between polls of an idle outbox.
const MAX_IDLE_WAIT: Duration = Duration::from_secs(2);
/// A failing stage waits this long, doubling per failure up to the cap.
const STAGE_BACKOFF_FIRST: Duration = Duration::from_millis(500);
const STAGE_BACKOFF_MAX: Duration = Duration::from_secs(60);

impl Processor {
    /// `batch_size` bounds how many outbox entries are in memory at once.
    /// The replica is named by a fresh random id; see [`Self::named`].
    pub fn new(
        store: Arc<dyn ProcessorStore>,
        clock: Arc<dyn Clock>,
        stages: Vec<Arc<dyn Stage>>,
        batch_size: u32,
    ) -> Self {
        Self {
            store,
            clock,
            stages,
            batch_size: batch_size.clamp(1, 10_000),
            failing: Mutex::new(HashMap::new()),
            holder: format!("processor-{}", uuid::Uuid::new_v4().simple()),
            lease_ttl: LEASE_TTL,
            leases: Mutex::new(None),
        }
    }

    /// Names this replica in the leases (its partitions are its own again
    /// after a restart under the same name, without waiting for them to
    /// lapse) and sets how long they outlive it.
    pub fn named(mut self, holder: impl Into<String>, lease_ttl: time::Duration) -> Self {
        self.holder = holder.into();
        self.lease_ttl = lease_ttl;
        self
    }

    fn failing(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Failing>> {
        self.failing.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `stage` may run now (it is not waiting out a back-off).
    fn ready(&self, stage: &str, now: Instant) -> bool {
        self.failing()
            .get(stage)
            .is_none_or(|failing| failing.retry_at <= now)
    }

    fn record_failure(&self, stage: &'static str, error: &ProcessorError) {
        let mut failing = self.failing();
        let wait = failing
            .get(stage)
            .map_or(STAGE_BACKOFF_FIRST, |f| (f.wait * 2).min(STAGE_BACKOFF_MAX));
        tracing::warn!(stage, error = %error, wait_ms = wait.as_millis() as u64, "stage failed; backing off");
        metrics::counter!("finsight_processor_stage_failures_total", "stage" => stage).increment(1);
        failing.insert(
            stage,
            Failing {
                retry_at: Instant::now() + wait,
                wait,
                error: error.to_string(),
            },
        );
    }

    fn leases(&self) -> std::sync::MutexGuard<'_, Option<(Vec<u16>, time::OffsetDateTime)>> {
        self.leases.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The partitions this replica holds. The leases are renewed (and the
    /// partitions evened out) once a third of their lifetime has passed,
    /// not every batch: a claim is a write transaction.
    async fn held_partitions(&self) -> Result<Vec<u16>, ProcessorError> {
        let now = self.clock.now();
        if let Some((held, claimed)) = &*self.leases()
            && now < *claimed + self.lease_ttl / 3
        {
            return Ok(held.clone());
        }
        let held = self
            .store
            .claim_partitions(&self.holder, now, self.lease_ttl)
            .await?;
        metrics::gauge!("finsight_processor_partitions_held").set(held.len() as f64);
        *self.leases() = Some((held.clone(), now));
        Ok(held)
    }

    /// Renews this replica's leases (taking its fair share of the
    /// partitions), then runs the next batch of its partitions' outbox
    /// entries through every stage that has not seen them yet and is not
    /// backing off after a failure. A failing stage keeps its positions
    /// and is retried after its back-off; the stages after it still run
    /// (without its enrichments). Returns how many outbox entries the
    /// batch held (0 when every ready stage has caught up).
    pub async fn run_once(&self) -> Result<usize, ProcessorError> {
        let held = self.held_partitions().await?;
        if held.is_empty() {
            return Ok(0);
        }
        let now = Instant::now();
        let mut ready = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            if self.ready(stage.name(), now) {
                let saved: HashMap<u16, i64> = self
                    .store
                    .stage_positions(stage.name())
                    .await?
                    .into_iter()
                    .collect();
                let positions: HashMap<u16, i64> = held
                    .iter()
                    .map(|p| (*p, saved.get(p).copied().unwrap_or(0)))
                    .collect();
                ready.push((stage, positions));
            }
        }
        let slowest = ready
            .iter()
            .flat_map(|(_, positions)| positions.values().copied())
            .min();
        let Some(slowest) = slowest else {
            return Ok(0);
        };
        let entries = self
            .store
            .partition_outbox_after(&held, slowest, self.batch_size)
            .await?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            return Ok(0);
        };
        let ids: Vec<_> = entries.iter().map(|e| e.transaction_id).collect();
        let order: HashMap<_, _> = entries.iter().map(|e| (e.transaction_id, e.seq)).collect();
        // In outbox (commit) order, with what each stage adds carried on.
        let mut items: Vec<StageItem> = self
            .store
            .transactions_by_id(&ids)
            .await?
            .into_iter()
            .map(|transaction| StageItem {
                seq: order.get(&transaction.id).copied().unwrap_or(i64::MAX),
                transaction,
                enrichments: Enrichments::default(),
            })
            .collect();
        items.sort_by_key(|item| item.seq);
        for (stage, positions) in ready {
            // The batch holds every entry of the held partitions up to
            // `last`: each partition behind it is done to `last` after this.
            let behind: Vec<u16> = held
                .iter()
                .copied()
                .filter(|p| positions[p] < last)
                .collect();
            if behind.is_empty() {
                continue;
            }
            let unseen: Vec<usize> = (0..items.len())
                .filter(|&i| {
                    let item = &items[i];
                    item.seq > positions[&partition_of(item.transaction.user_id)]
                })
                .collect();
            let mut batch = StageBatch {
                items: unseen.iter().map(|&i| items[i].clone()).collect(),
            };
            if let Err(error) = stage.process(&mut batch).await {
                self.record_failure(stage.name(), &error);
                continue;
            }
            self.failing().remove(stage.name());
            for (&i, processed) in unseen.iter().zip(batch.items) {
                items[i].enrichments = processed.enrichments;
            }
            let saved = self
                .store
                .save_stage_positions(stage.name(), &behind, last, &self.holder, self.clock.now())
                .await?;
            if !saved {
                // A lease lapsed (this replica stalled): another replica
                // has the partition and will redo what was not saved.
                tracing::warn!(holder = %self.holder, "partition lease lost");
                *self.leases() = None;
                return Ok(entries.len());
            }
            metrics::counter!("finsight_processor_transactions_total", "stage" => stage.name())
                .increment(unseen.len() as u64);
        }
        let head = self.store.outbox_head().await?;
        metrics::gauge!("finsight_processor_lag_entries").set((head - last).max(0) as f64);
        Ok(entries.len())
    }

    /// The first stage still failing, with its last error.
    fn still_failing(&self) -> Option<ProcessorError> {
        let failing = self.failing();
        self.stages.iter().find_map(|stage| {
            failing.get(stage.name()).map(|f| ProcessorError::Stage {
                stage: stage.name(),
                reason: f.error.clone(),
            })
        })
    }

    /// Processes until every stage has caught up, then gives up its
    /// leases; returns the number of entries handled, or the error of a
    /// stage that is still failing once the others have caught up.
    pub async fn drain(&self) -> Result<usize, ProcessorError> {
        let drained = self.drain_held().await;
        *self.leases() = None;
        self.store.release_partitions(&self.holder).await?;
        drained
    }

    async fn drain_held(&self) -> Result<usize, ProcessorError> {
        let mut total = 0;
        loop {
            let handled = self.run_once().await?;
            if handled == 0 {
                return match self.still_failing() {
                    Some(error) => Err(error),
                    None => Ok(total),
                };
            }
            total += handled;
        }
    }

    /// Follows the outbox until `shutdown` resolves, then gives up its
    /// leases. Errors are logged and retried with back-off; nothing is
    /// skipped.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut idle = FIRST_IDLE_WAIT;
        loop {
            let wait = match self.run_once().await {
                Ok(0) => {
                    idle = (idle * 2).min(MAX_IDLE_WAIT);
                    idle
                }
                Ok(_) => {
                    idle = FIRST_IDLE_WAIT;
                    Duration::ZERO
                }
                Err(error) => {
                    tracing::warn!(error = %error, "processor batch failed; retrying");
                    idle = (idle * 2).min(MAX_IDLE_WAIT);
                    idle
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        *self.leases() = None;
        if let Err(error) = self.store.release_partitions(&self.holder).await {
            tracing::warn!(error = %error, "could not release the partition leases");
        }
    }
}
