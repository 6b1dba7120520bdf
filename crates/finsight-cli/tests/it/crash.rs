//! Crash tests: the process is killed with SIGKILL at random moments while
//! it imports a large file or consumes a Kafka topic, restarted, killed
//! again — twenty times — and then allowed to finish. Every record must end
//! up in the ledger exactly once, with its outbox entry.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::{finsight, ok, with_dir};

const RUNS: usize = 20;

/// A small deterministic generator for the kill delays.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, from: u64, to: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        from + (self.0 >> 33) % (to - from)
    }
}

fn kill_after(args: &[&str], delay: Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(args)
        .env("FINSIGHT__LOG__FILTER", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let _ = child.kill(); // SIGKILL: no chance to clean up
    let _ = child.wait();
}

/// Loads a small population (for its accounts) and returns the id of a
/// USD checking account and the stats line for transactions.
fn population(dir: &Path) -> String {
    ok(&finsight(&with_dir(
        dir,
        &[
            "demo",
            "--no-serve",
            "--users",
            "6",
            "--months",
            "1",
            "--seed",
            "11",
            "--end-month",
            "2026-10",
        ],
    )));
    let accounts = ok(&finsight(&with_dir(dir, &["accounts"])));
    accounts
        .lines()
        .find(|l| l.contains(" checking ") && l.contains(" USD "))
        .and_then(|l| l.split_whitespace().next())
        .expect("a USD checking account")
        .to_owned()
}

fn counts(dir: &Path) -> (u64, u64) {
    let stats = ok(&finsight(&with_dir(dir, &["stats"])));
    let value = |name: &str| {
        stats
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (value("transactions"), value("outbox"))
}

#[test]
fn file_import_killed_twenty_times_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let account = population(dir.path());
    let (before, _) = counts(dir.path());
    let rows = 60_000;
    let mut csv = String::from("Date,Description,Amount\n");
    for n in 0..rows {
        csv.push_str(&format!(
            "2025-{:02}-{:02},PURCHASE {n},-{}.{:02}\n",
            n % 12 + 1,
            n % 28 + 1,
            n % 500 + 1,
            n % 100
        ));
    }
    let file = dir.path().join("big.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let mut delays = Delays(7);
    for _ in 0..RUNS {
        let delay = Duration::from_millis(delays.next_ms(30, 2500));
        kill_after(
            &with_dir(dir.path(), &["import", file, "--account", &account]),
            delay,
        );
    }
    let last = ok(&finsight(&with_dir(
        dir.path(),
        &["import", file, "--account", &account, "--output", "json"],
    )));
    let last: serde_json::Value = serde_json::from_str(last.trim()).unwrap();
    assert_eq!(
        last["accepted"].as_u64().unwrap() + last["duplicates"].as_u64().unwrap(),
        rows
    );
    assert_eq!(last["quarantined"], 0);
    let again = ok(&finsight(&with_dir(
        dir.path(),
        &["import", file, "--account", &account, "--output", "json"],
    )));
    assert_eq!(
        again.trim(),
        format!(r#"{{"accepted":0,"duplicates":{rows},"quarantined":0}}"#)
    );
    let (after, outbox) = counts(dir.path());
    assert_eq!(after, before + rows, "every row exactly once");
    assert_eq!(outbox, after, "every transaction has its outbox entry");
}

#[cfg(feature = "kafka")]
#[test]
fn kafka_consumer_killed_twenty_times_loses_and_duplicates_nothing() {
    let brokers =
        std::env::var("FINSIGHT_TEST_KAFKA").unwrap_or_else(|_| "127.0.0.1:9092".to_owned());
    let dir = tempfile::tempdir().unwrap();
    population(dir.path());
    let (before, _) = counts(dir.path());
    let topic = format!("finsight-crash-{}", std::process::id());
    // The same seed and population as the ledger's, so every message names
    // a known account.
    let sent = ok(&finsight(&[
        "synth",
        "--users",
        "6",
        "--months",
        "3",
        "--seed",
        "11",
        "--end-month",
        "2026-10",
        "--kafka",
        &brokers,
        "--topic",
        &topic,
    ]));
    let messages: u64 = sent.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(messages > 500, "{sent}");
    let consume = |idle: &str| {
        with_dir(
            dir.path(),
            &[
                "consume",
                "--brokers",
                &brokers,
                "--topic",
                &topic,
                "--max-batch",
                "40",
                "--linger-ms",
                "50",
                "--exit-when-idle-ms",
                idle,
            ],
        )
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<String>>()
    };
    let mut delays = Delays(11);
    for _ in 0..RUNS {
        let args = consume("60000");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kill_after(&args, Duration::from_millis(delays.next_ms(200, 1500)));
    }
    // Longer than the session timeout, so partitions of killed members are
    // reassigned before the last run decides it is idle.
    let args = consume("15000");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&finsight(&args));
    let (after, outbox) = counts(dir.path());
    assert_eq!(after, before + messages, "every message exactly once");
    assert_eq!(outbox, after);
    let open = ok(&finsight(&with_dir(dir.path(), &["quarantine", "list"])));
    assert_eq!(open.trim(), "no quarantined records");
}
