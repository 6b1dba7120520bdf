//! Integration tests of the planning crate: the budget optimizer's
//! guarantees, goal probabilities' calibration, each insight generator's
//! trigger and non-trigger, and a ranking that learns from feedback.

mod budget;
mod goals;
mod health;
mod insights;
mod ranking;
