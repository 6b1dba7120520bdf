//! Integration tests of finsight-store: one conformance suite, run against
//! every backend (SQLite in a temporary directory, and the real PostgreSQL
//! server with a fresh database per test).

mod backends;
mod conformance;
