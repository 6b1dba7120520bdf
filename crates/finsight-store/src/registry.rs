//! Experiment tracking and the model registry, per tenant: experiments,
//! runs with their parameters, metrics (every step), tags and artifacts
//! (bytes with their SHA-256), registered models with numbered versions,
//! and aliases (`champion`, `challenger`, any name) whose every move is
//! kept, so a rollback knows where to go back to. Shaped like MLflow's
//! entities so its REST API maps onto it one to one. Times are
//! milliseconds since the Unix epoch, as MLflow's are.

use finsight_core::TenantId;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    pub id: String,
    pub name: String,
    pub artifact_location: String,
    /// `active` or `deleted`.
    pub lifecycle_stage: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// 32 hex digits.
    pub id: String,
    pub experiment_id: String,
    pub name: String,
    /// `RUNNING`, `SCHEDULED`, `FINISHED`, `FAILED` or `KILLED`.
    pub status: String,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub lifecycle_stage: String,
    pub user: String,
    pub artifact_uri: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub key: String,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
}

/// A run with its data: parameters and tags by key, and each metric's
/// latest value (the greatest step, then the latest time).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub info: RunInfo,
    pub params: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    pub run_id: String,
    pub path: String,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredModel {
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Alias → version.
    pub aliases: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelVersion {
    pub name: String,
    pub version: i64,
    pub run_id: Option<String>,
    /// Where the model's bytes are (`runs:/<run>/<path>`).
    pub source: String,
    /// `READY` (the only state Finsight's versions are in).
    pub status: String,
    pub description: String,
    pub created_at: i64,
    pub aliases: Vec<String>,
}

/// One move of an alias: to `version` (none: deleted) from `previous`.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasMove {
    pub alias: String,
    pub version: Option<i64>,
    pub previous: Option<i64>,
    pub at: i64,
}

/// A page request over a search: skip `offset`, return at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u32,
    pub limit: u32,
}

#[async_trait::async_trait]
/// Experiments, runs, their metrics, parameters, tags and artifacts.
pub trait TrackingStore: Send + Sync {
    /// Creates an experiment; `Invalid` naming `name` if the tenant has
    /// one by that name.
    async fn create_experiment(
        &self,
        tenant: TenantId,
        experiment: &Experiment,
    ) -> Result<(), StoreError>;
    async fn experiment(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<Experiment>, StoreError>;
    async fn experiment_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Experiment>, StoreError>;
    /// Active experiments, oldest first.
    async fn experiments(
        &self,
        tenant: TenantId,
        page: Page,
    ) -> Result<Vec<Experiment>, StoreError>;
    async fn set_experiment_tag(
        &self,
        tenant: TenantId,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, StoreError>;

    /// Creates a run (its experiment must exist) with its first tags.
    async fn create_run(
        &self,
        tenant: TenantId,
        run: &RunInfo,
        tags: &[(String, String)],
    ) -> Result<(), StoreError>;
    /// Sets status, end time and name; false when there is no such run.
    async fn update_run(
        &self,
        tenant: TenantId,
        id: &str,
        status: &str,
        end_time: Option<i64>,
        name: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn run(&self, tenant: TenantId, id: &str) -> Result<Option<Run>, StoreError>;
    /// Runs of these experiments, newest first.
    async fn runs(
        &self,
        tenant: TenantId,
        experiment_ids: &[String],
        page: Page,
    ) -> Result<Vec<Run>, StoreError>;
    /// Logs metrics, parameters and tags in one commit. A parameter, once
    /// logged, keeps its value: another value is `Invalid` naming it.
    /// False when there is no such run.
    async fn log_batch(
        &self,
        tenant: TenantId,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<bool, StoreError>;
    /// Every logged value of one metric, by step and time.
    async fn metric_history(
        &self,
        tenant: TenantId,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<Metric>, StoreError>;
    /// Stores an artifact's bytes (replacing any at the same path).
    async fn put_artifact(
        &self,
        tenant: TenantId,
        artifact: &Artifact,
        bytes: &[u8],
    ) -> Result<bool, StoreError>;
    async fn artifact(
        &self,
        tenant: TenantId,
        run_id: &str,
        path: &str,
    ) -> Result<Option<(Artifact, Vec<u8>)>, StoreError>;
    async fn artifacts(&self, tenant: TenantId, run_id: &str) -> Result<Vec<Artifact>, StoreError>;
}

/// Registered models, their versions and aliases.
#[async_trait::async_trait]
pub trait ModelRegistryStore: Send + Sync {
    /// Creates a registered model; `Invalid` naming `name` if it exists.
    async fn create_registered_model(
        &self,
        tenant: TenantId,
        name: &str,
        description: &str,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn registered_model(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<RegisteredModel>, StoreError>;
    async fn registered_models(
        &self,
        tenant: TenantId,
        page: Page,
    ) -> Result<Vec<RegisteredModel>, StoreError>;
    /// Adds the next version of a registered model (which must exist).
    async fn create_model_version(
        &self,
        tenant: TenantId,
        name: &str,
        run_id: Option<&str>,
        source: &str,
        description: &str,
        now: i64,
    ) -> Result<ModelVersion, StoreError>;
    async fn model_version(
        &self,
        tenant: TenantId,
        name: &str,
        version: i64,
    ) -> Result<Option<ModelVersion>, StoreError>;
    /// Versions of one model (or of every model), newest first.
    async fn model_versions(
        &self,
        tenant: TenantId,
        name: Option<&str>,
        page: Page,
    ) -> Result<Vec<ModelVersion>, StoreError>;
    /// Points `alias` at `version` (which must exist) and records the move;
    /// returns the version it pointed at before.
    async fn set_alias(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
        version: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// Removes an alias (recording the move); the version it pointed at.
    async fn delete_alias(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError>;
    /// Every move of one alias, newest first.
    async fn alias_moves(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
    ) -> Result<Vec<AliasMove>, StoreError>;
    /// Every (tenant, model, alias, version) whose alias is `alias`: what
    /// serving loads at start and polls for moves.
    async fn aliased_versions(
        &self,
        alias: &str,
    ) -> Result<Vec<(TenantId, ModelVersion)>, StoreError>;
}
