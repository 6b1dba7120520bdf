//! Alerts (an anomalous transaction now; budget alerts later) with the
//! person's feedback, and each person's anomaly-detector profile with the
//! outbox position it has seen, so a batch processed again after a crash
//! does not count the same transactions twice.

use finsight_core::{TransactionId, UserId};
use uuid::Uuid;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Derived from the kind and the transaction: raising it again is a
    /// no-op.
    pub id: Uuid,
    pub user_id: UserId,
    pub transaction_id: Option<TransactionId>,
    pub kind: String,
    pub score: f64,
    pub threshold: f64,
    /// JSON: the reasons, strongest first.
    pub reasons: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// "me" or "not_me".
    pub feedback: Option<String>,
    pub feedback_at: Option<i64>,
}

/// One reason an alert was raised, as stored in [`Alert::reasons`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AlertReason {
    /// A machine name: `new_country`, `amount_spike`, …
    pub reason: String,
    /// In words, for the person.
    pub text: String,
    pub weight: f64,
}

impl AlertReason {
    /// The JSON the `reasons` column holds.
    pub fn to_json(reasons: &[AlertReason]) -> String {
        serde_json::to_string(reasons).expect("reasons serialize")
    }
}

impl Alert {
    /// The stored reasons, strongest first (none if the column is not the
    /// JSON [`AlertReason::to_json`] writes).
    pub fn reasons(&self) -> Vec<AlertReason> {
        serde_json::from_str(&self.reasons).unwrap_or_default()
    }
}

/// A person's detector state.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyProfileRow {
    pub user_id: UserId,
    pub state: Vec<u8>,
    pub last_seq: i64,
    pub updated_at: i64,
}

#[async_trait::async_trait]
pub trait AlertStore: Send + Sync {
    /// Stores alerts; one already stored (same id) is left as it is.
    /// Returns which were new.
    async fn record_alerts(&self, alerts: &[Alert]) -> Result<Vec<bool>, StoreError>;
    async fn alert(&self, id: Uuid) -> Result<Option<Alert>, StoreError>;
    /// The users' latest alerts, newest first.
    async fn latest_alerts(&self, users: &[UserId], limit: u32) -> Result<Vec<Alert>, StoreError>;
    /// The users' alerts created after `since` (milliseconds), oldest
    /// first.
    async fn alerts_since(
        &self,
        users: &[UserId],
        since: i64,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError>;
    /// Records the person's feedback; false if the alert does not exist.
    async fn set_alert_feedback(
        &self,
        id: Uuid,
        feedback: &str,
        at: i64,
    ) -> Result<bool, StoreError>;
    async fn anomaly_profiles(
        &self,
        users: &[UserId],
    ) -> Result<Vec<AnomalyProfileRow>, StoreError>;
    async fn save_anomaly_profiles(&self, rows: &[AnomalyProfileRow]) -> Result<(), StoreError>;
}

/// Where newly stored alerts are announced (the live stream). A sink must
/// not block: a slow listener drops alerts, it never holds up processing.
pub trait AlertSink: Send + Sync {
    fn publish(&self, alert: &Alert);
}
