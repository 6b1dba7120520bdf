//! The categorize stage with a learned champion: confident predictions are
//! applied (as the model's, never over a bank's or a person's category),
//! uncertain ones wait in the person's review queue, and each decision
//! names the model version that made it.

use std::sync::Arc;

use finsight_core::{
    AccountId, CategoryId, CategorySource, Currency, Description, Money, NewTransaction,
    PostingDate, SourceName, TenantId,
};
use finsight_mlops::serving::CategorizerServing;
use finsight_mlops::training::train_categorizer;
use finsight_models::TrainOptions;
use finsight_pipeline::{Categorize, LearnedCategories, Processor, RecordProcessed, Stage};
use finsight_store::CategorizationStatus;
use time::Duration;
use time::macros::date;

use crate::{category_of, clock, store};

fn labelled(
    account: AccountId,
    day: i64,
    description: &str,
    amount: &str,
    category: Option<&str>,
) -> NewTransaction {
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::new(date!(2026 - 01 - 01) + Duration::days(day)).unwrap(),
        occurred_at: None,
        amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
        description: Description::parse(description).unwrap(),
        merchant: None,
        mcc: None,
        category: category.map(|c| CategoryId::parse(c).unwrap()),
        source: SourceName::parse("bank").unwrap(),
        source_ref: None,
    }
}

#[tokio::test]
async fn confident_guesses_apply_and_uncertain_ones_wait_for_review() {
    let (store, user, account, _dir) = store().await;
    let tenant = TenantId::from_random_bytes([1; 16]);
    let mut history = Vec::new();
    for day in 0..40 {
        history.push(labelled(
            account,
            day,
            &format!("SHELL OIL #{day:04}"),
            "-41.20",
            Some("transport.fuel"),
        ));
        history.push(labelled(
            account,
            day,
            &format!("TRADER JOE'S #{day}"),
            "-63.10",
            Some("groceries"),
        ));
        history.push(labelled(
            account,
            day,
            "ACME PAYROLL",
            "2500.00",
            Some("income.salary"),
        ));
    }
    store.insert_transactions(&history).await.unwrap();
    let now = clock().0;
    let report = train_categorizer(store.as_ref(), tenant, "test", now, TrainOptions::default())
        .await
        .unwrap();
    assert!(report.promoted, "{report:?}");
    let serving = Arc::new(CategorizerServing::new(store.clone()));
    serving.refresh().await.unwrap();

    store
        .insert_transactions(&[
            labelled(account, 50, "POS DEBIT SHELL OIL #7777", "-38.00", None),
            labelled(account, 50, "ZQXV", "-50.00", None),
            labelled(
                account,
                50,
                "SHELL OIL BANK SAYS",
                "-40.00",
                Some("shopping.general"),
            ),
        ])
        .await
        .unwrap();
    let stages: Vec<Arc<dyn Stage>> = vec![
        Arc::new(
            Categorize::new(store.clone()).with_model(LearnedCategories::new(
                serving,
                store.clone(),
                clock(),
                0.9,
            )),
        ),
        Arc::new(RecordProcessed),
    ];
    Processor::new(store.clone(), clock(), stages, 100)
        .drain()
        .await
        .unwrap();
    assert_eq!(
        category_of(&store, user, "POS DEBIT SHELL OIL #7777").await,
        (Some("transport.fuel".into()), Some(CategorySource::Model))
    );
    // The bank's category stands; the unknown waits for the person.
    assert_eq!(
        category_of(&store, user, "SHELL OIL BANK SAYS").await,
        (
            Some("shopping.general".into()),
            Some(CategorySource::Source)
        )
    );
    assert_eq!(category_of(&store, user, "ZQXV").await, (None, None));
    let queue = store.review_queue(&[user], None, 10).await.unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0].status, CategorizationStatus::Review);
    assert!(queue[0].confidence < 0.9);
    assert_eq!(
        (queue[0].model.as_str(), queue[0].version),
        ("categorizer", report.version)
    );
}
