//! Storage for scheduled jobs: one row per (job, run key) — the key is the
//! date a daily job is for — so any number of processes, cron or Airflow
//! can ask for the same run and it happens once; plus leadership, so at
//! scale only one replica's scheduler starts runs.

use time::OffsetDateTime;

use crate::StoreError;

/// What claiming a run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobClaim {
    /// Nobody ran it yet: it is ours now.
    Claimed,
    /// It was started and never finished (its process died): ours now.
    Resumed,
    /// It ran to the end before, with this outcome.
    Finished { outcome: String },
}

#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    async fn claim_job_run(
        &self,
        job: &str,
        run_key: &str,
        now: OffsetDateTime,
    ) -> Result<JobClaim, StoreError>;

    async fn finish_job_run(
        &self,
        job: &str,
        run_key: &str,
        outcome: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Whether this process leads `role` (the embedded store always does;
    /// PostgreSQL holds a session advisory lock while the process lives).
    async fn try_lead(&self, role: &str) -> Result<bool, StoreError>;
}
