//! `finsight demo`: generates a realistic multi-user population, loads it,
//! creates the demo logins and starts the server.

use std::time::Instant;

use anyhow::Context;
use clap::Args;
use finsight_synth::Synthesizer;

use super::serve::ServeArgs;
use super::synth::Population;
use crate::app::App;

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    population: Population,
    /// Load the data and stop, without starting the server.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

/// Processes the demo data (categories, the feature log and the online
/// store), imports synthetic market prices and materializes the feature
/// history, so features are there from the first start.
async fn demo_features(app: &App, config: &finsight_synth::SynthConfig) -> anyhow::Result<()> {
    let started = Instant::now();
    let processed = app.processor().drain().await?;
    let today = app.clock.now().date();
    let prices = finsight_synth::market::market_csv(config.seed, config.first_month, today);
    let (accepted, new, _) = super::market::import(app, "demo-market.csv", &prices).await?;
    let days = (today - config.first_month).whole_days() as u64 + 1;
    let bar = crate::load::progress_bar(days, "materializing features", "days");
    let report = app
        .features
        .materialize(app.store.as_ref(), config.first_month, today, false, |_| {
            bar.inc(1)
        })
        .await?;
    bar.finish_and_clear();
    say!(
        "features: {processed} transactions processed, {accepted} market prices ({new} new), {} days materialized ({} snapshots) in {:.1} s; try `finsight features list`",
        report.days,
        report.snapshots,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn run(app: &App, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let synth = Synthesizer::new(args.population.config(app.clock.as_ref())?)?;
    let config = synth.config().clone();
    say!(
        "generating {} users x {} months from {} (seed {})",
        config.users,
        config.months,
        config.first_month,
        config.seed
    );
    let data_dir = &app.settings.data_dir;
    let labels = data_dir.join("anomaly-labels.csv");
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("data_dir: cannot create {}", data_dir.display()))?;
    let report = crate::load::load_synthetic(app.store.as_ref(), synth, &labels).await?;
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "loaded {} users, {} accounts: {} new transactions, {} duplicates, {} anomaly labels in {:.1} s ({:.0} transactions/s)",
        report.users,
        report.accounts,
        report.inserted,
        report.duplicates,
        report.labels,
        seconds,
        (report.inserted + report.duplicates) as f64 / seconds.max(1e-9)
    );
    say!("anomaly ground truth: {}", labels.display());
    demo_features(app, &config).await?;
    if let Some(person) = super::identity::ensure_demo_logins(app).await? {
        let (email, password) = super::identity::DEMO_PERSON;
        say!("demo login: {email} / {password} ({person}, owner of a shared household)");
        let (email, password) = super::identity::DEMO_ADMIN;
        say!("demo admin: {email} / {password} (demo data only; never reuse these)");
    }
    say!(
        "your own bank files: finsight --data-dir my-finsight setup --email YOU --password-stdin, then finsight --data-dir my-finsight import FILE --user ID"
    );
    if !args.no_serve {
        super::serve::run(app, &args.serve).await?;
    }
    Ok(())
}
