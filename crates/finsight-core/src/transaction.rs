//! Ledger transactions and the fingerprint that makes loading them
//! idempotent: the same record from the same source always hashes the same,
//! so a replayed file or stream is recognised and skipped.

use std::fmt;

use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime};

use crate::{AccountId, CategoryId, Money, TransactionId, UserId, ValidationError};

/// The date a transaction was booked on, 1970-01-01 to 2199-12-31. Whether
/// it is too far in the future is a policy of the caller, which knows today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostingDate(Date);

impl PostingDate {
    pub const MIN: Date = match Date::from_calendar_date(1970, Month::January, 1) {
        Ok(d) => d,
        Err(_) => panic!("valid date"),
    };
    pub const MAX: Date = match Date::from_calendar_date(2199, Month::December, 31) {
        Ok(d) => d,
        Err(_) => panic!("valid date"),
    };

    pub fn new(date: Date) -> Result<Self, ValidationError> {
        if date < Self::MIN || date > Self::MAX {
            return Err(ValidationError::new(
                "posted_on",
                format!("{date} is outside {} to {}", Self::MIN, Self::MAX),
            ));
        }
        Ok(Self(date))
    }

    /// Parses an ISO 8601 calendar date (`2026-03-31`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = Date::parse(text.trim(), &format).map_err(|_| {
            ValidationError::new(
                "posted_on",
                format!("{text:?} is not a calendar date (YYYY-MM-DD)"),
            )
        })?;
        Self::new(date)
    }

    pub fn date(&self) -> Date {
        self.0
    }
}

impl fmt::Display for PostingDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a record came from (`synth`, `csv`, `ofx:first_harbor`, `kafka`,
/// `api`): 1 to 64 characters of `[a-z0-9_.:-]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceName(String);

impl SourceName {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let valid = !text.is_empty()
            && text.len() <= 64
            && text.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'_' | b'.' | b':' | b'-')
            });
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValidationError::new(
                "source",
                format!("{text:?} is not a source name (1-64 of a-z 0-9 _ . : -)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// The bank's text for a transaction, as it came with whitespace
/// normalized: 1 to 500 characters, no control or bidirectional formatting
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 500;

    /// Whitespace runs (wrapped bank text) become single spaces; card
    /// numbers are masked (see [`crate::pan`]); control and bidirectional
    /// formatting characters are refused (see [`crate::text`]).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let collapsed = crate::text::collapse_whitespace(text);
        let masked = crate::pan::mask_card_numbers(&collapsed);
        if masked.is_empty() {
            return Err(ValidationError::new("description", "must not be empty"));
        }
        if masked.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "description",
                format!("longer than {} characters", Self::MAX_CHARS),
            ));
        }
        crate::text::check_printable("description", &masked)?;
        Ok(Self(masked.into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Upper-case alphanumeric words joined by single spaces: the form that
    /// survives a bank re-exporting the same record with other spacing,
    /// case or punctuation.
    pub fn normalized(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for word in self
            .0
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if !out.is_empty() {
                out.push(' ');
            }
            if word.is_ascii() {
                let start = out.len();
                out.push_str(word);
                out[start..].make_ascii_uppercase();
            } else {
                out.extend(word.chars().flat_map(char::to_uppercase));
            }
        }
        out
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// An ISO 18245 merchant category code, 0000-9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mcc(u16);

impl Mcc {
    pub fn new(code: u16) -> Result<Self, ValidationError> {
        if code > 9999 {
            return Err(ValidationError::new(
                "mcc",
                format!("{code} is not a four-digit merchant category code"),
            ));
        }
        Ok(Self(code))
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(
                "mcc",
                format!("{text:?} is not a four-digit merchant category code"),
            ));
        }
        Self::new(text.parse().unwrap_or(u16::MAX))
    }

    pub fn code(&self) -> u16 {
        self.0
    }
}

impl fmt::Display for Mcc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// Optional short free text (merchant name, source reference): whitespace
/// runs collapsed, empty becomes `None`, at most `max_chars`, no control or
/// bidirectional formatting characters. Card
/// numbers are masked in it (source references are left alone: they
/// identify records and never carry a card number by design).
pub fn parse_optional_text(
    field: &'static str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let collapsed = crate::text::collapse_whitespace(text);
    let masked = if field == "source_ref" {
        collapsed
    } else {
        std::borrow::Cow::Owned(crate::pan::mask_card_numbers(&collapsed).into_owned())
    };
    if masked.is_empty() {
        return Ok(None);
    }
    if masked.chars().count() > max_chars {
        return Err(ValidationError::new(
            field,
            format!("longer than {max_chars} characters"),
        ));
    }
    crate::text::check_printable(field, &masked)?;
    Ok(Some(masked.into_owned()))
}

/// A validated record on its way into the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    pub account_id: AccountId,
    pub posted_on: PostingDate,
    /// When the card was used, if the source knows (with its offset).
    pub occurred_at: Option<OffsetDateTime>,
    /// Negative is money out of the account.
    pub amount: Money,
    pub description: Description,
    pub merchant: Option<String>,
    pub mcc: Option<Mcc>,
    pub category: Option<CategoryId>,
    pub source: SourceName,
    /// The source's own id for the record (OFX `FITID`, a Kafka key, or for
    /// sources without one, the occurrence number of identical rows).
    pub source_ref: Option<String>,
}

impl NewTransaction {
    /// The stable identity of this record, used to skip duplicates.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut hasher = Sha256::new();
        let account_id = self.account_id.as_uuid();
        let posted_on = self.posted_on.to_string();
        let minor_units = self.amount.minor_units().to_be_bytes();
        let description = self.description.normalized();
        let fields: [&[u8]; 7] = [
            self.source.as_str().as_bytes(),
            account_id.as_bytes(),
            posted_on.as_bytes(),
            self.amount.currency().code().as_bytes(),
            &minor_units,
            description.as_bytes(),
            self.source_ref.as_deref().unwrap_or("").as_bytes(),
        ];
        hasher.update(b"finsight-fingerprint-v1");
        for field in fields {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        Fingerprint(hasher.finalize().into())
    }

    /// The ledger id of this record: a version-8 (custom) UUID whose first
    /// four bytes are the posting day (days since 1970) and the rest the
    /// fingerprint's first bytes. The same record always gets the same id,
    /// and records of nearby days get nearby ids, so a day's inserts touch
    /// a small part of every index instead of pages all over it.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id_from(&self.fingerprint())
    }

    /// [`NewTransaction::transaction_id`] from this record's fingerprint,
    /// already computed.
    fn transaction_id_from(&self, fingerprint: &Fingerprint) -> TransactionId {
        debug_assert_eq!(*fingerprint, self.fingerprint());
        let epoch = PostingDate::MIN;
        let days = u32::try_from((self.posted_on.date() - epoch).whole_days()).unwrap_or(0);
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&days.to_be_bytes());
        bytes[4..].copy_from_slice(&fingerprint.as_bytes()[..12]);
        TransactionId::from_uuid(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }
}

/// A record together with its ledger id, computed once: hashing is the
/// costliest per-record step of a bulk write, and this lets it happen off
/// the writer's path. The record cannot change, so the id stays right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifiedTransaction {
    id: TransactionId,
    record: NewTransaction,
}

impl IdentifiedTransaction {
    pub fn new(record: NewTransaction) -> Self {
        Self {
            id: record.transaction_id(),
            record,
        }
    }

    /// With the record's fingerprint already computed (it must be this
    /// record's: checked in debug builds).
    pub fn with_fingerprint(record: NewTransaction, fingerprint: &Fingerprint) -> Self {
        Self {
            id: record.transaction_id_from(fingerprint),
            record,
        }
    }

    pub fn id(&self) -> TransactionId {
        self.id
    }

    pub fn record(&self) -> &NewTransaction {
        &self.record
    }

    pub fn into_record(self) -> NewTransaction {
        self.record
    }
}

/// SHA-256 over a transaction's identifying fields (length-prefixed, so no
/// two different field lists hash alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// A transaction as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: TransactionId,
    pub user_id: UserId,
    pub account_id: AccountId,
    pub posted_on: PostingDate,
    pub occurred_at: Option<OffsetDateTime>,
    pub amount: Money,
    pub description: Description,
    pub merchant: Option<String>,
    pub mcc: Option<Mcc>,
    pub category: Option<CategoryId>,
    /// Who set `category`.
    pub category_source: Option<crate::CategorySource>,
    pub source: SourceName,
    pub source_ref: Option<String>,
    /// The owner's own note; never from a bank file.
    pub notes: Option<String>,
}

impl Transaction {
    pub fn from_new(user_id: UserId, record: NewTransaction) -> Self {
        Transaction {
            id: record.transaction_id(),
            user_id,
            account_id: record.account_id,
            posted_on: record.posted_on,
            occurred_at: record.occurred_at,
            amount: record.amount,
            description: record.description,
            merchant: record.merchant,
            mcc: record.mcc,
            category_source: record
                .category
                .as_ref()
                .map(|_| crate::CategorySource::Source),
            category: record.category,
            source: record.source,
            source_ref: record.source_ref,
            notes: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;
    use time::macros::date;

    fn record(description: &str, amount: &str) -> NewTransaction {
        NewTransaction {
            account_id: AccountId::from_random_bytes([7; 16]),
            posted_on: PostingDate::new(date!(2026 - 03 - 14)).unwrap(),
            occurred_at: None,
            amount: Money::parse(amount, Currency::parse("USD").unwrap()).unwrap(),
            description: Description::parse(description).unwrap(),
            merchant: None,
            mcc: None,
            category: None,
            source: SourceName::parse("csv").unwrap(),
            source_ref: None,
        }
    }

    #[test]
    fn fingerprint_ignores_spacing_case_and_punctuation_but_not_amount() {
        let a = record("SQ *BLUE BOTTLE 0423", "-4.50");
        let b = record("sq*blue  bottle 0423", "-4.5");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(
            a.fingerprint(),
            record("SQ *BLUE BOTTLE 0423", "-4.51").fingerprint()
        );
        let mut c = a.clone();
        c.source_ref = Some("2".into());
        assert_ne!(a.fingerprint(), c.fingerprint());
        // Category and merchant are enrichments, not identity.
        let mut d = a.clone();
        d.category = Some(CategoryId::parse("dining.coffee").unwrap());
        assert_eq!(a.fingerprint(), d.fingerprint());
    }

    #[test]
    fn fingerprint_is_stable_across_releases() {
        // Changing this value orphans every stored fingerprint: don't.
        assert_eq!(
            record("AMZN MKTP US*2K3L1", "-23.99")
                .fingerprint()
                .to_string(),
            "08d2a49b84b07eb978b7d9e23a3c5d315b0424fc2fb8dba022bae3f2ee0dddcd"
        );
        let id = record("x", "1").transaction_id();
        assert_eq!(id.as_uuid().get_version_num(), 8);
        // Ids of later days sort after ids of earlier days.
        let mut later = record("x", "1");
        later.posted_on = PostingDate::new(date!(2026 - 03 - 15)).unwrap();
        assert!(later.transaction_id() > id);
        assert_eq!(&id.as_uuid().as_bytes()[..4], &20_526u32.to_be_bytes());
    }

    #[test]
    fn field_parsers_name_the_field() {
        assert_eq!(
            PostingDate::parse("2026-02-30").unwrap_err().field,
            "posted_on"
        );
        assert_eq!(
            PostingDate::parse("1969-12-31").unwrap_err().field,
            "posted_on"
        );
        assert_eq!(
            PostingDate::parse("14/03/2026").unwrap_err().field,
            "posted_on"
        );
        assert_eq!(Description::parse("  ").unwrap_err().field, "description");
        assert_eq!(
            Description::parse("a\u{0}b").unwrap_err().field,
            "description"
        );
        assert_eq!(Mcc::parse("54111").unwrap_err().field, "mcc");
        assert_eq!(Mcc::parse("5411").unwrap().to_string(), "5411");
        assert_eq!(SourceName::parse("CSV!").unwrap_err().field, "source");
    }

    #[test]
    fn wrapped_bank_text_reads_as_one_line_and_hidden_text_is_refused() {
        let wrapped =
            Description::parse("SEPA CREDIT\n    INVOICE 2026-117\r\n\tTHANK YOU").unwrap();
        assert_eq!(wrapped.as_str(), "SEPA CREDIT INVOICE 2026-117 THANK YOU");
        let card = Description::parse("PAYMENT 4111\n1111 1111 1111").unwrap();
        assert_eq!(card.as_str(), "PAYMENT XXXXXXXXXXXX1111");
        for hidden in ["GROCER\u{202E}YAP", "A\u{1b}[2J", "NUL\u{0}"] {
            assert!(Description::parse(hidden).is_err(), "{hidden:?}");
            assert!(
                parse_optional_text("merchant", Some(hidden), 100).is_err(),
                "{hidden:?}"
            );
        }
        assert_eq!(
            parse_optional_text("merchant", Some(" ACME\n  LTD "), 100).unwrap(),
            Some("ACME LTD".into())
        );
    }
}
