//! Batch jobs keyed by date. A job run happens once per (job, date) no
//! matter how many processes, cron entries or Airflow tasks ask for it; a
//! run whose process died is resumed. The built-in scheduler runs every
//! job for each completed day; at scale only the replica holding the
//! scheduler leadership starts runs. `finsight backfill` drives the same
//! runs for a range of dates.

use std::sync::Arc;
use std::time::Duration;

use finsight_core::Clock;
use finsight_store::{JobClaim, Store};
use time::Date;

use crate::ProcessorError;

/// A job that does one day's work; must be safe to run again for the same
/// day (a resumed run repeats it).
#[async_trait::async_trait]
pub trait DailyJob: Send + Sync {
    fn name(&self) -> &'static str;

    /// Does the work for `day`; returns a one-line outcome.
    async fn run(&self, day: Date) -> Result<String, ProcessorError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Ran(String),
    AlreadyDone(String),
}

pub struct Scheduler {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    jobs: Vec<Arc<dyn DailyJob>>,
}

/// How often the scheduler looks for due runs.
const TICK: Duration = Duration::from_secs(60);
/// Longest backfill accepted, in days.
pub const MAX_BACKFILL_DAYS: i64 = 3660;

impl Scheduler {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, jobs: Vec<Arc<dyn DailyJob>>) -> Self {
        Self { store, clock, jobs }
    }

    pub fn job_names(&self) -> Vec<&'static str> {
        self.jobs.iter().map(|j| j.name()).collect()
    }

    /// Runs `job` for `day` unless that run already finished.
    pub async fn run_day(
        &self,
        job: &dyn DailyJob,
        day: Date,
    ) -> Result<RunOutcome, ProcessorError> {
        let key = day.to_string();
        match self
            .store
            .claim_job_run(job.name(), &key, self.clock.now())
            .await?
        {
            JobClaim::Finished { outcome } => return Ok(RunOutcome::AlreadyDone(outcome)),
            JobClaim::Claimed | JobClaim::Resumed => {}
        }
        let outcome = job.run(day).await?;
        self.store
            .finish_job_run(job.name(), &key, &outcome, self.clock.now())
            .await?;
        metrics::counter!("finsight_job_runs_total", "job" => job.name()).increment(1);
        Ok(RunOutcome::Ran(outcome))
    }

    /// Runs every job (or only `only`) for each day from `from` to `to`
    /// inclusive, oldest first.
    pub async fn backfill(
        &self,
        from: Date,
        to: Date,
        only: Option<&str>,
    ) -> Result<Vec<(&'static str, Date, RunOutcome)>, ProcessorError> {
        let days = (to - from).whole_days();
        if !(0..MAX_BACKFILL_DAYS).contains(&days) {
            return Err(ProcessorError::Invalid {
                field: "from",
                reason: format!(
                    "must not be after to, and the range at most {MAX_BACKFILL_DAYS} days"
                ),
            });
        }
        let jobs: Vec<&Arc<dyn DailyJob>> = self
            .jobs
            .iter()
            .filter(|j| only.is_none_or(|name| j.name() == name))
            .collect();
        if jobs.is_empty() {
            return Err(ProcessorError::Invalid {
                field: "job",
                reason: format!(
                    "no job named {:?} (jobs: {})",
                    only.unwrap_or(""),
                    self.job_names().join(", ")
                ),
            });
        }
        let mut results = Vec::new();
        let mut day = from;
        while day <= to {
            for job in &jobs {
                results.push((job.name(), day, self.run_day(job.as_ref(), day).await?));
            }
            day = day.next_day().unwrap_or(day);
            if day == Date::MAX {
                break;
            }
        }
        Ok(results)
    }

    /// Every tick: if this process leads, runs each job for yesterday (the
    /// last complete day) unless done. Stops when `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.tick().await {
                tracing::warn!(error = %error, "scheduled run failed; will retry");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    async fn tick(&self) -> Result<(), ProcessorError> {
        if !self.store.try_lead("scheduler").await? {
            return Ok(());
        }
        let Some(yesterday) = self.clock.now().date().previous_day() else {
            return Ok(());
        };
        for job in &self.jobs {
            if let RunOutcome::Ran(outcome) = self.run_day(job.as_ref(), yesterday).await? {
                tracing::info!(job = job.name(), day = %yesterday, outcome, "job ran");
            }
        }
        Ok(())
    }
}
