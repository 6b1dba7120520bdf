//! Finsight ingestion: every way money data arrives (bank files, the HTTP
//! batch API, a Kafka topic) becomes validated [`NewTransaction`]s in the
//! ledger, or a quarantined record with the reason — never a silent drop.
//!
//! The way through: [`decode`] bytes to text → [`format::detect`] the
//! format → a parser turns the text into [`ParsedRecord`]s and
//! [`RecordError`]s → [`validate`] checks each record against its account
//! → the import service writes the good ones and quarantines the rest.
//!
//! [`NewTransaction`]: finsight_core::NewTransaction

pub mod accounts;
pub mod camt053;
pub mod csv;
pub mod decode;
pub mod fields;
pub mod format;
pub mod import;
pub mod jsonl;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod mt940;
pub mod ofx;
pub mod qif;
pub mod quality;
pub mod record;
pub mod validate;

pub use decode::decode;
pub use record::{FileAccount, FileError, ParsedFile, ParsedRecord, RecordError};
