//! The outbox follower: bounded batches, per-stage positions, enrichments
//! handed from stage to stage, a failing stage backed off on its own while
//! the others go on, back-off when idle, clean stop on shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use finsight_core::Clock;
use finsight_store::{Store, StoreError};

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
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    stages: Vec<Arc<dyn Stage>>,
    batch_size: u32,
    failing: Mutex<HashMap<&'static str, Failing>>,
}

/// Longest wait between polls of an idle outbox.
const MAX_IDLE_WAIT: Duration = Duration::from_secs(2);
/// A failing stage waits this long, doubling per failure up to the cap.
const STAGE_BACKOFF_FIRST: Duration = Duration::from_millis(500);
const STAGE_BACKOFF_MAX: Duration = Duration::from_secs(60);

impl Processor {
    /// `batch_size` bounds how many outbox entries are in memory at once.
    pub fn new(
        store: Arc<dyn Store>,
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
        }
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

    /// Runs one batch through every stage that has not seen it yet and is
    /// not backing off after a failure. A failing stage keeps its position
    /// and is retried after its back-off; the stages after it still run
    /// (without its enrichments). Returns how many outbox entries the batch
    /// held (0 when every ready stage has caught up).
    pub async fn run_once(&self) -> Result<usize, ProcessorError> {
        let now = Instant::now();
        let mut ready = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            if self.ready(stage.name(), now) {
                ready.push((stage, self.store.stage_position(stage.name()).await?));
            }
        }
        let Some(slowest) = ready.iter().map(|(_, position)| *position).min() else {
            return Ok(0);
        };
        let entries = self.store.outbox_after(slowest, self.batch_size).await?;
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
        for (stage, position) in ready {
            if position >= last {
                continue;
            }
            let unseen = items.iter().position(|item| item.seq > position);
            let start = unseen.unwrap_or(items.len());
            let mut batch = StageBatch {
                items: items[start..].to_vec(),
            };
            if let Err(error) = stage.process(&mut batch).await {
                self.record_failure(stage.name(), &error);
                continue;
            }
            self.failing().remove(stage.name());
            for (item, processed) in items[start..].iter_mut().zip(batch.items) {
                item.enrichments = processed.enrichments;
            }
            self.store
                .save_stage_position(stage.name(), last, self.clock.now())
                .await?;
            metrics::counter!("finsight_processor_transactions_total", "stage" => stage.name())
                .increment((items.len() - start) as u64);
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

    /// Processes until every stage has caught up; returns the number of
    /// entries handled, or the error of a stage that is still failing once
    /// the others have caught up.
    pub async fn drain(&self) -> Result<usize, ProcessorError> {
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

    /// Follows the outbox until `shutdown` resolves. Errors are logged and
    /// retried with back-off; nothing is skipped.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut idle = Duration::from_millis(50);
        loop {
            let wait = match self.run_once().await {
                Ok(0) => {
                    idle = (idle * 2).min(MAX_IDLE_WAIT);
                    idle
                }
                Ok(_) => {
                    idle = Duration::from_millis(50);
                    Duration::ZERO
                }
                Err(error) => {
                    tracing::warn!(error = %error, "processor batch failed; retrying");
                    idle = (idle * 2).min(MAX_IDLE_WAIT);
                    idle
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
