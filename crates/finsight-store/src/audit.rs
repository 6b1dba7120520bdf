//! Storage of the hash-chained audit log: appends are serialised so each
//! entry links to the true previous one.

use finsight_core::audit::{AuditEntry, AuditEvent};
use time::OffsetDateTime;

use crate::StoreError;

#[async_trait::async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an event as the next entry of the chain.
    async fn append_audit(
        &self,
        event: &AuditEvent,
        now: OffsetDateTime,
    ) -> Result<AuditEntry, StoreError>;

    /// Up to `limit` entries with `seq > after`, in order.
    async fn audit_entries(&self, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
}

pub(crate) fn hash_from(bytes: Vec<u8>, seq: i64) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))
}
