//! What a person chose about how Finsight looks to them: for now the
//! layout of their dashboard's overview, kept as the JSON document the
//! service validated (the store does not interpret it).

use finsight_core::UserId;

use crate::StoreError;

#[async_trait::async_trait]
pub trait PreferenceStore: Send + Sync {
    /// The person's saved overview layout and when it was saved
    /// (milliseconds), if they ever saved one.
    async fn dashboard_layout(&self, user: UserId) -> Result<Option<(String, i64)>, StoreError>;
    /// Replaces the person's overview layout.
    async fn save_dashboard_layout(
        &self,
        user: UserId,
        layout: &str,
        at: i64,
    ) -> Result<(), StoreError>;
}
