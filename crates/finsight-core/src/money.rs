//! Exact money: a `rust_decimal::Decimal` amount in an ISO 4217 currency,
//! never a float. An amount never carries more decimals than its currency's
//! minor unit, so it converts to and from integer minor units losslessly.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ValidationError;

/// The largest magnitude Finsight accepts, in major units (one trillion).
/// Keeps every amount's minor units inside `i64` for every currency.
pub const MAX_ABS_MAJOR_UNITS: i64 = 1_000_000_000_000;

/// An ISO 4217 currency that has a decimal minor unit (so not XAU, XXX, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    exponent: u8,
}

impl Currency {
    /// Parses a three-letter ISO 4217 code (case-insensitive, trimmed).
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let upper = code.trim().to_ascii_uppercase();
        let iso = iso_currency::Currency::from_code(&upper).ok_or_else(|| {
            ValidationError::new(
                "currency",
                format!("{code:?} is not an ISO 4217 currency code"),
            )
        })?;
        let exponent = iso.exponent().ok_or_else(|| {
            ValidationError::new(
                "currency",
                format!("{upper} has no decimal minor unit and cannot hold money"),
            )
        })?;
        let exponent = u8::try_from(exponent)
            .ok()
            .filter(|e| *e <= 4)
            .ok_or_else(|| ValidationError::new("currency", format!("{upper} is not supported")))?;
        Ok(Self { iso, exponent })
    }

    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for BHD.
    pub fn minor_unit_exponent(&self) -> u32 {
        u32::from(self.exponent)
    }

    /// Every currency that can hold money.
    pub fn all() -> impl Iterator<Item = Currency> {
        use iso_currency::IntoEnumIterator;
        iso_currency::Currency::iter().filter_map(|iso| Currency::parse(iso.code()).ok())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl FromStr for Currency {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    fn cmp(&self, other: &Self) -> Ordering {
        self.code().cmp(other.code())
    }
}

/// A signed amount of money: negative is money out, positive is money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// Why two amounts could not be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount out of range")]
    OutOfRange,
}

impl Money {
    /// Checks precision and range; trailing zeros are dropped (`12.50` →
    /// `12.5`), so equal amounts are equal values.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, ValidationError> {
        let amount = amount.normalize();
        if amount.scale() > currency.minor_unit_exponent() {
            return Err(ValidationError::new(
                "amount",
                format!(
                    "{amount} has more than {} decimal places for {currency}",
                    currency.minor_unit_exponent()
                ),
            ));
        }
        if amount.abs() > Decimal::from(MAX_ABS_MAJOR_UNITS) {
            return Err(ValidationError::new(
                "amount",
                format!("{amount} is beyond the limit of {MAX_ABS_MAJOR_UNITS}"),
            ));
        }
        // `-0` and `0` are the same amount.
        let amount = if amount.is_zero() {
            Decimal::ZERO
        } else {
            amount
        };
        Ok(Self { amount, currency })
    }

    /// Parses a plain decimal string (`-1234.56`, `+7`, `.5`), as found in
    /// our own formats; locale-specific separators are the parsers' job.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, ValidationError> {
        let text = amount.trim();
        let well_formed = !text.is_empty()
            && text.len() <= 40
            && text
                .trim_start_matches(['+', '-'])
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
            && text.chars().filter(|c| *c == '.').count() <= 1
            && text.chars().filter(|c| matches!(c, '+' | '-')).count() <= 1
            && text.chars().any(|c| c.is_ascii_digit());
        if !well_formed {
            return Err(ValidationError::new(
                "amount",
                format!("{amount:?} is not a decimal number"),
            ));
        }
        let decimal = Decimal::from_str_exact(text.trim_start_matches('+')).map_err(|_| {
            ValidationError::new(
                "amount",
                format!("{amount:?} is not a representable amount"),
            )
        })?;
        Self::new(decimal, currency)
    }

    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// From integer minor units (cents for USD).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, ValidationError> {
        Self::new(
            Decimal::new(minor, currency.minor_unit_exponent()),
            currency,
        )
    }

    /// Integer minor units; exact because the scale never exceeds the
    /// currency's exponent and the range check keeps it inside `i64`.
    pub fn minor_units(&self) -> i64 {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.minor_unit_exponent());
        let mantissa = scaled.mantissa();
        debug_assert!(i64::try_from(mantissa).is_ok());
        i64::try_from(mantissa).unwrap_or(if mantissa > 0 { i64::MAX } else { i64::MIN })
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::OutOfRange)?;
        Money::new(sum, self.currency).map_err(|_| MoneyError::OutOfRange)
    }

    pub fn negated(&self) -> Money {
        Money {
            amount: if self.amount.is_zero() {
                Decimal::ZERO
            } else {
                -self.amount
            },
            currency: self.currency,
        }
    }

    /// The amount with exactly the currency's decimals (`12.50`), for display
    /// and export.
    pub fn amount_text(&self) -> String {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.minor_unit_exponent());
        scaled.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_text(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn currency_codes_parse_case_insensitively_and_reject_unknown_or_non_decimal() {
        assert_eq!(Currency::parse(" eur ").unwrap().code(), "EUR");
        assert_eq!(Currency::parse("JPY").unwrap().minor_unit_exponent(), 0);
        assert_eq!(Currency::parse("BHD").unwrap().minor_unit_exponent(), 3);
        let unknown = Currency::parse("ABC").unwrap_err();
        assert_eq!(unknown.field, "currency");
        assert!(unknown.reason.contains("ISO 4217"));
        assert!(
            Currency::parse("XAU")
                .unwrap_err()
                .reason
                .contains("minor unit")
        );
    }

    #[test]
    fn amounts_keep_exact_precision_and_reject_excess_decimals() {
        let m = Money::parse("-1234.50", usd()).unwrap();
        assert_eq!(m.minor_units(), -123_450);
        assert_eq!(m.amount_text(), "-1234.50");
        let err = Money::parse("1.005", usd()).unwrap_err();
        assert_eq!(err.field, "amount");
        assert!(err.reason.contains("decimal places"));
        let jpy = Currency::parse("JPY").unwrap();
        assert!(Money::parse("100.5", jpy).is_err());
        assert_eq!(Money::parse("100", jpy).unwrap().minor_units(), 100);
    }

    #[test]
    fn malformed_huge_and_negative_zero_amounts_are_handled() {
        for bad in ["", "abc", "1,000.00", "1.2.3", "--1", "1e5", "NaN", "- 1"] {
            let err = Money::parse(bad, usd()).unwrap_err();
            assert_eq!(err.field, "amount", "{bad}");
        }
        let forty_digits = "1".repeat(40);
        assert!(Money::parse(&forty_digits, usd()).is_err());
        assert!(Money::parse("1000000000000.01", usd()).is_err());
        let negative_zero = Money::parse("-0.00", usd()).unwrap();
        assert_eq!(negative_zero, Money::zero(usd()));
        assert!(!negative_zero.is_negative());
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let a = Money::parse("1", usd()).unwrap();
        let b = Money::parse("1", Currency::parse("EUR").unwrap()).unwrap();
        assert!(matches!(
            a.checked_add(&b),
            Err(MoneyError::CurrencyMismatch(_, _))
        ));
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in -100_000_000_000_000i64..100_000_000_000_000i64) {
            let m = Money::from_minor(minor, usd()).unwrap();
            prop_assert_eq!(m.minor_units(), minor);
            let reparsed = Money::parse(&m.amount_text(), usd()).unwrap();
            prop_assert_eq!(reparsed, m);
        }

        #[test]
        fn addition_is_exact(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let sum = Money::from_minor(a, usd()).unwrap()
                .checked_add(&Money::from_minor(b, usd()).unwrap()).unwrap();
            prop_assert_eq!(sum.minor_units(), a + b);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,60}") {
            let _ = Money::parse(&text, usd());
        }
    }
}
