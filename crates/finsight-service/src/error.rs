//! What a service call can fail with, in terms the API layers map to their
//! one error table.

use finsight_core::ValidationError;
use finsight_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials (missing, unknown, expired or revoked token).
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong email or password; deliberately says not which.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Too many failed sign-ins; try again after this many seconds.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Locked { retry_after_secs: u64 },
    /// The principal may see the resource but not do this to it (a viewer
    /// writing, an analyst reading personal data, a person managing keys).
    #[error("{0}")]
    Forbidden(&'static str),
    /// Nothing the principal may see has that id. Resources of other
    /// households are reported this way, so their existence does not leak.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(StoreError),
    /// A backing service other than the database (the online feature
    /// store) did not answer; try again.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl ServiceError {
    /// A stable, machine-readable name for what went wrong (the store's
    /// own code for a storage failure); the API maps these to responses in
    /// one table (`finsight-server/src/error.rs`).
    pub fn error_code(&self) -> &'static str {
        match self {
            ServiceError::Unauthenticated => "unauthenticated",
            ServiceError::InvalidCredentials => "invalid_credentials",
            ServiceError::Locked { .. } => "too_many_attempts",
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Invalid(_) => "invalid_input",
            ServiceError::Store(error) => error.error_code(),
            ServiceError::Unavailable(_) => "store_unavailable",
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(invalid) => ServiceError::Invalid(invalid),
            other => ServiceError::Store(other),
        }
    }
}
