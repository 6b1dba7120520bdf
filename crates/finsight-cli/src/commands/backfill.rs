//! `finsight backfill`: runs the daily jobs for a range of dates
//! (idempotent per date, so cron or Airflow can call it for any day, any
//! number of times).

use clap::Args;
use time::Date;

use crate::app::App;

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// First day (YYYY-MM-DD).
    #[arg(long, value_parser = super::parse_day)]
    from: Date,
    /// Last day, inclusive (YYYY-MM-DD).
    #[arg(long, value_parser = super::parse_day)]
    to: Date,
    /// Only this job.
    #[arg(long)]
    job: Option<String>,
}

pub async fn run(app: &App, args: BackfillArgs) -> anyhow::Result<()> {
    let scheduler = app.scheduler();
    for (name, day, outcome) in scheduler
        .backfill(args.from, args.to, args.job.as_deref())
        .await?
    {
        match outcome {
            finsight_pipeline::RunOutcome::Ran(outcome) => say!("{day} {name}: ran: {outcome}"),
            finsight_pipeline::RunOutcome::AlreadyDone(outcome) => {
                say!("{day} {name}: already done: {outcome}")
            }
        }
    }
    Ok(())
}
