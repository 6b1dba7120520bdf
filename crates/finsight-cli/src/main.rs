//! The `finsight` binary: parses the command line, reads the settings,
//! builds the application once (`app.rs`, the composition root) and hands
//! it to the command's module (`commands/`).

/// `println!` that never panics: when stdout is closed early (a pipe into
/// `head`), the rest of the output is dropped instead.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod app;
mod commands;
mod config;
mod jobs;
mod load;
mod telemetry;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::app::App;
use crate::commands::{
    accounts, audit, backfill, demo, export, features, identity, ingest, keys, market, migrate,
    openapi, process, rules, serve, setup, stats, synth,
};
use crate::config::{Overrides, Settings};

/// Finsight: the AI analytics engine for personal and small-business finance.
#[derive(Debug, Parser)]
#[command(name = "finsight", version, about)]
struct Cli {
    /// Config file (TOML); `./finsight.toml` is read when present.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Data directory for the embedded store and generated files.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a realistic multi-user demo, load it, and start the server.
    Demo(commands::demo::DemoArgs),
    /// First run for one's own money: a tenant, a household, you, and your
    /// login (the password is read from standard input).
    Setup(commands::setup::SetupArgs),
    /// Start the HTTP server.
    Serve(commands::serve::ServeArgs),
    /// Write synthetic bank exports to files.
    Synth(commands::synth::SynthArgs),
    /// Import a bank file (CSV, OFX/QFX, QIF, camt.053, MT940, JSON Lines).
    Import(commands::ingest::ImportArgs),
    /// List, show and retry quarantined records.
    #[command(subcommand)]
    Quarantine(commands::ingest::QuarantineCommand),
    /// List accounts with their ids, or open one (`accounts create`).
    Accounts(commands::accounts::AccountsArgs),
    /// Consume transactions from a Kafka topic into the ledger.
    #[cfg(feature = "kafka")]
    Consume(commands::consume::KafkaArgs),
    /// Run the daily jobs for a range of dates (idempotent per date, so
    /// cron or Airflow can call it for any day, any number of times).
    Backfill(commands::backfill::BackfillArgs),
    /// Manage a user's category rules ("description contains X → Y").
    #[command(subcommand)]
    Rules(commands::rules::RulesCommand),
    /// Run the stream processor until it has caught up with the outbox.
    Process,
    /// The feature store: views, materialization, training sets, lookups.
    #[command(subcommand)]
    Features(commands::features::FeaturesCommand),
    /// Daily prices and FX rates for market features and conversions.
    #[command(subcommand)]
    Market(commands::market::MarketCommand),
    /// Export transactions for analysis with pseudonymous user and account
    /// ids (a separate, unjoinable set per purpose) and no descriptions.
    Export(commands::export::ExportArgs),
    /// Check or list the tamper-evident audit log.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// List or create tenants.
    #[command(subcommand)]
    Tenants(commands::identity::TenantsCommand),
    /// Create logins: the first admin, analysts, people.
    #[command(subcommand)]
    Logins(commands::identity::LoginsCommand),
    /// Create API keys for other systems of the finance app.
    #[command(subcommand)]
    ApiKeys(commands::identity::ApiKeysCommand),
    /// Show or rotate the keys that encrypt personal fields.
    #[command(subcommand)]
    Keys(commands::keys::KeysCommand),
    /// Print the OpenAPI 3.1 document of the REST API.
    Openapi,
    /// Apply database migrations.
    Migrate,
    /// Print counts per user, account kind and category.
    Stats,
    /// Train a model for the tenant(s), tracked and promoted by rule.
    #[command(subcommand)]
    Train(commands::models::TrainCommand),
    /// The model registry: versions, aliases, promotion, rollback.
    #[command(subcommand)]
    Models(commands::models::ModelsCommand),
    /// Tracked runs: list, show, compare.
    #[command(subcommand)]
    Runs(commands::models::RunsCommand),
    /// Measure the models on held-out data, beside their baselines.
    #[command(subcommand)]
    Eval(commands::eval::EvalCommand),
    /// Spending forecasts: evaluate every method on a series file, write
    /// generated spending series.
    #[command(subcommand)]
    Forecast(commands::forecast::ForecastCommand),
    /// Anomaly detection: evaluate on a labelled file, write generated
    /// labelled transactions.
    #[command(subcommand)]
    Anomaly(commands::anomaly::AnomalyCommand),
    /// Goal probabilities: evaluate on a monthly free-cash-flow file, write
    /// generated people's free cash flow.
    #[command(subcommand)]
    Goal(commands::goal::GoalCommand),
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(
        cli.config.as_deref(),
        &Overrides {
            data_dir: cli.data_dir,
            database_url: cli.database_url,
        },
    )?;
    telemetry::init(&settings.log);
    // Commands that need no database.
    let command = match cli.command {
        Command::Openapi => {
            openapi::run();
            return Ok(());
        }
        Command::Synth(args) => return synth::run(app::system_clock().as_ref(), args).await,
        Command::Export(args) => return export::run(settings, args).await,
        Command::Eval(command) => return commands::eval::run(command),
        Command::Forecast(command) => return commands::forecast::run(command),
        Command::Anomaly(command) => return commands::anomaly::run(command),
        Command::Goal(command) => return commands::goal::run(command),
        command => command,
    };
    let app = App::build(settings).await?;
    match command {
        Command::Demo(args) => demo::run(&app, args).await,
        Command::Setup(args) => setup::run(&app, args).await,
        Command::Serve(args) => serve::run(&app, &args).await,
        Command::Import(args) => ingest::import(&app, args).await,
        Command::Quarantine(command) => ingest::quarantine(&app, command).await,
        Command::Accounts(args) => accounts::run(&app, args).await,
        #[cfg(feature = "kafka")]
        Command::Consume(args) => commands::consume::run(&app, args).await,
        Command::Backfill(args) => backfill::run(&app, args).await,
        Command::Rules(command) => rules::run(&app, command).await,
        Command::Process => process::run(&app).await,
        Command::Features(command) => features::run(&app, command).await,
        Command::Market(command) => market::run(&app, command).await,
        Command::Audit(command) => audit::run(&app, command).await,
        Command::Tenants(command) => identity::tenants(&app, command).await,
        Command::Logins(command) => identity::logins(&app, command).await,
        Command::ApiKeys(command) => identity::api_keys(&app, command).await,
        Command::Keys(command) => keys::run(&app, command).await,
        Command::Migrate => {
            migrate::run(&app);
            Ok(())
        }
        Command::Stats => stats::run(&app).await,
        Command::Train(command) => commands::models::train(&app, command).await,
        Command::Models(command) => commands::models::models(&app, command).await,
        Command::Runs(command) => commands::models::runs(&app, command).await,
        Command::Openapi
        | Command::Synth(_)
        | Command::Export(_)
        | Command::Eval(_)
        | Command::Forecast(_)
        | Command::Anomaly(_)
        | Command::Goal(_) => {
            unreachable!("handled before the database is opened")
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
