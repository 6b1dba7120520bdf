//! Stream processing. Every committed transaction has an outbox entry; the
//! [`Processor`] follows the outbox in order (so each user's transactions
//! are seen in the order they were committed) and hands batches to a
//! pipeline of [`Stage`]s. Each stage remembers how far it got, so after a
//! crash or restart it resumes where it stopped: delivery is at least once,
//! and stages are written to be idempotent.
//!
//! Stages: categorize, update features, detect anomalies (and raise
//! alerts), track budgets (and raise budget alerts), record processed.

mod anomalies;
mod batch;
mod budgets;
mod features;
mod processor;
mod scheduler;
mod stages;

pub use anomalies::{ANOMALY, DetectAnomalies, anomaly_alert_id, charge_of, reasons_json};
pub use batch::{Enrichments, StageBatch, StageItem};
pub use budgets::{BUDGET, TrackBudgets, budget_alert_id};
pub use features::{Features, MaterializeFeatures, Materialized, UpdateFeatures};
pub use processor::{Processor, ProcessorError, Stage};
pub use scheduler::{DailyJob, RunOutcome, Scheduler};
pub use stages::{Categorize, LearnedCategories, ModelStagePorts, RecordProcessed};
