//! What every parser produces: for each record in a file, either a parsed
//! record (typed, but not yet checked against the ledger) or a record
//! error that sends the raw text to quarantine.

use finsight_core::AccountKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A record read from a source, before validation against accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRecord {
    /// Where in the source: `line 12`, `entry 3`, `partition 2 offset 881`.
    pub location: String,
    /// The record's own text, kept for quarantine and audit.
    pub raw: String,
    /// The source's name for the account (OFX `ACCTID`, an IBAN, MT940
    /// `:25:`, or our account id in JSON Lines).
    pub account_ref: Option<String>,
    pub posted_on: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    /// Signed: negative is money out of the account.
    pub amount: Decimal,
    /// ISO 4217 code, when the source states one.
    pub currency: Option<String>,
    pub description: String,
    /// Payee or counterparty, when the source separates it.
    pub merchant: Option<String>,
    pub mcc: Option<String>,
    pub category: Option<String>,
    /// The source's id for the record (OFX `FITID`, camt `AcctSvcrRef`).
    pub source_ref: Option<String>,
}

/// A record that could not be read: which field, why, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordError {
    pub location: String,
    pub raw: String,
    pub field: String,
    pub reason: String,
}

impl RecordError {
    pub fn new(
        location: impl Into<String>,
        raw: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            location: location.into(),
            raw: raw.into(),
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A whole-file problem: nothing in it could be read as the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format}: {reason}")]
pub struct FileError {
    pub format: &'static str,
    pub reason: String,
}

impl FileError {
    pub fn new(format: &'static str, reason: impl Into<String>) -> Self {
        Self {
            format,
            reason: reason.into(),
        }
    }
}

/// An account a bank file describes (OFX `BANKACCTFROM`/`CCACCTFROM`,
/// camt.053 `Acct`, MT940 `:25:`): what an import by policy needs to find
/// or open the account its records belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAccount {
    /// The records' `account_ref` for this account.
    pub reference: String,
    /// ISO 4217 code, when the file states one.
    pub currency: Option<String>,
    /// When the file says (OFX `ACCTTYPE`, a credit-card statement, camt
    /// `Tp/Cd`).
    pub kind: Option<AccountKind>,
    /// The bank, when the file names it (OFX `FI/ORG`, camt `Svcr`).
    pub institution: Option<String>,
}

/// What a parser made of a file.
#[derive(Debug, Clone, Default)]
pub struct ParsedFile {
    pub records: Vec<ParsedRecord>,
    pub errors: Vec<RecordError>,
    /// The file's own account id and currency, when it has one for all
    /// records (OFX, camt.053, MT940).
    pub account_ref: Option<String>,
    pub currency: Option<String>,
    /// Every account the file describes, in the order it does.
    pub accounts: Vec<FileAccount>,
    /// CSV header columns, for schema-drift monitoring.
    pub columns: Vec<String>,
}

/// Longest raw text kept per record; longer records are cut (and marked).
pub const MAX_RAW_CHARS: usize = 4096;

pub fn clip_raw(text: &str) -> String {
    if text.len() <= MAX_RAW_CHARS {
        return text.to_owned();
    }
    let mut end = MAX_RAW_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} bytes cut]", &text[..end], text.len() - end)
}

impl ParsedFile {
    /// Records an account the file describes, once per reference.
    pub(crate) fn describe_account(&mut self, account: FileAccount) {
        if !self
            .accounts
            .iter()
            .any(|known| known.reference == account.reference)
        {
            self.accounts.push(account);
        }
    }
}
