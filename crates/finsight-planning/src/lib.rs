//! Finsight's advice as pure computation — no I/O, no clock, no global
//! state: budget recommendation by exact quadratic programming
//! ([`budget`]), the month's budget tracking ([`tracking`]), goals with
//! Monte Carlo success probabilities ([`goals`]), the financial-health
//! score and emergency fund ([`health`]), insight generators
//! ([`insights`]) and their ranking learned from feedback ([`ranking`]).
//! The service layer feeds them the ledger and the models' outputs.

pub mod budget;
pub mod evaluate;
pub mod goals;
pub mod health;
pub mod insights;
pub mod picture;
pub mod ranking;
pub mod tracking;

use rust_decimal::Decimal;

/// An amount in cents (two decimal places), rounded half away from zero.
pub(crate) fn cents_of(amount: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    (amount.round_dp(2) * Decimal::ONE_HUNDRED)
        .to_i64()
        .unwrap_or(0)
}

/// Cents as an amount.
pub(crate) fn money_of(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}
