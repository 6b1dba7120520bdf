//! Row shapes shared by both backends and their conversion to domain values,
//! plus the batch checks both backends run before writing.

use std::collections::HashMap;

use finsight_core::{
    Account, AccountId, CategoryId, Currency, Description, Mcc, Money, NewTransaction, PostingDate,
    SourceName, Transaction, TransactionId, UserId, ValidationError,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{CategoryMonthTotal, PageCursor, StoreError, TransactionPage};

/// `category_source` of a category that came with the record.
pub(crate) const CATEGORY_FROM_SOURCE: &str = "source";

fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {err}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub currency: String,
    pub name: String,
    pub institution: String,
    pub closed_on: Option<Date>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Account {
            id: AccountId::from_uuid(row.id),
            user_id: UserId::from_uuid(row.user_id),
            kind: row.kind.parse().map_err(|e| corrupt("account kind", e))?,
            currency: Currency::parse(&row.currency).map_err(|e| corrupt("account", e))?,
            name: row.name,
            institution: row.institution,
            closed_on: row.closed_on,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TransactionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub posted_on: Date,
    pub occurred_at: Option<OffsetDateTime>,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub merchant: Option<String>,
    pub mcc: Option<i32>,
    pub category: Option<String>,
    pub category_source: Option<String>,
    pub source: String,
    pub source_ref: Option<String>,
    pub notes: Option<String>,
}

impl TryFrom<TransactionRow> for Transaction {
    type Error = StoreError;
    fn try_from(row: TransactionRow) -> Result<Self, StoreError> {
        let what = "transaction";
        let currency = Currency::parse(&row.currency).map_err(|e| corrupt(what, e))?;
        Ok(Transaction {
            id: TransactionId::from_uuid(row.id),
            user_id: UserId::from_uuid(row.user_id),
            account_id: AccountId::from_uuid(row.account_id),
            posted_on: PostingDate::new(row.posted_on).map_err(|e| corrupt(what, e))?,
            occurred_at: row.occurred_at,
            amount: Money::from_minor(row.amount_minor, currency).map_err(|e| corrupt(what, e))?,
            description: Description::parse(&row.description).map_err(|e| corrupt(what, e))?,
            merchant: row.merchant,
            mcc: row
                .mcc
                .map(|code| {
                    u16::try_from(code)
                        .map_err(|e| corrupt(what, e))
                        .and_then(|c| Mcc::new(c).map_err(|e| corrupt(what, e)))
                })
                .transpose()?,
            category: row
                .category
                .map(|c| CategoryId::parse(&c).map_err(|e| corrupt(what, e)))
                .transpose()?,
            category_source: row
                .category_source
                .map(|c| c.parse().map_err(|e| corrupt(what, e)))
                .transpose()?,
            source: SourceName::parse(&row.source).map_err(|e| corrupt(what, e))?,
            source_ref: row.source_ref,
            notes: row.notes,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TotalRow {
    pub month: String,
    pub category: String,
    pub currency: String,
    pub total_minor: i64,
    pub count: i64,
}

impl TryFrom<TotalRow> for CategoryMonthTotal {
    type Error = StoreError;
    fn try_from(row: TotalRow) -> Result<Self, StoreError> {
        let what = "monthly total";
        let month = PostingDate::parse(&format!("{}-01", row.month))
            .map_err(|e| corrupt(what, e))?
            .date();
        let currency = Currency::parse(&row.currency).map_err(|e| corrupt(what, e))?;
        Ok(CategoryMonthTotal {
            month,
            category: CategoryId::parse(&row.category).map_err(|e| corrupt(what, e))?,
            total: Money::from_minor(row.total_minor, currency).map_err(|e| corrupt(what, e))?,
            count: u64::try_from(row.count).map_err(|e| corrupt(what, e))?,
        })
    }
}

/// The owner and currency of each account a batch writes to.
pub(crate) type AccountOwners = HashMap<AccountId, (UserId, Currency)>;

/// Checks every record of a batch against its account and returns each
/// record's owning user, or the first problem as `transactions[i].field`.
pub(crate) fn owners_of_batch<'a>(
    batch: impl IntoIterator<Item = &'a NewTransaction>,
    accounts: &AccountOwners,
) -> Result<Vec<UserId>, StoreError> {
    batch
        .into_iter()
        .enumerate()
        .map(|(index, record)| {
            let place = || format!("transactions[{index}]");
            let (user_id, currency) = accounts.get(&record.account_id).ok_or_else(|| {
                ValidationError::new(
                    "account_id",
                    format!("account {} does not exist", record.account_id),
                )
                .within(&place())
            })?;
            if record.amount.currency() != *currency {
                return Err(ValidationError::new(
                    "currency",
                    format!(
                        "{} differs from the account's currency {currency}",
                        record.amount.currency()
                    ),
                )
                .within(&place())
                .into());
            }
            Ok(*user_id)
        })
        .collect()
}

/// Distinct account ids of a batch, in first-seen order.
pub(crate) fn distinct_accounts<'a>(
    batch: impl IntoIterator<Item = &'a NewTransaction>,
) -> Vec<AccountId> {
    let mut seen = std::collections::HashSet::new();
    batch
        .into_iter()
        .map(|r| r.account_id)
        .filter(|id| seen.insert(*id))
        .collect()
}

pub(crate) fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(crate) fn account_changed(index: usize, id: AccountId) -> ValidationError {
    ValidationError::new(
        "account_id",
        format!("account {id} already exists with another owner, kind or currency"),
    )
    .within(&format!("accounts[{index}]"))
}

pub(crate) fn page_from_rows(
    rows: Vec<TransactionRow>,
    limit: usize,
) -> Result<TransactionPage, StoreError> {
    let has_more = rows.len() > limit;
    let transactions = rows
        .into_iter()
        .take(limit)
        .map(Transaction::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let next = if has_more {
        transactions.last().map(|t| PageCursor {
            posted_on: t.posted_on.date(),
            id: t.id,
        })
    } else {
        None
    };
    Ok(TransactionPage { transactions, next })
}

#[derive(sqlx::FromRow)]
pub(crate) struct QuarantineRow {
    pub id: Uuid,
    pub source: String,
    pub origin: String,
    pub location: String,
    pub raw: String,
    pub field: String,
    pub reason: String,
    pub record: Option<String>,
    pub account_id: Option<Uuid>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub transaction_id: Option<Uuid>,
}

impl TryFrom<QuarantineRow> for crate::QuarantinedRecord {
    type Error = StoreError;
    fn try_from(row: QuarantineRow) -> Result<Self, StoreError> {
        Ok(crate::QuarantinedRecord {
            id: row.id,
            entry: crate::QuarantineEntry {
                source: row.source,
                origin: row.origin,
                location: row.location,
                raw: row.raw,
                field: row.field,
                reason: row.reason,
                record: row.record,
                account_id: row.account_id.map(AccountId::from_uuid),
            },
            status: crate::ingest::QuarantineStatus::parse(&row.status)?,
            created_at: row.created_at,
            resolved_at: row.resolved_at,
            transaction_id: row.transaction_id.map(TransactionId::from_uuid),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImportRunRow {
    pub id: Uuid,
    pub source: String,
    pub origin: String,
    pub account_id: Option<Uuid>,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub accepted: i64,
    pub duplicates: i64,
    pub quarantined: i64,
    pub columns: Option<String>,
}

impl TryFrom<ImportRunRow> for crate::ImportRun {
    type Error = StoreError;
    fn try_from(row: ImportRunRow) -> Result<Self, StoreError> {
        let columns = row
            .columns
            .map(|c| serde_json::from_str(&c).map_err(|e| corrupt("import run columns", e)))
            .transpose()?
            .unwrap_or_default();
        Ok(crate::ImportRun {
            id: row.id,
            source: row.source,
            origin: row.origin,
            account_id: row.account_id.map(AccountId::from_uuid),
            started_at: row.started_at,
            finished_at: row.finished_at,
            accepted: to_u64(row.accepted),
            duplicates: to_u64(row.duplicates),
            quarantined: to_u64(row.quarantined),
            columns,
        })
    }
}
