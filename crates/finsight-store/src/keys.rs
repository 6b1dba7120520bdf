//! Key rotation: a new data-key version per tenant, re-sealing of every
//! value under the old versions in small online batches (reads keep working
//! throughout: a value names its key, and old keys stay until nothing uses
//! them), then destruction of the old versions.

use finsight_core::TenantId;
use time::OffsetDateTime;

use crate::StoreError;

/// One key and how many stored values it seals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStatus {
    pub tenant: TenantId,
    pub key_id: String,
    /// `data` or `index`.
    pub purpose: String,
    pub version: i32,
    /// `active` or `retiring`.
    pub state: String,
    /// Values sealed under this key (0 for index keys).
    pub sealed_values: u64,
}

#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Makes a new data-key version active for `tenant` (or every tenant
    /// with a data key); the previous versions become `retiring`. Returns
    /// the new key ids.
    async fn rotate_data_keys(
        &self,
        tenant: Option<TenantId>,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, StoreError>;

    /// Re-seals up to `limit` values per column that are under retiring
    /// keys with their tenant's active key; returns how many moved (0 when
    /// none is left).
    async fn reseal_batch(&self, limit: u32) -> Result<u64, StoreError>;

    /// Deletes the retiring keys that no stored value uses any more;
    /// returns their ids.
    async fn destroy_retired_keys(&self) -> Result<Vec<String>, StoreError>;

    /// Every key, with the number of values it seals.
    async fn key_status(&self) -> Result<Vec<KeyStatus>, StoreError>;

    /// Re-wraps every data key under `new` (rotating the key-encryption
    /// key) in one transaction; returns how many keys. Afterwards only
    /// `new` opens the store.
    async fn rewrap_keys(&self, new: &crate::Kek) -> Result<u64, StoreError>;
}

/// Implements [`KeyStore`]; `$lock` serialises rotations ("" where the
/// write transaction already does).
macro_rules! impl_key_store {
    ($store:ty, $lock:expr) => {
        impl $store {
            /// How many values of every sealed column use key `id_hex`.
            async fn sealed_count(&self, id_hex: &str) -> Result<u64, $crate::StoreError> {
                let pattern = format!("e1:{id_hex}:%");
                let mut total = 0u64;
                for (table, _, column, _) in $crate::sealing::SEALED_COLUMNS {
                    let (count,): (i64,) = sqlx::query_as(&format!(
                        "SELECT COUNT(*) FROM {table} WHERE {column} LIKE $1"
                    ))
                    .bind(&pattern)
                    .fetch_one(self.read_pool())
                    .await?;
                    total += count as u64;
                }
                Ok(total)
            }
        }

        #[async_trait::async_trait]
        impl $crate::KeyStore for $store {
            async fn rotate_data_keys(
                &self,
                tenant: Option<finsight_core::TenantId>,
                now: time::OffsetDateTime,
            ) -> Result<Vec<String>, $crate::StoreError> {
                self.load_keys().await?;
                let mut tx = self.write_tx().await?;
                if !$lock.is_empty() {
                    sqlx::query($lock).execute(&mut *tx).await?;
                }
                let current: Vec<(uuid::Uuid, i32)> = sqlx::query_as(
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
                    let row = self.vault.new_key_row(owner, $crate::vault::KeyPurpose::Data, version + 1);
                    insert_key_row!(tx, row, now);
                    created.push(hex::encode(&row.id));
                }
                tx.commit().await?;
                self.load_keys().await?;
                Ok(created)
            }

            async fn reseal_batch(&self, limit: u32) -> Result<u64, $crate::StoreError> {
                self.load_keys().await?;
                let retiring: Vec<_> = self
                    .vault
                    .keys()
                    .into_iter()
                    .filter(|k| !k.active && k.purpose == $crate::vault::KeyPurpose::Data)
                    .collect();
                let mut moved = 0u64;
                for old in retiring {
                    let new = self.key(old.tenant, $crate::vault::KeyPurpose::Data).await?;
                    let pattern = format!("e1:{}:%", old.id_hex());
                    for (table, id_column, column, name) in $crate::sealing::SEALED_COLUMNS {
                        let rows: Vec<(uuid::Uuid, String)> = sqlx::query_as(&format!(
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
                            let again = $crate::vault::Vault::seal(&new, name, id.as_bytes(), &text);
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

            async fn destroy_retired_keys(&self) -> Result<Vec<String>, $crate::StoreError> {
                let retiring: Vec<(Vec<u8>,)> = sqlx::query_as(
                    "SELECT id FROM data_keys WHERE state = 'retiring'",
                )
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

            async fn rewrap_keys(&self, new: &$crate::Kek) -> Result<u64, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                if !$lock.is_empty() {
                    sqlx::query($lock).execute(&mut *tx).await?;
                }
                let rows: Vec<(Vec<u8>, uuid::Uuid, String, i32, Vec<u8>, Vec<u8>, String)> =
                    sqlx::query_as(
                        "SELECT id, tenant_id, purpose, version, wrapped, kek_id, state
                         FROM data_keys",
                    )
                    .fetch_all(&mut *tx)
                    .await?;
                let mut count = 0;
                for (id, tenant, purpose, version, wrapped, kek_id, state) in rows {
                    let row = $crate::vault::KeyRow {
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

            async fn key_status(&self) -> Result<Vec<$crate::KeyStatus>, $crate::StoreError> {
                let rows: Vec<(Vec<u8>, uuid::Uuid, String, i32, String)> = sqlx::query_as(
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
                    status.push($crate::KeyStatus {
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
    };
}
