//! The outbox follower: bounded batches, per-stage positions, back-off
//! when idle, clean stop on shutdown.

use std::sync::Arc;
use std::time::Duration;

use finsight_core::{Clock, Transaction};
use finsight_store::{Store, StoreError};

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

    /// Handles a batch of committed transactions, in commit order.
    async fn process(&self, batch: &[Transaction]) -> Result<(), ProcessorError>;
}

pub struct Processor {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    stages: Vec<Arc<dyn Stage>>,
    batch_size: u32,
}

/// Longest wait between polls of an idle outbox.
const MAX_IDLE_WAIT: Duration = Duration::from_secs(2);

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
        }
    }

    /// Runs one batch through every stage that has not seen it yet.
    /// Returns how many outbox entries the batch held (0 when caught up).
    pub async fn run_once(&self) -> Result<usize, ProcessorError> {
        let mut positions = Vec::with_capacity(self.stages.len());
        for stage in &self.stages {
            positions.push(self.store.stage_position(stage.name()).await?);
        }
        let Some(&slowest) = positions.iter().min() else {
            return Ok(0);
        };
        let entries = self.store.outbox_after(slowest, self.batch_size).await?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            return Ok(0);
        };
        let ids: Vec<_> = entries.iter().map(|e| e.transaction_id).collect();
        let mut loaded = self.store.transactions_by_id(&ids).await?;
        // Back into outbox (commit) order.
        let order: std::collections::HashMap<_, _> =
            entries.iter().map(|e| (e.transaction_id, e.seq)).collect();
        loaded.sort_by_key(|t| order.get(&t.id).copied().unwrap_or(i64::MAX));
        for (stage, position) in self.stages.iter().zip(positions) {
            if position >= last {
                continue;
            }
            let unseen: Vec<Transaction> = loaded
                .iter()
                .filter(|t| order.get(&t.id).is_some_and(|seq| *seq > position))
                .cloned()
                .collect();
            stage.process(&unseen).await?;
            self.store
                .save_stage_position(stage.name(), last, self.clock.now())
                .await?;
            metrics::counter!("finsight_processor_transactions_total", "stage" => stage.name())
                .increment(unseen.len() as u64);
        }
        let head = self.store.outbox_head().await?;
        metrics::gauge!("finsight_processor_lag_entries").set((head - last).max(0) as f64);
        Ok(entries.len())
    }

    /// Processes until caught up; returns the number of entries handled.
    pub async fn drain(&self) -> Result<usize, ProcessorError> {
        let mut total = 0;
        loop {
            let handled = self.run_once().await?;
            if handled == 0 {
                return Ok(total);
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
