//! Advice for a person — budgets, goals, insights, the health score — over
//! `finsight_planning`'s pure logic. This module loads what they all start
//! from: the person's transactions of the last two years in their main
//! currency, each with what its account does (savings, card, loan).

mod budgets;
mod goals;
mod health;
mod insights;

use std::collections::HashMap;

use finsight_core::{AccountId, Currency, Transaction, UserId};
use finsight_models::payee;
use finsight_planning::picture::{AccountRole, Item, Picture, picture};
use finsight_store::TransactionQuery;
use rust_decimal::Decimal;
use time::{Date, Duration};

pub use budgets::{Budget, BudgetLine, BudgetLineInput, BudgetRecommendation, BudgetStatus};
pub use goals::{Goal, GoalProjection, Milestone, NewGoal, Strategy};
pub use health::FinancialHealth;
pub use insights::RankedInsight;

use crate::{ServiceError, Services};

/// How far back advice looks.
const HISTORY_DAYS: i64 = 731;

/// The currency most of the transactions use (USD when there are none).
pub(crate) fn main_currency(transactions: &[Transaction]) -> Currency {
    let mut counts: HashMap<Currency, usize> = HashMap::new();
    for t in transactions {
        *counts.entry(t.amount.currency()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(c, n)| (*n, std::cmp::Reverse(c.code())))
        .map(|(c, _)| c)
        .unwrap_or_else(|| Currency::parse("USD").expect("USD"))
}

/// A person's recent ledger, as advice reads it.
pub(crate) struct PersonLedger {
    pub user: UserId,
    pub today: Date,
    pub currency: Currency,
    pub transactions: Vec<Transaction>,
    roles: HashMap<AccountId, AccountRole>,
    payees: Vec<String>,
}

impl PersonLedger {
    /// The picture of the last `months` complete months and this one.
    pub fn picture(&self, months: usize) -> Picture {
        let items: Vec<Item<'_>> = self
            .transactions
            .iter()
            .zip(&self.payees)
            .filter(|(t, _)| t.amount.currency() == self.currency)
            .map(|(t, payee)| Item {
                date: t.posted_on.date(),
                category: t.category.as_ref().map(|c| c.as_str()),
                amount: t.amount.amount(),
                payee,
                role: self
                    .roles
                    .get(&t.account_id)
                    .copied()
                    .unwrap_or(AccountRole::Everyday),
            })
            .collect();
        picture(&items, self.today, months)
    }

    /// An amount of the person's currency, to its places.
    pub fn money(&self, amount: Decimal) -> Decimal {
        let mut d = amount.round_dp(self.currency.minor_unit_exponent());
        d.rescale(self.currency.minor_unit_exponent());
        d
    }
}

impl Services {
    /// Every transaction of the person posted on or after `from`.
    pub(crate) async fn history(
        &self,
        user: UserId,
        from: Date,
    ) -> Result<Vec<Transaction>, ServiceError> {
        let mut query = TransactionQuery::for_user(user);
        query.from = Some(from);
        query.limit = TransactionQuery::MAX_LIMIT;
        let mut transactions = Vec::new();
        loop {
            let page = self.store.transactions(&query).await?;
            transactions.extend(page.transactions);
            match page.next {
                Some(next) => query.after = Some(next),
                None => return Ok(transactions),
            }
        }
    }

    /// The person's ledger for advice (authorization is the caller's).
    pub(crate) async fn person_ledger(&self, user: UserId) -> Result<PersonLedger, ServiceError> {
        let today = self.clock.now().date();
        let transactions = self
            .history(user, today - Duration::days(HISTORY_DAYS))
            .await?;
        let roles = self
            .store
            .accounts_of_user(user)
            .await?
            .into_iter()
            .map(|a| (a.id, AccountRole::of_kind(a.kind.as_str())))
            .collect();
        let payees = transactions
            .iter()
            .map(|t| match t.merchant.as_deref().map(payee::normalize) {
                Some(name) if !name.is_empty() => name,
                _ => payee::normalize(t.description.as_str()),
            })
            .collect();
        Ok(PersonLedger {
            user,
            today,
            currency: main_currency(&transactions),
            transactions,
            roles,
            payees,
        })
    }

    pub(crate) fn now_millis(&self) -> i64 {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }
}
