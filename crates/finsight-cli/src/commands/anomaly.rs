//! `finsight anomaly`: the detector measured on anyone's labelled
//! transactions (`anomaly eval`: replayed in time order through the
//! detector the processor runs, beside a plain isolation forest on the raw
//! columns) and generated people's transactions with their injected,
//! labelled anomalies written as such a file (`anomaly synthetic`). Needs
//! no database.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use finsight_models::evaluate::{self, AnomalyRow, DetectorScore};
use finsight_models::payee;
use finsight_synth::{SynthConfig, Synthesizer};
use indicatif::{ProgressBar, ProgressStyle};
use time::format_description::well_known::Rfc3339;
use time::macros::date;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::eval::Output;

#[derive(Debug, Subcommand)]
pub enum AnomalyCommand {
    /// Replay a labelled CSV (`user_id,timestamp,amount,currency,merchant,
    /// label`, optionally `category,mcc,country`; amounts negative for
    /// money out) in time order and print ROC-AUC, PR-AUC and precision /
    /// recall at a 1% alert budget for Finsight's detector and a plain
    /// isolation forest.
    Eval(EvalArgs),
    /// Write generated people's transactions with the injected anomalies
    /// labelled, in the format `anomaly eval` reads.
    Synthetic(SyntheticArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// The share of the period, earliest first, that only warms up the
    /// profiles and trains the forest.
    #[arg(long, default_value_t = 0.3)]
    warmup: f64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct SyntheticArgs {
    #[arg(long, default_value_t = 300)]
    users: u32,
    #[arg(long, default_value_t = 12)]
    months: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(command: AnomalyCommand) -> anyhow::Result<()> {
    match command {
        AnomalyCommand::Eval(args) => eval(args),
        AnomalyCommand::Synthetic(args) => synthetic(args),
    }
}

fn eval(args: EvalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.warmup > 0.0 && args.warmup < 1.0,
        "warmup: must be between 0 and 1"
    );
    let spinner = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}")?);
    spinner.set_message("reading");
    let mut rows = read_rows(&args.data)?;
    spinner.set_message(format!("replaying {} transactions", rows.len()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    let report = evaluate::anomalies(&mut rows, args.warmup, args.seed).context("data: no rows")?;
    spinner.finish_and_clear();
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Output::Text => {
            println!(
                "{}: {} transactions scored after {} of warm-up, {} labelled anomalous",
                args.data.display(),
                report.scored,
                report.warmup,
                report.anomalies
            );
            println!(
                "{:<12} {:>8} {:>8} {:>14} {:>11}",
                "detector", "ROC-AUC", "PR-AUC", "precision@1%", "recall@1%"
            );
            let line = |name: &str, s: &DetectorScore| {
                println!(
                    "{name:<12} {:>8.4} {:>8.4} {:>14.4} {:>11.4}",
                    s.roc_auc, s.pr_auc, s.precision_at_1pct, s.recall_at_1pct
                );
            };
            line("finsight", &report.finsight);
            line("iforest_raw", &report.iforest_raw);
        }
    }
    Ok(())
}

/// RFC 3339 (the local hour is the offset's), `YYYY-MM-DD HH:MM:SS` (UTC)
/// or a bare date.
fn parse_timestamp(text: &str) -> Option<(i64, Option<u8>)> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((at.unix_timestamp(), Some(at.hour())));
    }
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    if let Ok(at) = PrimitiveDateTime::parse(text, format) {
        let at = at.assume_utc();
        return Some((at.unix_timestamp(), Some(at.hour())));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .ok()
        .map(|d| (d.midnight().assume_utc().unix_timestamp(), None))
}

fn read_rows(path: &PathBuf) -> anyhow::Result<Vec<AnomalyRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .with_context(|| format!("data: cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let need =
        |name: &str| find(name).with_context(|| format!("data: the header has no `{name}` column"));
    let (user, timestamp, amount, currency, merchant, label) = (
        need("user_id")?,
        need("timestamp")?,
        need("amount")?,
        need("currency")?,
        need("merchant")?,
        need("label")?,
    );
    let (category, mcc, country) = (find("category"), find("mcc"), find("country"));
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("data: line {line} is not CSV"))?;
        let field = |i: usize| record.get(i).map(str::trim).unwrap_or("");
        let optional = |i: Option<usize>| i.map(field).filter(|v| !v.is_empty());
        let (at, local_hour) = parse_timestamp(field(timestamp)).with_context(|| {
            format!(
                "line {line}: timestamp: {:?} is not RFC 3339 or YYYY-MM-DD",
                field(timestamp)
            )
        })?;
        let text = field(amount);
        let parsed_amount = text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .with_context(|| format!("line {line}: amount: {text:?} is not a number"))?;
        let parsed_label = match field(label) {
            "1" | "true" => true,
            "0" | "false" => false,
            other => anyhow::bail!("line {line}: label: {other:?} is not 0 or 1"),
        };
        let parsed_mcc = match optional(mcc) {
            None => None,
            Some(text) => Some(
                text.parse::<u16>()
                    .ok()
                    .filter(|m| *m <= 9999)
                    .with_context(|| format!("line {line}: mcc: {text:?} is not a 4-digit code"))?,
            ),
        };
        anyhow::ensure!(!field(user).is_empty(), "line {line}: user_id: is empty");
        rows.push(AnomalyRow {
            user: field(user).to_owned(),
            at,
            local_hour,
            amount: parsed_amount,
            currency: field(currency).to_owned(),
            merchant: payee::normalize(field(merchant)),
            category: optional(category).map(str::to_owned),
            mcc: parsed_mcc,
            country: optional(country).map(str::to_owned),
            label: parsed_label,
        });
    }
    Ok(rows)
}

fn synthetic(args: SyntheticArgs) -> anyhow::Result<()> {
    let synth = Synthesizer::new(SynthConfig {
        users: args.users,
        months: args.months,
        seed: args.seed,
        first_month: date!(2024 - 01 - 01),
    })?;
    let mut out = super::eval::output_file(args.output.as_ref())?;
    let mut writer = csv::Writer::from_writer(&mut out);
    writer.write_record([
        "user_id",
        "timestamp",
        "amount",
        "currency",
        "merchant",
        "label",
        "category",
        "mcc",
        "country",
    ])?;
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        let anomalous: HashSet<_> = activity.labels.iter().map(|l| l.transaction_id).collect();
        for t in &activity.transactions {
            let at = t.occurred_at.unwrap_or_else(|| {
                t.posted_on
                    .date()
                    .with_hms(12, 0, 0)
                    .expect("noon")
                    .assume_utc()
            });
            let currency = t.amount.currency().code();
            let description = t.description.as_str();
            writer.write_record([
                activity.user_id.to_string(),
                at.format(&Rfc3339)?,
                t.amount.amount().to_string(),
                currency.to_owned(),
                t.merchant.clone().unwrap_or_else(|| description.to_owned()),
                u8::from(anomalous.contains(&t.transaction_id())).to_string(),
                t.category
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                t.mcc.map(|m| m.to_string()).unwrap_or_default(),
                payee::country_or_home(description, currency),
            ])?;
        }
    }
    writer.flush()?;
    Ok(())
}
