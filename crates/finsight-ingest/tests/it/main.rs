//! Integration tests of finsight-ingest: realistic bank files of every
//! format imported into a real (SQLite) ledger, synthetic exports round
//! tripped, every kind of bad input, and quarantine retries.

mod bad_input;
mod fixtures;
mod never_panics;
mod quality;
mod retry;
mod roundtrip;

use std::sync::Arc;

use finsight_core::{
    Account, AccountId, AccountKind, Clock, Currency, Household, HouseholdId, Taxonomy, Tenant,
    TenantId, User, UserId,
};
use finsight_ingest::format::FileFormat;
use finsight_ingest::import::{ImportOutcome, ImportRequest, Importer};
use finsight_store::{Directory, Store};
use time::macros::datetime;

pub struct Harness {
    pub importer: Importer,
    pub store: Arc<dyn Store>,
    pub user: UserId,
    _dir: tempfile::TempDir,
}

pub fn account_id(n: u8) -> AccountId {
    AccountId::from_random_bytes([n; 16])
}

/// Accounts: 10 USD checking, 11 USD card, 12 EUR checking, 13 CHF business.
pub async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    let store = finsight_store::open(
        &url,
        &finsight_store::Kek::generate(),
        std::sync::Arc::new(finsight_core::FixedClock(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        )),
    )
    .await
    .unwrap();
    store.migrate().await.unwrap();
    let tenant = TenantId::from_random_bytes([1; 16]);
    let household = HouseholdId::from_random_bytes([2; 16]);
    let user = UserId::from_random_bytes([3; 16]);
    let account = |n: u8, kind, currency: &str| Account {
        id: account_id(n),
        user_id: user,
        kind,
        currency: Currency::parse(currency).unwrap(),
        name: format!("account {n}"),
        institution: "Bank".into(),
        closed_on: None,
    };
    store
        .upsert_directory(&Directory {
            tenants: vec![Tenant {
                id: tenant,
                name: "T".into(),
            }],
            households: vec![Household {
                id: household,
                tenant_id: tenant,
                name: "H".into(),
            }],
            users: vec![User {
                id: user,
                tenant_id: tenant,
                household_id: household,
                display_name: "Ada".into(),
            }],
            accounts: vec![
                account(10, AccountKind::Checking, "USD"),
                account(11, AccountKind::CreditCard, "USD"),
                account(12, AccountKind::Checking, "EUR"),
                account(13, AccountKind::Checking, "CHF"),
            ],
        })
        .await
        .unwrap();
    let clock = Arc::new(TickingClock(std::sync::atomic::AtomicI64::new(0)));
    Harness {
        importer: Importer::new(Arc::clone(&store), Taxonomy::default_tree(), clock),
        store,
        user,
        _dir: dir,
    }
}

impl Harness {
    pub async fn import(
        &self,
        bytes: Vec<u8>,
        name: &str,
        account: Option<AccountId>,
    ) -> ImportOutcome {
        self.try_import(bytes, name, account, None).await.unwrap()
    }

    pub async fn try_import(
        &self,
        bytes: Vec<u8>,
        name: &str,
        account: Option<AccountId>,
        format: Option<FileFormat>,
    ) -> Result<ImportOutcome, finsight_ingest::import::ImportError> {
        self.importer
            .import(ImportRequest {
                bytes,
                origin: name.to_owned(),
                format,
                account,
                profile: None,
                owner: None,
            })
            .await
    }
}

/// 2026-03-20 09:00 UTC, one second later at every reading, so runs
/// recorded one after another have distinct times.
pub struct TickingClock(std::sync::atomic::AtomicI64);

impl Clock for TickingClock {
    fn now(&self) -> time::OffsetDateTime {
        let tick = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        datetime!(2026-03-20 09:00:00 UTC) + time::Duration::seconds(tick)
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}
