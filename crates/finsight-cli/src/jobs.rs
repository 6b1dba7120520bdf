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
    pub clock: Arc<dyn finsight_core::Clock>,
}

/// The audit log keeps at least twelve months, whatever asks to prune it.
pub const MIN_AUDIT_RETENTION_DAYS: u32 = 365;

impl AuditRetention {
    /// Prunes entries older than `cutoff`, which must be at least
    /// [`MIN_AUDIT_RETENTION_DAYS`] before now (by the clock, not by the
    /// date a job runs for: a backfill of a future date prunes no more).
    pub async fn prune(&self, cutoff: time::OffsetDateTime) -> Result<String, ProcessorError> {
        let latest = self.clock.now() - time::Duration::days(i64::from(MIN_AUDIT_RETENTION_DAYS));
        if cutoff > latest {
            return Err(ProcessorError::Invalid {
                field: "audit.retention_days",
                reason: format!(
                    "the audit log keeps at least {MIN_AUDIT_RETENTION_DAYS} days; pruning before {cutoff} would cut into them"
                ),
            });
        }
        let outcome = match self.store.prune_audit(cutoff).await? {
            Some((seq, _)) => {
                let event = finsight_core::audit::AuditEvent {
                    actor: "system".into(),
                    action: "audit.prune".into(),
                    subject: "audit_log".into(),
                    detail: format!("through={seq} before={cutoff}"),
                };
                self.store.append_audit(&event, self.clock.now()).await?;
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

/// Retrains every tenant's categorizer on the labels it has now (people's
/// corrections included); each training is a tracked run, and the new
/// version becomes the champion only if the logged rule says so. Serving
/// picks a new champion up within `models.refresh_seconds`. A tenant with
/// too few labels is skipped and counted.
pub struct TrainCategorizers {
    pub store: Arc<dyn Store>,
    pub services: finsight_service::Services,
}

#[async_trait::async_trait]
impl DailyJob for TrainCategorizers {
    fn name(&self) -> &'static str {
        "categorizer-train"
    }

    async fn run(&self, _day: Date) -> Result<String, ProcessorError> {
        let trained = train_every_tenant(self.store.as_ref(), &self.services)
            .await
            .map_err(|error| ProcessorError::Stage {
                stage: "categorizer-train",
                reason: error.to_string(),
            })?;
        let promoted = trained.iter().flatten().filter(|r| r.promoted).count();
        let kept = trained.iter().flatten().count() - promoted;
        let skipped = trained.iter().filter(|r| r.is_none()).count();
        Ok(format!(
            "{promoted} categorizers promoted, {kept} champions kept, {skipped} tenants with too              few labels"
        ))
    }
}

/// Trains each tenant's categorizer as the operator; `None` for a tenant
/// with too few labels (logged).
pub async fn train_every_tenant(
    store: &dyn Store,
    services: &finsight_service::Services,
) -> Result<Vec<Option<finsight_mlops::training::TrainReport>>, finsight_service::ServiceError> {
    let mut trained = Vec::new();
    for tenant in store.tenants().await? {
        let operator = finsight_core::Principal::Operator { tenant: tenant.id };
        match services
            .train_categorizer(&operator, finsight_models::TrainOptions::default())
            .await
        {
            Ok(report) => trained.push(Some(report)),
            Err(finsight_service::ServiceError::Invalid(reason)) => {
                tracing::info!(tenant = %tenant.id, %reason, "categorizer not trained");
                trained.push(None);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(trained)
}

pub fn all(
    store: &Arc<dyn Store>,
    services: &finsight_service::Services,
    clock: &Arc<dyn finsight_core::Clock>,
    retention_days: u32,
    idempotency_ttl: time::Duration,
    features: &finsight_pipeline::Features,
) -> Vec<Arc<dyn DailyJob>> {
    vec![
        Arc::new(TrainCategorizers {
            store: Arc::clone(store),
            services: services.clone(),
        }),
        Arc::new(finsight_pipeline::MaterializeFeatures {
            features: features.clone(),
            ledger: store.clone(),
        }),
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
            clock: Arc::clone(clock),
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use finsight_core::FixedClock;
    use time::macros::datetime;

    #[tokio::test]
    async fn audit_retention_prunes_behind_a_checkpoint_and_never_inside_twelve_months() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("audit.sqlite").display());
        let store = finsight_store::open(
            &url,
            &finsight_store::Kek::generate(),
            std::sync::Arc::new(finsight_core::FixedClock(
                time::macros::datetime!(2026-01-01 0:00 UTC),
            )),
        )
        .await
        .unwrap();
        store.migrate().await.unwrap();
        for (n, at) in [
            datetime!(2024-01-10 09:00 UTC),
            datetime!(2024-02-10 09:00 UTC),
            datetime!(2026-03-01 09:00 UTC),
        ]
        .into_iter()
        .enumerate()
        {
            let event = finsight_core::audit::AuditEvent {
                actor: "test".into(),
                action: "import".into(),
                subject: format!("file {n}"),
                detail: String::new(),
            };
            store.append_audit(&event, at).await.unwrap();
        }
        let job = |now| AuditRetention {
            store: Arc::clone(&store),
            retention_days: 400,
            clock: Arc::new(FixedClock(now)),
        };
        // Run for a date years ahead while it is March 2026: the cutoff
        // would be in 2030, inside the last twelve months of no clock, so
        // nothing is pruned.
        let today = job(datetime!(2026-03-20 09:00 UTC));
        assert!(
            today
                .run(time::macros::date!(2031 - 06 - 01))
                .await
                .is_err()
        );
        assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 3);
        // The daily run for today prunes what is older than 400 days.
        let outcome = today
            .run(time::macros::date!(2026 - 03 - 20))
            .await
            .unwrap();
        assert_eq!(outcome, "pruned entries through 2");
        let mut verifier = match store.audit_checkpoint().await.unwrap() {
            Some((seq, hash)) => finsight_core::audit::ChainVerifier::from_checkpoint(seq, hash),
            None => panic!("no checkpoint"),
        };
        let left = store.audit_entries(0, 100).await.unwrap();
        assert_eq!(left.len(), 2, "the newest entry and the pruning itself");
        for entry in &left {
            verifier.check(entry).unwrap();
        }
    }
}
