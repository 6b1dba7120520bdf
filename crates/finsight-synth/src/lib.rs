//! Deterministic, realistic synthetic financial data for the demo, tests,
//! benchmarks and model evaluation. The same seed and configuration always
//! give the same users, accounts and transactions, byte for byte.
//!
//! The world: households and users with personas (student, young
//! professional, family, retiree, freelancer, small-business owner) in the
//! US, the euro area and the UK; salaries and irregular income, rent or
//! mortgage, utilities with seasonal bills, subscriptions whose price
//! sometimes rises, groceries, dining and transport with weekly and yearly
//! seasonality, holidays abroad, one-off large purchases, and merchant text
//! with real bank noise. A few users suffer labelled anomalies (card
//! testing, amount spikes, a new merchant in a new country, duplicate
//! charges, account takeover); the labels are kept beside the data as ground
//! truth for evaluating detectors.

mod catalog;
pub mod export;
mod generate;
pub mod market;
mod world;

pub use generate::UserActivity;
pub use world::{
    AnomalyKind, AnomalyLabel, Persona, RecurringTruth, SynthConfig, SynthError, Synthesizer,
    UserProfile,
};
