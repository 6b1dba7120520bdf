//! The budget stage: spending crossing 80% and then 100% of a line raises
//! one alert each (with the numbers in words), last month's spending and
//! other categories do not count, and a replayed batch raises nothing new.

use std::sync::{Arc, Mutex};

use finsight_core::{
    AccountId, CategoryId, Currency, Description, Money, NewTransaction, PostingDate, SourceName,
};
use finsight_pipeline::{
    BUDGET, Enrichments, Processor, RecordProcessed, Stage, StageBatch, StageItem, TrackBudgets,
};
use finsight_store::{Alert, AlertSink, BudgetLineRow};
use time::Date;
use time::macros::date;

use crate::{clock, store};

#[derive(Default)]
struct Recorded(Mutex<Vec<Alert>>);

impl AlertSink for Recorded {
    fn publish(&self, alert: &Alert) {
        self.0.lock().unwrap().push(alert.clone());
    }
}

fn spend(account: AccountId, on: Date, category: &str, amount: &str, n: u32) -> NewTransaction {
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::new(on).unwrap(),
        occurred_at: None,
        amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
        description: Description::parse(&format!("PURCHASE {n}")).unwrap(),
        merchant: None,
        mcc: None,
        category: Some(CategoryId::parse(category).unwrap()),
        source: SourceName::parse("bank").unwrap(),
        source_ref: Some(format!("ref-{n}")),
    }
}

#[tokio::test]
async fn crossing_80_and_100_percent_raises_one_alert_each() {
    let (store, user, account, _dir) = store().await;
    store
        .replace_budget(
            user,
            &[BudgetLineRow {
                user_id: user,
                category: "dining".into(),
                amount_minor: 30_000,
                currency: "USD".into(),
                rollover: false,
                group_name: "Fun".into(),
                position: 0,
                updated_at: 0,
            }],
        )
        .await
        .unwrap();
    let sink = Arc::new(Recorded::default());
    let stages = || -> Vec<Arc<dyn Stage>> {
        vec![
            Arc::new(TrackBudgets::new(store.clone(), sink.clone(), clock())),
            Arc::new(RecordProcessed),
        ]
    };
    let run = |batch: Vec<NewTransaction>| {
        let store = store.clone();
        let stages = stages();
        async move {
            store.insert_transactions(&batch).await.unwrap();
            Processor::new(store.clone(), clock(), stages, 16)
                .drain()
                .await
                .unwrap();
        }
    };
    // Last month's dining, this month's groceries, and a third of dining.
    run(vec![
        spend(account, date!(2026 - 02 - 10), "dining", "-500.00", 1),
        spend(account, date!(2026 - 03 - 02), "groceries", "-400.00", 2),
        spend(
            account,
            date!(2026 - 03 - 03),
            "dining.restaurants",
            "-100.00",
            3,
        ),
    ])
    .await;
    assert!(store.latest_alerts(&[user], 10).await.unwrap().is_empty());
    run(vec![spend(
        account,
        date!(2026 - 03 - 15),
        "dining.coffee",
        "-145.00",
        4,
    )])
    .await;
    let alerts = store.latest_alerts(&[user], 10).await.unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].kind, BUDGET);
    let reason = &alerts[0].reasons()[0];
    assert_eq!(reason.reason, "budget_80");
    assert!(
        reason
            .text
            .contains("82% of your dining budget: 245.00 USD of 300.00 USD with 11 days to go"),
        "{}",
        reason.text
    );
    run(vec![spend(
        account,
        date!(2026 - 03 - 18),
        "dining",
        "-60.00",
        5,
    )])
    .await;
    let alerts = store.latest_alerts(&[user], 10).await.unwrap();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].reasons()[0].reason, "budget_100");
    assert_eq!(sink.0.lock().unwrap().len(), 2);

    // Everything handed to the stage again: nothing new.
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
    stages()[0].process(&mut batch).await.unwrap();
    assert_eq!(store.latest_alerts(&[user], 10).await.unwrap().len(), 2);
    assert_eq!(sink.0.lock().unwrap().len(), 2);
}
