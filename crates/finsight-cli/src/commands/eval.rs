//! `finsight eval`: the models measured on held-out data in time order,
//! beside their baselines, on anyone's own file (`eval categorizer`) or on
//! generated people whose truth is known (`eval recurring`). Needs no
//! database.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use finsight_ingest::fields::{DateOrder, parse_date};
use finsight_models::TrainOptions;
use finsight_models::evaluate::{self, LabeledRow, PersonHistory, TruthSeries};
use finsight_models::payee;
use finsight_models::recurring::{DetectOptions, Occurrence};
use finsight_synth::{SynthConfig, Synthesizer};
use indicatif::{ProgressBar, ProgressStyle};
use time::macros::date;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Train the categorizer on the earliest 80% of a labelled CSV by date,
    /// test on the latest 20%; print accuracy and macro-F1 of the model and
    /// of the baseline (each payee's most frequent category).
    Categorizer(CategorizerArgs),
    /// Recurring-payment detection on generated people whose salaries,
    /// bills and subscriptions are known: precision, recall, next-date
    /// error, price rises and cancellations found.
    Recurring(RecurringArgs),
}

/// Where a generated file goes: `path`, or standard output.
pub fn output_file(path: Option<&std::path::PathBuf>) -> anyhow::Result<Box<dyn std::io::Write>> {
    Ok(match path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("output: cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CategorizerArgs {
    /// CSV with a header: `date,description,category` and optionally
    /// `merchant` (or `payee`), `amount`, `mcc`. Dates are YYYY-MM-DD.
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// The share of rows, earliest first, to train on.
    #[arg(long, default_value_t = 0.8)]
    train_share: f64,
    /// Seed of the training order.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct RecurringArgs {
    #[arg(long, default_value_t = 200)]
    users: u32,
    #[arg(long, default_value_t = 18)]
    months: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Next dates are predicted from the history up to this many days
    /// before the end and compared with what came.
    #[arg(long, default_value_t = 45)]
    holdout_days: i64,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
}

pub fn run(command: EvalCommand) -> anyhow::Result<()> {
    match command {
        EvalCommand::Categorizer(args) => categorizer(args),
        EvalCommand::Recurring(args) => recurring(args),
    }
}

fn categorizer(args: CategorizerArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.train_share > 0.0 && args.train_share < 1.0,
        "train-share: must be between 0 and 1"
    );
    let (mut rows, skipped) = read_labeled(&args.data)?;
    let options = TrainOptions {
        seed: args.seed,
        ..TrainOptions::default()
    };
    let report = evaluate::categorizer(&mut rows, args.train_share, options)?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Output::Text => {
            println!(
                "{}: trained on {} rows, tested on {} (from {}), {} categories, {} features{}",
                args.data.display(),
                report.train_rows,
                report.test_rows,
                report.test_from,
                report.labels,
                report.features,
                if skipped > 0 {
                    format!("; {skipped} rows without a category skipped")
                } else {
                    String::new()
                }
            );
            println!("{:<10} {:>9} {:>9}", "", "accuracy", "macro-F1");
            for (name, score) in [("model", report.model), ("baseline", report.baseline)] {
                println!("{name:<10} {:>9.4} {:>9.4}", score.accuracy, score.macro_f1);
            }
        }
    }
    Ok(())
}

/// Reads an evaluation CSV; rows without a category are skipped and
/// counted, any other bad value names its row and column.
fn read_labeled(path: &PathBuf) -> anyhow::Result<(Vec<LabeledRow>, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("data: cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let date = column(&["date"]).context("data: the header has no `date` column")?;
    let category =
        column(&["category", "label"]).context("data: the header has no `category` column")?;
    let description = column(&["description", "memo", "text"]);
    let merchant = column(&["merchant", "payee"]);
    anyhow::ensure!(
        description.is_some() || merchant.is_some(),
        "data: the header has no `description` (or `merchant`) column"
    );
    let amount = column(&["amount"]);
    let mcc = column(&["mcc"]);
    let (mut rows, mut skipped) = (Vec::new(), 0);
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("data: line {line} is not CSV"))?;
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let label = field(Some(category));
        if label.is_empty() {
            skipped += 1;
            continue;
        }
        let parsed_date = parse_date(field(Some(date)), DateOrder::Iso)
            .map_err(|e| anyhow::anyhow!("line {line}: date: {e}"))?;
        let parsed_amount = match field(amount) {
            "" => None,
            text => Some(
                text.parse::<f64>()
                    .ok()
                    .filter(|a| a.is_finite())
                    .with_context(|| format!("line {line}: amount: {text:?} is not a number"))?,
            ),
        };
        let parsed_mcc = match field(mcc) {
            "" => None,
            text => Some(
                text.parse::<u16>()
                    .ok()
                    .filter(|m| *m <= 9999)
                    .with_context(|| format!("line {line}: mcc: {text:?} is not a 4-digit code"))?,
            ),
        };
        rows.push(LabeledRow {
            date: parsed_date,
            description: field(description).to_owned(),
            merchant: Some(field(merchant).to_owned()).filter(|m| !m.is_empty()),
            amount: parsed_amount,
            mcc: parsed_mcc,
            category: label.to_owned(),
        });
    }
    Ok((rows, skipped))
}

fn recurring(args: RecurringArgs) -> anyhow::Result<()> {
    let synth = Synthesizer::new(SynthConfig {
        users: args.users,
        months: args.months,
        seed: args.seed,
        first_month: date!(2024 - 01 - 01),
    })?;
    let progress = ProgressBar::new(u64::from(args.users)).with_style(
        ProgressStyle::with_template("generating people {bar:30} {pos}/{len}")?,
    );
    let mut people = Vec::with_capacity(synth.profiles().len());
    let mut last = date!(2024 - 01 - 01);
    for index in 0..synth.profiles().len() {
        let person = person_history(&synth, index);
        if let Some(end) = person.occurrences.iter().map(|o| o.date).max() {
            last = last.max(end);
        }
        people.push(person);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let report = evaluate::recurring(&people, last, args.holdout_days, DetectOptions::default());
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Output::Text => {
            println!(
                "{} people, {} planted series (3+ payments), {} detected",
                report.people, report.true_series, report.detected_series
            );
            println!(
                "precision {:.4}  recall {:.4}",
                report.precision, report.recall
            );
            println!(
                "next date: mean absolute error {:.2} days, exact {:.1}% ({} series, history cut {} days before the end)",
                report.next_date_mae_days,
                report.next_date_exact * 100.0,
                report.next_date_cases,
                args.holdout_days
            );
            println!(
                "price rises found {:.1}% of {} ({} reported where none happened)",
                report.price_rise_detection_rate * 100.0,
                report.price_rises,
                report.spurious_price_changes
            );
            println!(
                "cancellations found {:.1}% of {}",
                report.cancellation_detection_rate * 100.0,
                report.cancellations
            );
        }
    }
    Ok(())
}

/// One generated person's transactions as the detector sees them, with the
/// generator's series as the truth.
fn person_history(synth: &Synthesizer, index: usize) -> PersonHistory<[u8; 16]> {
    let activity = synth.generate_user(index);
    let occurrences = activity
        .transactions
        .iter()
        .map(|t| Occurrence {
            key: *t.transaction_id().as_uuid().as_bytes(),
            account: t.account_id.as_uuid().as_u128(),
            payee: payee::normalize(t.description.as_str()),
            date: t.posted_on.date(),
            amount_minor: t.amount.minor_units(),
        })
        .collect();
    let truth = activity
        .recurring
        .iter()
        .map(|r| TruthSeries {
            members: r
                .transaction_ids
                .iter()
                .map(|id| *id.as_uuid().as_bytes())
                .zip(r.dates.iter().copied())
                .collect(),
            price_raised_on: r.price_raised_on,
            cancelled: r.cancelled,
        })
        .collect();
    PersonHistory { occurrences, truth }
}
