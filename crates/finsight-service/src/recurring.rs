//! A person's recurring payments and income, found in their last two
//! years of transactions by `finsight_models::recurring`: each series with
//! its cadence, next date and amount (with the range it is expected in),
//! price changes, and whether it has stopped. Amounts come back as money in
//! the account's currency.

use std::collections::HashMap;

use finsight_core::{
    AccountId, Action, CategoryId, Currency, Money, Principal, TransactionId, UserId,
};
use finsight_models::payee;
use finsight_models::recurring::{Cadence, DetectOptions, Occurrence, SeriesStatus, detect};
use time::{Date, Duration};

use crate::{ServiceError, Services};

/// How far back detection looks.
const HISTORY_DAYS: i64 = 731;

#[derive(Debug, Clone)]
pub struct PriceChange {
    pub date: Date,
    pub from: Money,
    pub to: Money,
}

#[derive(Debug, Clone)]
pub struct RecurringSeries {
    pub account_id: AccountId,
    pub payee: String,
    /// The category of its latest payment.
    pub category: Option<CategoryId>,
    pub cadence: Cadence,
    pub income: bool,
    pub status: SeriesStatus,
    pub fixed_amount: bool,
    pub first_date: Date,
    pub last_date: Date,
    pub last_amount: Money,
    pub next_date: Date,
    pub next_amount: Money,
    pub next_low: Money,
    pub next_high: Money,
    pub price_changes: Vec<PriceChange>,
    pub transaction_ids: Vec<TransactionId>,
    /// The share of intervals that fit the cadence.
    pub regularity: f64,
}

impl Services {
    /// The person's recurring series as of today, active ones first.
    pub async fn recurring(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<RecurringSeries>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let today = self.clock.now().date();
        let transactions = self
            .history(user, today - Duration::days(HISTORY_DAYS))
            .await?;
        recurring_in(&transactions, today)
    }
}

/// The recurring series among a person's transactions as of `today`,
/// active ones first.
pub(crate) fn recurring_in(
    transactions: &[finsight_core::Transaction],
    today: time::Date,
) -> Result<Vec<RecurringSeries>, ServiceError> {
    let occurrences: Vec<Occurrence<usize>> = transactions
        .iter()
        .enumerate()
        .map(|(i, t)| Occurrence {
            key: i,
            account: t.account_id.as_uuid().as_u128(),
            payee: match t.merchant.as_deref().map(payee::normalize) {
                Some(name) if !name.is_empty() => name,
                _ => payee::normalize(t.description.as_str()),
            },
            date: t.posted_on.date(),
            amount_minor: t.amount.minor_units(),
        })
        .collect();
    let currencies: HashMap<u128, Currency> = transactions
        .iter()
        .map(|t| (t.account_id.as_uuid().as_u128(), t.amount.currency()))
        .collect();
    let mut found = Vec::new();
    for series in detect(&occurrences, today, DetectOptions::default()) {
        let currency = currencies[&series.account];
        let money = |minor: i64| {
            Money::from_minor(minor, currency).map_err(|e| {
                ServiceError::Store(finsight_store::StoreError::Corrupt(e.to_string()))
            })
        };
        let latest = &transactions[*series.occurrences.last().expect("a series has members")];
        found.push(RecurringSeries {
            account_id: latest.account_id,
            payee: series.payee.clone(),
            category: latest.category.clone(),
            cadence: series.cadence,
            income: series.income,
            status: series.status,
            fixed_amount: series.fixed_amount,
            first_date: series.first_date,
            last_date: series.last_date,
            last_amount: money(series.last_amount_minor)?,
            next_date: series.next.date,
            next_amount: money(series.next.amount_minor)?,
            next_low: money(series.next.low_minor)?,
            next_high: money(series.next.high_minor)?,
            price_changes: series
                .price_changes
                .iter()
                .map(|c| {
                    Ok(PriceChange {
                        date: c.date,
                        from: money(c.from_minor)?,
                        to: money(c.to_minor)?,
                    })
                })
                .collect::<Result<_, ServiceError>>()?,
            transaction_ids: series
                .occurrences
                .iter()
                .map(|i| transactions[*i].id)
                .collect(),
            regularity: series.regularity,
        });
    }
    found.sort_by(|a, b| {
        (a.status != SeriesStatus::Active, a.next_date, &a.payee).cmp(&(
            b.status != SeriesStatus::Active,
            b.next_date,
            &b.payee,
        ))
    });
    Ok(found)
}
