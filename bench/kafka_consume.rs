//! Kafka consume-to-ledger throughput: synthetic transactions produced to a
//! fresh topic (3 partitions, keyed by user), then consumed by Finsight's
//! consumer group into a fresh ledger — batch write, then offset commit —
//! until the topic is drained.
//!
//! Usage (a broker on 127.0.0.1:9092, e.g. `tansu broker`):
//! `cargo run --release -p finsight-bench --features kafka --bin kafka-consume --
//! [--backend sqlite|postgres|both] [--brokers HOST:PORT] [--users N]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use finsight_bench::{Scratch, argument, selected_backends};
use finsight_core::{FixedClock, Taxonomy};
use finsight_ingest::import::Importer;
use finsight_ingest::kafka::{KafkaSource, consume, ensure_topic, produce};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

const IDLE: Duration = Duration::from_secs(3);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let brokers = argument("--brokers").unwrap_or_else(|| "127.0.0.1:9092".to_owned());
    let users: u32 = argument("--users")
        .map(|u| u.parse())
        .transpose()?
        .unwrap_or(40);
    let synth = Synthesizer::new(SynthConfig {
        users,
        months: 24,
        seed: 8,
        first_month: date!(2024 - 01 - 01),
    })?;
    let mut messages = Vec::new();
    for index in 0..synth.profiles().len() {
        let activity = synth.generate_user(index);
        let key = activity.user_id.to_string();
        messages.extend(
            activity
                .transactions
                .iter()
                .map(|t| (key.clone(), finsight_synth::export::jsonl_line(t))),
        );
    }
    let topic = format!("finsight-bench-{}", std::process::id());
    ensure_topic(&brokers, &topic, 3).await?;
    let started = Instant::now();
    let sent = produce(&brokers, &topic, messages).await?;
    println!(
        "produced {sent} messages to {topic} in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "{:<10} {:>9} {:>12} {:>10}",
        "backend", "seconds", "messages/s", "accepted"
    );
    for name in selected_backends() {
        let scratch = Scratch::open(name).await?;
        let store = Arc::clone(&scratch.store);
        store
            .upsert_directory(&finsight_bench::directory_of(&synth))
            .await?;
        let clock = Arc::new(FixedClock(datetime!(2026-11-25 12:00 UTC)));
        let importer = Arc::new(Importer::new(
            Arc::clone(&store),
            Taxonomy::default_tree(),
            clock.clone(),
        ));
        let source = KafkaSource {
            brokers: brokers.clone(),
            topic: topic.clone(),
            group: format!("bench-{name}-{}", std::process::id()),
            max_batch: 5000,
            linger: Duration::from_millis(200),
        };
        let started = Instant::now();
        let totals = consume(importer, clock, source, Some(IDLE), std::future::pending()).await?;
        let seconds = (started.elapsed() - IDLE).as_secs_f64();
        anyhow::ensure!(
            totals.accepted as usize == sent,
            "accepted {} of {sent}",
            totals.accepted
        );
        println!(
            "{name:<10} {seconds:>9.2} {:>12.0} {:>10}",
            sent as f64 / seconds,
            totals.accepted
        );
        drop(store);
        scratch.drop_now().await?;
    }
    Ok(())
}
