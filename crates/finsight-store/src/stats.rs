//! Turns the rows of the stats queries (the same shape on both backends)
//! into [`LedgerStats`], sorted in Rust so that no database collation can
//! change the order.

use finsight_core::{HouseholdId, TenantId, User, UserId};
use time::Date;
use uuid::Uuid;

use crate::rows::to_u64;
use crate::{AccountSummary, CategorySummary, LedgerStats, StoreError, UserSummary};

pub type UserRow = (Uuid, String, i64, i64, Option<String>, Option<String>);
pub type AccountKindRow = (String, String, i64, i64, i64);
pub type CategoryRow = (String, String, i64, i64);

pub struct StatsRows {
    pub counts: (i64, i64, i64, i64, i64, i64),
    pub by_user: Vec<UserRow>,
    pub by_account_kind: Vec<AccountKindRow>,
    pub by_category: Vec<CategoryRow>,
}

pub(crate) fn user_from_row(
    (id, tenant_id, household_id, display_name): (Uuid, Uuid, Uuid, String),
) -> User {
    User {
        id: UserId::from_uuid(id),
        tenant_id: TenantId::from_uuid(tenant_id),
        household_id: HouseholdId::from_uuid(household_id),
        display_name,
    }
}

fn parse_day(text: Option<String>) -> Result<Option<Date>, StoreError> {
    text.map(|t| {
        finsight_core::PostingDate::parse(&t)
            .map(|d| d.date())
            .map_err(|e| StoreError::Corrupt(format!("stats: {e}")))
    })
    .transpose()
}

pub(crate) fn assemble_stats(rows: StatsRows) -> Result<LedgerStats, StoreError> {
    let (tenants, households, users, accounts, transactions, outbox) = rows.counts;
    let mut by_user = rows
        .by_user
        .into_iter()
        .map(|(id, display_name, accounts, transactions, first, last)| {
            Ok(UserSummary {
                user_id: UserId::from_uuid(id),
                display_name,
                accounts: to_u64(accounts),
                transactions: to_u64(transactions),
                first_posted_on: parse_day(first)?,
                last_posted_on: parse_day(last)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    by_user.sort_by_key(|u| u.user_id);
    let mut by_account_kind = rows
        .by_account_kind
        .into_iter()
        .map(|(kind, currency, accounts, transactions, net_minor)| {
            Ok(AccountSummary {
                kind: kind
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("stats: {e}")))?,
                currency,
                accounts: to_u64(accounts),
                transactions: to_u64(transactions),
                net_minor,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    by_account_kind.sort_by(|a, b| (a.kind, &a.currency).cmp(&(b.kind, &b.currency)));
    let mut by_category: Vec<CategorySummary> = rows
        .by_category
        .into_iter()
        .map(
            |(category, currency, transactions, net_minor)| CategorySummary {
                category,
                currency,
                transactions: to_u64(transactions),
                net_minor,
            },
        )
        .collect();
    by_category.sort_by(|a, b| (&a.category, &a.currency).cmp(&(&b.category, &b.currency)));
    Ok(LedgerStats {
        tenants: to_u64(tenants),
        households: to_u64(households),
        users: to_u64(users),
        accounts: to_u64(accounts),
        transactions: to_u64(transactions),
        outbox: to_u64(outbox),
        by_user,
        by_account_kind,
        by_category,
    })
}
