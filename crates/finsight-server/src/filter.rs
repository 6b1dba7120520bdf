//! The transaction filter REST and GraphQL both accept, parsed in one place:
//! the query string and the GraphQL input carry the same text fields, so a
//! field's validation and its error message cannot drift between the doors.

use finsight_core::{AccountId, CategoryId, UserId, ValidationError};
use finsight_service::ledger::TransactionFilter;
use rust_decimal::Decimal;

/// Largest page either door serves.
pub(crate) const MAX_PAGE: u32 = 1000;

/// A transaction filter as it arrives: text, not yet validated.
#[derive(Debug, Default)]
pub(crate) struct FilterText {
    pub account_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub category: Option<String>,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub q: Option<String>,
}

impl FilterText {
    /// Validates every field, naming the first bad one. `account`, when
    /// the caller already resolved one (a GraphQL account node), wins over
    /// `account_id`.
    pub(crate) fn parse(
        self,
        user: Option<UserId>,
        account: Option<AccountId>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<TransactionFilter, ValidationError> {
        let filter_account = field("account_id", self.account_id, |t| {
            AccountId::parse(t).map_err(|e| e.reason)
        })?;
        Ok(TransactionFilter {
            user,
            account: account.or(filter_account),
            from: field("from", self.from, date)?,
            to: field("to", self.to, date)?,
            category: field("category", self.category, |t| {
                CategoryId::parse(t).map_err(|e| e.reason)
            })?,
            min_amount: field("min_amount", self.min_amount, decimal)?,
            max_amount: field("max_amount", self.max_amount, decimal)?,
            text: self.q,
            cursor,
            limit,
        })
    }
}

/// A page size from 1 to [`MAX_PAGE`], or the field's error.
pub(crate) fn page_size(
    field: &'static str,
    n: Option<i64>,
) -> Result<Option<u32>, ValidationError> {
    n.map(|n| {
        u32::try_from(n)
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ValidationError::new(field, format!("must be from 1 to {MAX_PAGE}")))
    })
    .transpose()
}

fn field<T>(
    name: &'static str,
    text: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ValidationError> {
    text.map(|t| parse(&t).map_err(|reason| ValidationError::new(name, reason)))
        .transpose()
}

/// A calendar date, YYYY-MM-DD.
pub(crate) fn date(text: &str) -> Result<time::Date, String> {
    finsight_core::PostingDate::parse(text)
        .map(|d| d.date())
        .map_err(|_| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

fn decimal(text: &str) -> Result<Decimal, String> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| format!("{text:?} is not a decimal number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_bad_field() {
        let bad = FilterText {
            min_amount: Some("ten".into()),
            ..FilterText::default()
        };
        let error = bad.parse(None, None, None, None).unwrap_err();
        assert_eq!(error.field, "min_amount");
        assert!(error.reason.contains("not a decimal"));
    }

    #[test]
    fn resolved_account_wins_over_the_filter() {
        let node = AccountId::from_random_bytes([1; 16]);
        let text = FilterText {
            account_id: Some(AccountId::from_random_bytes([2; 16]).to_string()),
            from: Some("2026-01-31".into()),
            ..FilterText::default()
        };
        let filter = text.parse(None, Some(node), None, Some(10)).unwrap();
        assert_eq!(filter.account, Some(node));
        assert_eq!(filter.from.unwrap().to_string(), "2026-01-31");
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(page_size("first", Some(1000)).unwrap(), Some(1000));
        assert_eq!(page_size("first", Some(0)).unwrap_err().field, "first");
        assert!(page_size("limit", Some(-3)).is_err());
        assert_eq!(page_size("limit", None).unwrap(), None);
    }
}
