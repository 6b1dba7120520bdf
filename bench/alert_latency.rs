//! Ledger commit → anomaly alert: generated people's history is processed
//! first (their profiles warm up), then transactions are committed at a
//! steady rate (default 1,000/s in batches every 10 ms) with one unusual
//! charge (a large purchase in a country the person never used) among
//! every 50; the processor runs as `finsight serve` runs it, and the
//! latency from each commit to its alert reaching the live hub (what the
//! SSE stream reads) is recorded. Prints p50 / p99 / max.
//!
//!   cargo run --release -p finsight-bench --bin alert-latency -- [--users N] [--rate R] [--seconds S]

use std::sync::Arc;
use std::time::{Duration, Instant};

use finsight_bench::{Scratch, argument_or};
use finsight_core::{Description, FixedClock, Money, NewTransaction, PostingDate, SourceName};
use finsight_pipeline::{DetectAnomalies, Processor, RecordProcessed, Stage, anomaly_alert_id};
use finsight_service::alerts::AlertHub;
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: u32 = argument_or("--users", 50)?;
    let rate: u64 = argument_or("--rate", 1000)?;
    let seconds: u64 = argument_or("--seconds", 10)?;
    let synth = Synthesizer::new(SynthConfig {
        users,
        months: 3,
        seed: 5,
        first_month: date!(2026 - 01 - 01),
    })?;
    let scratch = Scratch::open("sqlite").await?;
    let store = Arc::clone(&scratch.store);
    store
        .upsert_directory(&finsight_bench::directory_of(&synth))
        .await?;
    let mut cards = Vec::new();
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        if let Some(t) = activity
            .transactions
            .iter()
            .find(|t| t.amount.minor_units() < 0)
        {
            cards.push((t.account_id, t.amount.currency()));
        }
        for chunk in activity.transactions.chunks(5_000) {
            store.insert_transactions(chunk).await?;
        }
    }
    let clock = Arc::new(FixedClock(datetime!(2026-04-02 00:00 UTC)));
    let hub = Arc::new(AlertHub::default());
    let stages = || -> Vec<Arc<dyn Stage>> {
        vec![
            Arc::new(DetectAnomalies::new(
                store.clone(),
                hub.clone(),
                clock.clone(),
                0.01,
            )),
            Arc::new(RecordProcessed),
        ]
    };
    let warmed = Processor::new(store.clone(), clock.clone(), stages(), 1000)
        .drain()
        .await?;
    println!("warm-up: {warmed} transactions of {users} people processed");
    let mut alerts = hub.subscribe();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let processor = Processor::new(store.clone(), clock.clone(), stages(), 1000);
    let running = tokio::spawn(processor.run(async {
        let _ = stopped.await;
    }));
    let committed: Arc<finsight_bench::Committed> = Arc::default();
    let writer = {
        let store = store.clone();
        let committed = committed.clone();
        tokio::spawn(async move {
            let per_tick = (rate / 100).max(1);
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            let mut n: u64 = 0;
            let ticks = seconds * 100;
            for _ in 0..ticks {
                tick.tick().await;
                let mut batch = Vec::with_capacity(per_tick as usize);
                let mut unusual = Vec::new();
                for _ in 0..per_tick {
                    n += 1;
                    let (account, currency) = cards[(n as usize) % cards.len()];
                    let odd = n.is_multiple_of(50);
                    let record = NewTransaction {
                        account_id: account,
                        posted_on: PostingDate::new(date!(2026 - 04 - 01)).expect("date"),
                        occurred_at: Some(
                            datetime!(2026-04-01 12:00 UTC) + time::Duration::seconds(n as i64),
                        ),
                        amount: Money::from_minor(
                            if odd {
                                -250_000
                            } else {
                                -2_000 - (n % 900) as i64
                            },
                            currency,
                        )
                        .expect("amount"),
                        description: Description::parse(&if odd {
                            format!("GOLDLINE JEWELLERS {n} LAGOS NG")
                        } else {
                            format!("CORNER STORE {}", n % 7)
                        })
                        .expect("description"),
                        merchant: None,
                        mcc: None,
                        category: None,
                        source: SourceName::parse("bench").expect("source"),
                        source_ref: Some(format!("live-{n}")),
                    };
                    if odd {
                        unusual.push(record.transaction_id());
                    }
                    batch.push(record);
                }
                store.insert_transactions(&batch).await.expect("commit");
                let at = Instant::now();
                let mut map = committed.lock().expect("lock");
                for id in unusual {
                    map.insert(anomaly_alert_id(id.as_uuid()), at);
                }
            }
            n
        })
    };
    let latencies = finsight_bench::alert_latencies(
        &mut alerts,
        &committed,
        || writer.is_finished(),
        Instant::now() + Duration::from_secs(seconds + 10),
    )
    .await;
    let written = writer.await?;
    let _ = stop.send(());
    running.await?;
    let pct = |q: f64| finsight_bench::quantile(&latencies, q);
    anyhow::ensure!(!latencies.is_empty(), "no alert reached the hub");
    println!(
        "sqlite: {written} transactions committed at {rate}/s for {seconds} s; {} of {} unusual ones alerted; commit → alert on the hub: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        written / 50,
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    drop(store);
    scratch.drop_now().await?;
    Ok(())
}
