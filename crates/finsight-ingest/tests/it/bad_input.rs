//! Bad input of every kind gives a clear error or a quarantined record,
//! never a panic.

use finsight_ingest::format::FileFormat;
use finsight_ingest::import::ImportError;

use crate::{account_id, fixture, harness};

#[tokio::test]
async fn whole_file_problems_are_clear_errors() {
    let h = harness().await;
    let garbage: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: Vec<(Vec<u8>, Option<FileFormat>, &str)> = vec![
        (garbage, None, "not text"),
        (Vec::new(), None, "empty"),
        (b"no delimiter here\nnor here\n".to_vec(), None, "delimiter"),
        (
            fixture("camt053_batch.xml")[..900].to_vec(),
            None,
            "truncated",
        ),
        (
            b"<Document><x/></Document>".to_vec(),
            Some(FileFormat::Camt053),
            "BkToCstmrStmt",
        ),
        (
            b"Date,Amount\n2026-01-01,1\n".to_vec(),
            Some(FileFormat::Ofx),
            "<OFX>",
        ),
    ];
    for (bytes, format, needle) in cases {
        let error = h
            .try_import(bytes, "bad", Some(account_id(10)), format)
            .await
            .unwrap_err();
        let ImportError::File(error) = error else {
            panic!("expected a file error, got {error:?}")
        };
        assert!(error.to_string().contains(needle), "{needle}: {error}");
    }
    assert_eq!(h.store.stats().await.unwrap().transactions, 0);
}

#[tokio::test]
async fn unknown_account_is_named() {
    let h = harness().await;
    let error = h
        .try_import(fixture("checking.ofx"), "x.ofx", Some(account_id(99)), None)
        .await
        .unwrap_err();
    let ImportError::Invalid(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(error.field, "account");
}

#[tokio::test]
async fn hostile_records_are_quarantined_not_fatal() {
    let h = harness().await;
    let forty = "9".repeat(40);
    let huge_line = "x".repeat(10 * 1024 * 1024);
    let text = format!(
        "Date,Description,Amount\n2026-03-01,NEGATIVE ZERO,-0.00\n2026-03-01,FORTY DIGITS,{forty}\n2026-03-02,{huge_line},-1.00\n2026-03-03,OK,-2.00\n1900-01-01,ANCIENT,-1\n2099-01-01,FUTURE,-1\n"
    );
    let outcome = h
        .import(text.into_bytes(), "hostile.csv", Some(account_id(10)))
        .await;
    assert_eq!(
        (outcome.accepted, outcome.quarantined),
        (2, 4),
        "{outcome:?}"
    );
    let entries = h.store.quarantined(None, 10).await.unwrap();
    let mut fields: Vec<_> = entries.iter().map(|q| q.entry.field.as_str()).collect();
    fields.sort();
    assert_eq!(fields, ["amount", "description", "posted_on", "posted_on"]);
    assert!(
        entries.iter().all(|q| q.entry.raw.len() < 10_000),
        "raw text is clipped"
    );
    // A 10 MB line with no structure at all is a file error, not a panic.
    let error = h
        .try_import(
            "y".repeat(10 * 1024 * 1024).into_bytes(),
            "line.csv",
            Some(account_id(10)),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::File(_)), "{error:?}");
}

#[tokio::test]
async fn card_numbers_are_never_stored() {
    let h = harness().await;
    let text = "Date,Description,Amount\n2026-03-01,PAYMENT FROM CARD 4111 1111 1111 1111,-5.00\n2026-02-30,REFUND TO 5500-0000-0000-0004,1.00\n";
    let outcome = h
        .import(text.as_bytes().to_vec(), "pan.csv", Some(account_id(10)))
        .await;
    assert_eq!((outcome.accepted, outcome.quarantined), (1, 1));
    let page = h
        .store
        .transactions(&finsight_store::TransactionQuery::for_user(h.user))
        .await
        .unwrap();
    assert_eq!(
        page.transactions[0].description.as_str(),
        "PAYMENT FROM CARD XXXXXXXXXXXX1111"
    );
    let quarantined = &h.store.quarantined(None, 1).await.unwrap()[0];
    assert!(
        quarantined.entry.raw.contains("XXXXXXXXXXXX0004"),
        "{}",
        quarantined.entry.raw
    );
    assert!(!quarantined.entry.raw.contains("5500"));
}
