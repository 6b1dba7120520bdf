//! Data quality after real imports: counts, freshness and schema drift.

use finsight_ingest::quality::{VolumeStatus, data_quality};
use time::macros::datetime;

use crate::{account_id, harness};

#[tokio::test]
async fn imports_show_up_with_counts_freshness_and_drift() {
    let h = harness().await;
    let first =
        "Date,Description,Amount\n2026-03-01,A,-1.00\n2026-03-02,B,-2.00\n2026-02-30,BAD,-1\n";
    let second = "Date,Description,Amount,Reference\n2026-03-02,B,-2.00,\n2026-03-03,C,-3.00,R3\n";
    h.import(first.as_bytes().to_vec(), "feb.csv", Some(account_id(10)))
        .await;
    h.import(second.as_bytes().to_vec(), "mar.csv", Some(account_id(10)))
        .await;
    let report = data_quality(h.store.as_ref(), datetime!(2026-03-20 09:00 UTC))
        .await
        .unwrap();
    assert_eq!(report.len(), 1);
    let row = &report[0];
    assert_eq!((row.source.as_str(), row.imports), ("csv", 2));
    assert_eq!((row.accepted, row.duplicates, row.quarantined), (3, 1, 1));
    assert_eq!(row.account_id, Some(account_id(10).to_string()));
    assert_eq!(row.days_since_last_record, Some(17));
    assert_eq!(row.volume.status, VolumeStatus::InsufficientHistory);
    let schema = row.schema.as_ref().unwrap();
    assert_eq!(schema.added, ["Reference"]);
    assert!(schema.missing.is_empty());
}
