//! CSV import throughput: a 1,000,000-row bank CSV (realistic synthetic
//! descriptions and amounts) imported end to end — decode, detect, parse,
//! validate, fingerprint, persist with outbox — into SQLite and into
//! PostgreSQL; then the same file again (all duplicates).
//!
//! Usage: `cargo run --release -p finsight-bench --bin import-csv --
//! [--rows N] [--backend sqlite|postgres|both]`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use finsight_bench::{Scratch, argument, selected_backends};
use finsight_core::{
    Account, AccountId, AccountKind, Currency, FixedClock, Household, HouseholdId, Taxonomy,
    Tenant, TenantId, User, UserId,
};
use finsight_ingest::import::{ImportRequest, Importer};
use finsight_store::Directory;
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::{date, datetime};

/// A bank-style CSV of `rows` rows drawn from synthetic users, oldest
/// first, as banks export an account's history.
fn csv_file(rows: usize) -> anyhow::Result<String> {
    let synth = Synthesizer::new(SynthConfig {
        users: 1000,
        months: 24,
        seed: 99,
        first_month: date!(2024 - 01 - 01),
    })?;
    let mut records = Vec::with_capacity(rows);
    for index in 0..synth.profiles().len() {
        records.extend(synth.generate_user(index).transactions);
        if records.len() >= rows {
            break;
        }
    }
    anyhow::ensure!(
        records.len() >= rows,
        "synthetic data ran out at {} rows",
        records.len()
    );
    records.truncate(rows);
    records.sort_by_key(|t| t.posted_on);
    let mut out = String::with_capacity(rows * 64);
    out.push_str("Date,Description,Amount\n");
    for t in records {
        let d = t.posted_on.date();
        let description = t.description.as_str().replace('"', "");
        writeln!(
            out,
            "{:02}/{:02}/{},\"{description}\",{}",
            d.month() as u8,
            d.day(),
            d.year(),
            t.amount.amount_text()
        )?;
    }
    Ok(out)
}

fn directory(account: AccountId) -> Directory {
    let tenant = TenantId::from_random_bytes([1; 16]);
    let household = HouseholdId::from_random_bytes([2; 16]);
    let user = UserId::from_random_bytes([3; 16]);
    Directory {
        tenants: vec![Tenant {
            id: tenant,
            name: "bench".into(),
        }],
        households: vec![Household {
            id: household,
            tenant_id: tenant,
            name: "bench".into(),
        }],
        users: vec![User {
            id: user,
            tenant_id: tenant,
            household_id: household,
            display_name: "bench".into(),
        }],
        accounts: vec![Account {
            id: account,
            user_id: user,
            kind: AccountKind::Checking,
            currency: Currency::parse("USD").expect("USD"),
            name: "bench".into(),
            institution: "bench".into(),
            closed_on: None,
        }],
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: usize = argument("--rows")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let text = csv_file(rows)?;
    println!("file: {rows} rows, {:.1} MB", text.len() as f64 / 1e6);
    println!(
        "{:<10} {:>9} {:>12} {:>10} {:>9} {:>16}",
        "backend", "seconds", "rows/s", "accepted", "dup s", "duplicate rows/s"
    );
    let account = AccountId::from_random_bytes([4; 16]);
    for name in selected_backends() {
        let scratch = Scratch::open(name).await?;
        scratch.store.upsert_directory(&directory(account)).await?;
        let clock = Arc::new(FixedClock(datetime!(2026-11-25 12:00:00 UTC)));
        let importer = Importer::new(Arc::clone(&scratch.store), Taxonomy::default_tree(), clock);
        let request = ImportRequest {
            bytes: text.clone().into_bytes(),
            origin: "bench.csv".into(),
            format: None,
            account: Some(account),
            profile: None,
            owner: None,
        };
        let again_request = request.clone();
        let started = Instant::now();
        let first = importer.import(request).await?;
        let seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            first.quarantined == 0,
            "{} rows quarantined",
            first.quarantined
        );
        let started = Instant::now();
        let again = importer.import(again_request).await?;
        let dup_seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            again.duplicates == first.accepted,
            "re-import found every row"
        );
        println!(
            "{name:<10} {seconds:>9.2} {:>12.0} {:>10} {dup_seconds:>9.2} {:>16.0}",
            rows as f64 / seconds,
            first.accepted,
            rows as f64 / dup_seconds
        );
        scratch.drop_now().await?;
    }
    Ok(())
}
