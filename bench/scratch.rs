//! Shared by the benchmark programs: a fresh store for one run (SQLite in a
//! temporary directory, or a scratch database on the PostgreSQL server,
//! dropped afterwards) and the directory of a synthetic population.

use std::sync::Arc;

use anyhow::Context;
use finsight_store::{Directory, Store};
use finsight_synth::Synthesizer;

pub struct Scratch {
    pub store: Arc<dyn Store>,
    cleanup: Option<(sqlx::PgPool, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    pub async fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
        let store = finsight_store::open(
            &url,
            &finsight_store::Kek::generate(),
            std::sync::Arc::new(finsight_core::FixedClock(
                time::macros::datetime!(2026-01-01 0:00 UTC),
            )),
        )
        .await?;
        store.migrate().await?;
        Ok(Self {
            store,
            cleanup: None,
            _dir: Some(dir),
        })
    }

    pub async fn postgres() -> anyhow::Result<Self> {
        let admin_url = std::env::var("FINSIGHT_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let admin = sqlx::PgPool::connect(&admin_url)
            .await
            .with_context(|| format!("PostgreSQL not reachable at {admin_url}"))?;
        let name = format!("finsight_bench_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await?;
        let (base, _) = admin_url
            .rsplit_once('/')
            .context("admin url has no database")?;
        let store = finsight_store::open(
            &format!("{base}/{name}"),
            &finsight_store::Kek::generate(),
            std::sync::Arc::new(finsight_core::FixedClock(
                time::macros::datetime!(2026-01-01 0:00 UTC),
            )),
        )
        .await?;
        store.migrate().await?;
        Ok(Self {
            store,
            cleanup: Some((admin, name)),
            _dir: None,
        })
    }

    pub async fn drop_now(self) -> anyhow::Result<()> {
        drop(self.store);
        if let Some((admin, name)) = self.cleanup {
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&admin)
                .await?;
        }
        Ok(())
    }
}

/// The tenants, households, users and accounts of a synthetic population.
pub fn directory_of(synth: &Synthesizer) -> Directory {
    Directory {
        tenants: synth.tenants().to_vec(),
        households: synth.households().to_vec(),
        users: synth.profiles().iter().map(|p| p.user.clone()).collect(),
        accounts: synth.accounts().cloned().collect(),
    }
}

/// The value after `name` on the command line, parsed, or `default`.
pub fn argument_or<T>(name: &str, default: T) -> anyhow::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    Ok(argument(name)
        .map(|v| v.parse::<T>())
        .transpose()
        .with_context(|| format!("{name}: not a valid value"))?
        .unwrap_or(default))
}

/// The value after `name` on the command line, if any.
pub fn argument(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The backends `--backend sqlite|postgres|both` (default both) selects.
pub fn selected_backends() -> Vec<&'static str> {
    let wanted = argument("--backend").unwrap_or_else(|| "both".to_owned());
    ["sqlite", "postgres"]
        .into_iter()
        .filter(|name| wanted == "both" || wanted == *name)
        .collect()
}

impl Scratch {
    /// A fresh store of the named backend (`sqlite` or `postgres`).
    pub async fn open(backend: &str) -> anyhow::Result<Self> {
        match backend {
            "sqlite" => Self::sqlite().await,
            _ => Self::postgres().await,
        }
    }
}

/// When each awaited alert's transaction was committed, by alert id.
pub type Committed = std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::time::Instant>>;

/// Reads the live hub until every committed alert has arrived and the
/// writer is done (or `deadline`): the milliseconds from each commit to
/// its alert, sorted.
pub async fn alert_latencies(
    alerts: &mut tokio::sync::broadcast::Receiver<finsight_store::Alert>,
    committed: &Committed,
    writer_done: impl Fn() -> bool,
    deadline: std::time::Instant,
) -> Vec<f64> {
    use std::time::{Duration, Instant};
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), alerts.recv()).await {
            Ok(Ok(alert)) => {
                let now = Instant::now();
                if let Some(at) = committed.lock().expect("lock").remove(&alert.id) {
                    latencies.push(now.duration_since(at).as_secs_f64() * 1000.0);
                }
            }
            Ok(Err(_)) => break,
            Err(_) if writer_done() && committed.lock().expect("lock").is_empty() => break,
            Err(_) => {}
        }
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

/// The `q` quantile of sorted values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))]
}
