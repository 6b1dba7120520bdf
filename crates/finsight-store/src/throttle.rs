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
