//! `finsight forecast`: forecasts measured on anyone's series file
//! (`forecast eval`: the last H points of each series held out, every
//! method and the ensemble scored) and generated people's monthly or weekly
//! spending per category written as such a file (`forecast synthetic`).
//! Needs no database.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use finsight_ingest::fields::{DateOrder, parse_date};
use finsight_models::evaluate::{self, DatedSeries};
use finsight_models::forecast::spending::{Granularity, Spend, spending_series};
use finsight_synth::{SynthConfig, Synthesizer};
use indicatif::{ProgressBar, ProgressStyle};
use time::macros::date;

use super::eval::Output;

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Hold out the last H points of every series of a CSV
    /// (`series_id,date,value`; the frequency is inferred from the dates)
    /// and print MASE, sMAPE and 80/95% interval coverage of every method
    /// and the ensemble.
    Eval(EvalArgs),
    /// Write generated people's spending per category (and in total) as a
    /// `series_id,date,value` CSV.
    Synthetic(SyntheticArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    #[arg(long)]
    horizon: usize,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct SyntheticArgs {
    #[arg(long, default_value_t = 200)]
    users: u32,
    #[arg(long, default_value_t = 36)]
    months: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, value_enum, default_value_t = GranularityArg::Monthly)]
    granularity: GranularityArg,
    /// Where to write; standard output when absent.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `--granularity`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GranularityArg {
    Monthly,
    Weekly,
}

impl From<GranularityArg> for Granularity {
    fn from(arg: GranularityArg) -> Self {
        match arg {
            GranularityArg::Monthly => Granularity::Monthly,
            GranularityArg::Weekly => Granularity::Weekly,
        }
    }
}

pub fn run(command: ForecastCommand) -> anyhow::Result<()> {
    match command {
        ForecastCommand::Eval(args) => eval(args),
        ForecastCommand::Synthetic(args) => synthetic(args),
    }
}

fn eval(args: EvalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.horizon >= 1, "horizon: must be at least 1");
    let series = read_series(&args.data)?;
    let progress = ProgressBar::new(series.len() as u64).with_style(ProgressStyle::with_template(
        "forecasting {bar:30} {pos}/{len} series {elapsed}",
    )?);
    let report = evaluate::forecasts(&series, args.horizon, args.seed, || progress.inc(1))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    progress.finish_and_clear();
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report.methods)?),
        Output::Text => {
            println!(
                "{}: {} {} series, last {} held out{}",
                args.data.display(),
                report.series,
                serde_json::to_value(report.frequency)?
                    .as_str()
                    .unwrap_or("?"),
                report.horizon,
                if report.skipped > 0 {
                    format!("; {} too short skipped", report.skipped)
                } else {
                    String::new()
                }
            );
            println!(
                "{:<10} {:>8} {:>8} {:>11} {:>11}",
                "method", "MASE", "sMAPE", "coverage80", "coverage95"
            );
            for name in evaluate::method_names() {
                if let Some(score) = report.methods.get(name) {
                    println!(
                        "{name:<10} {:>8.3} {:>8.2} {:>11.3} {:>11.3}",
                        score.mase, score.smape, score.coverage80, score.coverage95
                    );
                }
            }
        }
    }
    Ok(())
}

/// Reads `series_id,date,value` rows (any order) into series sorted by
/// date; a bad value names its line and column.
pub(crate) fn read_series(path: &PathBuf) -> anyhow::Result<Vec<DatedSeries>> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("data: cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("data: the header has no `{name}` column"))
    };
    let (id, day, value) = (column("series_id")?, column("date")?, column("value")?);
    let mut by_id: BTreeMap<String, Vec<(time::Date, f64)>> = BTreeMap::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("data: line {line} is not CSV"))?;
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        let parsed_date = parse_date(field(day), DateOrder::Iso)
            .map_err(|e| anyhow::anyhow!("line {line}: date: {e}"))?;
        let text = field(value);
        let parsed = text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .with_context(|| format!("line {line}: value: {text:?} is not a number"))?;
        anyhow::ensure!(!field(id).is_empty(), "line {line}: series_id: is empty");
        by_id
            .entry(field(id).to_owned())
            .or_default()
            .push((parsed_date, parsed));
    }
    anyhow::ensure!(!by_id.is_empty(), "data: no rows");
    Ok(by_id
        .into_iter()
        .map(|(id, mut points)| {
            points.sort_by_key(|(d, _)| *d);
            DatedSeries {
                id,
                dates: points.iter().map(|(d, _)| *d).collect(),
                values: points.iter().map(|(_, v)| *v).collect(),
            }
        })
        .collect())
}

fn synthetic(args: SyntheticArgs) -> anyhow::Result<()> {
    let first = date!(2023 - 01 - 01);
    let synth = Synthesizer::new(SynthConfig {
        users: args.users,
        months: args.months,
        seed: args.seed,
        first_month: first,
    })?;
    let mut last = first;
    for _ in 0..args.months {
        last = Granularity::Monthly.next(last);
    }
    let last = last.previous_day().expect("a day before");
    let mut out = super::eval::output_file(args.output.as_ref())?;
    writeln!(out, "series_id,date,value")?;
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        let items: Vec<Spend<'_>> = activity
            .transactions
            .iter()
            .map(|t| Spend {
                date: t.posted_on.date(),
                category: t.category.as_ref().map(|c| c.as_str()),
                amount: t.amount.minor_units() as f64 / 100.0,
            })
            .collect();
        let (periods, series) = spending_series(&items, args.granularity.into(), first, last);
        for (category, values) in series {
            for (period, value) in periods.iter().zip(values) {
                writeln!(out, "u{index}/{category},{period},{value:.2}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
