//! [`KeyStore`](crate::KeyStore) on both backends: rotation, resealing and
//! destruction of data keys.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

#[async_trait::async_trait]
impl<B> crate::KeyStore for SqlStore<B>
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
{
    async fn rotate_data_keys(
        &self,
        tenant: Option<finsight_core::TenantId>,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, crate::StoreError> {
        self.load_keys().await?;
        let mut tx = self.write_tx().await?;
        if !B::KEY_LOCK.is_empty() {
            sqlx::query(B::KEY_LOCK).execute(&mut *tx).await?;
        }
        let current: Vec<(Uuid, i32)> = sqlx::query_as(
            "SELECT tenant_id, MAX(version) FROM data_keys WHERE purpose = 'data'
             GROUP BY tenant_id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut created = Vec::new();
        for (owner, version) in current {
            let owner = finsight_core::TenantId::from_uuid(owner);
            if tenant.is_some_and(|t| t != owner) {
                continue;
            }
            sqlx::query(
                "UPDATE data_keys SET state = 'retiring'
                 WHERE tenant_id = $1 AND purpose = 'data' AND state = 'active'",
            )
            .bind(owner.as_uuid())
            .execute(&mut *tx)
            .await?;
            let row = self
                .vault
                .new_key_row(owner, crate::vault::KeyPurpose::Data, version + 1);
            Self::insert_key_row(&mut tx, &row, now).await?;
            created.push(hex::encode(&row.id));
        }
        tx.commit().await?;
        self.load_keys().await?;
        Ok(created)
    }

    async fn reseal_batch(&self, limit: u32) -> Result<u64, crate::StoreError> {
        self.load_keys().await?;
        let retiring: Vec<_> = self
            .vault
            .keys()
            .into_iter()
            .filter(|k| !k.active && k.purpose == crate::vault::KeyPurpose::Data)
            .collect();
        let mut moved = 0u64;
        for old in retiring {
            let new = self.key(old.tenant, crate::vault::KeyPurpose::Data).await?;
            let pattern = format!("e1:{}:%", old.id_hex());
            for (table, id_column, column, name) in crate::sealing::SEALED_COLUMNS {
                let rows: Vec<(Uuid, String)> = sqlx::query_as(&format!(
                    "SELECT {id_column}, {column} FROM {table} WHERE {column} LIKE $1 LIMIT $2"
                ))
                .bind(&pattern)
                .bind(i64::from(limit))
                .fetch_all(self.read_pool())
                .await?;
                if rows.is_empty() {
                    continue;
                }
                let mut resealed = Vec::with_capacity(rows.len());
                for (id, sealed) in rows {
                    let text = self.reveal(name, id.as_bytes(), &sealed).await?;
                    let again = crate::vault::Vault::seal(&new, name, id.as_bytes(), &text);
                    resealed.push((id, sealed, again));
                }
                let mut tx = self.write_tx().await?;
                for (id, sealed, again) in &resealed {
                    // Only if unchanged meanwhile (an edit wins).
                    moved += sqlx::query(&format!(
                        "UPDATE {table} SET {column} = $1 WHERE {id_column} = $2 AND {column} = $3"
                    ))
                    .bind(again)
                    .bind(id)
                    .bind(sealed)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
            }
        }
        Ok(moved)
    }

    async fn destroy_retired_keys(&self) -> Result<Vec<String>, crate::StoreError> {
        let retiring: Vec<(Vec<u8>,)> =
            sqlx::query_as("SELECT id FROM data_keys WHERE state = 'retiring'")
                .fetch_all(self.read_pool())
                .await?;
        let mut destroyed = Vec::new();
        for (id,) in retiring {
            let id_hex = hex::encode(&id);
            if self.sealed_count(&id_hex).await? > 0 {
                continue;
            }
            let mut tx = self.write_tx().await?;
            sqlx::query("DELETE FROM data_keys WHERE id = $1 AND state = 'retiring'")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            destroyed.push(id_hex);
        }
        Ok(destroyed)
    }

    async fn rewrap_keys(&self, new: &crate::Kek) -> Result<u64, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        if !B::KEY_LOCK.is_empty() {
            sqlx::query(B::KEY_LOCK).execute(&mut *tx).await?;
        }
        let rows: Vec<(Vec<u8>, Uuid, String, i32, Vec<u8>, Vec<u8>, String)> = sqlx::query_as(
            "SELECT id, tenant_id, purpose, version, wrapped, kek_id, state
                 FROM data_keys",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut count = 0;
        for (id, tenant, purpose, version, wrapped, kek_id, state) in rows {
            let row = crate::vault::KeyRow {
                id,
                tenant,
                purpose,
                version,
                wrapped,
                kek_id,
                state,
            };
            let again = self.vault.rewrap(&row, new)?;
            count += sqlx::query("UPDATE data_keys SET wrapped = $2, kek_id = $3 WHERE id = $1")
                .bind(&again.id)
                .bind(&again.wrapped)
                .bind(&again.kek_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(count)
    }

    async fn key_status(&self) -> Result<Vec<crate::KeyStatus>, crate::StoreError> {
        let rows: Vec<(Vec<u8>, Uuid, String, i32, String)> = sqlx::query_as(
            "SELECT id, tenant_id, purpose, version, state FROM data_keys
             ORDER BY tenant_id, purpose, version",
        )
        .fetch_all(self.read_pool())
        .await?;
        let mut status = Vec::with_capacity(rows.len());
        for (id, tenant, purpose, version, state) in rows {
            let key_id = hex::encode(&id);
            let sealed_values = if purpose == "data" {
                self.sealed_count(&key_id).await?
            } else {
                0
            };
            status.push(crate::KeyStatus {
                tenant: finsight_core::TenantId::from_uuid(tenant),
                key_id,
                purpose,
                version,
                state,
                sealed_values,
            });
        }
        Ok(status)
    }
}
