//! The composition root: everything a command needs, built once from the
//! settings — the clock, the store (opened with the key-encryption key and
//! migrated), the application services (with the configured auth settings
//! and pseudonym key), the stream processor, the scheduler and the HTTP
//! state. Commands receive an [`App`] and build nothing of their own.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use finsight_core::Clock;
use finsight_service::Services;
use finsight_store::Store;
use time::OffsetDateTime;

use crate::config::Settings;

/// The real clock; everything below the binary gets time from a [`Clock`].
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The clock every part of the application reads time from.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The share of a person's transactions their anomaly threshold aims to
/// alert on.
const ANOMALY_TARGET_RATE: f64 = 0.01;

pub struct App {
    pub settings: Settings,
    pub clock: Arc<dyn Clock>,
    pub store: Arc<dyn Store>,
    pub services: Services,
    pub features: finsight_pipeline::Features,
    /// Each tenant's champion categorizer, swapped when its alias moves.
    pub categorizers: Arc<finsight_mlops::serving::CategorizerServing>,
}

impl App {
    /// Opens and migrates the store the settings name and builds the
    /// services over it; fails naming the setting that is wrong.
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let clock = system_clock();
        let url = settings.database_url()?;
        let kek = key_encryption_key(&settings)?;
        let store = finsight_store::open(&url, &kek, Arc::clone(&clock))
            .await
            .context("database_url: cannot open the database")?;
        store
            .migrate()
            .await
            .context("cannot migrate the database")?;
        let mut services = Services::new(
            Arc::clone(&store),
            Arc::clone(&clock),
            settings.auth.to_service()?,
        );
        if let Some(key) = &settings.privacy.pseudonym_key {
            let key = finsight_privacy::PseudonymKey::from_hex(key.expose())
                .map_err(|e| anyhow::anyhow!("privacy.pseudonym_key: {e}"))?;
            services = services
                .with_pseudonym_key(&key)
                .map_err(|e| anyhow::anyhow!("privacy.pseudonym_key: {e}"))?;
        }
        let features = feature_store(&settings, &store, &clock).await?;
        let services =
            services.with_features(Arc::clone(&features.set), Arc::clone(&features.online));
        let models = &settings.models;
        anyhow::ensure!(
            models.review_threshold > 0.0 && models.review_threshold <= 1.0,
            "models.review_threshold: must be above 0 and at most 1"
        );
        anyhow::ensure!(
            (1..=3600).contains(&models.refresh_seconds),
            "models.refresh_seconds: must be 1 to 3600"
        );
        let categorizers = Arc::new(finsight_mlops::serving::CategorizerServing::new(
            store.clone(),
        ));
        categorizers
            .refresh()
            .await
            .context("cannot load the champion categorizers")?;
        Ok(App {
            settings,
            clock,
            store,
            services,
            features,
            categorizers,
        })
    }

    /// The stream processor with Finsight's stages, in order.
    pub fn processor(&self) -> finsight_pipeline::Processor {
        finsight_pipeline::Processor::new(
            self.store.clone(),
            Arc::clone(&self.clock),
            vec![
                Arc::new(
                    finsight_pipeline::Categorize::new(self.store.clone()).with_model(
                        finsight_pipeline::LearnedCategories::new(
                            Arc::clone(&self.categorizers),
                            self.store.clone(),
                            Arc::clone(&self.clock),
                            self.settings.models.review_threshold,
                        ),
                    ),
                ),
                Arc::new(finsight_pipeline::UpdateFeatures::new(
                    self.features.clone(),
                )),
                Arc::new(finsight_pipeline::DetectAnomalies::new(
                    self.store.clone(),
                    self.services.alert_hub().clone(),
                    Arc::clone(&self.clock),
                    ANOMALY_TARGET_RATE,
                )),
                Arc::new(finsight_pipeline::TrackBudgets::new(
                    self.store.clone(),
                    self.services.alert_hub().clone(),
                    Arc::clone(&self.clock),
                )),
                Arc::new(finsight_pipeline::RecordProcessed),
            ],
            1000,
        )
    }

    /// A cold start of the online store: the in-process store is rebuilt
    /// from the database; a Redis store only when it holds nothing.
    pub async fn warm_features(&self) -> anyhow::Result<()> {
        let online = &self.features.online;
        if online.kind() == "memory" || online.entity_count().await? == 0 {
            let started = std::time::Instant::now();
            let entities = self.features.rebuild_online().await?;
            tracing::info!(
                entities,
                store = online.kind(),
                ms = started.elapsed().as_millis() as u64,
                "online features rebuilt"
            );
        }
        Ok(())
    }

    /// Keeps the served categorizers on their `champion` aliases until the
    /// process ends.
    pub fn follow_model_aliases(&self) -> tokio::task::JoinHandle<()> {
        self.categorizers
            .spawn_refresh(std::time::Duration::from_secs(
                self.settings.models.refresh_seconds,
            ))
    }

    /// The scheduler with every daily job.
    pub fn scheduler(&self) -> finsight_pipeline::Scheduler {
        finsight_pipeline::Scheduler::new(
            Arc::clone(&self.store),
            Arc::clone(&self.clock),
            crate::jobs::all(
                &self.store,
                &self.services,
                &self.clock,
                self.settings.audit.retention_days,
                self.idempotency_ttl(),
                &self.features,
            ),
        )
    }

    fn idempotency_ttl(&self) -> time::Duration {
        time::Duration::hours(i64::from(self.settings.server.idempotency_key_ttl_hours))
    }

    /// What the HTTP handlers get, with the configured limits.
    pub fn server_state(&self) -> anyhow::Result<finsight_server::AppState> {
        let server = &self.settings.server;
        anyhow::ensure!(
            server.rate_limit_per_second > 0.0 && server.rate_limit_burst >= 1.0,
            "server.rate_limit_per_second: must be above 0, and rate_limit_burst at least 1"
        );
        anyhow::ensure!(
            (1..=24 * 30).contains(&server.idempotency_key_ttl_hours),
            "server.idempotency_key_ttl_hours: must be 1 to 720"
        );
        let limit = finsight_server::rate_limit::RateLimit {
            per_second: server.rate_limit_per_second,
            burst: server.rate_limit_burst,
        };
        Ok(finsight_server::AppState::new(
            self.services.clone(),
            finsight_server::metrics::install(),
            finsight_server::ServerLimits {
                rate_limit: limit,
                user_rate_limit: limit,
                idempotency_ttl: self.idempotency_ttl(),
            },
        ))
    }

    /// Appends an entry to the audit log for a write made from the command
    /// line that no service makes (a key rotation, an export).
    pub async fn audit(&self, action: &str, subject: &str, detail: String) -> anyhow::Result<()> {
        let event = finsight_core::audit::AuditEvent {
            actor: "cli".into(),
            action: action.into(),
            subject: subject.into(),
            detail,
        };
        self.store.append_audit(&event, self.clock.now()).await?;
        Ok(())
    }
}

/// The feature views (the configured file or the starter set), checked
/// against the definitions registered before, over the configured online
/// store.
async fn feature_store(
    settings: &Settings,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<finsight_pipeline::Features> {
    use finsight_features::{
        FeatureSet, MemoryOnlineStore, OnlineStore, RedisOnlineStore, Registry,
    };
    let registry = match &settings.features.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("features.file: cannot read {}", path.display()))?;
            Registry::from_toml(&text).map_err(|e| anyhow::anyhow!("features.file: {e}"))?
        }
        None => Registry::starter(),
    };
    let set = FeatureSet::new(registry);
    let online: Arc<dyn OnlineStore> = match settings.features.online_store.as_str() {
        "memory" => Arc::new(MemoryOnlineStore::new(Arc::clone(&set))),
        "redis" => {
            let url =
                settings.features.redis_url.as_ref().context(
                    "features.redis_url: needed when features.online_store is \"redis\"",
                )?;
            Arc::new(
                RedisOnlineStore::connect(
                    Arc::clone(&set),
                    url.expose(),
                    &settings.features.redis_prefix,
                )
                .await
                .context("features.redis_url: cannot connect")?,
            )
        }
        other => {
            anyhow::bail!("features.online_store: {other:?} is neither \"memory\" nor \"redis\"")
        }
    };
    let features = finsight_pipeline::Features {
        set,
        offline: store.clone(),
        online,
        clock: Arc::clone(clock),
    };
    features
        .register_views()
        .await
        .context("features.file: a feature view changed")?;
    Ok(features)
}

pub fn key_file_path(settings: &Settings) -> PathBuf {
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
            crate::commands::keys::write_key_file(&path, &kek)?;
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
