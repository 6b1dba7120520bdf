//! `finsight goal`: goal probabilities measured on anyone's monthly
//! free-cash-flow series (`goal eval`: the last H months held out, goals set
//! from the months before, the model beside the plug-in simulation and the
//! plan check), and generated people's monthly free cash flow written as
//! such a file (`goal synthetic`). Needs no database.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use finsight_planning::evaluate::evaluate_goals;
use finsight_planning::picture::{AccountRole, Item, picture};
use finsight_synth::{SynthConfig, Synthesizer};
use rust_decimal::prelude::ToPrimitive;
use time::macros::date;

use super::eval::Output;

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Hold out the last H months of every series of a CSV
    /// (`series_id,date,value`: a person's monthly income less spending),
    /// set goals from the months before, and print the calibration and
    /// Brier score of the goal probabilities beside two baselines.
    Eval(EvalArgs),
    /// Write generated people's monthly free cash flow as a
    /// `series_id,date,value` CSV.
    Synthetic(SyntheticArgs),
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// Months held out (the goals' deadline).
    #[arg(long, default_value_t = 12)]
    horizon: usize,
    /// Simulated futures per goal.
    #[arg(long, default_value_t = 2_000)]
    paths: usize,
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
    /// Where to write; standard output when absent.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(command: GoalCommand) -> anyhow::Result<()> {
    match command {
        GoalCommand::Eval(args) => eval(args),
        GoalCommand::Synthetic(args) => synthetic(args),
    }
}

fn eval(args: EvalArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.horizon >= 1, "horizon: must be at least 1");
    anyhow::ensure!(
        (100..=100_000).contains(&args.paths),
        "paths: must be 100 to 100000"
    );
    let series: Vec<Vec<f64>> = super::forecast::read_series(&args.data)?
        .into_iter()
        .map(|s| s.values)
        .collect();
    let report = evaluate_goals(&series, args.horizon, args.paths, args.seed);
    anyhow::ensure!(
        report.goals > 0,
        "data: no series has {} months (the horizon and 6 before it)",
        args.horizon + finsight_planning::evaluate::MIN_HISTORY
    );
    match args.output {
        Output::Json => println!(
            "{}",
            serde_json::json!({
                "series": report.series,
                "skipped": report.skipped,
                "goals": report.goals,
                "reached": report.reached,
                "brier": {
                    "model": report.brier,
                    "plugin": report.brier_plugin,
                    "plan_check": report.brier_plan,
                },
                "buckets": report.buckets.iter().map(|b| serde_json::json!({
                    "from": b.from, "to": b.to, "goals": b.goals,
                    "predicted": b.predicted, "reached": b.reached,
                })).collect::<Vec<_>>(),
            })
        ),
        Output::Text => {
            println!(
                "{}: {} series ({} too short skipped), last {} months held out, {} goals ({:.1}% reached)",
                args.data.display(),
                report.series,
                report.skipped,
                args.horizon,
                report.goals,
                report.reached * 100.0
            );
            println!(
                "Brier score (lower is better): model {:.4}, plug-in simulation {:.4}, plan check {:.4}",
                report.brier, report.brier_plugin, report.brier_plan
            );
            println!(
                "{:<10} {:>6} {:>10} {:>8}",
                "predicted", "goals", "mean", "reached"
            );
            for b in &report.buckets {
                println!(
                    "{:.1}–{:.1}    {:>6} {:>10.3} {:>8.3}",
                    b.from, b.to, b.goals, b.predicted, b.reached
                );
            }
        }
    }
    Ok(())
}

fn synthetic(args: SyntheticArgs) -> anyhow::Result<()> {
    let first = date!(2023 - 01 - 01);
    let synth = Synthesizer::new(SynthConfig {
        users: args.users,
        months: args.months,
        seed: args.seed,
        first_month: first,
    })?;
    // The day after the last generated month: every month is complete.
    let mut end = first;
    for _ in 0..args.months {
        end = finsight_planning::tracking::month_start(end + time::Duration::days(31));
    }
    let roles: std::collections::HashMap<_, _> = synth
        .accounts()
        .map(|a| (a.id, AccountRole::of_kind(a.kind.as_str())))
        .collect();
    let mut out = super::eval::output_file(args.output.as_ref())?;
    writeln!(out, "series_id,date,value")?;
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        let items: Vec<Item<'_>> = activity
            .transactions
            .iter()
            .map(|t| Item {
                date: t.posted_on.date(),
                category: t.category.as_ref().map(|c| c.as_str()),
                amount: t.amount.amount(),
                payee: t.description.as_str(),
                role: roles
                    .get(&t.account_id)
                    .copied()
                    .unwrap_or(AccountRole::Everyday),
            })
            .collect();
        let p = picture(&items, end, args.months as usize);
        for ((month, income), spending) in p.months.iter().zip(&p.income).zip(&p.total_spending) {
            let free = (*income - *spending).to_f64().unwrap_or(0.0);
            writeln!(out, "u{index},{month},{free:.2}")?;
        }
    }
    out.flush()?;
    Ok(())
}
