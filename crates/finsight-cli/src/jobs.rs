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

pub fn all(store: &Arc<dyn Store>) -> Vec<Arc<dyn DailyJob>> {
    vec![Arc::new(VolumeCheck {
        store: Arc::clone(store),
    })]
}
