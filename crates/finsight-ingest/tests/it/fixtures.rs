//! Each format's realistic sample file: what loads, what is quarantined,
//! and that importing it again adds nothing.

use encoding_rs::WINDOWS_1252;
use finsight_ingest::format::FileFormat;
use finsight_store::{QuarantineStatus, TransactionQuery};

use crate::{account_id, fixture, harness};

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    bytes
}

async fn check(
    bytes: Vec<u8>,
    name: &str,
    account: Option<u8>,
    format: FileFormat,
    accepted: u64,
    quarantined: u64,
) -> crate::Harness {
    let h = harness().await;
    let account = account.map(account_id);
    let first = h.import(bytes.clone(), name, account).await;
    assert_eq!(first.format, format, "{name}");
    assert_eq!(
        (first.accepted, first.duplicates, first.quarantined),
        (accepted, 0, quarantined),
        "{name}"
    );
    let again = h.import(bytes, name, account).await;
    assert_eq!(
        (again.accepted, again.duplicates),
        (0, accepted),
        "{name} twice"
    );
    let open = h
        .store
        .quarantined(Some(QuarantineStatus::Open), 100)
        .await
        .unwrap();
    assert_eq!(
        open.len() as u64,
        quarantined,
        "{name}: no duplicate quarantine entries"
    );
    assert_eq!(h.store.stats().await.unwrap().transactions, accepted);
    h
}

#[tokio::test]
async fn chase_csv_keeps_identical_rows_and_quarantines_bad_ones() {
    let h = check(
        fixture("chase_checking.csv"),
        "chase.csv",
        Some(10),
        FileFormat::Csv,
        6,
        2,
    )
    .await;
    let open = h.store.quarantined(None, 10).await.unwrap();
    let fields: Vec<_> = open.iter().map(|q| q.entry.field.as_str()).collect();
    assert!(
        fields.contains(&"date") && fields.contains(&"amount"),
        "{fields:?}"
    );
    let coffees = h
        .store
        .transactions(&TransactionQuery::for_user(h.user))
        .await
        .unwrap()
        .transactions
        .into_iter()
        .filter(|t| t.description.as_str().contains("BLUE BOTTLE"))
        .count();
    assert_eq!(coffees, 2, "two identical coffees are two transactions");
}

#[tokio::test]
async fn german_csv_in_utf8_utf16_and_windows_1252() {
    let text = String::from_utf8(fixture("sparkasse.csv")).unwrap();
    let (cp1252, _, unmappable) = WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    for (bytes, name) in [
        (text.clone().into_bytes(), "utf8.csv"),
        (utf16le_with_bom(&text), "utf16.csv"),
        (cp1252.into_owned(), "cp1252.csv"),
    ] {
        let h = check(bytes, name, Some(12), FileFormat::Csv, 4, 1).await;
        let page = h
            .store
            .transactions(&TransactionQuery::for_user(h.user))
            .await
            .unwrap();
        let descriptions: Vec<_> = page
            .transactions
            .iter()
            .map(|t| t.description.to_string())
            .collect();
        assert!(
            descriptions.contains(&"Bäckerei Schmidt € Kaffee".to_owned()),
            "{name}: {descriptions:?}"
        );
        let rent = page
            .transactions
            .iter()
            .find(|t| t.description.as_str().contains("Miete"))
            .unwrap();
        assert_eq!(rent.amount.amount_text(), "-1250.00");
        assert_eq!(rent.merchant.as_deref(), Some("Hausverwaltung Müller"));
        let quarantined = h.store.quarantined(None, 10).await.unwrap();
        assert_eq!(quarantined[0].entry.field, "currency");
    }
}

#[tokio::test]
async fn ofx_and_qfx_statements() {
    let h = check(
        fixture("checking.ofx"),
        "checking.ofx",
        Some(10),
        FileFormat::Ofx,
        4,
        0,
    )
    .await;
    let page = h
        .store
        .transactions(&TransactionQuery::for_user(h.user))
        .await
        .unwrap();
    let tj = page
        .transactions
        .iter()
        .find(|t| t.description.as_str().starts_with("TRADER"))
        .unwrap();
    assert_eq!(
        tj.description.as_str(),
        "TRADER JOE'S #552 SAN FRANCISCO CA"
    );
    assert_eq!(tj.occurred_at.unwrap().offset().whole_hours(), -5);
    assert!(
        page.transactions
            .iter()
            .any(|t| t.description.as_str() == "AT&T BILL PAYMENT")
    );
    check(
        fixture("card.qfx"),
        "card.qfx",
        Some(11),
        FileFormat::Ofx,
        3,
        0,
    )
    .await;
}

#[tokio::test]
async fn ofx_account_is_remembered_for_the_next_import() {
    let h = harness().await;
    h.import(fixture("checking.ofx"), "march.ofx", Some(account_id(10)))
        .await;
    // Same bank account, no --account: found by its ACCTID.
    let april = String::from_utf8(fixture("checking.ofx"))
        .unwrap()
        .replace("20260302-0001", "20260402-0001")
        .replace("<DTPOSTED>20260302", "<DTPOSTED>20260318");
    let outcome = h.import(april.into_bytes(), "april.ofx", None).await;
    assert_eq!((outcome.accepted, outcome.quarantined), (1, 0));
}

#[tokio::test]
async fn qif_with_categories_and_splits() {
    let h = check(
        fixture("quicken.qif"),
        "quicken.qif",
        Some(10),
        FileFormat::Qif,
        4,
        1,
    )
    .await;
    let page = h
        .store
        .transactions(&TransactionQuery::for_user(h.user))
        .await
        .unwrap();
    let categories: Vec<_> = page
        .transactions
        .iter()
        .map(|t| {
            t.category
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
        .collect();
    for expected in [
        "housing.rent",
        "groceries",
        "income.salary",
        "transport.fuel",
    ] {
        assert!(
            categories.iter().any(|c| c == expected),
            "{expected}: {categories:?}"
        );
    }
    assert_eq!(
        h.store.quarantined(None, 10).await.unwrap()[0].entry.field,
        "$"
    );
}

#[tokio::test]
async fn camt053_with_batch_entries() {
    let h = check(
        fixture("camt053_batch.xml"),
        "camt.xml",
        Some(13),
        FileFormat::Camt053,
        5,
        0,
    )
    .await;
    let page = h
        .store
        .transactions(&TransactionQuery::for_user(h.user))
        .await
        .unwrap();
    let names: Vec<_> = page
        .transactions
        .iter()
        .filter_map(|t| t.merchant.clone())
        .collect();
    for name in [
        "Alpina Sport GmbH",
        "Berghof & Co",
        "Café Zürichsee",
        "Swisscom (Schweiz) AG",
    ] {
        assert!(names.contains(&name.to_owned()), "{name}: {names:?}");
    }
    assert!(
        page.transactions
            .iter()
            .any(|t| t.description.as_str() == "Kontoführungsgebühr")
    );
}

#[tokio::test]
async fn mt940_with_multiline_details() {
    let h = check(
        fixture("mt940_multiline.sta"),
        "mt940.sta",
        Some(12),
        FileFormat::Mt940,
        4,
        0,
    )
    .await;
    let page = h
        .store
        .transactions(&TransactionQuery::for_user(h.user))
        .await
        .unwrap();
    let salary = page
        .transactions
        .iter()
        .find(|t| t.amount.amount_text() == "3412.55")
        .unwrap();
    assert!(
        salary
            .description
            .as_str()
            .contains("SVWZ+Gehalt Maerz 2026 Personalnummer 4711"),
        "{}",
        salary.description
    );
    assert_eq!(salary.merchant.as_deref(), Some("ACME GMBH"));
    assert!(
        page.transactions
            .iter()
            .any(|t| t.description.as_str() == "Zinsgutschrift Quartal 1")
    );
}

#[tokio::test]
async fn jsonl_resolves_accounts_by_id() {
    let text = String::from_utf8(fixture("transactions.jsonl"))
        .unwrap()
        .replace("ACCOUNT", &account_id(10).to_string());
    let h = check(
        text.into_bytes(),
        "feed.jsonl",
        None,
        FileFormat::Jsonl,
        2,
        3,
    )
    .await;
    let mut fields: Vec<_> = h
        .store
        .quarantined(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.entry.field)
        .collect();
    fields.sort();
    assert_eq!(fields, ["account_id", "amount", "currency"]);
}

/// Parses a fixture as `finsight import` would (decode, detect, parse).
fn parse_fixture(name: &str) -> (FileFormat, finsight_ingest::ParsedFile) {
    let decoded = finsight_ingest::decode(&fixture(name));
    let format = finsight_ingest::format::detect(&decoded.text, Some(name));
    let (parsed, _) = finsight_ingest::format::parse(&decoded.text, format, None).unwrap();
    (format, parsed)
}

fn descriptions(parsed: &finsight_ingest::ParsedFile) -> Vec<String> {
    parsed
        .records
        .iter()
        .map(|r| {
            finsight_core::Description::parse(&r.description)
                .unwrap_or_else(|e| panic!("{}: {e}", r.location))
                .as_str()
                .to_owned()
        })
        .collect()
}

#[test]
fn real_files_describe_their_accounts_and_every_record() {
    use finsight_core::AccountKind;
    let (format, ofx) = parse_fixture("no_name_checking.ofx");
    assert_eq!(format, FileFormat::Ofx);
    assert!(ofx.errors.is_empty(), "{:?}", ofx.errors);
    assert_eq!(ofx.accounts.len(), 1);
    let account = &ofx.accounts[0];
    assert_eq!(
        (
            account.reference.as_str(),
            account.currency.as_deref(),
            account.kind
        ),
        ("7720046789", Some("USD"), Some(AccountKind::Checking))
    );
    assert_eq!(account.institution.as_deref(), Some("Harbor Credit Union"));
    assert_eq!(
        descriptions(&ofx),
        [
            "SAFEWAY #1432 POS PURCHASE",
            "Fee",
            "Check 1043",
            "NORTHWIND LOGISTICS PAYROLL",
            "Interest"
        ]
    );

    let (_, qfx) = parse_fixture("visa_cad.qfx");
    assert_eq!(qfx.records.len(), 3, "{:?}", qfx.errors);
    let card = &qfx.accounts[0];
    assert_eq!(
        (card.currency.as_deref(), card.kind),
        (Some("CAD"), Some(AccountKind::CreditCard))
    );

    let (format, camt) = parse_fixture("wrapped_remittance.camt053.xml");
    assert_eq!(format, FileFormat::Camt053);
    assert!(camt.errors.is_empty(), "{:?}", camt.errors);
    assert_eq!(
        camt.accounts[0].institution.as_deref(),
        Some("Deutsche Kreditbank")
    );
    assert_eq!(
        descriptions(&camt),
        [
            "Wohnbau Nord GmbH MIETE OKTOBER 2026 WOHNUNG 3.OG LINKS OBJEKT 1142",
            "Stadtwerke Musterstadt Abschlag Strom Vertragskonto 4400187 Oktober",
            "Bank charges",
            "Contoso Software AG GEHALT 10/2026 PERSONALNR 00421"
        ]
    );

    let (format, mt940) = parse_fixture("structured.mt940.sta");
    assert_eq!(format, FileFormat::Mt940);
    assert!(mt940.errors.is_empty(), "{:?}", mt940.errors);
    assert_eq!(
        (
            mt940.accounts[0].reference.as_str(),
            mt940.accounts[0].currency.as_deref()
        ),
        ("NL91ABNA0417164300", Some("EUR"))
    );
    assert_eq!(
        descriptions(&mt940),
        [
            "Albert Heijn 1403 Betaalautomaat 02-10-2026 17:42 pasnr. 021",
            "Fabrikam B V Salaris september 2026",
            "KPN B.V. KPN MOBIEL ABONNEMENTOKTOBER 2026 SEPA LASTSCHRIFT",
            "Charges"
        ]
    );
    let merchants: Vec<Option<&str>> = mt940
        .records
        .iter()
        .map(|r| r.merchant.as_deref())
        .collect();
    assert_eq!(
        merchants,
        [
            Some("Albert Heijn 1403"),
            Some("Fabrikam B V"),
            Some("KPN B.V."),
            None
        ]
    );
}
