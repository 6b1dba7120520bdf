//! The storage contract, as cases that take any backend.

use std::sync::Arc;

use finsight_core::{
    Account, AccountId, AccountKind, CategoryId, CategoryRule, CategorySource, Currency,
    Description, Household, HouseholdId, IdentifiedTransaction, Mcc, Money, NewTransaction,
    PostingDate, SourceName, Tenant, TenantId, Transaction, User, UserId,
};
use finsight_store::{
    CategoryUpdate, Directory, ImportRun, JobClaim, PageCursor, QuarantineEntry, QuarantineStatus,
    Store, StoreError, TotalsQuery, TransactionQuery,
};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

mod accounts;
mod alerts;
mod features;
mod partitions;
mod planning;
mod registry;
mod security;
pub use accounts::*;
pub use alerts::*;
pub use features::*;
pub use partitions::*;
pub use planning::*;
pub use registry::*;
pub use security::*;

pub(crate) struct Fixture {
    pub(crate) user: UserId,
    pub(crate) other_user: UserId,
    pub(crate) checking: AccountId,
    pub(crate) card: AccountId,
    pub(crate) euro_savings: AccountId,
}

pub(crate) fn id(n: u8) -> [u8; 16] {
    [n; 16]
}

pub(crate) async fn fixture(store: &Arc<dyn Store>) -> Fixture {
    let tenant = TenantId::from_random_bytes(id(1));
    let household = HouseholdId::from_random_bytes(id(2));
    let user = UserId::from_random_bytes(id(3));
    let other_user = UserId::from_random_bytes(id(4));
    let usd = Currency::parse("USD").unwrap();
    let account = |n, owner, kind, currency| Account {
        id: AccountId::from_random_bytes(id(n)),
        user_id: owner,
        kind,
        currency,
        name: format!("account {n}"),
        institution: "First Harbor Bank".into(),
        closed_on: None,
    };
    let directory = Directory {
        tenants: vec![Tenant {
            id: tenant,
            name: "Acme Finance".into(),
        }],
        households: vec![Household {
            id: household,
            tenant_id: tenant,
            name: "The Lees".into(),
        }],
        users: [(user, "Ada Lee"), (other_user, "Ben Lee")]
            .into_iter()
            .map(|(id, name)| User {
                id,
                tenant_id: tenant,
                household_id: household,
                display_name: name.into(),
            })
            .collect(),
        accounts: vec![
            account(10, user, AccountKind::Checking, usd),
            account(11, user, AccountKind::CreditCard, usd),
            account(
                12,
                user,
                AccountKind::Savings,
                Currency::parse("EUR").unwrap(),
            ),
            account(13, other_user, AccountKind::Checking, usd),
        ],
    };
    store.upsert_directory(&directory).await.unwrap();
    // Upserting again is harmless.
    store.upsert_directory(&directory).await.unwrap();
    Fixture {
        user,
        other_user,
        checking: AccountId::from_random_bytes(id(10)),
        card: AccountId::from_random_bytes(id(11)),
        euro_savings: AccountId::from_random_bytes(id(12)),
    }
}

pub(crate) fn record(
    account: AccountId,
    day: Date,
    amount: &str,
    description: &str,
) -> NewTransaction {
    record_in(account, day, amount, "USD", description)
}

fn record_in(
    account: AccountId,
    day: Date,
    amount: &str,
    currency: &str,
    description: &str,
) -> NewTransaction {
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::new(day).unwrap(),
        occurred_at: None,
        amount: Money::parse(amount, Currency::parse(currency).unwrap()).unwrap(),
        description: Description::parse(description).unwrap(),
        merchant: None,
        mcc: None,
        category: None,
        source: SourceName::parse("test").unwrap(),
        source_ref: None,
    }
}

fn categorized(mut record: NewTransaction, category: &str) -> NewTransaction {
    record.category = Some(CategoryId::parse(category).unwrap());
    record
}

pub async fn insert_is_idempotent_and_feeds_the_outbox(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let batch = vec![
        record(
            f.checking,
            date!(2026 - 01 - 02),
            "-12.50",
            "SQ *BLUE BOTTLE 0423",
        ),
        record(
            f.checking,
            date!(2026 - 01 - 03),
            "2500",
            "ACME CORP PAYROLL",
        ),
        record(
            f.card,
            date!(2026 - 01 - 03),
            "-99.99",
            "AMZN MKTP US*2K3L1",
        ),
    ];
    let first = store.insert_transactions(&batch).await.unwrap();
    assert_eq!((first.inserted, first.duplicates), (3, 0));
    let again = store.insert_transactions(&batch).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 3));
    let outbox = store.outbox_after(0, 100).await.unwrap();
    assert_eq!(outbox.len(), 3);
    let ids: Vec<_> = batch.iter().map(|r| r.transaction_id()).collect();
    assert_eq!(
        outbox.iter().map(|e| e.transaction_id).collect::<Vec<_>>(),
        ids
    );
    assert!(outbox.iter().all(|e| e.user_id == f.user));
    assert!(store.insert_transactions(&[]).await.unwrap().inserted == 0);
}

pub async fn duplicates_within_one_batch_are_stored_once(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let coffee = record(f.checking, date!(2026 - 01 - 02), "-4.50", "COFFEE");
    let mut second_coffee = coffee.clone();
    second_coffee.source_ref = Some("2".into());
    let report = store
        .insert_transactions(&[coffee.clone(), coffee.clone(), second_coffee])
        .await
        .unwrap();
    assert_eq!((report.inserted, report.duplicates), (2, 1));
    assert_eq!(store.outbox_after(0, 10).await.unwrap().len(), 2);
}

pub async fn unknown_account_rejects_the_whole_batch(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let ghost = AccountId::from_random_bytes(id(99));
    let batch = vec![
        record(f.checking, date!(2026 - 01 - 02), "-1", "GOOD"),
        record(ghost, date!(2026 - 01 - 02), "-1", "GHOST"),
    ];
    let err = store.insert_transactions(&batch).await.unwrap_err();
    let StoreError::Invalid(err) = err else {
        panic!("expected a validation error, got {err:?}")
    };
    assert_eq!(err.field, "transactions[1].account_id");
    assert!(err.reason.contains("does not exist"), "{}", err.reason);
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.transactions, stats.outbox), (0, 0));
}

pub async fn currency_must_match_the_account(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let batch = vec![record(
        f.euro_savings,
        date!(2026 - 01 - 02),
        "5",
        "INTEREST",
    )];
    let StoreError::Invalid(err) = store.insert_transactions(&batch).await.unwrap_err() else {
        panic!("expected a validation error")
    };
    assert_eq!(err.field, "transactions[0].currency");
    assert!(err.reason.contains("EUR"), "{}", err.reason);
    let euro = record_in(
        f.euro_savings,
        date!(2026 - 01 - 02),
        "5",
        "EUR",
        "INTEREST",
    );
    assert_eq!(
        store.insert_transactions(&[euro]).await.unwrap().inserted,
        1
    );
}

pub async fn account_kind_and_currency_cannot_change(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let mut account = store.account(f.checking).await.unwrap().unwrap();
    assert_eq!(account.kind, AccountKind::Checking);
    account.name = "Renamed".into();
    let rename = Directory {
        accounts: vec![account.clone()],
        ..Directory::default()
    };
    store.upsert_directory(&rename).await.unwrap();
    assert_eq!(
        store.account(f.checking).await.unwrap().unwrap().name,
        "Renamed"
    );
    account.currency = Currency::parse("GBP").unwrap();
    let change = Directory {
        accounts: vec![account],
        ..Directory::default()
    };
    let StoreError::Invalid(err) = store.upsert_directory(&change).await.unwrap_err() else {
        panic!("expected a validation error")
    };
    assert_eq!(err.field, "accounts[0].account_id");
    let kept = store.account(f.checking).await.unwrap().unwrap();
    assert_eq!(kept.currency.code(), "USD");
    assert_eq!(store.accounts_of_user(f.user).await.unwrap().len(), 3);
    assert_eq!(store.accounts_of_user(f.other_user).await.unwrap().len(), 1);
}

pub async fn stored_transactions_round_trip_every_field(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let mut full = record(
        f.card,
        date!(2026 - 02 - 28),
        "-1234.56",
        "UBER *TRIP HELP.UBER.COM",
    );
    full.occurred_at = Some(datetime!(2026-02-27 23:41:07 -5));
    full.merchant = Some("Uber".into());
    full.mcc = Some(Mcc::new(4121).unwrap());
    full.category = Some(CategoryId::parse("transport.rideshare").unwrap());
    full.source_ref = Some("FITID-0001".into());
    let bare = record(f.checking, date!(2026 - 02 - 01), "0", "ZERO AMOUNT AUTH");
    store
        .insert_transactions(&[full.clone(), bare.clone()])
        .await
        .unwrap();
    let page = store
        .transactions(&TransactionQuery::for_user(f.user))
        .await
        .unwrap();
    assert_eq!(
        page.transactions,
        vec![
            Transaction::from_new(f.user, full),
            Transaction::from_new(f.user, bare)
        ]
    );
    assert!(page.next.is_none());
}

pub async fn pages_are_complete_ordered_and_filtered(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let start = date!(2026 - 01 - 01);
    let mut batch = Vec::new();
    for n in 0..25i64 {
        let day = start + Duration::days(n / 2);
        let account = if n % 3 == 0 { f.card } else { f.checking };
        let category = [
            "dining.coffee",
            "dining",
            "groceries",
            "dining_out",
            "income.salary",
        ][(n % 5) as usize];
        batch.push(categorized(
            record(
                account,
                day,
                &format!("-{}.25", n + 1),
                &format!("SHOP {n}"),
            ),
            category,
        ));
    }
    batch.push(record(
        AccountId::from_random_bytes(id(13)),
        start,
        "-1",
        "OTHER USER",
    ));
    store.insert_transactions(&batch).await.unwrap();

    let mut query = TransactionQuery::for_user(f.user);
    query.limit = 10;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = store.transactions(&query).await.unwrap();
        pages += 1;
        seen.extend(page.transactions);
        match page.next {
            Some(cursor) => {
                let decoded = PageCursor::decode(&cursor.encode()).unwrap();
                assert_eq!(decoded, cursor);
                query.after = Some(decoded);
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25);
    assert!(seen.iter().all(|t| t.user_id == f.user));
    for pair in seen.windows(2) {
        assert!((pair[0].posted_on, pair[0].id) > (pair[1].posted_on, pair[1].id));
    }

    let mut by_account = TransactionQuery::for_user(f.user);
    by_account.account_id = Some(f.card);
    let cards = store.transactions(&by_account).await.unwrap().transactions;
    assert_eq!(cards.len(), 9);
    assert!(cards.iter().all(|t| t.account_id == f.card));

    let mut by_dates = TransactionQuery::for_user(f.user);
    by_dates.from = Some(date!(2026 - 01 - 03));
    by_dates.to = Some(date!(2026 - 01 - 04));
    let in_range = store.transactions(&by_dates).await.unwrap().transactions;
    assert_eq!(in_range.len(), 4);

    let mut by_category = TransactionQuery::for_user(f.user);
    by_category.category = Some(CategoryId::parse("dining").unwrap());
    let dining = store.transactions(&by_category).await.unwrap().transactions;
    assert_eq!(dining.len(), 10, "dining and dining.coffee, not dining_out");
    assert!(dining.iter().all(|t| {
        t.category
            .as_ref()
            .is_some_and(|c| c.is_within(&CategoryId::parse("dining").unwrap()))
    }));
}

pub async fn monthly_totals_are_exact_per_category(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let batch = vec![
        categorized(
            record(f.checking, date!(2026 - 01 - 05), "-0.10", "A"),
            "groceries",
        ),
        categorized(
            record(f.checking, date!(2026 - 01 - 06), "-0.20", "B"),
            "groceries",
        ),
        categorized(
            record(f.card, date!(2026 - 01 - 31), "-0.30", "C"),
            "groceries",
        ),
        categorized(
            record(f.card, date!(2026 - 02 - 01), "-7.77", "D"),
            "dining.coffee",
        ),
        record(f.checking, date!(2026 - 02 - 14), "-3", "E"),
        record(f.checking, date!(2026 - 03 - 01), "-1000", "OUTSIDE"),
        record_in(
            f.euro_savings,
            date!(2026 - 02 - 02),
            "0.01",
            "EUR",
            "INTEREST",
        ),
    ];
    store.insert_transactions(&batch).await.unwrap();
    let totals = store
        .monthly_category_totals(&TotalsQuery {
            user_id: f.user,
            from: date!(2026 - 01 - 01),
            until: date!(2026 - 03 - 01),
        })
        .await
        .unwrap();
    let rendered: Vec<String> = totals
        .iter()
        .map(|t| format!("{} {} {} x{}", t.month, t.category, t.total, t.count))
        .collect();
    assert_eq!(
        rendered,
        vec![
            "2026-01-01 groceries -0.60 USD x3",
            "2026-02-01 dining.coffee -7.77 USD x1",
            "2026-02-01 uncategorized 0.01 EUR x1",
            "2026-02-01 uncategorized -3.00 USD x1",
        ]
    );
}

pub async fn outbox_reads_in_order_from_a_position(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    for n in 0..7 {
        let r = record(
            f.checking,
            date!(2026 - 01 - 01),
            "-1",
            &format!("ITEM {n}"),
        );
        store.insert_transactions(&[r]).await.unwrap();
    }
    let first = store.outbox_after(0, 4).await.unwrap();
    assert_eq!(first.len(), 4);
    let rest = store.outbox_after(first[3].seq, 100).await.unwrap();
    assert_eq!(rest.len(), 3);
    let all: Vec<i64> = first.iter().chain(&rest).map(|e| e.seq).collect();
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert!(store.outbox_after(all[6], 100).await.unwrap().is_empty());
}

pub async fn concurrent_overlapping_batches_never_duplicate(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let records: Vec<NewTransaction> = (0..600)
        .map(|n| {
            record(
                f.checking,
                date!(2026 - 01 - 01),
                "-1",
                &format!("ITEM {n}"),
            )
        })
        .collect();
    let a = records[..400].to_vec();
    let b = records[200..].to_vec();
    let (store_a, store_b) = (store.clone(), store.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { store_a.insert_transactions(&a).await.unwrap() }),
        tokio::spawn(async move { store_b.insert_transactions(&b).await.unwrap() }),
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.inserted + rb.inserted, 600);
    assert_eq!(ra.duplicates + rb.duplicates, 200);
    let stats = store.stats().await.unwrap();
    assert_eq!((stats.transactions, stats.outbox), (600, 600));
}

pub async fn stats_count_everything(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let batch = vec![
        categorized(
            record(f.checking, date!(2026 - 01 - 05), "-10", "A"),
            "dining.coffee",
        ),
        categorized(record(f.card, date!(2026 - 01 - 06), "-20", "B"), "dining"),
        record(f.checking, date!(2026 - 02 - 06), "100", "C"),
    ];
    store.insert_transactions(&batch).await.unwrap();
    let stats = store.stats().await.unwrap();
    assert_eq!(
        (stats.tenants, stats.households, stats.users, stats.accounts),
        (1, 1, 2, 4)
    );
    assert_eq!((stats.transactions, stats.outbox), (3, 3));
    let ada = stats.by_user.iter().find(|u| u.user_id == f.user).unwrap();
    assert_eq!((ada.accounts, ada.transactions), (3, 3));
    assert_eq!(ada.first_posted_on, Some(date!(2026 - 01 - 05)));
    assert_eq!(ada.last_posted_on, Some(date!(2026 - 02 - 06)));
    let ben = stats
        .by_user
        .iter()
        .find(|u| u.user_id == f.other_user)
        .unwrap();
    assert_eq!((ben.transactions, ben.first_posted_on), (0, None));
    let kinds: Vec<_> = stats
        .by_account_kind
        .iter()
        .map(|k| {
            (
                k.kind.as_str(),
                k.currency.as_str(),
                k.accounts,
                k.transactions,
                k.net_minor,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("checking", "USD", 2, 2, 9000),
            ("savings", "EUR", 1, 0, 0),
            ("credit_card", "USD", 1, 1, -2000),
        ]
    );
    let categories: Vec<_> = stats
        .by_category
        .iter()
        .map(|c| (c.category.as_str(), c.transactions, c.net_minor))
        .collect();
    assert_eq!(
        categories,
        vec![("dining", 2, -3000), ("uncategorized", 1, 10000)]
    );
}

pub async fn bad_page_limits_are_rejected(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    for limit in [0, TransactionQuery::MAX_LIMIT + 1] {
        let mut query = TransactionQuery::for_user(f.user);
        query.limit = limit;
        let StoreError::Invalid(err) = store.transactions(&query).await.unwrap_err() else {
            panic!("expected a validation error")
        };
        assert_eq!(err.field, "limit");
    }
}

fn bad_record(location: &str) -> QuarantineEntry {
    QuarantineEntry {
        source: "csv".into(),
        origin: "march.csv".into(),
        location: location.into(),
        raw: "2026-02-30,B,-2.00".into(),
        field: "date".into(),
        reason: "\"2026-02-30\" is not a date".into(),
        record: None,
        account_id: None,
    }
}

fn identified(records: &[NewTransaction]) -> Vec<IdentifiedTransaction> {
    records
        .iter()
        .cloned()
        .map(IdentifiedTransaction::new)
        .collect()
}

pub(crate) fn now() -> OffsetDateTime {
    datetime!(2026-03-20 10:00:00 UTC)
}

pub async fn batches_write_good_and_quarantined_records_atomically(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let good = vec![
        record(f.checking, date!(2026 - 03 - 01), "-1", "A"),
        record(f.checking, date!(2026 - 03 - 02), "-2", "B"),
    ];
    let bad = vec![bad_record("line 3"), bad_record("line 4")];
    let report = store
        .write_batch(identified(&good), bad.clone(), now())
        .await
        .unwrap();
    assert_eq!(
        (
            report.ledger.inserted,
            report.ledger.duplicates,
            report.quarantined
        ),
        (2, 0, 2)
    );
    let again = store
        .write_batch(identified(&good), bad.clone(), now())
        .await
        .unwrap();
    assert_eq!(
        (
            again.ledger.inserted,
            again.ledger.duplicates,
            again.quarantined
        ),
        (0, 2, 0)
    );
    let open = store
        .quarantined(Some(QuarantineStatus::Open), 10)
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].entry.origin, "march.csv");
    assert_eq!(open[0].created_at, now());

    // An invalid good record rejects the whole batch, quarantine included.
    let ghost = vec![record(
        AccountId::from_random_bytes(id(99)),
        date!(2026 - 03 - 01),
        "-1",
        "X",
    )];
    assert!(
        store
            .write_batch(identified(&ghost), vec![bad_record("line 9")], now())
            .await
            .is_err()
    );
    assert_eq!(store.quarantined(None, 10).await.unwrap().len(), 2);
    assert_eq!(store.stats().await.unwrap().transactions, 2);
}

pub async fn quarantined_records_resolve_once(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let mut entry = bad_record("line 7");
    entry.account_id = Some(f.checking);
    store
        .write_batch(Vec::new(), vec![entry.clone()], now())
        .await
        .unwrap();
    let id = entry.id();
    store
        .update_quarantine_reason(id, "amount", "still wrong")
        .await
        .unwrap();
    let fixed = record(f.checking, date!(2026 - 02 - 28), "-2", "B");
    let report = store.resolve_quarantined(id, &fixed, now()).await.unwrap();
    assert_eq!(report.inserted, 1);
    let resolved = store.quarantined_record(id).await.unwrap().unwrap();
    assert_eq!(resolved.status, QuarantineStatus::Resolved);
    assert_eq!(resolved.entry.field, "amount");
    assert_eq!(resolved.entry.account_id, Some(f.checking));
    assert_eq!(resolved.transaction_id, Some(fixed.transaction_id()));
    assert!(store.resolve_quarantined(id, &fixed, now()).await.is_err());
    assert!(
        store
            .quarantined(Some(QuarantineStatus::Open), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .quarantined_record(uuid::Uuid::nil())
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn aliases_profiles_and_import_runs_round_trip(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    store
        .bind_account_reference("DE89370400440532013000", f.checking)
        .await
        .unwrap();
    assert_eq!(
        store.account_aliases().await.unwrap(),
        vec![("DE89370400440532013000".to_owned(), f.checking)]
    );
    assert_eq!(store.csv_profile("chase").await.unwrap(), None);
    store
        .save_csv_profile("chase", "{\"a\":1}", now())
        .await
        .unwrap();
    store
        .save_csv_profile("chase", "{\"a\":2}", now())
        .await
        .unwrap();
    assert_eq!(
        store.csv_profile("chase").await.unwrap().as_deref(),
        Some("{\"a\":2}")
    );
    let run = ImportRun {
        id: uuid::Uuid::from_u128(7),
        source: "csv".into(),
        origin: "march.csv".into(),
        account_id: Some(f.checking),
        started_at: now(),
        finished_at: now() + Duration::seconds(3),
        accepted: 10,
        duplicates: 2,
        quarantined: 1,
        columns: vec!["Date".into(), "Amount".into()],
    };
    store.record_import_run(&run).await.unwrap();
    store.record_import_run(&run).await.unwrap();
    assert_eq!(store.import_runs(now()).await.unwrap(), vec![run]);
    assert!(
        store
            .import_runs(now() + Duration::hours(1))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn daily_counts_and_last_posting_per_source(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let batch = vec![
        record(f.checking, date!(2026 - 03 - 01), "-1", "A"),
        record(f.checking, date!(2026 - 03 - 01), "-2", "B"),
        record(f.checking, date!(2026 - 03 - 03), "-3", "C"),
        record(f.card, date!(2026 - 02 - 01), "-4", "D"),
    ];
    store.insert_transactions(&batch).await.unwrap();
    let counts = store.daily_counts(date!(2026 - 03 - 01)).await.unwrap();
    let got: Vec<_> = counts
        .iter()
        .map(|c| (c.account_id, c.day, c.transactions))
        .collect();
    assert_eq!(
        got,
        vec![
            (f.checking, date!(2026 - 03 - 01), 2),
            (f.checking, date!(2026 - 03 - 03), 1)
        ]
    );
    let mut last = store.last_posted().await.unwrap();
    last.sort_by_key(|(_, a, _)| *a);
    let mut want = vec![
        ("test".to_owned(), f.checking, date!(2026 - 03 - 03)),
        ("test".to_owned(), f.card, date!(2026 - 02 - 01)),
    ];
    want.sort_by_key(|(_, a, _)| *a);
    assert_eq!(last, want);
}

pub async fn categories_respect_who_set_them(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let from_bank = categorized(
        record(f.checking, date!(2026 - 03 - 01), "-5", "BANK SAYS"),
        "groceries",
    );
    let bare = record(f.checking, date!(2026 - 03 - 01), "-6", "NOTHING");
    store
        .insert_transactions(&[from_bank.clone(), bare.clone()])
        .await
        .unwrap();
    let update = |record: &NewTransaction, category: &str, source| CategoryUpdate {
        transaction_id: record.transaction_id(),
        category: CategoryId::parse(category).unwrap(),
        source,
    };
    // MCC is weaker than the bank's category; a rule is stronger.
    let changed = store
        .apply_categories(&[
            update(&from_bank, "dining", CategorySource::Mcc),
            update(&bare, "dining.coffee", CategorySource::Mcc),
        ])
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let changed = store
        .apply_categories(&[update(&from_bank, "shopping.home", CategorySource::Rule)])
        .await
        .unwrap();
    assert_eq!(changed, 1);
    // Re-applying the same update changes nothing.
    assert_eq!(
        store
            .apply_categories(&[update(&from_bank, "shopping.home", CategorySource::Rule)])
            .await
            .unwrap(),
        0
    );
    let ids = [from_bank.transaction_id(), bare.transaction_id()];
    let loaded = store.transactions_by_id(&ids).await.unwrap();
    let by_description = |d: &str| loaded.iter().find(|t| t.description.as_str() == d).unwrap();
    let bank = by_description("BANK SAYS");
    assert_eq!(
        (
            bank.category.as_ref().unwrap().as_str(),
            bank.category_source
        ),
        ("shopping.home", Some(CategorySource::Rule))
    );
    let bare = by_description("NOTHING");
    assert_eq!(
        (
            bare.category.as_ref().unwrap().as_str(),
            bare.category_source
        ),
        ("dining.coffee", Some(CategorySource::Mcc))
    );
}

pub async fn category_rules_belong_to_their_user(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let rule = |n: u128, user, pattern: &str| CategoryRule {
        id: uuid::Uuid::from_u128(n),
        user_id: user,
        pattern: pattern.into(),
        category: CategoryId::parse("dining.coffee").unwrap(),
        priority: 1,
    };
    store
        .add_category_rule(&rule(1, f.user, "blue bottle"), now())
        .await
        .unwrap();
    store
        .add_category_rule(&rule(2, f.other_user, "starbucks"), now())
        .await
        .unwrap();
    let mine = store.rules_of_users(&[f.user]).await.unwrap();
    assert_eq!(mine, vec![rule(1, f.user, "blue bottle")]);
    assert_eq!(
        store
            .rules_of_users(&[f.user, f.other_user])
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        !store
            .delete_category_rule(f.user, uuid::Uuid::from_u128(2))
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_category_rule(f.user, uuid::Uuid::from_u128(1))
            .await
            .unwrap()
    );
    assert!(store.rules_of_users(&[f.user]).await.unwrap().is_empty());
}

pub async fn job_runs_happen_once_per_key(store: Arc<dyn Store>) {
    assert_eq!(
        store
            .claim_job_run("volume-check", "2026-03-01", now())
            .await
            .unwrap(),
        JobClaim::Claimed
    );
    // Started and never finished (the process died): the next claim resumes it.
    assert_eq!(
        store
            .claim_job_run("volume-check", "2026-03-01", now())
            .await
            .unwrap(),
        JobClaim::Resumed
    );
    store
        .finish_job_run(
            "volume-check",
            "2026-03-01",
            "3 sources, 0 anomalies",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_job_run("volume-check", "2026-03-01", now())
            .await
            .unwrap(),
        JobClaim::Finished {
            outcome: "3 sources, 0 anomalies".into()
        }
    );
    assert_eq!(
        store
            .claim_job_run("volume-check", "2026-03-02", now())
            .await
            .unwrap(),
        JobClaim::Claimed
    );
    assert_eq!(
        store
            .claim_job_run("other-job", "2026-03-01", now())
            .await
            .unwrap(),
        JobClaim::Claimed
    );
    assert!(store.try_lead("scheduler").await.unwrap());
}

pub async fn audit_entries_chain_even_when_appended_concurrently(store: Arc<dyn Store>) {
    use finsight_core::audit::{AuditEvent, ChainVerifier};
    let event = |n: usize| AuditEvent {
        actor: "cli".into(),
        action: "import".into(),
        subject: format!("file-{n}.csv"),
        detail: "accepted=1".into(),
    };
    // Nanoseconds that the database cannot keep must not break the chain.
    let at = now() + Duration::nanoseconds(123_456_789);
    let mut appends = Vec::new();
    for n in 0..8 {
        let store = Arc::clone(&store);
        let event = event(n);
        appends.push(tokio::spawn(async move {
            store.append_audit(&event, at).await.unwrap()
        }));
    }
    for append in appends {
        append.await.unwrap();
    }
    let entries = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    let mut verifier = ChainVerifier::default();
    for entry in &entries {
        verifier.check(entry).unwrap();
    }
    assert_eq!(store.audit_entries(6, 100).await.unwrap().len(), 2);
}

fn tokens(n: u8, now: OffsetDateTime) -> finsight_store::SessionTokens {
    finsight_store::SessionTokens {
        session: uuid::Uuid::from_bytes([n; 16]),
        access_hash: [n; 32],
        access_expires_at: now + Duration::minutes(15),
        refresh_hash: [n.wrapping_add(100); 32],
        refresh_expires_at: now + Duration::days(30),
    }
}

pub async fn transactions_filter_by_amount_and_text_and_take_edits(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let day = date!(2026 - 02 - 02);
    let mut coffee = record(f.checking, day, "-4.50", "SQ *BLUE BOTTLE 100%");
    coffee.merchant = Some("Blue Bottle".into());
    store
        .insert_transactions(&[
            coffee.clone(),
            record(f.checking, day, "-120.00", "CITY POWER"),
            record(f.checking, day, "2500", "ACME PAYROLL"),
            record_in(f.euro_savings, day, "-4.50", "EUR", "BÄCKEREI blue"),
        ])
        .await
        .unwrap();
    let page = |query: TransactionQuery| {
        let store = Arc::clone(&store);
        async move {
            let mut found: Vec<String> = store
                .transactions(&query)
                .await
                .unwrap()
                .transactions
                .into_iter()
                .map(|t| t.description.as_str().to_owned())
                .collect();
            found.sort();
            found
        }
    };
    let mut query = TransactionQuery::for_user(f.user);
    query.min_amount = Some("-10".parse().unwrap());
    query.max_amount = Some("0".parse().unwrap());
    assert_eq!(
        page(query.clone()).await,
        ["BÄCKEREI blue", "SQ *BLUE BOTTLE 100%"]
    );
    query.min_amount = Some("-4.5".parse().unwrap());
    query.max_amount = Some("-4.5".parse().unwrap());
    assert_eq!(
        page(query.clone()).await.len(),
        2,
        "exact bound is inclusive"
    );
    let mut query = TransactionQuery::for_user(f.user);
    query.text = Some("blue".into());
    assert_eq!(
        page(query.clone()).await,
        ["BÄCKEREI blue", "SQ *BLUE BOTTLE 100%"]
    );
    query.text = Some("100%".into());
    assert_eq!(page(query.clone()).await, ["SQ *BLUE BOTTLE 100%"]);
    // Descriptions are sealed: search matches whole words (through a keyed
    // blind index), in any order; merchants are plain and match substrings.
    query.text = Some("bottle BLUE".into());
    assert_eq!(page(query.clone()).await, ["SQ *BLUE BOTTLE 100%"]);
    query.text = Some("bäckerei".into());
    assert_eq!(page(query.clone()).await, ["BÄCKEREI blue"]);
    query.text = Some("power".into());
    assert_eq!(page(query.clone()).await, ["CITY POWER"]);
    query.text = Some("pow".into());
    assert!(page(query.clone()).await.is_empty(), "no partial words");
    query.text = Some("ue bott".into());
    assert_eq!(
        page(query.clone()).await,
        ["SQ *BLUE BOTTLE 100%"],
        "merchant substring"
    );
    query.text = Some("_%".into());
    assert!(
        page(query.clone()).await.is_empty(),
        "wildcards are literal"
    );
    let mut query = TransactionQuery::for_user(f.user);
    query.min_amount = Some("0.00001".parse().unwrap());
    assert!(matches!(
        store.transactions(&query).await,
        Err(StoreError::Invalid(e)) if e.field == "min_amount"
    ));

    let id = coffee.transaction_id();
    let edit = finsight_store::TransactionEdit {
        category: Some(CategoryId::parse("food.coffee").unwrap()),
        notes: Some(Some("with Ben".into())),
    };
    assert!(store.edit_transaction(id, &edit).await.unwrap());
    let stored = store.transactions_by_id(&[id]).await.unwrap().remove(0);
    assert_eq!(stored.category.unwrap().as_str(), "food.coffee");
    assert_eq!(stored.category_source, Some(CategorySource::User));
    assert_eq!(stored.notes.as_deref(), Some("with Ben"));
    let clear = finsight_store::TransactionEdit {
        category: None,
        notes: Some(None),
    };
    assert!(store.edit_transaction(id, &clear).await.unwrap());
    let stored = store.transactions_by_id(&[id]).await.unwrap().remove(0);
    assert_eq!(stored.notes, None);
    assert_eq!(stored.category.unwrap().as_str(), "food.coffee");
    let missing = finsight_core::TransactionId::from_random_bytes(id_bytes(99));
    assert!(!store.edit_transaction(missing, &edit).await.unwrap());
}

fn id_bytes(n: u8) -> [u8; 16] {
    id(n)
}

pub async fn logins_are_unique_and_count_failures(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let now = datetime!(2026-03-01 12:00 UTC);
    let tenant = TenantId::from_random_bytes(id(1));
    let ada = finsight_store::NewLogin {
        id: finsight_core::LoginId::from_random_bytes(id(50)),
        tenant,
        email: finsight_core::Email::parse("Ada@Example.com").unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        kind: finsight_core::LoginKind::Person(f.user),
    };
    store.create_login(&ada, now).await.unwrap();
    let mut twin = ada.clone();
    twin.id = finsight_core::LoginId::from_random_bytes(id(51));
    twin.kind = finsight_core::LoginKind::Staff(finsight_core::StaffRole::Admin);
    assert!(matches!(
        store.create_login(&twin, now).await,
        Err(StoreError::Invalid(e)) if e.field == "email"
    ));
    let mut second_login_for_ada = ada.clone();
    second_login_for_ada.id = twin.id;
    second_login_for_ada.email = finsight_core::Email::parse("ada2@example.com").unwrap();
    assert!(
        store
            .create_login(&second_login_for_ada, now)
            .await
            .is_err()
    );
    let admin = finsight_store::NewLogin {
        id: finsight_core::LoginId::from_random_bytes(id(52)),
        tenant,
        email: finsight_core::Email::parse("admin@example.com").unwrap(),
        password_hash: "x".into(),
        kind: finsight_core::LoginKind::Staff(finsight_core::StaffRole::Admin),
    };
    store.create_login(&admin, now).await.unwrap();

    let found = store.logins_by_email(&ada.email).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, ada.id);
    assert_eq!(found[0].kind, finsight_core::LoginKind::Person(f.user));
    let staff = store.login(admin.id).await.unwrap().unwrap();
    assert_eq!(
        staff.kind,
        finsight_core::LoginKind::Staff(finsight_core::StaffRole::Admin)
    );
    let nobody = finsight_core::Email::parse("nobody@example.com").unwrap();
    assert!(store.logins_by_email(&nobody).await.unwrap().is_empty());
}

pub async fn memberships_follow_the_directory_and_can_change(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let household = HouseholdId::from_random_bytes(id(2));
    let tenant = TenantId::from_random_bytes(id(1));
    let roles = store.memberships_of(f.user).await.unwrap();
    assert_eq!(
        roles,
        [finsight_core::Membership {
            household,
            role: finsight_core::HouseholdRole::Owner
        }]
    );
    let second = HouseholdId::from_random_bytes(id(30));
    store
        .upsert_directory(&Directory {
            households: vec![Household {
                id: second,
                tenant_id: tenant,
                name: "Aardvark flat".into(),
            }],
            ..Directory::default()
        })
        .await
        .unwrap();
    store
        .set_membership(second, f.user, finsight_core::HouseholdRole::Viewer)
        .await
        .unwrap();
    store
        .set_membership(second, f.user, finsight_core::HouseholdRole::Member)
        .await
        .unwrap();
    let mut roles = store.memberships_of(f.user).await.unwrap();
    roles.sort_by_key(|m| m.household);
    assert_eq!(roles.len(), 2);
    assert!(roles.contains(&finsight_core::Membership {
        household: second,
        role: finsight_core::HouseholdRole::Member
    }));
    let members = store.members_of(household).await.unwrap();
    assert_eq!(
        members.iter().map(|(u, _)| u.id).collect::<Vec<_>>(),
        [f.user, f.other_user]
    );
    let households = store.households_of_tenant(tenant).await.unwrap();
    assert_eq!(households[0].name, "Aardvark flat");
    assert_eq!(
        store.household(second).await.unwrap().unwrap().tenant_id,
        tenant
    );
    assert_eq!(
        store
            .user(f.other_user)
            .await
            .unwrap()
            .unwrap()
            .display_name,
        "Ben Lee"
    );
    assert!(store.remove_membership(second, f.user).await.unwrap());
    assert!(!store.remove_membership(second, f.user).await.unwrap());
    assert_eq!(store.memberships_of(f.user).await.unwrap().len(), 1);
}

pub async fn refresh_tokens_rotate_once_and_reuse_revokes_the_family(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let now = datetime!(2026-03-01 12:00 UTC);
    let login = finsight_core::LoginId::from_random_bytes(id(50));
    store
        .create_login(
            &finsight_store::NewLogin {
                id: login,
                tenant: TenantId::from_random_bytes(id(1)),
                email: finsight_core::Email::parse("ada@example.com").unwrap(),
                password_hash: "x".into(),
                kind: finsight_core::LoginKind::Person(f.user),
            },
            now,
        )
        .await
        .unwrap();
    let first = tokens(1, now);
    store.create_session(login, &first, now).await.unwrap();
    let active = store
        .session_by_access(&first.access_hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(active.login, login);
    assert_eq!(active.access_expires_at, first.access_expires_at);

    let second = tokens(2, now);
    let outcome = store
        .rotate_session(&first.refresh_hash, &second, now)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        finsight_store::RefreshOutcome::Rotated {
            login,
            family: active.family
        }
    );
    assert!(
        store
            .session_by_access(&first.access_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session_by_access(&second.access_hash)
            .await
            .unwrap()
            .is_some()
    );

    // Replaying the spent refresh token revokes the whole family.
    let third = tokens(3, now);
    assert_eq!(
        store
            .rotate_session(&first.refresh_hash, &third, now)
            .await
            .unwrap(),
        finsight_store::RefreshOutcome::Reused
    );
    assert!(
        store
            .session_by_access(&second.access_hash)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .rotate_session(&second.refresh_hash, &third, now)
            .await
            .unwrap(),
        finsight_store::RefreshOutcome::Invalid
    );
    assert_eq!(
        store.rotate_session(&[7; 32], &third, now).await.unwrap(),
        finsight_store::RefreshOutcome::Invalid
    );

    // Expired refresh tokens do not rotate; logout revokes a family.
    let fourth = tokens(4, now);
    store.create_session(login, &fourth, now).await.unwrap();
    let later = now + Duration::days(31);
    assert_eq!(
        store
            .rotate_session(&fourth.refresh_hash, &third, later)
            .await
            .unwrap(),
        finsight_store::RefreshOutcome::Invalid
    );
    let fifth = tokens(5, now);
    store.create_session(login, &fifth, now).await.unwrap();
    store.revoke_family(fifth.session, now).await.unwrap();
    assert!(
        store
            .session_by_access(&fifth.access_hash)
            .await
            .unwrap()
            .is_none()
    );
    let sixth = tokens(6, now);
    store.create_session(login, &sixth, now).await.unwrap();
    store.revoke_sessions_of(login, now).await.unwrap();
    assert!(
        store
            .session_by_access(&sixth.access_hash)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn api_keys_are_found_by_hash_until_revoked(store: Arc<dyn Store>) {
    fixture(&store).await;
    let now = datetime!(2026-03-01 12:00 UTC);
    let tenant = TenantId::from_random_bytes(id(1));
    let key = finsight_store::ApiKeyRecord {
        id: finsight_core::ApiKeyId::from_random_bytes(id(60)),
        tenant,
        name: "payments".into(),
        created_at: now,
        revoked: false,
    };
    store.create_api_key(&key, &[9; 32]).await.unwrap();
    assert_eq!(
        store.api_key_by_hash(&[9; 32]).await.unwrap(),
        Some(key.clone())
    );
    assert_eq!(
        store.api_keys(tenant).await.unwrap(),
        std::slice::from_ref(&key)
    );
    let other_tenant = TenantId::from_random_bytes(id(77));
    assert!(
        !store
            .revoke_api_key(other_tenant, key.id, now)
            .await
            .unwrap()
    );
    assert!(store.revoke_api_key(tenant, key.id, now).await.unwrap());
    assert!(!store.revoke_api_key(tenant, key.id, now).await.unwrap());
    assert!(store.api_key_by_hash(&[9; 32]).await.unwrap().is_none());
    assert!(store.api_keys(tenant).await.unwrap()[0].revoked);
}

/// Writes one of each kind of personal text (for the at-rest checks).
pub async fn personal_data(store: &Arc<dyn Store>) {
    let f = fixture(store).await;
    let now = datetime!(2026-03-01 12:00 UTC);
    let purchase = record(
        f.checking,
        date!(2026 - 02 - 02),
        "-9.99",
        "ACME PHARMACY 42",
    );
    let bad = QuarantineEntry {
        source: "csv".into(),
        origin: "march.csv".into(),
        location: "line 3".into(),
        raw: "2026-02-31,ACME PHARMACY,-1.00".into(),
        field: "posted_on".into(),
        reason: "not a date".into(),
        record: None,
        account_id: Some(f.checking),
    };
    store
        .write_batch(
            vec![IdentifiedTransaction::new(purchase.clone())],
            vec![bad],
            now,
        )
        .await
        .unwrap();
    let edit = finsight_store::TransactionEdit {
        category: None,
        notes: Some(Some("card 1234 refund".into())),
    };
    store
        .edit_transaction(purchase.transaction_id(), &edit)
        .await
        .unwrap();
    store
        .create_login(
            &finsight_store::NewLogin {
                id: finsight_core::LoginId::from_random_bytes(id(50)),
                tenant: TenantId::from_random_bytes(id(1)),
                email: finsight_core::Email::parse("ada@example.com").unwrap(),
                password_hash: "x".into(),
                kind: finsight_core::LoginKind::Person(f.user),
            },
            now,
        )
        .await
        .unwrap();
    store
        .bind_account_reference("DE89370400440532013000", f.checking)
        .await
        .unwrap();
    // And all of it reads back in clear through the store.
    let stored = store
        .transactions_by_id(&[purchase.transaction_id()])
        .await
        .unwrap();
    assert_eq!(stored[0].description.as_str(), "ACME PHARMACY 42");
    assert_eq!(stored[0].notes.as_deref(), Some("card 1234 refund"));
    let quarantined = store.quarantined(None, 10).await.unwrap();
    assert_eq!(quarantined[0].entry.raw, "2026-02-31,ACME PHARMACY,-1.00");
    let login = store
        .logins_by_email(&finsight_core::Email::parse("ADA@example.com").unwrap())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(login.email, "ada@example.com");
    assert_eq!(store.users().await.unwrap()[0].display_name, "Ada Lee");
    assert_eq!(
        store
            .accounts_for_reference("DE89370400440532013000")
            .await
            .unwrap(),
        vec![f.checking]
    );
    assert!(
        store
            .accounts_for_reference("DE00")
            .await
            .unwrap()
            .is_empty()
    );
}

/// `keys rotate` under a load of reads: every read succeeds with clear
/// text, and afterwards no value is sealed under an old key, which is gone.
pub async fn key_rotation_keeps_reads_working_and_retires_old_keys(store: Arc<dyn Store>) {
    personal_data(&store).await;
    let f = Fixture {
        user: UserId::from_random_bytes(id(3)),
        other_user: UserId::from_random_bytes(id(4)),
        checking: AccountId::from_random_bytes(id(10)),
        card: AccountId::from_random_bytes(id(11)),
        euro_savings: AccountId::from_random_bytes(id(12)),
    };
    let many: Vec<NewTransaction> = (0..400)
        .map(|n| {
            record(
                f.checking,
                date!(2026 - 01 - 01) + Duration::days(n % 50),
                "-1.00",
                &format!("SHOP {n} GROCERIES"),
            )
        })
        .collect();
    store.insert_transactions(&many).await.unwrap();
    let now = datetime!(2026-03-01 12:00 UTC);
    let old: Vec<String> = store
        .key_status()
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.purpose == "data")
        .map(|k| k.key_id)
        .collect();
    assert!(!old.is_empty());

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
        readers.push(tokio::spawn(async move {
            let mut reads = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                let mut query = TransactionQuery::for_user(f.user);
                query.limit = 1000;
                let page = store
                    .transactions(&query)
                    .await
                    .expect("read during rotation");
                assert!(page.transactions.iter().all(|t| {
                    let text = t.description.as_str();
                    text.starts_with("SHOP ") || text == "ACME PHARMACY 42"
                }));
                query.text = Some("groceries".into());
                assert_eq!(
                    store.transactions(&query).await.unwrap().transactions.len(),
                    400
                );
                assert_eq!(store.users().await.unwrap()[0].display_name, "Ada Lee");
                let email = finsight_core::Email::parse("ada@example.com").unwrap();
                assert!(!store.logins_by_email(&email).await.unwrap().is_empty());
                assert_eq!(
                    store.quarantined(None, 10).await.unwrap()[0].entry.raw,
                    "2026-02-31,ACME PHARMACY,-1.00"
                );
                reads += 1;
                tokio::task::yield_now().await;
            }
            reads
        }));
    }

    let new = store.rotate_data_keys(None, now).await.unwrap();
    assert_eq!(new.len(), old.len(), "one new version per tenant");
    let mut moved = 0;
    loop {
        let batch = store.reseal_batch(50).await.unwrap();
        if batch == 0 {
            break;
        }
        moved += batch;
    }
    assert!(moved >= 400, "moved {moved}");
    let mut destroyed = store.destroy_retired_keys().await.unwrap();
    destroyed.sort();
    let mut expected = old.clone();
    expected.sort();
    assert_eq!(destroyed, expected);

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        assert!(reader.await.unwrap() > 0);
    }
    let status = store.key_status().await.unwrap();
    assert!(status.iter().all(|k| k.state == "active"), "{status:?}");
    assert!(status.iter().all(|k| !old.contains(&k.key_id)));
    let sealed: u64 = status.iter().map(|k| k.sealed_values).sum();
    assert!(sealed >= 400 + 5, "{status:?}");
    // Writes after the rotation use the new keys; reads still work.
    store
        .insert_transactions(&[record(
            f.checking,
            date!(2026 - 02 - 20),
            "-2.00",
            "AFTER ROTATION",
        )])
        .await
        .unwrap();
    assert!(store.destroy_retired_keys().await.unwrap().is_empty());
    let mut query = TransactionQuery::for_user(f.user);
    query.text = Some("rotation after".into());
    assert_eq!(
        store.transactions(&query).await.unwrap().transactions.len(),
        1
    );
}

/// Retention prunes old entries behind a checkpoint the chain still
/// verifies from, always keeps the newest, and appends carry on.
pub async fn audit_retention_prunes_behind_a_checkpoint(store: Arc<dyn Store>) {
    let start = datetime!(2025-01-01 00:00 UTC);
    for day in 0..5 {
        let event = finsight_core::audit::AuditEvent {
            actor: "cli".into(),
            action: "import".into(),
            subject: format!("file-{day}.csv"),
            detail: String::new(),
        };
        store
            .append_audit(&event, start + Duration::days(day))
            .await
            .unwrap();
    }
    assert_eq!(store.audit_checkpoint().await.unwrap(), None);
    assert_eq!(store.prune_audit(start).await.unwrap(), None);
    let entries = store.audit_entries(0, 100).await.unwrap();
    let (seq, hash) = store
        .prune_audit(start + Duration::days(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((seq, hash), (2, entries[1].hash));
    assert_eq!(
        store.audit_checkpoint().await.unwrap(),
        Some((2, entries[1].hash))
    );
    let verify = |checkpoint: (i64, [u8; 32]), entries: Vec<finsight_core::audit::AuditEntry>| {
        let mut verifier =
            finsight_core::audit::ChainVerifier::from_checkpoint(checkpoint.0, checkpoint.1);
        for entry in &entries {
            verifier.check(entry).unwrap();
        }
        verifier.checked()
    };
    let kept = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(verify((seq, hash), kept), 3);
    // Everything is old: the newest entry stays, so the chain continues.
    let checkpoint = store
        .prune_audit(start + Duration::days(400))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(checkpoint.0, 4);
    let event = finsight_core::audit::AuditEvent {
        actor: "cli".into(),
        action: "audit.prune".into(),
        subject: "audit_log".into(),
        detail: "through=4".into(),
    };
    let appended = store
        .append_audit(&event, start + Duration::days(401))
        .await
        .unwrap();
    assert_eq!(appended.seq, 6);
    let kept = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(verify(checkpoint, kept), 2);
}
