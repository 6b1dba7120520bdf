//! A run as Finsight's own jobs record it: created under an experiment
//! (made on first use), parameters, metrics and tags logged as it goes,
//! artifacts stored with their SHA-256, finished with a status.

use finsight_core::TenantId;
use finsight_store::{Artifact, Experiment, Metric, RunInfo};
use sha2::{Digest, Sha256};

use crate::{MlopsError, RegistryPorts};

/// A new run id: 32 hex digits, as MLflow's.
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The experiment called `name`, created if the tenant has none.
pub async fn experiment_named(
    store: &dyn RegistryPorts,
    tenant: TenantId,
    name: &str,
    now: i64,
) -> Result<Experiment, MlopsError> {
    if let Some(found) = store.experiment_by_name(tenant, name).await? {
        return Ok(found);
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let experiment = Experiment {
        artifact_location: format!("finsight:/experiments/{id}"),
        id,
        name: name.to_owned(),
        lifecycle_stage: "active".into(),
        created_at: now,
        updated_at: now,
        tags: Vec::new(),
    };
    match store.create_experiment(tenant, &experiment).await {
        Ok(()) => Ok(experiment),
        // Created meanwhile by another process: use theirs.
        Err(finsight_store::StoreError::Invalid(_)) => store
            .experiment_by_name(tenant, name)
            .await?
            .ok_or_else(|| MlopsError::Broken(format!("experiment {name:?} vanished"))),
        Err(e) => Err(e.into()),
    }
}

/// An open run of one of Finsight's jobs.
pub struct RunRecorder<'s> {
    store: &'s dyn RegistryPorts,
    tenant: TenantId,
    pub info: RunInfo,
}

impl<'s> RunRecorder<'s> {
    pub async fn start(
        store: &'s dyn RegistryPorts,
        tenant: TenantId,
        experiment: &str,
        name: &str,
        user: &str,
        now: i64,
        tags: &[(String, String)],
    ) -> Result<Self, MlopsError> {
        let experiment = experiment_named(store, tenant, experiment, now).await?;
        let id = new_run_id();
        let info = RunInfo {
            artifact_uri: format!("runs:/{id}"),
            id,
            experiment_id: experiment.id,
            name: name.to_owned(),
            status: "RUNNING".into(),
            start_time: now,
            end_time: None,
            lifecycle_stage: "active".into(),
            user: user.to_owned(),
        };
        store.create_run(tenant, &info, tags).await?;
        Ok(Self {
            store,
            tenant,
            info,
        })
    }

    pub async fn log(
        &self,
        params: &[(String, String)],
        metrics: &[(&str, f64)],
        tags: &[(String, String)],
        now: i64,
    ) -> Result<(), MlopsError> {
        let metrics: Vec<Metric> = metrics
            .iter()
            .map(|(key, value)| Metric {
                key: (*key).to_owned(),
                value: *value,
                timestamp: now,
                step: 0,
            })
            .collect();
        self.store
            .log_batch(self.tenant, &self.info.id, &metrics, params, tags)
            .await?;
        Ok(())
    }

    /// Stores bytes under `path`; returns the artifact and the `runs:/`
    /// address a model version points at.
    pub async fn put_artifact(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> Result<(Artifact, String), MlopsError> {
        let artifact = Artifact {
            run_id: self.info.id.clone(),
            path: path.to_owned(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as i64,
        };
        self.store
            .put_artifact(self.tenant, &artifact, bytes)
            .await?;
        let source = format!("runs:/{}/{path}", self.info.id);
        Ok((artifact, source))
    }

    pub async fn finish(&self, status: &str, now: i64) -> Result<(), MlopsError> {
        self.store
            .update_run(self.tenant, &self.info.id, status, Some(now), None)
            .await?;
        Ok(())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Splits `runs:/<run>/<path>` into the run and the artifact path.
pub fn parse_source(source: &str) -> Option<(&str, &str)> {
    let rest = source.strip_prefix("runs:/")?;
    let (run, path) = rest.split_once('/')?;
    (!run.is_empty() && !path.is_empty()).then_some((run, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_name_a_run_and_a_path() {
        assert_eq!(
            parse_source("runs:/abc/model/categorizer.bin"),
            Some(("abc", "model/categorizer.bin"))
        );
        assert_eq!(parse_source("s3://bucket/model"), None);
        assert_eq!(parse_source("runs:/abc"), None);
        assert_eq!(sha256_hex(b"").len(), 64);
        assert_eq!(new_run_id().len(), 32);
    }
}
