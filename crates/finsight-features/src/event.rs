//! Feature events: what the engine aggregates. A committed transaction
//! becomes one event per entity it touches (the person, the person ×
//! category, the person × merchant, the account); a market price becomes
//! one event of its asset or currency pair. Values are exact integers in
//! millionths, so sums come out the same whatever order events arrive in.

use std::fmt;

use finsight_core::Transaction;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::definition::{DefinitionError, EntityKind, MICROS_PER_SECOND};

/// Values are stored in millionths of a unit.
pub const VALUE_SCALE: i64 = 1_000_000;

/// One entity: its kind and id (`user`: the user id; `user_category`:
/// `USER:CATEGORY`; `user_merchant`: `USER:merchant`; `account`: the
/// account id; `asset`: the symbol; `currency_pair`: `EUR-USD`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityKey {
    pub kind: EntityKind,
    pub id: String,
}

/// Longest entity id accepted.
pub const MAX_ENTITY_ID_CHARS: usize = 300;

impl EntityKey {
    pub fn new(kind: EntityKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }

    /// Checks an id as it arrives from a request.
    pub fn parse(kind: &str, id: &str) -> Result<Self, DefinitionError> {
        let kind =
            EntityKind::parse(kind).map_err(|e| DefinitionError::new("entity_type", e.reason))?;
        let id = id.trim();
        if id.is_empty()
            || id.chars().count() > MAX_ENTITY_ID_CHARS
            || id.chars().any(char::is_control)
        {
            return Err(DefinitionError::new(
                "entity_id",
                format!("must be 1 to {MAX_ENTITY_ID_CHARS} printable characters"),
            ));
        }
        Ok(Self::new(kind, id))
    }

    /// Which ledger facts hold this entity's events: (user, account,
    /// category, merchant), the parts its id fixes.
    pub fn fact_filter(&self) -> Option<FactFilter<'_>> {
        let split = || self.id.split_once(':');
        Some(match self.kind {
            EntityKind::User => FactFilter::User(&self.id),
            EntityKind::Account => FactFilter::Account(&self.id),
            EntityKind::UserCategory => {
                let (user, category) = split()?;
                FactFilter::UserCategory(user, category)
            }
            EntityKind::UserMerchant => {
                let (user, merchant) = split()?;
                FactFilter::UserMerchant(user, merchant)
            }
            EntityKind::Asset | EntityKind::CurrencyPair => return None,
        })
    }

    /// The user whose data this entity is, for the personal kinds.
    pub fn user_part(&self) -> Option<&str> {
        match self.kind {
            EntityKind::User => Some(&self.id),
            EntityKind::UserCategory | EntityKind::UserMerchant => self.id.split(':').next(),
            _ => None,
        }
    }
}

impl fmt::Display for EntityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

/// The ledger facts of one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactFilter<'a> {
    User(&'a str),
    Account(&'a str),
    UserCategory(&'a str, &'a str),
    UserMerchant(&'a str, &'a str),
}

/// One thing that happened to an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub entity: EntityKey,
    /// Stable id (the transaction id, or `SYMBOL@DATE`): replays are
    /// recognised by it.
    pub id: String,
    /// When it happened, microseconds since the Unix epoch.
    pub at: i64,
    /// When Finsight learned of it (what a point-in-time query honours).
    pub created_at: i64,
    /// Signed value in millionths.
    pub value: i64,
    /// Stable hash of the merchant, 0 when none.
    pub merchant: u64,
    pub category: Option<String>,
}

/// FNV-1a: a hash that stays the same across processes and versions
/// (entity state in Redis is read by other replicas).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub fn micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

/// The time `at` microseconds after the epoch, clamped to the range `time`
/// represents (so `i64::MAX` reads as "the end of time").
pub fn from_micros(at: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000).unwrap_or_else(|_| {
        if at > 0 {
            time::PrimitiveDateTime::MAX.assume_utc()
        } else {
            time::PrimitiveDateTime::MIN.assume_utc()
        }
    })
}

/// A decimal in millionths (saturating at the i64 range).
pub fn scaled(value: Decimal) -> i64 {
    (value * Decimal::from(VALUE_SCALE))
        .round()
        .to_i64()
        .unwrap_or(if value.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// A merchant as an entity id part: trimmed, lower case, inner spaces
/// collapsed.
pub fn merchant_key(merchant: &str) -> String {
    merchant
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// When a transaction happened: its timestamp, or the start of its posting
/// day (UTC).
pub fn event_time(transaction: &Transaction) -> i64 {
    transaction
        .occurred_at
        .map(micros)
        .unwrap_or_else(|| micros(transaction.posted_on.date().midnight().assume_utc()))
}

/// What the offline log keeps of one committed transaction: enough to
/// give every entity it touches its event, with the category as it was
/// decided when the transaction was processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerFact {
    /// The transaction's outbox position: the log's key.
    pub seq: i64,
    /// The transaction id.
    pub id: String,
    pub user: String,
    pub account: String,
    pub category: Option<String>,
    /// Normalized ([`merchant_key`]).
    pub merchant: Option<String>,
    pub at: i64,
    pub created_at: i64,
    pub value: i64,
}

impl LedgerFact {
    /// `category` is the category as of processing (a stage before may
    /// have just decided it).
    pub fn of(
        transaction: &Transaction,
        seq: i64,
        category: Option<&str>,
        created_at: i64,
    ) -> Self {
        Self {
            seq,
            id: transaction.id.to_string(),
            user: transaction.user_id.to_string(),
            account: transaction.account_id.to_string(),
            category: category.map(str::to_owned),
            merchant: transaction
                .merchant
                .as_deref()
                .map(merchant_key)
                .filter(|m| !m.is_empty()),
            at: event_time(transaction),
            created_at,
            value: scaled(transaction.amount.amount()),
        }
    }

    /// One event per entity the transaction touches.
    pub fn events(&self) -> Vec<Event> {
        let base = Event {
            entity: EntityKey::new(EntityKind::User, self.user.clone()),
            id: self.id.clone(),
            at: self.at,
            created_at: self.created_at,
            value: self.value,
            merchant: self
                .merchant
                .as_deref()
                .map_or(0, |m| stable_hash(m.as_bytes())),
            category: self.category.clone(),
        };
        let mut events = Vec::with_capacity(4);
        events.push(Event {
            entity: EntityKey::new(EntityKind::Account, self.account.clone()),
            ..base.clone()
        });
        if let Some(category) = &self.category {
            events.push(Event {
                entity: EntityKey::new(
                    EntityKind::UserCategory,
                    format!("{}:{category}", self.user),
                ),
                ..base.clone()
            });
        }
        if let Some(merchant) = &self.merchant {
            events.push(Event {
                entity: EntityKey::new(
                    EntityKind::UserMerchant,
                    format!("{}:{merchant}", self.user),
                ),
                ..base.clone()
            });
        }
        events.push(base);
        events
    }
}

/// One daily close or FX rate as the offline log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketFact {
    pub entity: EntityKey,
    pub day: time::Date,
    pub close: Decimal,
    /// The price's currency, when the file gives it.
    pub currency: Option<String>,
    pub created_at: i64,
}

impl MarketFact {
    pub fn new(
        symbol: &str,
        day: time::Date,
        close: Decimal,
        currency: Option<String>,
        created_at: i64,
    ) -> Self {
        Self {
            entity: market_entity(symbol),
            day,
            close,
            currency,
            created_at,
        }
    }

    pub fn event(&self) -> Event {
        Event {
            id: format!("{}@{}", self.entity.id, self.day),
            entity: self.entity.clone(),
            at: micros(self.day.midnight().assume_utc()),
            created_at: self.created_at,
            value: scaled(self.close),
            merchant: 0,
            category: None,
        }
    }
}

/// The entity a market symbol names.
pub fn market_entity(symbol: &str) -> EntityKey {
    currency_pair(symbol)
        .map(|pair| EntityKey::new(EntityKind::CurrencyPair, pair))
        .unwrap_or_else(|| EntityKey::new(EntityKind::Asset, symbol.to_owned()))
}

/// A daily close of an asset or an FX rate (`EURUSD`, `EUR/USD` and
/// `EUR-USD` name the pair `EUR-USD`).
pub fn market_event(symbol: &str, day: time::Date, close: Decimal, created_at: i64) -> Event {
    MarketFact::new(symbol, day, close, None, created_at).event()
}

fn currency_pair(symbol: &str) -> Option<String> {
    let letters: String = symbol.chars().filter(|c| !matches!(c, '/' | '-')).collect();
    let separated = letters.len() + 1 == symbol.len();
    if letters.len() != 6
        || !(separated || symbol.len() == 6)
        || !letters.chars().all(|c| c.is_ascii_uppercase())
    {
        return None;
    }
    let (base, quote) = letters.split_at(3);
    let known = |code: &str| finsight_core::Currency::parse(code).is_ok();
    (known(base) && known(quote)).then(|| format!("{base}-{quote}"))
}

/// Seconds as microseconds, for tests and callers with whole seconds.
pub const fn seconds(s: i64) -> i64 {
    s * MICROS_PER_SECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_recognised_in_any_spelling() {
        let day = time::macros::date!(2026 - 01 - 02);
        for symbol in ["EURUSD", "EUR/USD", "EUR-USD"] {
            let event = market_event(symbol, day, Decimal::new(10_845, 4), 0);
            assert_eq!(
                event.entity,
                EntityKey::new(EntityKind::CurrencyPair, "EUR-USD")
            );
            assert_eq!(event.value, 1_084_500);
        }
        assert_eq!(
            market_event("AAPL", day, Decimal::ONE, 0).entity.kind,
            EntityKind::Asset
        );
        assert_eq!(
            market_event("ABCDEF", day, Decimal::ONE, 0).entity.kind,
            EntityKind::Asset
        );
    }

    #[test]
    fn entity_ids_are_checked() {
        assert!(EntityKey::parse("user", "").is_err());
        assert_eq!(
            EntityKey::parse("planet", "x").unwrap_err().field,
            "entity_type"
        );
        let key = EntityKey::parse("user_category", "u1:dining").unwrap();
        assert_eq!(key.user_part(), Some("u1"));
    }
}
