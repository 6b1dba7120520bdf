//! Model operations: what turns the pure models of `finsight-models` into
//! served, versioned, traceable ones. [`tracking`] records runs (params,
//! metrics per step, tags, artifacts by hash) through the store's
//! `TrackingStore`; [`registry`] registers versions and moves aliases
//! (promotion, rollback to where the alias was before); [`training`] is the
//! categorizer's training job (time-ordered holdout, the champion on the
//! same holdout, an explicit promotion rule, everything logged);
//! [`serving`] keeps each tenant's `champion` in memory and swaps it when
//! the alias moves, without a restart and without a failed request.

pub mod registry;
pub mod serving;
pub mod tracking;
pub mod training;

pub use finsight_store::RegistryPorts;
use finsight_store::StoreError;

/// The registered model every tenant's categorizer is a version of.
pub const CATEGORIZER: &str = "categorizer";
/// The alias serving loads.
pub const CHAMPION: &str = "champion";
/// The experiment training runs are recorded under.
pub const TRAINING_EXPERIMENT: &str = "finsight-training";

#[derive(Debug, thiserror::Error)]
pub enum MlopsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Model(#[from] finsight_models::CategorizerError),
    /// The registry points at something that is not there or not intact.
    #[error("{0}")]
    Broken(String),
    /// Nothing to do it with: no labelled data, no earlier champion.
    #[error("{0}")]
    Nothing(String),
}

/// Milliseconds since the Unix epoch, the registry's unit of time.
pub fn millis(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
