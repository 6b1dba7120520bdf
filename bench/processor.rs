//! Stream-processor throughput: transactions per second through the
//! pipeline (categorize by rules and MCC, then record-processed), following
//! the outbox of a ledger filled with realistic synthetic transactions
//! (their bank categories removed, so every one is categorized).
//!
//! Usage: `cargo run --release -p finsight-bench --bin processor --
//! [--backend sqlite|postgres|both] [--users N]`.

use std::sync::Arc;
use std::time::Instant;

use finsight_bench::{Scratch, argument, selected_backends};
use finsight_core::{CategoryId, CategoryRule, FixedClock};
use finsight_pipeline::{Categorize, Processor, RecordProcessed, Stage};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: u32 = argument("--users")
        .map(|u| u.parse())
        .transpose()?
        .unwrap_or(100);
    let synth = Synthesizer::new(SynthConfig {
        users,
        months: 24,
        seed: 3,
        first_month: date!(2024 - 01 - 01),
    })?;
    let mut records = Vec::new();
    for index in 0..synth.profiles().len() {
        records.extend(
            synth
                .generate_user(index)
                .transactions
                .into_iter()
                .map(|mut t| {
                    t.category = None;
                    t
                }),
        );
    }
    println!(
        "ledger: {} transactions of {users} users, each user with 3 category rules",
        records.len()
    );
    println!(
        "{:<10} {:>9} {:>14}",
        "backend", "seconds", "transactions/s"
    );
    for name in selected_backends() {
        let scratch = Scratch::open(name).await?;
        let store = Arc::clone(&scratch.store);
        store
            .upsert_directory(&finsight_bench::directory_of(&synth))
            .await?;
        let clock = Arc::new(FixedClock(datetime!(2026-01-01 00:00 UTC)));
        for (n, profile) in synth.profiles().iter().enumerate() {
            for (k, (pattern, category)) in [
                ("netflix", "subscriptions.streaming"),
                ("uber", "transport.rideshare"),
                ("payroll", "income.salary"),
            ]
            .into_iter()
            .enumerate()
            {
                store
                    .add_category_rule(
                        &CategoryRule {
                            id: uuid::Uuid::from_u128((n * 10 + k) as u128 + 1),
                            user_id: profile.user.id,
                            pattern: pattern.into(),
                            category: CategoryId::parse(category)?,
                            priority: 0,
                        },
                        clock.0,
                    )
                    .await?;
            }
        }
        for chunk in records.chunks(10_000) {
            store.insert_transactions(chunk).await?;
        }
        let stages: Vec<Arc<dyn Stage>> = vec![
            Arc::new(Categorize::new(store.clone())),
            Arc::new(RecordProcessed),
        ];
        let processor = Processor::new(store.clone(), clock, stages, 1000);
        let started = Instant::now();
        let processed = processor.drain().await?;
        let seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            processed == records.len(),
            "processed {processed} of {}",
            records.len()
        );
        println!(
            "{name:<10} {seconds:>9.2} {:>14.0}",
            processed as f64 / seconds
        );
        drop(store);
        scratch.drop_now().await?;
    }
    Ok(())
}
