//! Accounts: where money sits. An account belongs to one user and holds one
//! currency; every transaction on it is in that currency.

use std::fmt;
use std::str::FromStr;

use crate::{AccountId, Currency, UserId, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountKind {
    Checking,
    Savings,
    CreditCard,
    Loan,
    Investment,
    Cash,
}

impl AccountKind {
    pub const ALL: [AccountKind; 6] = [
        AccountKind::Checking,
        AccountKind::Savings,
        AccountKind::CreditCard,
        AccountKind::Loan,
        AccountKind::Investment,
        AccountKind::Cash,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Checking => "checking",
            AccountKind::Savings => "savings",
            AccountKind::CreditCard => "credit_card",
            AccountKind::Loan => "loan",
            AccountKind::Investment => "investment",
            AccountKind::Cash => "cash",
        }
    }

    /// Whether a positive balance is money owed rather than money held.
    pub fn is_liability(self) -> bool {
        matches!(self, AccountKind::CreditCard | AccountKind::Loan)
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for AccountKind {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        AccountKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| {
                ValidationError::new(
                    "kind",
                    format!(
                        "{s:?} is not an account kind (one of checking, savings, credit_card, loan, investment, cash)"
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub user_id: UserId,
    pub kind: AccountKind,
    pub currency: Currency,
    /// The user's own name for it ("Everyday checking").
    pub name: String,
    /// The bank or issuer ("First Harbor Bank").
    pub institution: String,
    /// Closed on this day: it keeps its history, and takes no transaction
    /// posted after it.
    pub closed_on: Option<time::Date>,
}

impl Account {
    /// An account's name or institution as people type it: trimmed, 1 to
    /// 100 printable characters.
    pub fn parse_label(field: &'static str, text: &str) -> Result<String, ValidationError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 100 {
            return Err(ValidationError::new(field, "must be 1 to 100 characters"));
        }
        crate::text::check_printable(field, text)?;
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_text() {
        for kind in AccountKind::ALL {
            assert_eq!(kind.as_str().parse::<AccountKind>().unwrap(), kind);
        }
        assert_eq!(
            "Credit Card".parse::<AccountKind>().unwrap(),
            AccountKind::CreditCard
        );
        assert_eq!("crypto".parse::<AccountKind>().unwrap_err().field, "kind");
    }
}
