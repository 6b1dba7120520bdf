//! The anomaly stage, right after the feature update: every committed
//! transaction is judged against its person's profile (loaded once per
//! batch, saved with the outbox position it has seen, so a batch run again
//! after a crash counts nothing twice); an alert is stored and announced
//! on the live stream within the same batch.

use std::collections::HashMap;
use std::sync::Arc;

use finsight_core::{Clock, Transaction, UserId};
use finsight_models::anomaly::{self, Charge, Profile, Verdict};
use finsight_models::payee;
use finsight_store::{Alert, AlertReason, AlertSink, AlertStore, AnomalyProfileRow};
use uuid::Uuid;

use crate::{ProcessorError, Stage, StageBatch};

/// The kind of alert this stage raises.
pub const ANOMALY: &str = "anomaly";

/// An anomaly alert's id: the transaction's, turned by a fixed mask, so
/// raising it again (a batch replayed) names the same alert.
pub fn anomaly_alert_id(transaction: Uuid) -> Uuid {
    Uuid::from_u128(transaction.as_u128() ^ 0x0a1e_47a1_e47a_1e47_a1e4_7a1e_47a1_e47a)
}

pub struct DetectAnomalies {
    store: Arc<dyn AlertStore>,
    sink: Arc<dyn AlertSink>,
    clock: Arc<dyn Clock>,
    /// The share of a person's transactions their threshold aims to alert.
    target_rate: f64,
}

impl DetectAnomalies {
    pub fn new(
        store: Arc<dyn AlertStore>,
        sink: Arc<dyn AlertSink>,
        clock: Arc<dyn Clock>,
        target_rate: f64,
    ) -> Self {
        Self {
            store,
            sink,
            clock,
            target_rate: target_rate.clamp(1e-4, 0.5),
        }
    }
}

/// A transaction as the detector sees it (the amount as a float feature).
pub fn charge_of<'a>(
    transaction: &'a Transaction,
    category: Option<&'a str>,
    merchant: &'a str,
    country: &'a str,
) -> Charge<'a> {
    let at = transaction.occurred_at.unwrap_or_else(|| {
        transaction
            .posted_on
            .date()
            .with_hms(12, 0, 0)
            .expect("noon exists")
            .assume_utc()
    });
    Charge {
        at: at.unix_timestamp(),
        amount: transaction.amount.minor_units() as f64
            / 10f64.powi(transaction.amount.currency().minor_unit_exponent() as i32),
        currency: transaction.amount.currency().code(),
        merchant,
        category,
        country: Some(country),
        local_hour: transaction.occurred_at.map(|t| t.hour()),
        balance: None,
    }
}

/// The reasons as the alert stores them, strongest first.
pub fn reasons_json(verdict: &Verdict) -> String {
    let reasons: Vec<AlertReason> = verdict
        .contributions
        .iter()
        .map(|c| AlertReason {
            reason: c.reason.as_str().to_owned(),
            text: c.text.clone(),
            weight: (c.weight * 1000.0).round() / 1000.0,
        })
        .collect();
    AlertReason::to_json(&reasons)
}

#[async_trait::async_trait]
impl Stage for DetectAnomalies {
    fn name(&self) -> &'static str {
        "anomalies"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        let mut users: Vec<UserId> = batch.transactions().map(|t| t.user_id).collect();
        users.sort_unstable_by_key(|u| u.as_uuid());
        users.dedup();
        let mut profiles: HashMap<UserId, (Profile, i64)> = HashMap::new();
        for row in self.store.anomaly_profiles(&users).await? {
            if let Some(profile) = Profile::from_bytes(&row.state) {
                profiles.insert(row.user_id, (profile, row.last_seq));
            }
        }
        let now = self.clock.now();
        let created_at = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let mut alerts = Vec::new();
        let mut touched = Vec::new();
        for item in &batch.items {
            let t = &item.transaction;
            let (profile, last_seq) = profiles
                .entry(t.user_id)
                .or_insert_with(|| (Profile::new(self.target_rate), i64::MIN));
            if item.seq <= *last_seq {
                continue;
            }
            let merchant =
                payee::normalize(t.merchant.as_deref().unwrap_or(t.description.as_str()));
            let country =
                payee::country_or_home(t.description.as_str(), t.amount.currency().code());
            let category = item.category().map(|c| c.as_str());
            let verdict =
                anomaly::judge(profile, None, &charge_of(t, category, &merchant, &country));
            *last_seq = item.seq;
            touched.push(t.user_id);
            if verdict.alert {
                alerts.push(Alert {
                    id: anomaly_alert_id(t.id.as_uuid()),
                    user_id: t.user_id,
                    transaction_id: Some(t.id),
                    kind: ANOMALY.to_owned(),
                    score: verdict.score,
                    threshold: verdict.threshold,
                    reasons: reasons_json(&verdict),
                    created_at,
                    feedback: None,
                    feedback_at: None,
                });
            }
        }
        touched.sort_unstable_by_key(|u| u.as_uuid());
        touched.dedup();
        let rows: Vec<AnomalyProfileRow> = touched
            .iter()
            .map(|user| {
                let (profile, last_seq) = &profiles[user];
                AnomalyProfileRow {
                    user_id: *user,
                    state: profile.to_bytes(),
                    last_seq: *last_seq,
                    updated_at: created_at,
                }
            })
            .collect();
        // Alerts first: a crash between the two re-judges the batch and
        // finds its alerts already stored.
        let new = self.store.record_alerts(&alerts).await?;
        self.store.save_anomaly_profiles(&rows).await?;
        for (alert, is_new) in alerts.iter().zip(new) {
            if is_new {
                self.sink.publish(alert);
            }
        }
        metrics::counter!("finsight_anomaly_alerts_total").increment(alerts.len() as u64);
        Ok(())
    }
}
