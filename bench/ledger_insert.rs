//! Ledger insert throughput: rows/s into SQLite and PostgreSQL at batch
//! sizes 1, 100 and 10,000, on fresh stores, with realistic synthetic
//! records; then the same rows again, to time duplicate detection.
//!
//! Usage: `cargo run --release -p finsight-bench --bin ledger-insert --
//! [--backend sqlite|postgres|both]`. PostgreSQL is reached at
//! `FINSIGHT_BENCH_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), where a scratch database
//! is created and dropped.

use std::time::Instant;

use finsight_bench::{Scratch, selected_backends};
use finsight_core::NewTransaction;
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::date;

/// (batch size, rows to insert): fewer rows where every row is a commit.
const RUNS: &[(usize, usize)] = &[(1, 2_000), (100, 50_000), (10_000, 200_000)];

fn workload() -> anyhow::Result<(finsight_store::Directory, Vec<NewTransaction>)> {
    let synth = Synthesizer::new(SynthConfig {
        users: 120,
        months: 24,
        seed: 2026,
        first_month: date!(2024 - 01 - 01),
    })?;
    let directory = finsight_bench::directory_of(&synth);
    let records: Vec<NewTransaction> = (0..synth.profiles().len())
        .flat_map(|i| synth.generate_user(i).transactions)
        .collect();
    Ok((directory, records))
}

async fn insert_all(
    store: &dyn finsight_store::Store,
    rows: &[NewTransaction],
    batch: usize,
) -> anyhow::Result<(f64, u64, u64)> {
    let started = Instant::now();
    let (mut inserted, mut duplicates) = (0, 0);
    for chunk in rows.chunks(batch) {
        let report = store.insert_transactions(chunk).await?;
        inserted += report.inserted;
        duplicates += report.duplicates;
    }
    Ok((started.elapsed().as_secs_f64(), inserted, duplicates))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (directory, records) = workload()?;
    println!(
        "workload: {} synthetic transactions of {} users",
        records.len(),
        directory.users.len()
    );
    println!(
        "{:<10} {:>6} {:>8} {:>9} {:>12} {:>16}",
        "backend", "batch", "rows", "seconds", "rows/s", "duplicate rows/s"
    );
    for name in selected_backends() {
        for &(batch, rows) in RUNS {
            let scratch = Scratch::open(name).await?;
            scratch.store.upsert_directory(&directory).await?;
            let rows = &records[..rows.min(records.len())];
            let (seconds, inserted, _) = insert_all(scratch.store.as_ref(), rows, batch).await?;
            anyhow::ensure!(inserted == rows.len() as u64, "every row is new");
            let (dup_seconds, _, duplicates) =
                insert_all(scratch.store.as_ref(), rows, batch).await?;
            anyhow::ensure!(duplicates == rows.len() as u64, "every row is a duplicate");
            println!(
                "{name:<10} {batch:>6} {:>8} {seconds:>9.2} {:>12.0} {:>16.0}",
                rows.len(),
                rows.len() as f64 / seconds,
                rows.len() as f64 / dup_seconds
            );
            scratch.drop_now().await?;
        }
    }
    Ok(())
}
