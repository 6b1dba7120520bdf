//! The daily jobs Finsight registers with its scheduler, and
//! `finsight backfill`. Later capabilities add materialization and
//! retraining here.

use std::sync::Arc;

use finsight_ingest::quality::{VolumeStatus, volume_on};
use finsight_pipeline::{DailyJob, ProcessorError};
use finsight_store::Store;
use time::Date;

/// Checks each source's and account's daily volume against its usual
/// range, logs the outliers and records a summary as the run's outcome.
pub struct VolumeCheck {
    pub store: Arc<dyn Store>,
}

#[async_trait::async_trait]
impl DailyJob for VolumeCheck {
    fn name(&self) -> &'static str {
        "volume-check"
    }

    async fn run(&self, day: Date) -> Result<String, ProcessorError> {
        let checks = volume_on(self.store.as_ref(), day).await?;
        let mut unusual = 0;
        for (source, account, check) in &checks {
            if matches!(check.status, VolumeStatus::Low | VolumeStatus::High) {
                unusual += 1;
                tracing::warn!(
                    %source, %account, %day, transactions = check.transactions,
                    usual_low = check.usual_low, usual_high = check.usual_high,
                    "daily volume outside its usual range"
                );
            }
        }
        Ok(format!(
            "{} sources checked, {unusual} outside their usual range",
            checks.len()
        ))
    }
}

/// Prunes audit entries older than the retention period, behind a
/// checkpoint, and records the pruning in the chain.
pub struct AuditRetention {
    pub store: Arc<dyn Store>,
    pub retention_days: u32,
}

impl AuditRetention {
    /// Prunes entries older than `cutoff`.
    pub async fn prune(&self, cutoff: time::OffsetDateTime) -> Result<String, ProcessorError> {
        let outcome = match self.store.prune_audit(cutoff).await? {
            Some((seq, _)) => {
                let event = finsight_core::audit::AuditEvent {
                    actor: "system".into(),
                    action: "audit.prune".into(),
                    subject: "audit_log".into(),
                    detail: format!("through={seq} before={cutoff}"),
                };
                self.store
                    .append_audit(&event, time::OffsetDateTime::now_utc())
                    .await?;
                format!("pruned entries through {seq}")
            }
            None => "nothing to prune".to_owned(),
        };
        Ok(outcome)
    }
}

#[async_trait::async_trait]
impl DailyJob for AuditRetention {
    fn name(&self) -> &'static str {
        "audit-retention"
    }

    async fn run(&self, day: Date) -> Result<String, ProcessorError> {
        let cutoff =
            day.midnight().assume_utc() - time::Duration::days(i64::from(self.retention_days));
        self.prune(cutoff).await
    }
}

/// How long sign-in throttles (and an address's "has signed in here"
/// mark) are kept after their last use.
const THROTTLE_MEMORY: time::Duration = time::Duration::days(30);

/// Deletes idempotency keys past their lifetime and sign-in throttles
/// untouched for [`THROTTLE_MEMORY`] (expired keys are already ignored
/// when claimed; this keeps the tables small).
pub struct Expiry {
    pub store: Arc<dyn Store>,
    pub idempotency_ttl: time::Duration,
}

#[async_trait::async_trait]
impl DailyJob for Expiry {
    fn name(&self) -> &'static str {
        "expiry"
    }

    async fn run(&self, day: Date) -> Result<String, ProcessorError> {
        let midnight = day.midnight().assume_utc();
        let keys = self
            .store
            .purge_idempotency_keys(midnight - self.idempotency_ttl)
            .await?;
        let throttles = self
            .store
            .purge_throttles(midnight - THROTTLE_MEMORY)
            .await?;
        Ok(format!(
            "{keys} expired idempotency keys and {throttles} stale sign-in throttles purged"
        ))
    }
}

pub fn all(
    store: &Arc<dyn Store>,
    retention_days: u32,
    idempotency_ttl: time::Duration,
) -> Vec<Arc<dyn DailyJob>> {
    vec![
        Arc::new(Expiry {
            store: Arc::clone(store),
            idempotency_ttl,
        }),
        Arc::new(VolumeCheck {
            store: Arc::clone(store),
        }),
        Arc::new(AuditRetention {
            store: Arc::clone(store),
            retention_days,
        }),
    ]
}
