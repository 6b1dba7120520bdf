//! Quarantined records can be retried once their problem is fixed.

use finsight_ingest::import::RetryOutcome;
use finsight_store::QuarantineStatus;

use crate::{account_id, harness};

#[tokio::test]
async fn unknown_account_records_resolve_when_the_account_is_named() {
    let h = harness().await;
    let line = r#"{"account_id":"STATEMENT-77","posted_on":"2026-03-05","amount":"-12.00","description":"LUNCH"}"#;
    let outcome = h.import(line.as_bytes().to_vec(), "feed.jsonl", None).await;
    assert_eq!(outcome.quarantined, 1);
    let entry = &h.store.quarantined(None, 1).await.unwrap()[0];
    assert_eq!(entry.entry.field, "account_id");
    // Still unknown: stays quarantined with the reason.
    let again = h.importer.retry(entry.id, None).await.unwrap();
    assert!(matches!(again, RetryOutcome::StillInvalid { ref field, .. } if field == "account_id"));
    // Naming the account resolves it.
    let resolved = h
        .importer
        .retry(entry.id, Some(account_id(10)))
        .await
        .unwrap();
    assert!(
        matches!(
            resolved,
            RetryOutcome::Resolved {
                duplicate: false,
                ..
            }
        ),
        "{resolved:?}"
    );
    assert!(
        h.store
            .quarantined(Some(QuarantineStatus::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(h.store.stats().await.unwrap().transactions, 1);
    assert!(
        h.importer
            .retry(entry.id, Some(account_id(10)))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn unparseable_records_explain_that_the_file_needs_fixing() {
    let h = harness().await;
    let text = "Date,Description,Amount\n2026-03-01,A,-1.00\n2026-02-30,B,-2.00\n";
    h.import(text.as_bytes().to_vec(), "a.csv", Some(account_id(10)))
        .await;
    let entry = &h.store.quarantined(None, 1).await.unwrap()[0];
    let outcome = h.importer.retry(entry.id, None).await.unwrap();
    let RetryOutcome::StillInvalid { reason, .. } = outcome else {
        panic!()
    };
    assert!(reason.contains("import it again"), "{reason}");
}
