//! `finsight consume`: transactions from a Kafka topic into the ledger,
//! through the same importer as files and the API.

use std::sync::Arc;

use clap::Args;

use crate::app::App;

#[derive(Debug, Args)]
pub struct KafkaArgs {
    /// Bootstrap servers.
    #[arg(long, default_value = "127.0.0.1:9092")]
    brokers: String,
    #[arg(long, default_value = "finsight.transactions")]
    topic: String,
    /// Consumer group.
    #[arg(long, default_value = "finsight-ingest")]
    group: String,
    /// Most messages per atomic write and offset commit.
    #[arg(long, default_value_t = 1000)]
    max_batch: usize,
    /// How long a batch may wait to fill, in milliseconds.
    #[arg(long, default_value_t = 200)]
    linger_ms: u64,
    /// Stop after this long without messages (for batch runs and tests).
    #[arg(long, value_name = "MS")]
    exit_when_idle_ms: Option<u64>,
}

pub async fn run(app: &App, args: KafkaArgs) -> anyhow::Result<()> {
    let source = finsight_ingest::kafka::KafkaSource {
        brokers: args.brokers,
        topic: args.topic,
        group: args.group,
        max_batch: args.max_batch,
        linger: std::time::Duration::from_millis(args.linger_ms),
    };
    finsight_ingest::kafka::ensure_topic(&source.brokers, &source.topic, 3).await?;
    let idle = args.exit_when_idle_ms.map(std::time::Duration::from_millis);
    let totals = finsight_ingest::kafka::consume(
        Arc::clone(app.services.importer()),
        Arc::clone(&app.clock),
        source,
        idle,
        super::serve::shutdown_signal(),
    )
    .await?;
    say!(
        "consumed: {} accepted, {} duplicates, {} quarantined",
        totals.accepted,
        totals.duplicates,
        totals.quarantined
    );
    Ok(())
}
