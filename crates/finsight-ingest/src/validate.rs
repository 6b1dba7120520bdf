//! Checks parsed records against the ledger's rules and the accounts they
//! belong to, turning each into a [`NewTransaction`] or a [`RecordError`]
//! that names the field. Pure: the caller supplies the accounts, the
//! taxonomy and today's date.

use std::collections::{HashMap, HashSet};

use finsight_core::transaction::parse_optional_text;
use finsight_core::{
    Account, CategoryId, Currency, Description, IdentifiedTransaction, Mcc, Money, NewTransaction,
    PostingDate, SourceName, Taxonomy, ValidationError,
};
use time::{Date, Duration};

use crate::record::{ParsedRecord, RecordError};

/// How far in the future a posting date may be (banks post pending items
/// a few days ahead).
pub const MAX_DAYS_AHEAD: i64 = 7;

/// What validation needs to know, besides the records.
pub struct Validator<'a> {
    pub today: Date,
    pub source: SourceName,
    pub taxonomy: &'a Taxonomy,
    /// The account every record goes to, when the caller names one.
    pub account: Option<&'a Account>,
    /// Accounts by the names sources use for them (aliases, and our own
    /// account ids as text).
    pub accounts_by_ref: &'a HashMap<String, Account>,
    /// References bound to accounts of several households: never guessed.
    ambiguous: Option<&'a HashSet<String>>,
    /// Set when the whole import is refused (a conflicting account
    /// reference): every record is quarantined with this reason.
    refusal: Option<ValidationError>,
    /// How often each identity (fingerprint without a source reference) was
    /// seen, so identical rows (two coffees on one day) stay distinct and a
    /// re-import still matches them.
    occurrences: HashMap<[u8; 16], u32, foldhash::fast::RandomState>,
}

impl<'a> Validator<'a> {
    pub fn new(
        today: Date,
        source: SourceName,
        taxonomy: &'a Taxonomy,
        account: Option<&'a Account>,
        accounts_by_ref: &'a HashMap<String, Account>,
    ) -> Self {
        Self {
            today,
            source,
            taxonomy,
            account,
            accounts_by_ref,
            ambiguous: None,
            refusal: None,
            occurrences: HashMap::default(),
        }
    }

    /// References that name accounts of several households.
    pub fn with_ambiguous(mut self, ambiguous: &'a HashSet<String>) -> Self {
        self.ambiguous = Some(ambiguous);
        self
    }

    /// Refuses every record with `error` (they go to quarantine).
    pub fn refusing_all(mut self, error: Option<ValidationError>) -> Self {
        self.refusal = error;
        self
    }

    fn resolve(&self, record: &ParsedRecord) -> Result<&'a Account, ValidationError> {
        if let Some(account) = self.account {
            return Ok(account);
        }
        match &record.account_ref {
            Some(reference)
                if self
                    .ambiguous
                    .is_some_and(|refs| refs.contains(reference.trim())) =>
            {
                Err(ValidationError::new(
                    "account_id",
                    format!(
                        "{reference:?} names accounts of several households; name the account for this import"
                    ),
                ))
            }
            Some(reference) => self.accounts_by_ref.get(reference.trim()).ok_or_else(|| {
                ValidationError::new(
                    "account_id",
                    format!(
                        "no account is known as {reference:?}; name the account for this import (it is remembered for the next one)"
                    ),
                )
            }),
            None => Err(ValidationError::new(
                "account_id",
                "the record names no account and the import names none",
            )),
        }
    }

    /// A taxonomy category for a source's category text (`Dining:Coffee`,
    /// `groceries`), or none when it is not one of ours.
    fn category(&self, text: Option<&str>) -> Option<CategoryId> {
        let text = text?.trim();
        let normalized = text
            .to_lowercase()
            .replace([':', '/'], ".")
            .replace([' ', '-'], "_");
        CategoryId::parse(&normalized)
            .ok()
            .filter(|c| self.taxonomy.contains(c))
    }

    fn check(&mut self, record: &ParsedRecord) -> Result<IdentifiedTransaction, ValidationError> {
        if let Some(refusal) = &self.refusal {
            return Err(refusal.clone());
        }
        let account = self.resolve(record)?;
        if let Some(code) = record.currency.as_deref().filter(|c| !c.trim().is_empty()) {
            let currency = Currency::parse(code)?;
            if currency != account.currency {
                return Err(ValidationError::new(
                    "currency",
                    format!(
                        "{currency} differs from the account's currency {}",
                        account.currency
                    ),
                ));
            }
        }
        if let Some(closed_on) = account.closed_on
            && record.posted_on > closed_on
        {
            return Err(ValidationError::new(
                "account_id",
                format!("the account was closed on {closed_on}; this transaction is posted after"),
            ));
        }
        let amount = Money::new(record.amount, account.currency)?;
        let posted_on = PostingDate::new(record.posted_on)?;
        if record.posted_on > self.today + Duration::days(MAX_DAYS_AHEAD) {
            return Err(ValidationError::new(
                "posted_on",
                format!(
                    "{} is more than {MAX_DAYS_AHEAD} days after today ({})",
                    record.posted_on, self.today
                ),
            ));
        }
        let description_text = if record.description.trim().is_empty() {
            record.merchant.as_deref().unwrap_or("")
        } else {
            &record.description
        };
        let description = Description::parse(description_text)?;
        let merchant = parse_optional_text("merchant", record.merchant.as_deref(), 200)?;
        let mcc = record
            .mcc
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(Mcc::parse)
            .transpose()?;
        let source_ref = parse_optional_text("source_ref", record.source_ref.as_deref(), 200)?;
        let mut transaction = NewTransaction {
            account_id: account.id,
            posted_on,
            occurred_at: record.occurred_at,
            amount,
            description,
            merchant,
            mcc,
            category: self.category(record.category.as_deref()),
            source: self.source.clone(),
            source_ref,
        };
        // The fingerprint is hashed once: for the occurrence count and,
        // unless the record becomes a later occurrence, for its id.
        let fingerprint = transaction.fingerprint();
        if transaction.source_ref.is_none() {
            let mut key = [0u8; 16];
            key.copy_from_slice(&fingerprint.as_bytes()[..16]);
            let seen = self.occurrences.entry(key).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                transaction.source_ref = Some(format!("occurrence {seen}"));
                return Ok(IdentifiedTransaction::new(transaction));
            }
        }
        Ok(IdentifiedTransaction::with_fingerprint(
            transaction,
            &fingerprint,
        ))
    }

    /// Validates one record.
    pub fn validate(&mut self, record: &ParsedRecord) -> Result<NewTransaction, RecordError> {
        self.validate_identified(record)
            .map(IdentifiedTransaction::into_record)
    }

    /// Validates one record and computes its ledger id.
    pub fn validate_identified(
        &mut self,
        record: &ParsedRecord,
    ) -> Result<IdentifiedTransaction, RecordError> {
        self.check(record).map_err(|error| RecordError {
            location: record.location.clone(),
            raw: record.raw.clone(),
            field: error.field.into_owned(),
            reason: error.reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use finsight_core::{AccountId, AccountKind, UserId};
    use time::macros::date;

    fn account(currency: &str) -> Account {
        Account {
            id: AccountId::from_random_bytes([1; 16]),
            user_id: UserId::from_random_bytes([2; 16]),
            kind: AccountKind::Checking,
            currency: Currency::parse(currency).unwrap(),
            name: "Checking".into(),
            institution: "Bank".into(),
            closed_on: None,
        }
    }

    fn parsed(amount: &str, description: &str) -> ParsedRecord {
        ParsedRecord {
            location: "line 2".into(),
            raw: "raw".into(),
            account_ref: Some("DE89".into()),
            posted_on: date!(2026 - 03 - 14),
            occurred_at: None,
            amount: amount.parse().unwrap(),
            currency: None,
            description: description.into(),
            merchant: None,
            mcc: None,
            category: None,
            source_ref: None,
        }
    }

    #[test]
    fn records_become_transactions_and_identical_rows_stay_distinct() {
        let taxonomy = Taxonomy::default_tree();
        let checking = account("EUR");
        let by_ref = HashMap::from([("DE89".to_owned(), checking.clone())]);
        let mut validator = Validator::new(
            date!(2026 - 03 - 20),
            SourceName::parse("csv").unwrap(),
            &taxonomy,
            None,
            &by_ref,
        );
        let mut coffee = parsed("-3.20", "CAFE CENTRAL");
        coffee.category = Some("Dining:Coffee".into());
        let first = validator.validate(&coffee).unwrap();
        let second = validator.validate(&coffee).unwrap();
        assert_eq!(first.account_id, checking.id);
        assert_eq!(first.category.as_ref().unwrap().as_str(), "dining.coffee");
        assert_eq!(first.source_ref, None);
        assert_eq!(second.source_ref.as_deref(), Some("occurrence 2"));
        assert_ne!(first.fingerprint(), second.fingerprint());
    }

    #[test]
    fn every_rule_names_its_field() {
        let taxonomy = Taxonomy::default_tree();
        let checking = account("USD");
        let empty = HashMap::new();
        let by_ref = HashMap::from([("DE89".to_owned(), checking.clone())]);
        let today = date!(2026 - 03 - 20);
        let source = SourceName::parse("csv").unwrap();
        let mut forced = Validator::new(today, source.clone(), &taxonomy, Some(&checking), &empty);
        let mut cases: Vec<(ParsedRecord, &str)> = Vec::new();
        let mut eur = parsed("1", "X");
        eur.currency = Some("EUR".into());
        cases.push((eur, "currency"));
        let mut bogus = parsed("1", "X");
        bogus.currency = Some("ZZZ".into());
        cases.push((bogus, "currency"));
        cases.push((parsed("1.005", "X"), "amount"));
        cases.push((parsed("10000000000000", "X"), "amount"));
        let mut future = parsed("1", "X");
        future.posted_on = date!(2026 - 04 - 30);
        cases.push((future, "posted_on"));
        let mut ancient = parsed("1", "X");
        ancient.posted_on = date!(1960 - 01 - 01);
        cases.push((ancient, "posted_on"));
        cases.push((parsed("1", "  "), "description"));
        let mut mcc = parsed("1", "X");
        mcc.mcc = Some("54A1".into());
        cases.push((mcc, "mcc"));
        for (record, field) in cases {
            assert_eq!(
                forced.validate(&record).unwrap_err().field,
                field,
                "{record:?}"
            );
        }
        let mut by_alias = Validator::new(today, source, &taxonomy, None, &by_ref);
        let mut stranger = parsed("1", "X");
        stranger.account_ref = Some("GB00".into());
        let err = by_alias.validate(&stranger).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.location.as_str()),
            ("account_id", "line 2")
        );
        assert!(by_alias.validate(&parsed("1", "X")).is_ok());
    }
}
