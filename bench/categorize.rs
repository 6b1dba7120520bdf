//! Categorization figures: training each tenant's categorizer on the
//! generated ledger, single-prediction latency of the champion (feature
//! extraction included), and the categorize stage's throughput on
//! uncategorized transactions in SQLite (predict, apply, record the
//! decision or queue it for review).
//!
//! Usage: `cargo run --release -p finsight-bench --bin categorize --
//! [--users N] [--months M]` (default 200 users x 24 months).

use std::sync::Arc;
use std::time::Instant;

use finsight_bench::{Scratch, argument};
use finsight_core::{Clock, FixedClock, SourceName, Transaction};
use finsight_mlops::serving::CategorizerServing;
use finsight_mlops::training::{sample_of, train_categorizer};
use finsight_models::TrainOptions;
use finsight_pipeline::{Categorize, LearnedCategories, Stage, StageBatch, StageItem};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: u32 = argument("--users").map_or(Ok(200), |u| u.parse())?;
    let months: u32 = argument("--months").map_or(Ok(24), |m| m.parse())?;
    let synth = Synthesizer::new(SynthConfig {
        users,
        months,
        seed: 3,
        first_month: date!(2024 - 06 - 01),
    })?;
    let scratch = Scratch::open("sqlite").await?;
    let store = Arc::clone(&scratch.store);
    store
        .upsert_directory(&finsight_bench::directory_of(&synth))
        .await?;
    let owners: std::collections::HashMap<_, _> = synth
        .profiles()
        .iter()
        .flat_map(|p| p.accounts.iter().map(|a| (a.id, p.user.id)))
        .collect();
    // Labelled history, and the same people's last month again as a bank
    // file without categories (another source, so other transactions).
    let unlabelled_source = SourceName::parse("bench-uncategorized")?;
    let mut uncategorized = Vec::new();
    let mut labelled = 0;
    let last_month = date!(2024 - 06 - 01)
        .replace_month(time::Month::try_from(((5 + months) % 12 + 1) as u8)?)?;
    for index in 0..synth.profiles().len() {
        let records = synth.generate_user(index).transactions;
        labelled += records.len();
        for chunk in records.chunks(5_000) {
            store.insert_transactions(chunk).await?;
        }
        uncategorized.extend(
            records
                .into_iter()
                .filter(|r| r.posted_on.date().month() == last_month.month())
                .map(|mut r| {
                    r.category = None;
                    r.merchant = None;
                    r.source = unlabelled_source.clone();
                    r
                }),
        );
    }
    println!(
        "{users} users x {months} months: {labelled} labelled transactions, {} to categorize",
        uncategorized.len()
    );

    let now = datetime!(2026-07-01 08:00 UTC);
    let started = Instant::now();
    let mut reports = Vec::new();
    for tenant in synth.tenants() {
        reports.push(
            train_categorizer(
                store.as_ref(),
                tenant.id,
                "bench",
                now,
                TrainOptions::default(),
            )
            .await?,
        );
    }
    let trained = started.elapsed().as_secs_f64();
    for (tenant, report) in synth.tenants().iter().zip(&reports) {
        println!(
            "tenant {}: trained on {} rows, holdout accuracy {:.4} macro-F1 {:.4} (payee baseline {:.4} / {:.4})",
            tenant.id,
            report.train_rows,
            report.candidate.accuracy,
            report.candidate.macro_f1,
            report.baseline.accuracy,
            report.baseline.macro_f1
        );
    }
    println!(
        "training (holdout evaluation + final model + artifact + registry), all tenants: {trained:.2} s"
    );
    let serving = Arc::new(CategorizerServing::new(store.clone()));
    serving.refresh().await?;

    // Single predictions, one at a time.
    let transactions: Vec<Transaction> = uncategorized
        .iter()
        .cloned()
        .map(|r| Transaction::from_new(owners[&r.account_id], r))
        .collect();
    let tenant_of: std::collections::HashMap<_, _> = synth
        .profiles()
        .iter()
        .map(|p| (p.user.id, p.user.tenant_id))
        .collect();
    let mut latencies = Vec::with_capacity(transactions.len());
    for t in transactions.iter().cycle().take(50_000) {
        let served = serving
            .get(tenant_of[&t.user_id])
            .expect("every tenant has a champion");
        let started = Instant::now();
        let prediction = served.model.predict(&sample_of(t, Some("checking")));
        std::hint::black_box(prediction);
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "single prediction (features + model), {} calls: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );

    // The stage over batches of 1,000, as the processor hands them.
    for chunk in uncategorized.chunks(5_000) {
        store.insert_transactions(chunk).await?;
    }
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(now));
    let stage = Categorize::new(store.clone()).with_model(LearnedCategories::new(
        serving,
        store.clone(),
        clock,
        0.6,
    ));
    let started = Instant::now();
    for (n, chunk) in transactions.chunks(1_000).enumerate() {
        let mut batch = StageBatch {
            items: chunk
                .iter()
                .enumerate()
                .map(|(i, t)| StageItem {
                    transaction: t.clone(),
                    seq: (n * 1_000 + i) as i64,
                    enrichments: Default::default(),
                })
                .collect(),
        };
        stage.process(&mut batch).await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut users_seen: Vec<_> = transactions.iter().map(|t| t.user_id).collect();
    users_seen.sort_unstable();
    users_seen.dedup();
    let waiting = store.review_queue(&users_seen, None, 1000).await?.len();
    println!(
        "categorize stage, sqlite: {} transactions in {seconds:.2} s: {:.0} transactions/s ({waiting}{} waiting for review at threshold 0.6)",
        transactions.len(),
        transactions.len() as f64 / seconds,
        if waiting == 1000 { "+" } else { "" }
    );
    drop(stage);
    drop(store);
    scratch.drop_now().await?;
    Ok(())
}
