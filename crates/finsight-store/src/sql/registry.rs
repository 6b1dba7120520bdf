//! [`ModelRegistryStore`](crate::ModelRegistryStore) on both backends:
//! registered models, numbered versions, aliases and every alias move. Every query names the tenant, so one tenant's runs and models are
//! invisible to another's.

use finsight_core::TenantId;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore, already_exists, missing, page_bounds};
use crate::StoreError;
use crate::registry::{AliasMove, ModelVersion, Page, RegisteredModel};

type VersionRow = (String, i64, Option<String>, String, String, String, i64);

const VERSION_COLUMNS: &str = "name, version, run_id, source, status, description, created_at";

fn version_of(row: VersionRow, aliases: &[(String, String, i64)]) -> ModelVersion {
    let (name, version, run_id, source, status, description, created_at) = row;
    ModelVersion {
        aliases: aliases
            .iter()
            .filter(|(model, _, v)| *model == name && *v == version)
            .map(|(_, alias, _)| alias.clone())
            .collect(),
        name,
        version,
        run_id,
        source,
        status,
        description,
        created_at,
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
    async fn aliases_of(
        &self,
        tenant: &str,
        name: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT name, alias, version FROM ml_aliases
             WHERE tenant_id = $1 AND ($2 IS NULL OR name = $2) ORDER BY name, alias",
        )
        .bind(tenant)
        .bind(name)
        .fetch_all(self.read_pool())
        .await?)
    }
}

#[async_trait::async_trait]
impl<B> crate::ModelRegistryStore for SqlStore<B>
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
    async fn create_registered_model(
        &self,
        tenant: TenantId,
        name: &str,
        description: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO ml_models (tenant_id, name, description, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.to_string())
        .bind(name)
        .bind(description)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if super::RowsAffected::rows_affected(&inserted) == 0 {
            return Err(already_exists("name", format!("registered model {name:?}")));
        }
        Ok(())
    }

    async fn registered_model(
        &self,
        tenant: TenantId,
        name: &str,
    ) -> Result<Option<RegisteredModel>, StoreError> {
        let tenant = tenant.to_string();
        let row: Option<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, description, created_at, updated_at FROM ml_models
             WHERE tenant_id = $1 AND name = $2",
        )
        .bind(&tenant)
        .bind(name)
        .fetch_optional(self.read_pool())
        .await?;
        let Some((name, description, created_at, updated_at)) = row else {
            return Ok(None);
        };
        let aliases = self.aliases_of(&tenant, Some(&name)).await?;
        Ok(Some(RegisteredModel {
            name,
            description,
            created_at,
            updated_at,
            aliases: aliases.into_iter().map(|(_, a, v)| (a, v)).collect(),
        }))
    }

    async fn registered_models(
        &self,
        tenant: TenantId,
        page: Page,
    ) -> Result<Vec<RegisteredModel>, StoreError> {
        let tenant = tenant.to_string();
        let (limit, offset) = page_bounds(page);
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, description, created_at, updated_at FROM ml_models
             WHERE tenant_id = $1 ORDER BY name LIMIT $2 OFFSET $3",
        )
        .bind(&tenant)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.read_pool())
        .await?;
        let aliases = self.aliases_of(&tenant, None).await?;
        Ok(rows
            .into_iter()
            .map(
                |(name, description, created_at, updated_at)| RegisteredModel {
                    aliases: aliases
                        .iter()
                        .filter(|(model, _, _)| *model == name)
                        .map(|(_, a, v)| (a.clone(), *v))
                        .collect(),
                    name,
                    description,
                    created_at,
                    updated_at,
                },
            )
            .collect())
    }

    async fn create_model_version(
        &self,
        tenant: TenantId,
        name: &str,
        run_id: Option<&str>,
        source: &str,
        description: &str,
        now: i64,
    ) -> Result<ModelVersion, StoreError> {
        let tenant = tenant.to_string();
        let mut tx = self.write_tx().await?;
        // Touching the model's row first serialises concurrent versions.
        let touched =
            sqlx::query("UPDATE ml_models SET updated_at = $3 WHERE tenant_id = $1 AND name = $2")
                .bind(&tenant)
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if super::RowsAffected::rows_affected(&touched) == 0 {
            return Err(missing("name", format!("registered model {name:?}")));
        }
        let (version,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM ml_model_versions
             WHERE tenant_id = $1 AND name = $2",
        )
        .bind(&tenant)
        .bind(name)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO ml_model_versions (tenant_id, {VERSION_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, 'READY', $6, $7)"
        ))
        .bind(&tenant)
        .bind(name)
        .bind(version)
        .bind(run_id)
        .bind(source)
        .bind(description)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ModelVersion {
            name: name.to_owned(),
            version,
            run_id: run_id.map(str::to_owned),
            source: source.to_owned(),
            status: "READY".into(),
            description: description.to_owned(),
            created_at: now,
            aliases: Vec::new(),
        })
    }

    async fn model_version(
        &self,
        tenant: TenantId,
        name: &str,
        version: i64,
    ) -> Result<Option<ModelVersion>, StoreError> {
        let tenant = tenant.to_string();
        let row: Option<VersionRow> = sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM ml_model_versions
             WHERE tenant_id = $1 AND name = $2 AND version = $3"
        ))
        .bind(&tenant)
        .bind(name)
        .bind(version)
        .fetch_optional(self.read_pool())
        .await?;
        let aliases = self.aliases_of(&tenant, Some(name)).await?;
        Ok(row.map(|row| version_of(row, &aliases)))
    }

    async fn model_versions(
        &self,
        tenant: TenantId,
        name: Option<&str>,
        page: Page,
    ) -> Result<Vec<ModelVersion>, StoreError> {
        let tenant = tenant.to_string();
        let (limit, offset) = page_bounds(page);
        let rows: Vec<VersionRow> = sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM ml_model_versions
             WHERE tenant_id = $1 AND ($2 IS NULL OR name = $2)
             ORDER BY name, version DESC LIMIT $3 OFFSET $4"
        ))
        .bind(&tenant)
        .bind(name)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.read_pool())
        .await?;
        let aliases = self.aliases_of(&tenant, name).await?;
        Ok(rows
            .into_iter()
            .map(|row| version_of(row, &aliases))
            .collect())
    }

    async fn set_alias(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
        version: i64,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let tenant = tenant.to_string();
        let mut tx = self.write_tx().await?;
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM ml_model_versions
             WHERE tenant_id = $1 AND name = $2 AND version = $3",
        )
        .bind(&tenant)
        .bind(name)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Err(missing("version", format!("version {version} of {name:?}")));
        }
        let previous: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM ml_aliases WHERE tenant_id = $1 AND name = $2 AND alias = $3",
        )
        .bind(&tenant)
        .bind(name)
        .bind(alias)
        .fetch_optional(&mut *tx)
        .await?;
        let previous = previous.map(|(v,)| v);
        if previous != Some(version) {
            sqlx::query(
                "INSERT INTO ml_aliases (tenant_id, name, alias, version, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (tenant_id, name, alias) DO UPDATE SET
                    version = excluded.version, updated_at = excluded.updated_at",
            )
            .bind(&tenant)
            .bind(name)
            .bind(alias)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO ml_alias_moves (tenant_id, name, alias, version, previous, at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&tenant)
            .bind(name)
            .bind(alias)
            .bind(Some(version))
            .bind(previous)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(previous)
    }

    async fn delete_alias(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
        now: i64,
    ) -> Result<Option<i64>, StoreError> {
        let tenant = tenant.to_string();
        let mut tx = self.write_tx().await?;
        let previous: Option<(i64,)> = sqlx::query_as(
            "SELECT version FROM ml_aliases WHERE tenant_id = $1 AND name = $2 AND alias = $3",
        )
        .bind(&tenant)
        .bind(name)
        .bind(alias)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((version,)) = previous {
            sqlx::query("DELETE FROM ml_aliases WHERE tenant_id = $1 AND name = $2 AND alias = $3")
                .bind(&tenant)
                .bind(name)
                .bind(alias)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO ml_alias_moves (tenant_id, name, alias, version, previous, at)
                 VALUES ($1, $2, $3, NULL, $4, $5)",
            )
            .bind(&tenant)
            .bind(name)
            .bind(alias)
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(previous.map(|(v,)| v))
    }

    async fn alias_moves(
        &self,
        tenant: TenantId,
        name: &str,
        alias: &str,
    ) -> Result<Vec<AliasMove>, StoreError> {
        let rows: Vec<(String, Option<i64>, Option<i64>, i64)> = sqlx::query_as(
            "SELECT alias, version, previous, at FROM ml_alias_moves
             WHERE tenant_id = $1 AND name = $2 AND alias = $3 ORDER BY seq DESC",
        )
        .bind(tenant.to_string())
        .bind(name)
        .bind(alias)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(alias, version, previous, at)| AliasMove {
                alias,
                version,
                previous,
                at,
            })
            .collect())
    }

    async fn aliased_versions(
        &self,
        alias: &str,
    ) -> Result<Vec<(TenantId, ModelVersion)>, StoreError> {
        let rows: Vec<(
            String,
            String,
            i64,
            Option<String>,
            String,
            String,
            String,
            i64,
        )> = sqlx::query_as(
            "SELECT v.tenant_id, v.name, v.version, v.run_id, v.source, v.status,
                        v.description, v.created_at
                 FROM ml_aliases a JOIN ml_model_versions v
                   ON v.tenant_id = a.tenant_id AND v.name = a.name AND v.version = a.version
                 WHERE a.alias = $1 ORDER BY v.tenant_id, v.name",
        )
        .bind(alias)
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter()
            .map(
                |(tenant, name, version, run_id, source, status, description, created_at)| {
                    let tenant = TenantId::parse(&tenant).map_err(|_| {
                        StoreError::Corrupt(format!("ml_aliases tenant {tenant:?}"))
                    })?;
                    Ok((
                        tenant,
                        ModelVersion {
                            name,
                            version,
                            run_id,
                            source,
                            status,
                            description,
                            created_at,
                            aliases: vec![alias.to_owned()],
                        },
                    ))
                },
            )
            .collect()
    }
}
