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

    /// Deletes entries older than `before` (always keeping the newest),
    /// first recording the last deleted entry's sequence number and hash as
    /// the checkpoint verification starts from. Returns the new checkpoint,
    /// if anything was pruned.
    async fn prune_audit(
        &self,
        before: OffsetDateTime,
    ) -> Result<Option<(i64, [u8; 32])>, StoreError>;

    /// Where verification starts: the last pruned entry, if any.
    async fn audit_checkpoint(&self) -> Result<Option<(i64, [u8; 32])>, StoreError>;
}

pub(crate) fn hash_from(bytes: Vec<u8>, seq: i64) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))
}
