//! `finsight synth`: realistic synthetic bank exports, written to files or
//! sent to Kafka; also the population the demo loads.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use finsight_core::Clock;
use finsight_synth::export::{Format, write_dataset};
use finsight_synth::{SynthConfig, Synthesizer};
use time::{Date, Month};

/// Who to generate, and how much history.
#[derive(Debug, Args)]
pub struct Population {
    /// Number of users.
    #[arg(long, default_value_t = 200)]
    users: u32,
    /// Months of history.
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The month after the last generated one (YYYY-MM); defaults to the
    /// current month, so history ends with the last complete month.
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    end_month: Option<Date>,
}

impl Population {
    /// The generator's configuration; "now" (for the default end month)
    /// comes from `clock`.
    pub fn config(&self, clock: &dyn Clock) -> anyhow::Result<SynthConfig> {
        let end = match self.end_month {
            Some(end) => end,
            None => clock.now().date().replace_day(1)?,
        };
        let total = end.year() * 12 + end.month() as i32 - 1 - self.months as i32;
        anyhow::ensure!(
            self.months > 0 && total >= 1970 * 12,
            "months: must be between 1 and {} for this end month",
            SynthConfig::MAX_MONTHS
        );
        let first_month =
            Date::from_calendar_date(total / 12, Month::try_from((total % 12 + 1) as u8)?, 1)?;
        Ok(SynthConfig {
            users: self.users,
            months: self.months,
            seed: self.seed,
            first_month,
        })
    }
}

fn parse_month(text: &str) -> Result<Date, String> {
    let invalid = || format!("{text:?} is not a month (YYYY-MM)");
    let (year, month) = text.split_once('-').ok_or_else(invalid)?;
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u8 = month.parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    if !(1971..=2199).contains(&year) {
        return Err(format!("{text:?} is outside 1971 to 2199"));
    }
    Date::from_calendar_date(year, month, 1).map_err(|_| invalid())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Ofx,
    Qif,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    #[command(flatten)]
    population: Population,
    /// File format of the exports.
    #[arg(long, value_enum, default_value = "csv")]
    format: ExportFormat,
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Instead of files, send every transaction as a JSON message to Kafka
    /// (bootstrap servers), keyed by user.
    #[cfg(feature = "kafka")]
    #[arg(long, value_name = "BROKERS")]
    kafka: Option<String>,
    /// The topic for --kafka.
    #[cfg(feature = "kafka")]
    #[arg(long, default_value = "finsight.transactions")]
    topic: String,
}

/// Needs no database: only a clock for the default end month.
pub async fn run(clock: &dyn Clock, args: SynthArgs) -> anyhow::Result<()> {
    let synth = Synthesizer::new(args.population.config(clock)?)?;
    #[cfg(feature = "kafka")]
    if let Some(brokers) = &args.kafka {
        let messages: Vec<(String, String)> = (0..synth.profiles().len())
            .flat_map(|i| {
                let activity = synth.generate_user(i);
                let key = activity.user_id.to_string();
                activity
                    .transactions
                    .iter()
                    .map(|t| (key.clone(), finsight_synth::export::jsonl_line(t)))
                    .collect::<Vec<_>>()
            })
            .collect();
        finsight_ingest::kafka::ensure_topic(brokers, &args.topic, 3).await?;
        let sent = finsight_ingest::kafka::produce(brokers, &args.topic, messages).await?;
        say!("sent {sent} transactions to {} on {brokers}", args.topic);
        return Ok(());
    }
    let out = args.out.context("out: required without --kafka")?;
    let format = match args.format {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Ofx => Format::Ofx,
        ExportFormat::Qif => Format::Qif,
        ExportFormat::Jsonl => Format::Jsonl,
    };
    let progress = crate::load::progress_bar(synth.profiles().len() as u64, "writing", "users");
    let summary = write_dataset(&synth, format, &out, |_| progress.inc(1))?;
    progress.finish_and_clear();
    say!(
        "wrote {} transactions of {} users in {} files to {} ({} anomaly labels in anomaly-labels.csv)",
        summary.transactions,
        synth.profiles().len(),
        summary.files,
        out.display(),
        summary.labels
    );
    Ok(())
}
