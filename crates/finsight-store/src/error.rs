//! Storage errors: what the caller did wrong (validation), what the
//! configuration says wrongly, and what went wrong underneath.

use finsight_core::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request names something that does not exist or does not fit
    /// (unknown account, currency that differs from the account's). Nothing
    /// of the request was written.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// A stored row no longer parses into a domain value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The SQLite bulk write path (rusqlite) failed.
    #[error("database error: {0}")]
    Bulk(#[from] rusqlite::Error),
    /// Work handed to another thread ended without an answer (it panicked,
    /// or the runtime is shutting down): nothing to do with stored data.
    #[error("{task} did not finish: {reason}")]
    Task { task: &'static str, reason: String },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
