//! The anomaly stage: a person's ordinary spending raises nothing; a large
//! charge in a country they have never bought in raises one alert with its
//! reasons in words, announced once; processing the same transactions
//! again counts nothing twice.

use std::sync::{Arc, Mutex};

use finsight_core::{
    AccountId, Currency, Description, Money, NewTransaction, PostingDate, SourceName,
};
use finsight_pipeline::{
    DetectAnomalies, Enrichments, Processor, RecordProcessed, Stage, StageBatch, StageItem,
};
use finsight_store::{Alert, AlertSink};
use time::Duration;
use time::macros::{date, datetime};

use crate::{clock, store};

#[derive(Default)]
struct Recorded(Mutex<Vec<Alert>>);

impl AlertSink for Recorded {
    fn publish(&self, alert: &Alert) {
        self.0.lock().unwrap().push(alert.clone());
    }
}

fn purchase(account: AccountId, day: i64, description: &str, amount: &str) -> NewTransaction {
    let on = date!(2026 - 01 - 01) + Duration::days(day);
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::new(on).unwrap(),
        occurred_at: Some(datetime!(2026-01-01 13:00 UTC) + Duration::days(day)),
        amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
        description: Description::parse(description).unwrap(),
        merchant: None,
        mcc: None,
        category: None,
        source: SourceName::parse("bank").unwrap(),
        source_ref: None,
    }
}

#[tokio::test]
async fn an_unusual_charge_raises_one_explained_alert() {
    let (store, user, account, _dir) = store().await;
    let mut history = Vec::new();
    for day in 0..40 {
        let cents = 4_000 + (day * 37) % 900;
        history.push(purchase(
            account,
            day,
            &format!("SAFEWAY #{} SEATTLE WA", 1000 + day % 3),
            &format!("-{}.{:02}", cents / 100, cents % 100),
        ));
    }
    history.push(purchase(
        account,
        41,
        "GOLDLINE JEWELLERS LAGOS NG",
        "-1450.00",
    ));
    store.insert_transactions(&history).await.unwrap();
    let sink = Arc::new(Recorded::default());
    let stage = || -> Vec<Arc<dyn Stage>> {
        vec![
            Arc::new(DetectAnomalies::new(
                store.clone(),
                sink.clone(),
                clock(),
                0.01,
            )),
            Arc::new(RecordProcessed),
        ]
    };
    Processor::new(store.clone(), clock(), stage(), 16)
        .drain()
        .await
        .unwrap();
    let alerts = store.latest_alerts(&[user], 10).await.unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert!(
        alert.score >= alert.threshold && alert.score <= 1.0,
        "{alert:?}"
    );
    assert!(
        alert.reasons.contains("first purchase in NG"),
        "{}",
        alert.reasons
    );
    assert!(alert.reasons.contains("your usual"), "{}", alert.reasons);
    assert_eq!(sink.0.lock().unwrap().len(), 1);

    // The same transactions handed to the stage again (a crash before its
    // position was saved): neither the profile nor the alerts change.
    let profile = store.anomaly_profiles(&[user]).await.unwrap();
    let partitions: Vec<u16> = (0..finsight_store::PARTITIONS).collect();
    let entries = store
        .partition_outbox_after(&partitions, 0, 1000)
        .await
        .unwrap();
    let ids: Vec<_> = entries.iter().map(|e| e.transaction_id).collect();
    let transactions = store.transactions_by_id(&ids).await.unwrap();
    let mut batch = StageBatch {
        items: entries
            .iter()
            .map(|e| StageItem {
                transaction: transactions
                    .iter()
                    .find(|t| t.id == e.transaction_id)
                    .unwrap()
                    .clone(),
                seq: e.seq,
                enrichments: Enrichments::default(),
            })
            .collect(),
    };
    stage()[0].process(&mut batch).await.unwrap();
    assert_eq!(store.anomaly_profiles(&[user]).await.unwrap(), profile);
    assert_eq!(store.latest_alerts(&[user], 10).await.unwrap().len(), 1);
    assert_eq!(sink.0.lock().unwrap().len(), 1);
}
