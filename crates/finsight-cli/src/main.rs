//! The `finsight` binary: the composition root. It reads settings, opens
//! the store, and wires the crates together for each command.

/// `println!` that never panics: when stdout is closed early (a pipe into
/// `head`), the rest of the output is dropped instead.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod accounts;
mod audit_log;
mod config;
mod export;
mod identity;
mod ingest;
mod jobs;
mod keys;
mod load;
mod rules;
mod setup;
mod stats;
mod telemetry;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use finsight_core::Clock;
use finsight_store::Store;
use finsight_synth::export::{Format, write_dataset};
use finsight_synth::{SynthConfig, Synthesizer};
use time::{Date, Month, OffsetDateTime};

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
    Demo(DemoArgs),
    /// First run for one's own money: a tenant, a household, you, and your
    /// login (the password is read from standard input).
    Setup(setup::SetupArgs),
    /// Start the HTTP server.
    Serve(ServeArgs),
    /// Write synthetic bank exports to files.
    Synth(SynthArgs),
    /// Import a bank file (CSV, OFX/QFX, QIF, camt.053, MT940, JSON Lines).
    Import(ingest::ImportArgs),
    /// List, show and retry quarantined records.
    #[command(subcommand)]
    Quarantine(ingest::QuarantineCommand),
    /// List accounts with their ids, or open one (`accounts create`).
    Accounts(accounts::AccountsArgs),
    /// Consume transactions from a Kafka topic into the ledger.
    #[cfg(feature = "kafka")]
    Consume(KafkaArgs),
    /// Run the daily jobs for a range of dates (idempotent per date, so
    /// cron or Airflow can call it for any day, any number of times).
    Backfill {
        /// First day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        from: Date,
        /// Last day, inclusive (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        to: Date,
        /// Only this job.
        #[arg(long)]
        job: Option<String>,
    },
    /// Manage a user's category rules ("description contains X → Y").
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Run the stream processor until it has caught up with the outbox.
    Process,
    /// Export transactions for analysis with pseudonymous user and account
    /// ids (a separate, unjoinable set per purpose) and no descriptions.
    Export {
        /// Required: only pseudonymized exports exist.
        #[arg(long)]
        pseudonymize: bool,
        /// What the export is for (names the pseudonym set).
        #[arg(long)]
        purpose: String,
        /// JSON Lines output file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check or list the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit_log::AuditCommand),
    /// List or create tenants.
    #[command(subcommand)]
    Tenants(identity::TenantsCommand),
    /// Create logins: the first admin, analysts, people.
    #[command(subcommand)]
    Logins(identity::LoginsCommand),
    /// Create API keys for other systems of the finance app.
    #[command(subcommand)]
    ApiKeys(identity::ApiKeysCommand),
    /// Show or rotate the keys that encrypt personal fields.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print the OpenAPI 3.1 document of the REST API.
    Openapi,
    /// Apply database migrations.
    Migrate,
    /// Print counts per user, account kind and category.
    Stats,
}

#[derive(Debug, Args)]
struct Population {
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

#[derive(Debug, Args)]
struct DemoArgs {
    #[command(flatten)]
    population: Population,
    /// Load the data and stop, without starting the server.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (default from settings: 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
}

#[cfg(feature = "kafka")]
#[derive(Debug, Args)]
struct KafkaArgs {
    /// Bootstrap servers.
    #[arg(long, default_value = "127.0.0.1:9092")]
    brokers: String,
    #[arg(long, default_value = "finsight.transactions")]
    topic: String,
    /// Consumer group.
    #[arg(long, default_value = "finsight-ingest")]
    group: String,
    /// Most messages per atomic write and offset commit.
    #[arg(long, default_value_t = 1000)]
    max_batch: usize,
    /// How long a batch may wait to fill, in milliseconds.
    #[arg(long, default_value_t = 200)]
    linger_ms: u64,
    /// Stop after this long without messages (for batch runs and tests).
    #[arg(long, value_name = "MS")]
    exit_when_idle_ms: Option<u64>,
}

/// Appends an entry to the audit log for a write made from the command line.
async fn audit(
    store: &Arc<dyn Store>,
    action: &str,
    subject: &str,
    detail: String,
) -> anyhow::Result<()> {
    let event = finsight_core::audit::AuditEvent {
        actor: "cli".into(),
        action: action.into(),
        subject: subject.into(),
        detail,
    };
    store
        .append_audit(&event, OffsetDateTime::now_utc())
        .await?;
    Ok(())
}

/// The command-line operator, acting within `user`'s tenant.
async fn operator_for(
    services: &finsight_service::Services,
    user: finsight_core::UserId,
) -> anyhow::Result<finsight_core::Principal> {
    let found = services
        .store()
        .user(user)
        .await?
        .with_context(|| format!("user: {user} does not exist"))?;
    Ok(finsight_core::Principal::Operator {
        tenant: found.tenant_id,
    })
}

/// A service error as one line naming the field, for the command line.
fn describe(error: finsight_service::ServiceError) -> anyhow::Error {
    match error {
        finsight_service::ServiceError::Invalid(invalid) => {
            anyhow::anyhow!("{}: {}", invalid.field, invalid.reason)
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn parse_user(text: &str) -> anyhow::Result<finsight_core::UserId> {
    finsight_core::UserId::parse(text).map_err(|e| anyhow::anyhow!("user: {}", e.reason))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Ofx,
    Qif,
    Jsonl,
}

#[derive(Debug, Args)]
struct SynthArgs {
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

fn parse_day(text: &str) -> Result<Date, String> {
    finsight_core::PostingDate::parse(text)
        .map(|d| d.date())
        .map_err(|e| e.reason)
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

impl Population {
    fn config(&self) -> anyhow::Result<SynthConfig> {
        let end = match self.end_month {
            Some(end) => end,
            None => OffsetDateTime::now_utc().date().replace_day(1)?,
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

/// The real clock; everything below the binary gets time from a [`Clock`].
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

fn key_file_path(settings: &Settings) -> PathBuf {
    settings
        .encryption
        .key_file
        .clone()
        .unwrap_or_else(|| settings.data_dir.join("master.key"))
}

/// The key-encryption key: from `encryption.key`, else from the key file
/// (created with a fresh random key, readable only by its owner).
fn key_encryption_key(settings: &Settings) -> anyhow::Result<finsight_store::Kek> {
    if let Some(key) = &settings.encryption.key {
        return finsight_store::Kek::from_hex(key.expose())
            .map_err(|e| anyhow::anyhow!("encryption.key: {e}"));
    }
    let path = key_file_path(settings);
    match std::fs::read_to_string(&path) {
        Ok(text) => finsight_store::Kek::from_hex(&text)
            .map_err(|e| anyhow::anyhow!("encryption.key_file {}: {e}", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("data_dir: cannot create {}", parent.display()))?;
            }
            let kek = finsight_store::Kek::generate();
            keys::write_key_file(&path, &kek)?;
            tracing::warn!(
                path = %path.display(),
                "created a key-encryption key file; in production set FINSIGHT__ENCRYPTION__KEY instead"
            );
            Ok(kek)
        }
        Err(error) => Err(anyhow::anyhow!(
            "encryption.key_file: cannot read {}: {error}",
            path.display()
        )),
    }
}

async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let url = settings.database_url()?;
    let kek = key_encryption_key(settings)?;
    let store = finsight_store::open(&url, &kek)
        .await
        .context("database_url: cannot open the database")?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// The application services over `store`, with the configured auth settings.
fn services(
    settings: &Settings,
    store: &Arc<dyn Store>,
) -> anyhow::Result<finsight_service::Services> {
    Ok(finsight_service::Services::new(
        Arc::clone(store),
        Arc::new(SystemClock),
        settings.auth.to_service()?,
    ))
}

/// Serves HTTP and, beside it, follows the outbox with the stream
/// processor; both stop together on Ctrl-C or SIGTERM.
async fn serve(settings: &Settings, store: Arc<dyn Store>, args: &ServeArgs) -> anyhow::Result<()> {
    let listen = args.listen.unwrap_or(settings.server.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listen: cannot bind {listen}"))?;
    let address = listener.local_addr()?;
    let tls = match (&settings.server.tls_cert, &settings.server.tls_key) {
        (Some(cert), Some(key)) => Some(finsight_server::TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        (None, None) => None,
        _ => anyhow::bail!("server.tls_cert and server.tls_key: set both or neither"),
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    say!("finsight is listening on {scheme}://{address}");
    tracing::info!(%address, "serving");
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    anyhow::ensure!(
        settings.server.rate_limit_per_second > 0.0 && settings.server.rate_limit_burst >= 1.0,
        "server.rate_limit_per_second: must be above 0, and rate_limit_burst at least 1"
    );
    anyhow::ensure!(
        (1..=24 * 30).contains(&settings.server.idempotency_key_ttl_hours),
        "server.idempotency_key_ttl_hours: must be 1 to 720"
    );
    let limit = finsight_server::rate_limit::RateLimit {
        per_second: settings.server.rate_limit_per_second,
        burst: settings.server.rate_limit_burst,
    };
    let state = finsight_server::AppState::new(
        Arc::clone(&store),
        Arc::clone(&clock),
        finsight_server::metrics::install(),
    )
    .with_rate_limit(limit)
    .with_user_rate_limit(limit)
    .with_idempotency_ttl(time::Duration::hours(i64::from(
        settings.server.idempotency_key_ttl_hours,
    )))
    .with_auth_settings(settings.auth.to_service()?);
    let state = match &settings.privacy.pseudonym_key {
        Some(key) => {
            let key = finsight_privacy::PseudonymKey::from_hex(key.expose())
                .map_err(|e| anyhow::anyhow!("privacy.pseudonym_key: {e}"))?;
            state
                .with_pseudonym_key(&key)
                .map_err(|e| anyhow::anyhow!("privacy.pseudonym_key: {e}"))?
        }
        None => state,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let processor = pipeline(&store);
    let until_stopped = |mut receiver: tokio::sync::watch::Receiver<bool>| async move {
        let _ = receiver.wait_for(|stop| *stop).await;
    };
    let processing = tokio::spawn(processor.run(until_stopped(stopped.clone())));
    let scheduler = finsight_pipeline::Scheduler::new(
        Arc::clone(&store),
        Arc::clone(&clock),
        jobs::all(
            &store,
            &clock,
            settings.audit.retention_days,
            time::Duration::hours(i64::from(settings.server.idempotency_key_ttl_hours)),
        ),
    );
    let scheduling = tokio::spawn(scheduler.run(until_stopped(stopped.clone())));
    let signal = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    let served = match &tls {
        Some(tls) => finsight_server::serve_tls(listener, state, signal, tls).await,
        None => finsight_server::serve(listener, state, signal).await,
    };
    let _ = processing.await;
    let _ = scheduling.await;
    served.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// The stream processor with Finsight's stages, in order.
fn pipeline(store: &Arc<dyn Store>) -> finsight_pipeline::Processor {
    finsight_pipeline::Processor::new(
        store.clone(),
        Arc::new(SystemClock),
        vec![
            Arc::new(finsight_pipeline::Categorize::new(store.clone())),
            Arc::new(finsight_pipeline::RecordProcessed),
        ],
        1000,
    )
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
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
    match cli.command {
        Command::Import(args) => {
            let store = open_store(&settings).await?;
            ingest::import(store, Arc::new(SystemClock), args).await?;
        }
        Command::Quarantine(command) => {
            let store = open_store(&settings).await?;
            ingest::quarantine(store, Arc::new(SystemClock), command).await?;
        }
        Command::Setup(args) => {
            let store = open_store(&settings).await?;
            setup::run(&store, &services(&settings, &store)?, args).await?;
        }
        Command::Accounts(args) => {
            let store = open_store(&settings).await?;
            accounts::run(&store, &services(&settings, &store)?, args).await?;
        }
        #[cfg(feature = "kafka")]
        Command::Consume(args) => {
            let store = open_store(&settings).await?;
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let importer = Arc::new(finsight_ingest::import::Importer::new(
                Arc::clone(&store),
                finsight_core::Taxonomy::default_tree(),
                Arc::clone(&clock),
            ));
            let source = finsight_ingest::kafka::KafkaSource {
                brokers: args.brokers,
                topic: args.topic,
                group: args.group,
                max_batch: args.max_batch,
                linger: std::time::Duration::from_millis(args.linger_ms),
            };
            finsight_ingest::kafka::ensure_topic(&source.brokers, &source.topic, 3).await?;
            let idle = args.exit_when_idle_ms.map(std::time::Duration::from_millis);
            let totals =
                finsight_ingest::kafka::consume(importer, clock, source, idle, shutdown_signal())
                    .await?;
            say!(
                "consumed: {} accepted, {} duplicates, {} quarantined",
                totals.accepted,
                totals.duplicates,
                totals.quarantined
            );
        }
        Command::Backfill { from, to, job } => {
            let store = open_store(&settings).await?;
            let clock: Arc<dyn Clock> = Arc::new(SystemClock);
            let scheduler = finsight_pipeline::Scheduler::new(
                Arc::clone(&store),
                Arc::clone(&clock),
                jobs::all(
                    &store,
                    &clock,
                    settings.audit.retention_days,
                    time::Duration::hours(i64::from(settings.server.idempotency_key_ttl_hours)),
                ),
            );
            for (name, day, outcome) in scheduler.backfill(from, to, job.as_deref()).await? {
                match outcome {
                    finsight_pipeline::RunOutcome::Ran(outcome) => {
                        say!("{day} {name}: ran: {outcome}")
                    }
                    finsight_pipeline::RunOutcome::AlreadyDone(outcome) => {
                        say!("{day} {name}: already done: {outcome}")
                    }
                }
            }
        }
        Command::Rules(command) => {
            let store = open_store(&settings).await?;
            rules::run(&services(&settings, &store)?, command).await?;
        }
        Command::Process => {
            let store = open_store(&settings).await?;
            let processed = pipeline(&store).drain().await?;
            say!("processed {processed} outbox entries");
        }
        Command::Export {
            pseudonymize,
            purpose,
            out,
        } => export::run(&settings, pseudonymize, &purpose, &out).await?,
        Command::Audit(command) => {
            let store = open_store(&settings).await?;
            audit_log::run(&store, settings.audit.retention_days, command).await?;
        }
        Command::Migrate => {
            open_store(&settings).await?;
            say!("migrations applied");
        }
        Command::Stats => {
            let store = open_store(&settings).await?;
            let stats = store.stats().await?;
            {
                use std::io::Write as _;
                let _ = write!(std::io::stdout().lock(), "{}", stats::render(&stats));
            }
        }
        Command::Tenants(command) => {
            let store = open_store(&settings).await?;
            identity::tenants(&store, command).await?;
        }
        Command::Logins(command) => {
            let store = open_store(&settings).await?;
            identity::logins(&services(&settings, &store)?, command).await?;
        }
        Command::ApiKeys(command) => {
            let store = open_store(&settings).await?;
            identity::api_keys(&services(&settings, &store)?, command).await?;
        }
        Command::Keys(command) => {
            let store = open_store(&settings).await?;
            let source = if settings.encryption.key.is_some() {
                keys::KeySource::Environment
            } else {
                keys::KeySource::File(key_file_path(&settings))
            };
            keys::run(&store, source, command).await?;
        }
        Command::Openapi => {
            use std::io::Write as _;
            let _ = write!(
                std::io::stdout().lock(),
                "{}",
                finsight_server::api::openapi()
            );
        }
        Command::Serve(args) => {
            let store = open_store(&settings).await?;
            serve(&settings, store, &args).await?;
        }
        Command::Synth(args) => {
            let synth = Synthesizer::new(args.population.config()?)?;
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
            let progress = load::progress_bar(synth.profiles().len() as u64, "writing");
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
        }
        Command::Demo(args) => {
            let started = Instant::now();
            let store = open_store(&settings).await?;
            let synth = Synthesizer::new(args.population.config()?)?;
            let config = synth.config();
            say!(
                "generating {} users x {} months from {} (seed {})",
                config.users,
                config.months,
                config.first_month,
                config.seed
            );
            let labels = settings.data_dir.join("anomaly-labels.csv");
            std::fs::create_dir_all(&settings.data_dir).with_context(|| {
                format!("data_dir: cannot create {}", settings.data_dir.display())
            })?;
            let report = load::load_synthetic(store.as_ref(), synth, &labels).await?;
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
            if let Some(person) =
                identity::ensure_demo_logins(&store, &services(&settings, &store)?).await?
            {
                let (email, password) = identity::DEMO_PERSON;
                say!("demo login: {email} / {password} ({person}, owner of a shared household)");
                let (email, password) = identity::DEMO_ADMIN;
                say!("demo admin: {email} / {password} (demo data only; never reuse these)");
            }
            say!(
                "your own bank files: finsight --data-dir my-finsight setup --email YOU --password-stdin, then finsight --data-dir my-finsight import FILE --user ID"
            );
            if !args.no_serve {
                serve(&settings, store, &args.serve).await?;
            }
        }
    }
    Ok(())
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
