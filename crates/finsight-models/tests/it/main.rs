//! End-to-end checks of the models on generated histories: a categorizer
//! trained on one period categorizes the next, recurring detection finds
//! what was planted.

mod categorize;
mod ets;
mod recurring;
