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

impl StoreError {
    /// A stable, machine-readable name for what went wrong; the API maps
    /// these to responses in one table (`finsight-server/src/error.rs`).
    /// `store_unavailable` means "try again": the database did not answer
    /// in time, or is busy or unreachable.
    pub fn error_code(&self) -> &'static str {
        match self {
            StoreError::Invalid(_) => "invalid_input",
            StoreError::Config(_) => "store_misconfigured",
            StoreError::Corrupt(_) => "store_corrupt",
            StoreError::Database(error) if unavailable(error) => "store_unavailable",
            StoreError::Database(_) => "store_failed",
            StoreError::Bulk(rusqlite::Error::SqliteFailure(error, _))
                if matches!(
                    error.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                "store_unavailable"
            }
            StoreError::Bulk(_) => "store_failed",
            StoreError::Task { .. } => "task_failed",
            StoreError::Migrate(_) => "migration_failed",
        }
    }
}

/// Whether a driver error means the database could not be reached or did
/// not answer in time (as opposed to a statement that failed).
fn unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            // SQLITE_BUSY / SQLITE_LOCKED; PostgreSQL's "cannot connect now"
            // and "too many connections".
            matches!(db.code().as_deref(), Some("5" | "6" | "57P03" | "53300"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn each_error_has_a_stable_code() {
        assert_eq!(
            StoreError::Database(sqlx::Error::PoolTimedOut).error_code(),
            "store_unavailable"
        );
        assert_eq!(
            StoreError::Database(sqlx::Error::RowNotFound).error_code(),
            "store_failed"
        );
        assert_eq!(
            StoreError::Corrupt("x".into()).error_code(),
            "store_corrupt"
        );
        let task = StoreError::Task {
            task: "sealing",
            reason: "panicked".into(),
        };
        assert_eq!(task.error_code(), "task_failed");
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert_eq!(StoreError::Bulk(busy).error_code(), "store_unavailable");
    }
}
