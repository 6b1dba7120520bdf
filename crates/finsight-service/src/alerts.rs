//! Alerts for people: their latest alerts, feedback on one ("this was me"
//! raises their threshold for alerts like it, "not me" lowers it), and the
//! live stream — an in-process hub the processor's anomaly stage announces
//! to, which each subscriber reads filtered to the one person they may see.

use std::sync::Arc;

use finsight_core::{Action, Principal, UserId, ValidationError};
use finsight_models::anomaly::{Profile, Reason};
use finsight_store::{Alert, AlertSink, AnomalyProfileRow};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::{ServiceError, Services};

/// Alerts announced but not yet read by a slow subscriber before it
/// starts missing them (it then catches up from the store).
const HUB_CAPACITY: usize = 1024;

/// The in-process live feed of new alerts.
#[derive(Debug, Clone)]
pub struct AlertHub {
    sender: broadcast::Sender<Alert>,
}

impl Default for AlertHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(HUB_CAPACITY).0,
        }
    }
}

impl AlertHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Alert> {
        self.sender.subscribe()
    }
}

impl AlertSink for AlertHub {
    fn publish(&self, alert: &Alert) {
        // No subscriber is not an error.
        let _ = self.sender.send(alert.clone());
    }
}

/// What the person said about an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertFeedback {
    /// "This was me": not fraud.
    Me,
    NotMe,
}

impl AlertFeedback {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertFeedback::Me => "me",
            AlertFeedback::NotMe => "not_me",
        }
    }
}

/// A live subscription: new alerts of one person.
pub struct AlertSubscription {
    pub user: UserId,
    pub receiver: broadcast::Receiver<Alert>,
}

impl Services {
    pub fn alert_hub(&self) -> &Arc<AlertHub> {
        &self.alert_hub
    }

    /// The person's latest alerts, newest first.
    pub async fn alerts(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<Alert>, ServiceError> {
        if !(1..=1000).contains(&limit) {
            return Err(ValidationError::new("limit", "must be 1 to 1000").into());
        }
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(self.store.latest_alerts(&[user], limit).await?)
    }

    /// Alerts of the person created after `since` (milliseconds), oldest
    /// first: what a reconnecting stream missed.
    pub async fn alerts_since(
        &self,
        principal: &Principal,
        user: UserId,
        since: i64,
    ) -> Result<Vec<Alert>, ServiceError> {
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(self.store.alerts_since(&[user], since, 1000).await?)
    }

    /// Subscribes to the person's new alerts, checked like a read.
    pub async fn subscribe_alerts(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<AlertSubscription, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        Ok(AlertSubscription {
            user,
            receiver: self.alert_hub.subscribe(),
        })
    }

    /// Records the person's feedback and moves their threshold for alerts
    /// with the same leading reason. Changing data is a write: viewers may
    /// not; the change is audited.
    pub async fn alert_feedback(
        &self,
        principal: &Principal,
        id: Uuid,
        feedback: AlertFeedback,
    ) -> Result<Alert, ServiceError> {
        let alert = self
            .store
            .alert(id)
            .await?
            .ok_or(ServiceError::NotFound("alert"))?;
        // A caller who may not read the person's data learns nothing.
        self.authorize_user(principal, alert.user_id, Action::Read, "alert")
            .await
            .map_err(|_| ServiceError::NotFound("alert"))?;
        self.authorize_user(principal, alert.user_id, Action::Write, "alert")
            .await?;
        let now = self.clock.now();
        let millis = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        self.store
            .set_alert_feedback(id, feedback.as_str(), millis)
            .await?;
        let reason = alert
            .reasons()
            .first()
            .and_then(|r| Reason::parse(&r.reason))
            .unwrap_or(Reason::Unusual);
        if let Some(row) = self
            .store
            .anomaly_profiles(&[alert.user_id])
            .await?
            .into_iter()
            .next()
            && let Some(mut profile) = Profile::from_bytes(&row.state)
        {
            profile.learn(reason, feedback == AlertFeedback::Me);
            self.store
                .save_anomaly_profiles(&[AnomalyProfileRow {
                    state: profile.to_bytes(),
                    updated_at: millis,
                    ..row
                }])
                .await?;
        }
        self.audit_write(
            principal,
            "alert.feedback",
            &format!("alert:{id}"),
            feedback.as_str(),
        )
        .await?;
        self.store
            .alert(id)
            .await?
            .ok_or(ServiceError::NotFound("alert"))
    }
}
