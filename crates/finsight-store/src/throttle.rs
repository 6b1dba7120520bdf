//! Counters of failed attempts with back-off, keyed by a subject (for
//! sign-in: an email with a client address, an email across all
//! addresses, or an address known to have signed in). Subjects are stored
//! only as keyed hashes (under the system index key), never as text.

use time::OffsetDateTime;

use crate::StoreError;

/// Where a subject's throttle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures counted in the current window.
    pub failures: u32,
    pub locked_until: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

#[async_trait::async_trait]
pub trait ThrottleStore: Send + Sync {
    /// The subject's state, if anything was recorded for it.
    async fn throttle(&self, subject: &str) -> Result<Option<ThrottleState>, StoreError>;

    /// Counts one more failure and returns the count; a count last touched
    /// before `window_start` starts again from one.
    async fn count_failure(
        &self,
        subject: &str,
        now: OffsetDateTime,
        window_start: OffsetDateTime,
    ) -> Result<u32, StoreError>;

    /// Refuses the subject until `until`.
    async fn lock_throttle(&self, subject: &str, until: OffsetDateTime) -> Result<(), StoreError>;

    /// Records the subject with no failures (a success; for "known" marks).
    async fn reset_throttle(&self, subject: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Deletes subjects untouched since `before`; how many.
    async fn purge_throttles(&self, before: OffsetDateTime) -> Result<u64, StoreError>;
}

/// Implements [`ThrottleStore`] with statements written the same on both
/// backends.
macro_rules! impl_throttle_store {
    ($store:ty) => {
        impl $store {
            async fn throttle_key(&self, subject: &str) -> Result<Vec<u8>, $crate::StoreError> {
                let key = self
                    .key(
                        $crate::vault::system_tenant(),
                        $crate::vault::KeyPurpose::Index,
                    )
                    .await?;
                Ok($crate::vault::Vault::blind_index(&key, "throttle", subject))
            }
        }

        #[async_trait::async_trait]
        impl $crate::ThrottleStore for $store {
            async fn throttle(
                &self,
                subject: &str,
            ) -> Result<Option<$crate::ThrottleState>, $crate::StoreError> {
                let key = self.throttle_key(subject).await?;
                let row: Option<(i32, Option<time::OffsetDateTime>, time::OffsetDateTime)> =
                    sqlx::query_as(
                        "SELECT failures, locked_until, updated_at FROM login_throttle
                         WHERE throttle_key = $1",
                    )
                    .bind(&key)
                    .fetch_optional(self.read_pool())
                    .await?;
                Ok(row.map(|(failures, locked_until, updated_at)| $crate::ThrottleState {
                    failures: u32::try_from(failures).unwrap_or(0),
                    locked_until,
                    updated_at,
                }))
            }

            async fn count_failure(
                &self,
                subject: &str,
                now: time::OffsetDateTime,
                window_start: time::OffsetDateTime,
            ) -> Result<u32, $crate::StoreError> {
                let key = self.throttle_key(subject).await?;
                let mut tx = self.write_tx().await?;
                let (failures,): (i32,) = sqlx::query_as(
                    "INSERT INTO login_throttle (throttle_key, failures, updated_at) VALUES ($1, 1, $2)
                     ON CONFLICT (throttle_key) DO UPDATE SET
                        failures = CASE WHEN login_throttle.updated_at < $3 THEN 1
                                        ELSE login_throttle.failures + 1 END,
                        updated_at = excluded.updated_at
                     RETURNING failures",
                )
                .bind(&key)
                .bind(now)
                .bind(window_start)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(u32::try_from(failures).unwrap_or(0))
            }

            async fn lock_throttle(
                &self,
                subject: &str,
                until: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
                let key = self.throttle_key(subject).await?;
                let mut tx = self.write_tx().await?;
                sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE throttle_key = $1")
                    .bind(&key)
                    .bind(until)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reset_throttle(
                &self,
                subject: &str,
                now: time::OffsetDateTime,
            ) -> Result<(), $crate::StoreError> {
                let key = self.throttle_key(subject).await?;
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO login_throttle (throttle_key, failures, updated_at) VALUES ($1, 0, $2)
                     ON CONFLICT (throttle_key) DO UPDATE SET
                        failures = 0, locked_until = NULL, updated_at = excluded.updated_at",
                )
                .bind(&key)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn purge_throttles(
                &self,
                before: time::OffsetDateTime,
            ) -> Result<u64, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let deleted = sqlx::query(
                    "DELETE FROM login_throttle WHERE updated_at < $1
                     AND (locked_until IS NULL OR locked_until < $1)",
                )
                .bind(before)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(deleted)
            }
        }
    };
}
