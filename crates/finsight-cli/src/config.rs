//! Typed, layered settings: built-in defaults, then the config file, then
//! `FINSIGHT__SECTION__KEY` environment variables, then command-line flags.
//! `finsight.example.toml` at the repository root documents every key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Where the embedded database and generated files live.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; defaults to the SQLite file in
    /// `data_dir`.
    pub database_url: Option<String>,
    pub server: ServerSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub privacy: PrivacySettings,
    #[serde(default)]
    pub auth: AuthSettings,
    #[serde(default)]
    pub encryption: EncryptionSettings,
    #[serde(default)]
    pub audit: AuditSettings,
    #[serde(default)]
    pub features: FeatureSettings,
    #[serde(default)]
    pub models: ModelSettings,
}

/// Learned models and their serving.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelSettings {
    /// A categorization at least this confident is applied; a less
    /// confident one waits in the person's review queue.
    pub review_threshold: f32,
    /// How often serving looks for moved `champion` aliases.
    pub refresh_seconds: u64,
}

impl Default for ModelSettings {
    fn default() -> Self {
        Self {
            review_threshold: 0.6,
            refresh_seconds: 5,
        }
    }
}

/// The feature store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureSettings {
    /// A `features.toml` of feature views; without it, the starter set
    /// (`finsight features list`).
    pub file: Option<PathBuf>,
    /// Where the latest vectors live: `memory` (in process, rebuilt from
    /// the database at start) or `redis` (shared by replicas).
    pub online_store: String,
    /// `redis://HOST:PORT` or `rediss://…` (TLS), for `online_store =
    /// "redis"`; set it through `FINSIGHT__FEATURES__REDIS_URL` when it
    /// holds a password.
    pub redis_url: Option<Secret>,
    /// Every Redis key starts with this.
    pub redis_prefix: String,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        Self {
            file: None,
            online_store: "memory".into(),
            redis_url: None,
            redis_prefix: "finsight:features:".into(),
        }
    }
}

/// The audit log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    /// Entries older than this are pruned by the daily `audit-retention`
    /// job (behind a checkpoint the chain verifies from). At least 365.
    pub retention_days: u32,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            retention_days: 400,
        }
    }
}

/// Field encryption at rest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EncryptionSettings {
    /// The key-encryption key, 64 hex digits; set it through
    /// `FINSIGHT__ENCRYPTION__KEY` (from a secret manager), not in a file.
    pub key: Option<Secret>,
    /// Without `key`: a file holding it, created (mode 0600) on first use.
    /// Defaults to `DATA_DIR/master.key`: fine on a laptop; in production
    /// set `key` instead.
    pub key_file: Option<PathBuf>,
}

/// Sign-in: token lifetimes, password hashing cost, lockout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub access_token_minutes: u32,
    pub refresh_token_days: u32,
    /// argon2id memory cost in KiB (OWASP: 19456 with 2 iterations).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Failed sign-ins for one email from one address before that
    /// address is throttled for it (the login itself is never locked).
    pub lockout_threshold: u32,
    /// The first back-off in seconds; it doubles with each further failure.
    pub lockout_base_seconds: u32,
    pub lockout_max_seconds: u32,
    /// Failed sign-ins for one email from all addresses before addresses
    /// that never signed in to it are throttled too.
    pub email_lockout_threshold: u32,
    /// Failures older than this many seconds are forgotten.
    pub lockout_window_seconds: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        let defaults = finsight_service::AuthSettings::default();
        Self {
            access_token_minutes: defaults.access_ttl.whole_minutes() as u32,
            refresh_token_days: defaults.refresh_ttl.whole_days() as u32,
            argon2_memory_kib: defaults.hashing.memory_kib,
            argon2_iterations: defaults.hashing.iterations,
            lockout_threshold: defaults.lockout_threshold,
            lockout_base_seconds: defaults.lockout_base.whole_seconds() as u32,
            lockout_max_seconds: defaults.lockout_max.whole_seconds() as u32,
            email_lockout_threshold: defaults.email_lockout_threshold,
            lockout_window_seconds: defaults.lockout_window.whole_seconds() as u32,
        }
    }
}

impl AuthSettings {
    /// The service settings, checked.
    pub fn to_service(&self) -> anyhow::Result<finsight_service::AuthSettings> {
        anyhow::ensure!(
            self.access_token_minutes >= 1 && self.refresh_token_days >= 1,
            "auth.access_token_minutes and auth.refresh_token_days: must be at least 1"
        );
        anyhow::ensure!(
            self.argon2_memory_kib >= 8 * 1024 && self.argon2_iterations >= 1,
            "auth.argon2_memory_kib: must be at least 8192 (and argon2_iterations at least 1)"
        );
        anyhow::ensure!(
            self.lockout_threshold >= 1 && self.lockout_base_seconds >= 1,
            "auth.lockout_threshold and auth.lockout_base_seconds: must be at least 1"
        );
        anyhow::ensure!(
            self.email_lockout_threshold >= self.lockout_threshold
                && self.lockout_window_seconds >= 60,
            "auth.email_lockout_threshold: must be at least lockout_threshold (and lockout_window_seconds at least 60)"
        );
        Ok(finsight_service::AuthSettings {
            hashing: finsight_service::PasswordHashing {
                memory_kib: self.argon2_memory_kib,
                iterations: self.argon2_iterations,
                parallelism: 1,
            },
            access_ttl: time::Duration::minutes(i64::from(self.access_token_minutes)),
            refresh_ttl: time::Duration::days(i64::from(self.refresh_token_days)),
            lockout_threshold: self.lockout_threshold,
            lockout_base: time::Duration::seconds(i64::from(self.lockout_base_seconds)),
            lockout_max: time::Duration::seconds(i64::from(self.lockout_max_seconds.max(1))),
            email_lockout_threshold: self.email_lockout_threshold,
            lockout_window: time::Duration::seconds(i64::from(self.lockout_window_seconds)),
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PrivacySettings {
    /// Hex key (64+ digits) pseudonyms are derived from; set it through
    /// `FINSIGHT__PRIVACY__PSEUDONYM_KEY`, not in a file.
    pub pseudonym_key: Option<Secret>,
}

/// A secret setting: deserialised like a string, never printed.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// Sustained requests per second allowed per client address.
    #[serde(default = "default_rate")]
    pub rate_limit_per_second: f64,
    /// Requests a client may make in one burst.
    #[serde(default = "default_burst")]
    pub rate_limit_burst: f64,
    /// How long an `Idempotency-Key` is remembered, in hours.
    #[serde(default = "default_idempotency_hours")]
    pub idempotency_key_ttl_hours: u32,
    /// PEM certificate chain: with `tls_key`, the server speaks HTTPS only.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for `tls_cert`.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
}

fn default_rate() -> f64 {
    50.0
}

fn default_burst() -> f64 {
    100.0
}

fn default_idempotency_hours() -> u32 {
    24
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogSettings {
    /// A tracing env-filter directive; `RUST_LOG` overrides it.
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("finsight-data"),
            database_url: None,
            server: ServerSettings {
                listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
                rate_limit_per_second: default_rate(),
                rate_limit_burst: default_burst(),
                idempotency_key_ttl_hours: default_idempotency_hours(),
                tls_cert: None,
                tls_key: None,
            },
            log: LogSettings {
                filter: "info,sqlx=warn".into(),
                format: LogFormat::Text,
            },
            privacy: PrivacySettings::default(),
            auth: AuthSettings::default(),
            encryption: EncryptionSettings::default(),
            audit: AuditSettings::default(),
            features: FeatureSettings::default(),
            models: ModelSettings::default(),
        }
    }
}

/// Flags that override the layered settings when given.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

const DEFAULT_CONFIG_FILE: &str = "finsight.toml";

impl Settings {
    /// Loads the layers. An explicitly named config file must exist;
    /// `./finsight.toml` is read only if present.
    pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match config_file {
            Some(path) => {
                anyhow::ensure!(
                    path.is_file(),
                    "config: file {} does not exist",
                    path.display()
                );
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        figment = figment
            .merge(Env::prefixed("FINSIGHT__").split("__"))
            .merge(Serialized::defaults(overrides));
        let settings: Self = figment.extract().context("config: invalid settings")?;
        anyhow::ensure!(
            settings.audit.retention_days >= crate::jobs::MIN_AUDIT_RETENTION_DAYS,
            "audit.retention_days: must be at least {} (twelve months)",
            crate::jobs::MIN_AUDIT_RETENTION_DAYS
        );
        Ok(settings)
    }

    /// The database to use, creating the data directory for SQLite.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("data_dir: cannot create {}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("finsight.sqlite").display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.toml");
        std::fs::write(
            &file,
            "data_dir = \"/srv/finsight\"\n[server]\nlisten = \"0.0.0.0:9000\"\n[log]\nformat = \"json\"\n",
        )
        .unwrap();
        let settings = Settings::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(settings.data_dir, PathBuf::from("/srv/finsight"));
        assert_eq!(settings.server.listen.port(), 9000);
        assert_eq!(settings.log.format, LogFormat::Json);
        assert_eq!(settings.log.filter, "info,sqlx=warn");
        let flags = Overrides {
            data_dir: Some(PathBuf::from("/tmp/x")),
            database_url: Some("postgres://db/finsight".into()),
        };
        let settings = Settings::load(Some(&file), &flags).unwrap();
        assert_eq!(settings.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(settings.database_url().unwrap(), "postgres://db/finsight");
    }

    #[test]
    fn bad_files_and_values_are_named() {
        let missing = Settings::load(Some(Path::new("/no/such.toml")), &Overrides::default());
        assert!(format!("{:#}", missing.unwrap_err()).contains("config: file"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.toml");
        std::fs::write(&file, "[server]\nlisten = \"not an address\"\n").unwrap();
        let err = format!(
            "{:#}",
            Settings::load(Some(&file), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("listen"), "{err}");
    }

    #[test]
    fn sqlite_url_points_into_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            data_dir: dir.path().join("data"),
            ..Settings::default()
        };
        let url = settings.database_url().unwrap();
        assert!(url.starts_with("sqlite://") && url.ends_with("data/finsight.sqlite"));
        assert!(dir.path().join("data").is_dir());
    }
}
