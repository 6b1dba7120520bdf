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
