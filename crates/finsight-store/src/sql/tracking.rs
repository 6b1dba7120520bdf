//! [`TrackingStore`](crate::TrackingStore) on both backends: experiments,
//! runs with their parameters, metrics and tags, and artifacts. Every query names the tenant, so one tenant's runs and models are
//! invisible to another's.

use finsight_core::{TenantId, ValidationError};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore, already_exists, missing, page_bounds};
use crate::StoreError;
use crate::registry::{Artifact, Experiment, Metric, Page, Run, RunInfo};

type ExperimentRow = (String, String, String, String, i64, i64);
type RunRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    String,
);
const RUN_COLUMNS: &str = "id, experiment_id, name, status, start_time, end_time, \
                           lifecycle_stage, user_name, artifact_uri";

fn run_info(row: RunRow) -> RunInfo {
    let (id, experiment_id, name, status, start_time, end_time, lifecycle_stage, user, uri) = row;
    RunInfo {
        id,
        experiment_id,
        name,
        status,
        start_time,
        end_time,
        lifecycle_stage,
        user,
        artifact_uri: uri,
    }
}

impl<B> SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> f64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
{
    async fn experiment_with_tags(
        &self,
        tenant: &str,
        row: Option<ExperimentRow>,
    ) -> Result<Option<Experiment>, StoreError> {
        let Some((id, name, artifact_location, lifecycle_stage, created_at, updated_at)) = row
        else {
            return Ok(None);
        };
        let tags: Vec<(String, String)> = sqlx::query_as(
            "SELECT key, value FROM ml_experiment_tags
             WHERE tenant_id = $1 AND experiment_id = $2 ORDER BY key",
        )
        .bind(tenant)
        .bind(&id)
        .fetch_all(self.read_pool())
        .await?;
        Ok(Some(Experiment {
            id,
            name,
            artifact_location,
            lifecycle_stage,
            created_at,
            updated_at,
            tags,
        }))
    }

    async fn run_with_data(&self, info: RunInfo) -> Result<Run, StoreError> {
        let params: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM ml_params WHERE run_id = $1 ORDER BY key")
                .bind(&info.id)
                .fetch_all(self.read_pool())
                .await?;
        let tags: Vec<(String, String)> =
            sqlx::query_as("SELECT key, value FROM ml_tags WHERE run_id = $1 ORDER BY key")
                .bind(&info.id)
                .fetch_all(self.read_pool())
                .await?;
        let rows: Vec<(String, f64, i64, i64)> = sqlx::query_as(
            "SELECT key, value, timestamp, step FROM ml_metrics WHERE run_id = $1
             ORDER BY key, step, timestamp, seq",
        )
        .bind(&info.id)
        .fetch_all(self.read_pool())
        .await?;
        let mut metrics: Vec<Metric> = Vec::new();
        for (key, value, timestamp, step) in rows {
            // Ordered by step then time: the last of a key is its latest.
            if metrics.last().is_some_and(|m| m.key == key) {
                metrics.pop();
            }
            metrics.push(Metric {
                key,
                value,
                timestamp,
                step,
            });
        }
        Ok(Run {
            info,
            params,
            tags,
            metrics,
        })
    }

    async fn run_exists(&self, tenant: &str, run_id: &str) -> Result<bool, StoreError> {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT id FROM ml_runs WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(run_id)
                .fetch_optional(self.read_pool())
                .await?;
        Ok(found.is_some())
    }
}

#[async_trait::async_trait]
impl<B> crate::TrackingStore for SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> f64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
{
    async fn create_experiment(
        &self,
        tenant: TenantId,
        experiment: &Experiment,
    ) -> Result<(), StoreError> {
        let tenant = tenant.to_string();
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO ml_experiments
                (tenant_id, id, name, artifact_location, lifecycle_stage, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&tenant)
        .bind(&experiment.id)
        .bind(&experiment.name)
        .bind(&experiment.artifact_location)
        .bind(&experiment.lifecycle_stage)
        .bind(experiment.created_at)
        .bind(experiment.updated_at)
        .execute(&mut *tx)
        .await?;
        if super::RowsAffected::rows_affected(&inserted) == 0 {
            return Err(already_exists(
                "name",
                format!("experiment {:?}", experiment.name),
            ));
        }
        for (key, value) in &experiment.tags {
            sqlx::query(
                "INSERT INTO ml_experiment_tags (tenant_id, experiment_id, key, value)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant_id, experiment_id, key) DO UPDATE SET value = excluded.value",
            )
            .bind(&tenant)
            .bind(&experiment.id)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn experiment(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<Experiment>, StoreError> {
        let tenant = tenant.to_string();
        let row: Option<ExperimentRow> = sqlx::query_as(
            "SELECT id, name, artifact_location, lifecycle_stage, created_at, updated_at
             FROM ml_experiments WHERE tenant_id = $1 AND id = $2",
        )
        .bind(&tenant)
        .bind(id)
        .fetch_optional(self.read_pool())
        .await?;
        self.experiment_with_tags(&tenant, row).await
    }

    async fn experiment_by_name(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<Experiment>, StoreError> {
        let tenant = tenant.to_string();
        let row: Option<ExperimentRow> = sqlx::query_as(
            "SELECT id, name, artifact_location, lifecycle_stage, created_at, updated_at
             FROM ml_experiments WHERE tenant_id = $1 AND name = $2",
        )
        .bind(&tenant)
        .bind(name)
        .fetch_optional(self.read_pool())
        .await?;
        self.experiment_with_tags(&tenant, row).await
    }

    async fn experiments(
        &self,
        tenant: TenantId,
        page: Page,
    ) -> Result<Vec<Experiment>, StoreError> {
        let tenant = tenant.to_string();
        let (limit, offset) = page_bounds(page);
        let rows: Vec<ExperimentRow> = sqlx::query_as(
            "SELECT id, name, artifact_location, lifecycle_stage, created_at, updated_at
             FROM ml_experiments WHERE tenant_id = $1 AND lifecycle_stage = 'active'
             ORDER BY created_at, id LIMIT $2 OFFSET $3",
        )
        .bind(&tenant)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.read_pool())
        .await?;
        let mut experiments = Vec::with_capacity(rows.len());
        for row in rows {
            experiments.extend(self.experiment_with_tags(&tenant, Some(row)).await?);
        }
        Ok(experiments)
    }

    async fn set_experiment_tag(
        &self,
        tenant: TenantId,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, StoreError> {
        if self.experiment(tenant, id).await?.is_none() {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO ml_experiment_tags (tenant_id, experiment_id, key, value)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, experiment_id, key) DO UPDATE SET value = excluded.value",
        )
        .bind(tenant.to_string())
        .bind(id)
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_run(
        &self,
        tenant: TenantId,
        run: &RunInfo,
        tags: &[(String, String)],
    ) -> Result<(), StoreError> {
        if self.experiment(tenant, &run.experiment_id).await?.is_none() {
            return Err(missing(
                "experiment_id",
                format!("experiment {:?}", run.experiment_id),
            ));
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO ml_runs (tenant_id, {RUN_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(tenant.to_string())
        .bind(&run.id)
        .bind(&run.experiment_id)
        .bind(&run.name)
        .bind(&run.status)
        .bind(run.start_time)
        .bind(run.end_time)
        .bind(&run.lifecycle_stage)
        .bind(&run.user)
        .bind(&run.artifact_uri)
        .execute(&mut *tx)
        .await?;
        for (key, value) in tags {
            sqlx::query(
                "INSERT INTO ml_tags (run_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
            )
            .bind(&run.id)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn update_run(
        &self,
        tenant: TenantId,
        id: &str,
        status: &str,
        end_time: Option<i64>,
        name: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let updated = sqlx::query(
            "UPDATE ml_runs SET status = $3, end_time = COALESCE($4, end_time),
                    name = COALESCE($5, name)
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(id)
        .bind(status)
        .bind(end_time)
        .bind(name)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(super::RowsAffected::rows_affected(&updated) > 0)
    }

    async fn run(&self, tenant: TenantId, id: &str) -> Result<Option<Run>, StoreError> {
        let row: Option<RunRow> = sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM ml_runs WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.read_pool())
        .await?;
        match row {
            Some(row) => Ok(Some(self.run_with_data(run_info(row)).await?)),
            None => Ok(None),
        }
    }

    async fn runs(
        &self,
        tenant: TenantId,
        experiment_ids: &[String],
        page: Page,
    ) -> Result<Vec<Run>, StoreError> {
        if experiment_ids.is_empty() {
            return Ok(Vec::new());
        }
        let (limit, offset) = page_bounds(page);
        // Every parameter in the backend's own style, numbered in the order
        // they appear (SQLite numbers `?` after the ones before it).
        let parameter = super::parameter::<B>;
        let list: Vec<String> = (0..experiment_ids.len())
            .map(|n| parameter(n + 2))
            .collect();
        let count = experiment_ids.len();
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM ml_runs
             WHERE tenant_id = {} AND lifecycle_stage = 'active' AND experiment_id IN ({})
             ORDER BY start_time DESC, id LIMIT {} OFFSET {}",
            parameter(1),
            list.join(", "),
            parameter(count + 2),
            parameter(count + 3),
        );
        let mut query = sqlx::query_as::<_, RunRow>(&sql).bind(tenant.to_string());
        for id in experiment_ids {
            query = query.bind(id);
        }
        let rows = query
            .bind(limit)
            .bind(offset)
            .fetch_all(self.read_pool())
            .await?;
        let mut runs = Vec::with_capacity(rows.len());
        for row in rows {
            runs.push(self.run_with_data(run_info(row)).await?);
        }
        Ok(runs)
    }

    async fn log_batch(
        &self,
        tenant: TenantId,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<bool, StoreError> {
        if !self.run_exists(&tenant.to_string(), run_id).await? {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        for (key, value) in params {
            let stored: Option<(String,)> =
                sqlx::query_as("SELECT value FROM ml_params WHERE run_id = $1 AND key = $2")
                    .bind(run_id)
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            match stored {
                Some((old,)) if old != *value => {
                    return Err(StoreError::Invalid(ValidationError::new(
                        "params",
                        format!(
                            "parameter {key:?} was logged as {old:?}; a run's parameter keeps its value"
                        ),
                    )));
                }
                Some(_) => {}
                None => {
                    sqlx::query("INSERT INTO ml_params (run_id, key, value) VALUES ($1, $2, $3)")
                        .bind(run_id)
                        .bind(key)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        for (key, value) in tags {
            sqlx::query(
                "INSERT INTO ml_tags (run_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
            )
            .bind(run_id)
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        for chunk in metrics.chunks(1000) {
            let mut sql = String::from(
                "INSERT INTO ml_metrics (run_id, key, value, timestamp, step) VALUES ",
            );
            for row in 0..chunk.len() {
                if row > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for column in 0..5 {
                    if column > 0 {
                        sql.push_str(", ");
                    }
                    B::push_parameter(&mut sql, row * 5 + column + 1);
                }
                sql.push(')');
            }
            let mut query = sqlx::query(&sql);
            for metric in chunk {
                query = query
                    .bind(run_id)
                    .bind(&metric.key)
                    .bind(metric.value)
                    .bind(metric.timestamp)
                    .bind(metric.step);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn metric_history(
        &self,
        tenant: TenantId,
        run_id: &str,
        key: &str,
    ) -> Result<Vec<Metric>, StoreError> {
        if !self.run_exists(&tenant.to_string(), run_id).await? {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, f64, i64, i64)> = sqlx::query_as(
            "SELECT key, value, timestamp, step FROM ml_metrics WHERE run_id = $1 AND key = $2
             ORDER BY step, timestamp, seq",
        )
        .bind(run_id)
        .bind(key)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key, value, timestamp, step)| Metric {
                key,
                value,
                timestamp,
                step,
            })
            .collect())
    }

    async fn put_artifact(
        &self,
        tenant: TenantId,
        artifact: &Artifact,
        bytes: &[u8],
    ) -> Result<bool, StoreError> {
        if !self
            .run_exists(&tenant.to_string(), &artifact.run_id)
            .await?
        {
            return Ok(false);
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO ml_artifacts (run_id, path, sha256, size, content)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (run_id, path) DO UPDATE SET
                sha256 = excluded.sha256, size = excluded.size, content = excluded.content",
        )
        .bind(&artifact.run_id)
        .bind(&artifact.path)
        .bind(&artifact.sha256)
        .bind(artifact.size)
        .bind(bytes)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn artifact(
        &self,
        tenant: TenantId,
        run_id: &str,
        path: &str,
    ) -> Result<Option<(Artifact, Vec<u8>)>, StoreError> {
        if !self.run_exists(&tenant.to_string(), run_id).await? {
            return Ok(None);
        }
        let row: Option<(String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT sha256, size, content FROM ml_artifacts WHERE run_id = $1 AND path = $2",
        )
        .bind(run_id)
        .bind(path)
        .fetch_optional(self.read_pool())
        .await?;
        Ok(row.map(|(sha256, size, content)| {
            (
                Artifact {
                    run_id: run_id.to_owned(),
                    path: path.to_owned(),
                    sha256,
                    size,
                },
                content,
            )
        }))
    }

    async fn artifacts(&self, tenant: TenantId, run_id: &str) -> Result<Vec<Artifact>, StoreError> {
        if !self.run_exists(&tenant.to_string(), run_id).await? {
            return Ok(Vec::new());
        }
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT path, sha256, size FROM ml_artifacts WHERE run_id = $1 ORDER BY path",
        )
        .bind(run_id)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(path, sha256, size)| Artifact {
                run_id: run_id.to_owned(),
                path,
                sha256,
                size,
            })
            .collect())
    }
}
