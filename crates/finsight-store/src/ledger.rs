//! The storage traits and the values they take and return.

use finsight_core::{
    Account, AccountId, AccountKind, CategoryId, Household, Money, NewTransaction, Tenant,
    Transaction, TransactionId, User, UserId, ValidationError,
};
use rust_decimal::Decimal;
use time::Date;

use crate::StoreError;

/// Tenants, households, users and accounts to create or update together.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub tenants: Vec<Tenant>,
    pub households: Vec<Household>,
    pub users: Vec<User>,
    pub accounts: Vec<Account>,
}

/// Who owns what.
#[async_trait::async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Inserts or updates every entry in one database transaction. An
    /// account's kind and currency never change once created; an attempt is
    /// an error naming the account.
    async fn upsert_directory(&self, directory: &Directory) -> Result<(), StoreError>;
    async fn account(&self, id: AccountId) -> Result<Option<Account>, StoreError>;
    async fn accounts_of_user(&self, user: UserId) -> Result<Vec<Account>, StoreError>;
    /// All users, ordered by id.
    async fn users(&self) -> Result<Vec<User>, StoreError>;
    /// All tenants, ordered by name, then id.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
}

/// What a batch insert did. `inserted + duplicates` is the batch length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertReport {
    pub inserted: u64,
    pub duplicates: u64,
}

impl InsertReport {
    pub fn add(&mut self, other: InsertReport) {
        self.inserted += other.inserted;
        self.duplicates += other.duplicates;
    }
}

/// Position in a newest-first listing: the last row of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    pub posted_on: Date,
    pub id: TransactionId,
}

impl PageCursor {
    /// Opaque text form for APIs: `DATE~UUID`.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.posted_on, self.id)
    }

    pub fn decode(text: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("cursor", "not a cursor this server issued");
        let (date, id) = text.split_once('~').ok_or_else(bad)?;
        let posted_on = finsight_core::PostingDate::parse(date).map_err(|_| bad())?;
        let id = TransactionId::parse(id).map_err(|_| bad())?;
        Ok(Self {
            posted_on: posted_on.date(),
            id,
        })
    }
}

/// A filtered, newest-first page of one user's transactions.
#[derive(Debug, Clone)]
pub struct TransactionQuery {
    pub user_id: UserId,
    pub account_id: Option<AccountId>,
    /// Inclusive.
    pub from: Option<Date>,
    /// Inclusive.
    pub to: Option<Date>,
    /// This category and everything under it.
    pub category: Option<CategoryId>,
    /// Inclusive, in each transaction's own currency units (signed: spending
    /// is negative).
    pub min_amount: Option<Decimal>,
    /// Inclusive.
    pub max_amount: Option<Decimal>,
    /// Case-insensitive substring of the description or merchant.
    pub text: Option<String>,
    pub after: Option<PageCursor>,
    /// 1 to [`TransactionQuery::MAX_LIMIT`].
    pub limit: u32,
}

impl TransactionQuery {
    pub const MAX_LIMIT: u32 = 1000;

    pub fn for_user(user_id: UserId) -> Self {
        Self {
            user_id,
            account_id: None,
            from: None,
            to: None,
            category: None,
            min_amount: None,
            max_amount: None,
            text: None,
            after: None,
            limit: 100,
        }
    }

    pub(crate) fn checked_limit(&self) -> Result<i64, StoreError> {
        if self.limit == 0 || self.limit > Self::MAX_LIMIT {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            )
            .into());
        }
        Ok(i64::from(self.limit))
    }

    /// The amount bounds in ten-thousandths of a unit, the scale
    /// [`AMOUNT_E4_SQL`] compares at.
    pub(crate) fn amount_bounds_e4(&self) -> Result<(Option<i64>, Option<i64>), StoreError> {
        let scale = |field: &'static str, bound: Option<Decimal>| {
            bound
                .map(|value| {
                    let scaled = value * Decimal::from(10_000);
                    if scaled.fract() != Decimal::ZERO {
                        return Err(ValidationError::new(field, "must have at most 4 decimals"));
                    }
                    i64::try_from(scaled)
                        .map_err(|_| ValidationError::new(field, "is out of range"))
                })
                .transpose()
        };
        Ok((
            scale("min_amount", self.min_amount)?,
            scale("max_amount", self.max_amount)?,
        ))
    }

    /// The `LIKE` pattern for [`TransactionQuery::text`], lower-cased, with
    /// `\` escaping the wildcards.
    pub(crate) fn text_pattern(&self) -> Option<String> {
        self.text.as_ref().map(|text| {
            let mut pattern = String::from("%");
            for c in text.to_lowercase().chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            pattern
        })
    }
}

/// `amount_minor` scaled to ten-thousandths of a unit whatever the
/// currency's minor unit, so one bound works across currencies.
pub(crate) static AMOUNT_E4_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut by_exponent: [Vec<String>; 5] = Default::default();
    for currency in finsight_core::Currency::all() {
        let exponent = currency.minor_unit_exponent() as usize;
        by_exponent[exponent.min(4)].push(format!("'{}'", currency.code()));
    }
    let mut sql = String::from("(amount_minor * CASE");
    for (exponent, codes) in by_exponent.iter().enumerate() {
        if exponent != 2 && !codes.is_empty() {
            let factor = 10_i64.pow(4 - exponent as u32);
            sql.push_str(&format!(
                " WHEN currency IN ({}) THEN {factor}",
                codes.join(", ")
            ));
        }
    }
    sql.push_str(" ELSE 100 END)");
    sql
});

#[derive(Debug, Clone)]
pub struct TransactionPage {
    pub transactions: Vec<Transaction>,
    /// Present when more rows may follow.
    pub next: Option<PageCursor>,
}

/// Spending and income per month and category for one user.
#[derive(Debug, Clone)]
pub struct TotalsQuery {
    pub user_id: UserId,
    /// Inclusive.
    pub from: Date,
    /// Exclusive.
    pub until: Date,
}

/// The sum of one month's transactions in one category and currency.
/// Uncategorized transactions count under `uncategorized`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryMonthTotal {
    /// The first day of the month.
    pub month: Date,
    pub category: CategoryId,
    pub total: Money,
    pub count: u64,
}

/// One entry of the outbox: a committed transaction, in commit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxEntry {
    pub seq: i64,
    pub transaction_id: TransactionId,
    pub user_id: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user_id: UserId,
    pub display_name: String,
    pub accounts: u64,
    pub transactions: u64,
    pub first_posted_on: Option<Date>,
    pub last_posted_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub kind: AccountKind,
    pub currency: String,
    pub accounts: u64,
    pub transactions: u64,
    /// Sum of all transaction amounts, in minor units of `currency`.
    pub net_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySummary {
    /// The top-level category (`uncategorized` for none).
    pub category: String,
    pub currency: String,
    pub transactions: u64,
    pub net_minor: i64,
}

/// Counts for `finsight stats`: only facts about the data, nothing about
/// the backend, so both backends print the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerStats {
    pub tenants: u64,
    pub households: u64,
    pub users: u64,
    pub accounts: u64,
    pub transactions: u64,
    pub outbox: u64,
    /// Ordered by user id.
    pub by_user: Vec<UserSummary>,
    /// Ordered by kind, then currency.
    pub by_account_kind: Vec<AccountSummary>,
    /// Ordered by category, then currency.
    pub by_category: Vec<CategorySummary>,
}

/// The owner's changes to one transaction; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionEdit {
    /// Set as the owner's choice, which no rule or model overrides.
    pub category: Option<CategoryId>,
    /// `Some(None)` clears the note.
    pub notes: Option<Option<String>>,
}

/// One account's net flow over the transactions the ledger holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBalance {
    pub account_id: AccountId,
    pub currency: String,
    /// Signed minor units: money in less money out.
    pub balance_minor: i64,
    pub transactions: i64,
    /// The latest posting day.
    pub last_posted_on: Date,
}

/// The transactions themselves.
#[async_trait::async_trait]
pub trait LedgerStore: Send + Sync {
    /// Applies the owner's edit; whether the transaction exists.
    async fn edit_transaction(
        &self,
        id: TransactionId,
        edit: &TransactionEdit,
    ) -> Result<bool, StoreError>;

    /// Writes the batch atomically, each new transaction with its outbox
    /// entry. Records already in the ledger (same fingerprint) are counted
    /// as duplicates and left alone. An unknown account, or a currency that
    /// differs from the account's, rejects the whole batch with an error
    /// naming `transactions[i].field`.
    async fn insert_transactions(
        &self,
        batch: &[NewTransaction],
    ) -> Result<InsertReport, StoreError>;

    async fn transactions(&self, query: &TransactionQuery) -> Result<TransactionPage, StoreError>;

    /// Ordered by month, category, currency.
    async fn monthly_category_totals(
        &self,
        query: &TotalsQuery,
    ) -> Result<Vec<CategoryMonthTotal>, StoreError>;

    /// The net of every transaction the ledger holds per account of the
    /// person (no opening balances exist), ordered by account.
    async fn account_balances(&self, user: UserId) -> Result<Vec<AccountBalance>, StoreError>;

    /// Up to `limit` entries with `seq > after`, in order.
    async fn outbox_after(&self, after: i64, limit: u32) -> Result<Vec<OutboxEntry>, StoreError>;

    async fn stats(&self) -> Result<LedgerStats, StoreError>;
}
