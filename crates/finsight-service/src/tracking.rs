//! Experiment tracking writes and reads on behalf of a principal: what the
//! MLflow-compatible API does for analysts' own runs. Staff, services and
//! the operator of a tenant use their tenant's tracking; people never.
//! Creating experiments, registered models and versions is audited; the
//! runs' own metrics and parameters are their record (not the audit log's).

use finsight_core::{Principal, TenantId, ValidationError};
use finsight_mlops::millis;
use finsight_store::{Experiment, Metric, ModelVersion, RunInfo};

use crate::{ServiceError, Services};

/// Limits on what a run may log per call, as MLflow's own.
pub const MAX_BATCH_METRICS: usize = 1000;
pub const MAX_BATCH_PARAMS: usize = 100;
pub const MAX_BATCH_TAGS: usize = 100;
const MAX_KEY: usize = 250;
const MAX_VALUE: usize = 8000;

fn check_text(field: &str, text: &str, max: usize) -> Result<(), ServiceError> {
    if text.is_empty() || text.chars().count() > max {
        return Err(ValidationError::new(
            field.to_owned(),
            format!("must be 1 to {max} characters"),
        )
        .into());
    }
    finsight_core::text::check_printable("text", text)
        .map_err(|e| ValidationError::new(field.to_owned(), e.reason))?;
    Ok(())
}

fn check_pairs(field: &str, pairs: &[(String, String)]) -> Result<(), ServiceError> {
    for (key, value) in pairs {
        check_text(&format!("{field}.key"), key, MAX_KEY)?;
        if value.chars().count() > MAX_VALUE {
            return Err(ValidationError::new(
                format!("{field}.value"),
                format!("must be at most {MAX_VALUE} characters"),
            )
            .into());
        }
    }
    Ok(())
}

/// The experiment MLflow's client logs to when none is set.
pub const DEFAULT_EXPERIMENT: &str = "0";

impl Services {
    /// Creates the tenant's `Default` experiment (id `0`) on first use.
    async fn default_experiment(&self, tenant: TenantId) -> Result<(), ServiceError> {
        if self
            .store
            .experiment(tenant, DEFAULT_EXPERIMENT)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let now = millis(self.clock.now());
        let experiment = Experiment {
            id: DEFAULT_EXPERIMENT.into(),
            name: "Default".into(),
            artifact_location: "finsight:/experiments/0".into(),
            lifecycle_stage: "active".into(),
            created_at: now,
            updated_at: now,
            tags: Vec::new(),
        };
        match self.store.create_experiment(tenant, &experiment).await {
            Ok(()) | Err(finsight_store::StoreError::Invalid(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn tracking_tenant(principal: &Principal) -> Result<TenantId, ServiceError> {
        if principal.may_track_models() {
            Ok(principal.tenant())
        } else {
            Err(ServiceError::NotFound("experiment"))
        }
    }

    pub async fn create_experiment(
        &self,
        principal: &Principal,
        name: &str,
        tags: Vec<(String, String)>,
    ) -> Result<Experiment, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        check_text("name", name, 500)?;
        check_pairs("tags", &tags)?;
        let now = millis(self.clock.now());
        let id = uuid::Uuid::new_v4().simple().to_string();
        let experiment = Experiment {
            artifact_location: format!("finsight:/experiments/{id}"),
            id,
            name: name.to_owned(),
            lifecycle_stage: "active".into(),
            created_at: now,
            updated_at: now,
            tags,
        };
        self.store.create_experiment(tenant, &experiment).await?;
        self.audit_write(
            principal,
            "experiment.create",
            &format!("experiment:{}", experiment.id),
            "",
        )
        .await?;
        Ok(experiment)
    }

    pub async fn experiment(
        &self,
        principal: &Principal,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<Experiment, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        if id == Some(DEFAULT_EXPERIMENT) || name == Some("Default") {
            self.default_experiment(tenant).await?;
        }
        let found = match (id, name) {
            (Some(id), _) => self.store.experiment(tenant, id).await?,
            (None, Some(name)) => self.store.experiment_by_name(tenant, name).await?,
            (None, None) => {
                return Err(ValidationError::new("experiment_id", "is required").into());
            }
        };
        found.ok_or(ServiceError::NotFound("experiment"))
    }

    pub async fn set_experiment_tag(
        &self,
        principal: &Principal,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<(), ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        check_pairs("tag", &[(key.to_owned(), value.to_owned())])?;
        if self
            .store
            .set_experiment_tag(tenant, id, key, value)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound("experiment"))
        }
    }

    pub async fn create_run(
        &self,
        principal: &Principal,
        experiment_id: &str,
        name: Option<&str>,
        start_time: Option<i64>,
        tags: Vec<(String, String)>,
    ) -> Result<RunInfo, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        check_pairs("tags", &tags)?;
        if experiment_id == DEFAULT_EXPERIMENT {
            self.default_experiment(tenant).await?;
        }
        if self
            .store
            .experiment(tenant, experiment_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound("experiment"));
        }
        let id = finsight_mlops::tracking::new_run_id();
        let run = RunInfo {
            artifact_uri: format!("runs:/{id}"),
            name: name.map_or_else(|| format!("run-{}", &id[..8]), str::to_owned),
            id,
            experiment_id: experiment_id.to_owned(),
            status: "RUNNING".into(),
            start_time: start_time.unwrap_or_else(|| millis(self.clock.now())),
            end_time: None,
            lifecycle_stage: "active".into(),
            user: principal.actor(),
        };
        self.store.create_run(tenant, &run, &tags).await?;
        Ok(run)
    }

    pub async fn update_run(
        &self,
        principal: &Principal,
        id: &str,
        status: &str,
        end_time: Option<i64>,
        name: Option<&str>,
    ) -> Result<RunInfo, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        if !["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"].contains(&status) {
            return Err(ValidationError::new(
                "status",
                "must be RUNNING, SCHEDULED, FINISHED, FAILED or KILLED",
            )
            .into());
        }
        if !self
            .store
            .update_run(tenant, id, status, end_time, name)
            .await?
        {
            return Err(ServiceError::NotFound("run"));
        }
        Ok(self.run(principal, id).await?.info)
    }

    pub async fn log_batch(
        &self,
        principal: &Principal,
        run_id: &str,
        metrics: Vec<Metric>,
        params: Vec<(String, String)>,
        tags: Vec<(String, String)>,
    ) -> Result<(), ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        if metrics.len() > MAX_BATCH_METRICS
            || params.len() > MAX_BATCH_PARAMS
            || tags.len() > MAX_BATCH_TAGS
        {
            return Err(ValidationError::new(
                "metrics",
                format!(
                    "a batch holds at most {MAX_BATCH_METRICS} metrics, {MAX_BATCH_PARAMS} \
                     params and {MAX_BATCH_TAGS} tags"
                ),
            )
            .into());
        }
        for metric in &metrics {
            check_text("metrics.key", &metric.key, MAX_KEY)?;
        }
        check_pairs("params", &params)?;
        check_pairs("tags", &tags)?;
        if self
            .store
            .log_batch(tenant, run_id, &metrics, &params, &tags)
            .await?
        {
            Ok(())
        } else {
            Err(ServiceError::NotFound("run"))
        }
    }

    pub async fn metric_history(
        &self,
        principal: &Principal,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<Metric>, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        if self.store.run(tenant, run_id).await?.is_none() {
            return Err(ServiceError::NotFound("run"));
        }
        Ok(self.store.metric_history(tenant, run_id, key).await?)
    }

    pub async fn create_registered_model(
        &self,
        principal: &Principal,
        name: &str,
        description: &str,
    ) -> Result<(), ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        check_text("name", name, 250)?;
        self.store
            .create_registered_model(tenant, name, description, millis(self.clock.now()))
            .await?;
        self.audit_write(principal, "model.create", &format!("model:{name}"), "")
            .await
    }

    pub async fn create_model_version(
        &self,
        principal: &Principal,
        name: &str,
        source: &str,
        run_id: Option<&str>,
        description: &str,
    ) -> Result<ModelVersion, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        check_text("source", source, 1000)?;
        if self.store.registered_model(tenant, name).await?.is_none() {
            return Err(ServiceError::NotFound("registered model"));
        }
        if let Some(run) = run_id
            && self.store.run(tenant, run).await?.is_none()
        {
            return Err(ServiceError::NotFound("run"));
        }
        let version = self
            .store
            .create_model_version(
                tenant,
                name,
                run_id,
                source,
                description,
                millis(self.clock.now()),
            )
            .await?;
        self.audit_write(
            principal,
            "model.version.create",
            &format!("model:{name}/{}", version.version),
            run_id.unwrap_or(""),
        )
        .await?;
        Ok(version)
    }

    pub async fn model_version(
        &self,
        principal: &Principal,
        name: &str,
        version: i64,
    ) -> Result<ModelVersion, ServiceError> {
        let tenant = Self::tracking_tenant(principal)?;
        self.store
            .model_version(tenant, name, version)
            .await?
            .ok_or(ServiceError::NotFound("model version"))
    }

    /// The version an alias points at.
    pub async fn model_version_by_alias(
        &self,
        principal: &Principal,
        name: &str,
        alias: &str,
    ) -> Result<ModelVersion, ServiceError> {
        let model = self.registered_model(principal, name).await?;
        let version = model
            .aliases
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, v)| *v)
            .ok_or(ServiceError::NotFound("alias"))?;
        self.model_version(principal, name, version).await
    }
}
