//! The Kafka source and a producer for tests and `finsight synth --kafka`.
//!
//! The consumer joins a consumer group, reads messages in batches (one
//! message is one JSON transaction, or a JSON array of them), writes each
//! batch to the ledger — good records and quarantined poison messages in
//! one atomic commit — and only then commits the offsets. A crash at any
//! point replays at most the uncommitted batch, and replays are harmless:
//! a record without its own `source_ref` is identified by its topic,
//! partition and offset, so it gets the same fingerprint every time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use finsight_core::{Clock, SourceName};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::Value;

use crate::import::{ImportError, Importer, IngestReport};
use crate::record::{ParsedFile, RecordError, clip_raw};

#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("kafka: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    #[error(transparent)]
    Ingest(#[from] ImportError),
    /// The offset commit's task ended without committing (it panicked).
    #[error("kafka: the offset commit did not finish: {0}")]
    Commit(String),
}

/// Where to read from.
#[derive(Debug, Clone)]
pub struct KafkaSource {
    pub brokers: String,
    pub topic: String,
    pub group: String,
    /// Most messages written per commit.
    pub max_batch: usize,
    /// How long to wait for a batch to fill.
    pub linger: Duration,
}

/// Turns one message into records (or record errors): `partition P offset
/// O`, with `[i]` for the items of an array.
pub fn parse_message(
    payload: Option<&[u8]>,
    topic: &str,
    partition: i32,
    offset: i64,
    parsed: &mut ParsedFile,
) {
    let location = format!("partition {partition} offset {offset}");
    let Some(payload) = payload else {
        parsed.errors.push(RecordError::new(
            location,
            "",
            "message",
            "the message has no payload",
        ));
        return;
    };
    let text = String::from_utf8_lossy(payload);
    let value: Value = match serde_json::from_slice(payload) {
        Ok(value) => value,
        Err(error) => {
            parsed.errors.push(RecordError::new(
                location,
                clip_raw(&text),
                "message",
                format!("not JSON: {error}"),
            ));
            return;
        }
    };
    let items: Vec<(String, Value)> = match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| (format!("{location}[{i}]"), item))
            .collect(),
        other => vec![(location, other)],
    };
    for (location, item) in items {
        match crate::jsonl::parse_line(&item.to_string(), location.clone()) {
            Ok(mut record) => {
                if record.source_ref.is_none() {
                    record.source_ref = Some(format!("{topic}:{}", location.replace(' ', ":")));
                }
                parsed.records.push(record);
            }
            Err(error) => parsed.errors.push(error),
        }
    }
}

fn consumer(source: &KafkaSource) -> Result<StreamConsumer, KafkaError> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &source.brokers)
        .set("group.id", &source.group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false")
        .set("session.timeout.ms", "10000")
        .create()?;
    consumer.subscribe(&[source.topic.as_str()])?;
    Ok(consumer)
}

/// Consumes until `stop` resolves, or — with `exit_when_idle` — until no
/// message arrived for that long. Returns the totals.
pub async fn consume(
    importer: Arc<Importer>,
    clock: Arc<dyn Clock>,
    source: KafkaSource,
    exit_when_idle: Option<Duration>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<IngestReport, KafkaError> {
    let consumer = Arc::new(consumer(&source)?);
    let kafka = SourceName::parse("kafka").expect("valid source name");
    let mut totals = IngestReport {
        accepted: 0,
        duplicates: 0,
        quarantined: 0,
        run_id: uuid::Uuid::nil(),
        rejected: Vec::new(),
    };
    let mut idle_since = tokio::time::Instant::now();
    tokio::pin!(stop);
    loop {
        let mut parsed = ParsedFile::default();
        let mut next_offsets: BTreeMap<i32, i64> = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + source.linger;
        let mut count = 0;
        while count < source.max_batch.max(1) {
            let received = tokio::select! {
                () = &mut stop => return Ok(totals),
                received = tokio::time::timeout_at(deadline, consumer.recv()) => received,
            };
            let Ok(message) = received else { break };
            let message = message?;
            parse_message(
                message.payload(),
                message.topic(),
                message.partition(),
                message.offset(),
                &mut parsed,
            );
            next_offsets.insert(message.partition(), message.offset() + 1);
            count += 1;
        }
        if count == 0 {
            if exit_when_idle.is_some_and(|idle| idle_since.elapsed() >= idle) {
                return Ok(totals);
            }
            continue;
        }
        idle_since = tokio::time::Instant::now();
        let report = importer
            .ingest_parsed(
                parsed,
                kafka.clone(),
                source.topic.clone(),
                None,
                clock.now(),
                false,
            )
            .await?;
        // Durable first, then acknowledged.
        let mut offsets = TopicPartitionList::new();
        for (partition, next) in next_offsets {
            offsets.add_partition_offset(&source.topic, partition, Offset::Offset(next))?;
        }
        // A synchronous commit waits on the broker: off the runtime's
        // workers, on a blocking thread.
        let committing = Arc::clone(&consumer);
        tokio::task::spawn_blocking(move || committing.commit(&offsets, CommitMode::Sync))
            .await
            .map_err(|e| KafkaError::Commit(e.to_string()))??;
        totals.accepted += report.accepted;
        totals.duplicates += report.duplicates;
        totals.quarantined += report.quarantined;
        metrics::counter!("finsight_kafka_messages_total").increment(count as u64);
    }
}

/// Sends `(key, payload)` messages and waits for every acknowledgement.
/// Keys partition the topic (Finsight keys by user, so each user's
/// transactions stay in order).
pub async fn produce(
    brokers: &str,
    topic: &str,
    messages: impl IntoIterator<Item = (String, String)>,
) -> Result<usize, KafkaError> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "30000")
        .set("linger.ms", "5")
        .create()?;
    let mut pending = Vec::new();
    let mut sent = 0;
    for (key, payload) in messages {
        let producer = producer.clone();
        let topic = topic.to_owned();
        pending.push(tokio::spawn(async move {
            producer
                .send(
                    FutureRecord::to(&topic).key(&key).payload(&payload),
                    Duration::from_secs(30),
                )
                .await
                .map(|_| ())
                .map_err(|(error, _)| error)
        }));
        if pending.len() >= 1000 {
            for task in pending.drain(..) {
                await_delivery(task).await?;
                sent += 1;
            }
        }
    }
    for task in pending {
        await_delivery(task).await?;
        sent += 1;
    }
    Ok(sent)
}

async fn await_delivery(
    task: tokio::task::JoinHandle<Result<(), rdkafka::error::KafkaError>>,
) -> Result<(), KafkaError> {
    task.await
        .map_err(|_| rdkafka::error::KafkaError::Canceled)??;
    Ok(())
}

/// Creates the topic with `partitions` partitions unless it exists.
pub async fn ensure_topic(brokers: &str, topic: &str, partitions: i32) -> Result<(), KafkaError> {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::types::RDKafkaErrorCode;

    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()?;
    let results = admin
        .create_topics(
            &[NewTopic::new(topic, partitions, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(10))),
        )
        .await?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => {
                return Err(rdkafka::error::KafkaError::AdminOp(code).into());
            }
        }
    }
    Ok(())
}
