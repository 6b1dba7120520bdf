//! Finsight's learned models, as pure computation: no I/O, no clock, no
//! global state. Inputs are plain values (text, amounts as features, dates);
//! outputs are predictions with a confidence. Training is deterministic
//! given a seed, and a trained model is a value that serializes to bytes
//! (the registry stores those bytes as an artifact).
//!
//! - [`payee`]: bank text → the merchant it names ("POS DEBIT SQ *BLUE
//!   BOTTLE 1234 CARD 5678" → "blue bottle").
//! - [`categorize`]: a multinomial logistic regression over n-grams of the
//!   payee, the amount, the merchant category code, the account kind and the
//!   weekday, and the baseline it must beat.
//! - [`recurring`]: subscriptions, bills and salaries found in a person's
//!   history, with their next date and amount, price changes and ends.
//! - [`forecast`]: spending forecasts — benchmarks, ETS, Theta, TSB, a
//!   global boosted-tree model and their backtest-weighted ensemble, with
//!   conformal intervals.
//! - [`anomaly`]: robust statistics and an isolation forest on each
//!   transaction against the person's own history, with adaptive
//!   per-person thresholds and reasons in words.
//! - [`metrics`]: accuracy and macro-F1; [`evaluate`]: train on the
//!   earliest rows, score on the latest.

pub mod anomaly;
pub mod categorize;
pub mod evaluate;
pub mod forecast;
pub mod metrics;
pub mod payee;
pub mod recurring;

pub use categorize::{
    Categorizer, CategorizerError, Labeled, PayeeBaseline, Prediction, Sample, TrainOptions,
};
pub use metrics::Classification;

/// FNV-1a over bytes: stable across builds, platforms and crate versions,
/// which a serialized model's feature ids must be.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}
