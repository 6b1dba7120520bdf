//! Ledger commit → budget alert: generated people with two months of
//! history each get a budget of ten lines; transactions are then committed
//! at a steady rate (default 1,000/s in batches every 10 ms): small
//! purchases in the budgeted categories (or, with `--background
//! unbudgeted`, in one without a line), and one in every 20 a purchase that
//! takes one of the person's lines past 80%. The processor runs the budget stage as
//! `finsight serve` runs it; the time from each crossing commit to its
//! alert reaching the live hub (what `GET /v1/alerts/stream` reads) is
//! recorded, the commit itself included. Prints p50 / p99 / max.
//!
//!   cargo run --release -p finsight-bench --bin budget-alert-latency -- [--users N] [--rate R] [--seconds S] [--background budgeted|unbudgeted]

use std::sync::Arc;
use std::time::{Duration, Instant};

use finsight_bench::{Scratch, argument, argument_or};
use finsight_core::{
    AccountKind, CategoryId, Description, FixedClock, Money, NewTransaction, PostingDate,
    SourceName,
};
use finsight_pipeline::{Processor, RecordProcessed, Stage, TrackBudgets, budget_alert_id};
use finsight_service::alerts::AlertHub;
use finsight_store::BudgetLineRow;
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

const LINES: [&str; 10] = [
    "groceries",
    "dining",
    "shopping",
    "entertainment",
    "health",
    "personal_care",
    "education",
    "gifts_donations",
    "utilities",
    "transport",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let users: u32 = argument_or("--users", 50)?;
    let rate: u64 = argument_or("--rate", 1000)?;
    let seconds: u64 = argument_or("--seconds", 10)?;
    // The other purchases: in budgeted categories (every batch moves
    // lines) or not (only the crossings do).
    let budgeted = argument("--background").as_deref() != Some("unbudgeted");
    let synth = Synthesizer::new(SynthConfig {
        users,
        months: 2,
        seed: 5,
        first_month: date!(2026 - 02 - 01),
    })?;
    let scratch = Scratch::open("sqlite").await?;
    let store = Arc::clone(&scratch.store);
    let directory = finsight_bench::directory_of(&synth);
    store.upsert_directory(&directory).await?;
    for index in 0..synth.profiles().len() {
        for chunk in synth.generate_user(index).transactions.chunks(5_000) {
            store.insert_transactions(chunk).await?;
        }
    }
    // Each person's everyday account, and a budget far above what the
    // history spends, so only the crossing purchases cross.
    let mut people = Vec::new();
    for account in directory
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::Checking)
    {
        if people.iter().any(|(u, _, _)| *u == account.user_id) {
            continue;
        }
        let lines: Vec<BudgetLineRow> = LINES
            .iter()
            .enumerate()
            .map(|(n, category)| BudgetLineRow {
                user_id: account.user_id,
                category: (*category).into(),
                amount_minor: 100_000_000,
                currency: account.currency.code().into(),
                rollover: false,
                group_name: "Bench".into(),
                position: n as i32,
                updated_at: 0,
            })
            .collect();
        store.replace_budget(account.user_id, &lines).await?;
        people.push((account.user_id, account.id, account.currency));
    }
    let clock = Arc::new(FixedClock(datetime!(2026-04-10 12:00 UTC)));
    let hub = Arc::new(AlertHub::default());
    let stages = || -> Vec<Arc<dyn Stage>> {
        vec![
            Arc::new(TrackBudgets::new(store.clone(), hub.clone(), clock.clone())),
            Arc::new(RecordProcessed),
        ]
    };
    let warmed = Processor::new(store.clone(), clock.clone(), stages(), 1000)
        .drain()
        .await?;
    println!(
        "warm-up: {warmed} transactions of {} people processed",
        people.len()
    );
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
        let people = people.clone();
        tokio::spawn(async move {
            let per_tick = (rate / 100).max(1);
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            let (mut n, mut crossings): (u64, usize) = (0, 0);
            for _ in 0..seconds * 100 {
                tick.tick().await;
                let mut batch = Vec::with_capacity(per_tick as usize);
                let mut crossing = Vec::new();
                for _ in 0..per_tick {
                    n += 1;
                    let cross = n.is_multiple_of(20) && crossings < people.len() * LINES.len();
                    let (user, account, currency) = people[if cross {
                        crossings % people.len()
                    } else {
                        n as usize % people.len()
                    }];
                    let (category, minor) = if cross {
                        let line = LINES[crossings / people.len()];
                        crossing.push(budget_alert_id(user, line, date!(2026 - 04 - 01), "80"));
                        crossings += 1;
                        (line, -85_000_000)
                    } else if budgeted {
                        (LINES[n as usize % LINES.len()], -100 - (n % 900) as i64)
                    } else {
                        ("travel", -100 - (n % 900) as i64)
                    };
                    batch.push(NewTransaction {
                        account_id: account,
                        posted_on: PostingDate::new(date!(2026 - 04 - 10)).expect("date"),
                        occurred_at: None,
                        amount: Money::from_minor(minor, currency).expect("amount"),
                        description: Description::parse(&format!("PURCHASE {n}"))
                            .expect("description"),
                        merchant: None,
                        mcc: None,
                        category: Some(CategoryId::parse(category).expect("category")),
                        source: SourceName::parse("bench").expect("source"),
                        source_ref: Some(format!("live-{n}")),
                    });
                }
                // Timed from the commit call (so an alert faster than the
                // commit's return is still matched): includes the commit.
                let at = Instant::now();
                {
                    let mut map = committed.lock().expect("lock");
                    for id in crossing {
                        map.insert(id, at);
                    }
                }
                store.insert_transactions(&batch).await.expect("commit");
            }
            (n, crossings)
        })
    };
    let latencies = finsight_bench::alert_latencies(
        &mut alerts,
        &committed,
        || writer.is_finished(),
        Instant::now() + Duration::from_secs(seconds + 10),
    )
    .await;
    let (written, crossings) = writer.await?;
    let _ = stop.send(());
    running.await?;
    anyhow::ensure!(!latencies.is_empty(), "no budget alert reached the hub");
    let pct = |q: f64| finsight_bench::quantile(&latencies, q);
    println!(
        "sqlite, {} background: {written} transactions committed at {rate}/s for {seconds} s; {} of {crossings} crossings alerted; commit → budget alert on the hub: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        if budgeted { "budgeted" } else { "unbudgeted" },
        latencies.len(),
        pct(0.5),
        pct(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    drop(store);
    scratch.drop_now().await?;
    Ok(())
}
