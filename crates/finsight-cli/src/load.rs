//! Loads a synthetic population into the store: the directory first, then
//! every user's transactions in large batches. Generation runs on a
//! blocking thread while the store writes, joined by a bounded channel.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use finsight_store::{Directory, InsertReport, Store};
use finsight_synth::{Synthesizer, UserActivity, export};
use indicatif::{ProgressBar, ProgressStyle};

/// Records per store batch: large enough to amortise a commit's fsync,
/// small enough to keep memory flat.
const BATCH_ROWS: usize = 20_000;
/// Users generated ahead of the writer.
const QUEUE_USERS: usize = 16;

#[derive(Debug, Default)]
pub struct LoadReport {
    pub users: usize,
    pub accounts: usize,
    pub inserted: u64,
    pub duplicates: u64,
    pub labels: usize,
}

/// A progress bar on stderr: `VERB [bar] done/len UNIT elapsed`.
pub fn progress_bar(len: u64, verb: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{verb} {{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub async fn load_synthetic(
    store: &dyn Store,
    synth: Synthesizer,
    labels_path: &Path,
) -> anyhow::Result<LoadReport> {
    let directory = Directory {
        tenants: synth.tenants().to_vec(),
        households: synth.households().to_vec(),
        users: synth.profiles().iter().map(|p| p.user.clone()).collect(),
        accounts: synth.accounts().cloned().collect(),
    };
    store.upsert_directory(&directory).await?;
    let mut report = LoadReport {
        users: directory.users.len(),
        accounts: directory.accounts.len(),
        ..LoadReport::default()
    };

    let (sender, mut receiver) = tokio::sync::mpsc::channel::<UserActivity>(QUEUE_USERS);
    let generator = tokio::task::spawn_blocking(move || {
        for index in 0..synth.profiles().len() {
            if sender.blocking_send(synth.generate_user(index)).is_err() {
                break;
            }
        }
    });

    let mut labels = std::io::BufWriter::new(
        std::fs::File::create(labels_path)
            .with_context(|| format!("cannot write {}", labels_path.display()))?,
    );
    export::write_label_header(&mut labels)?;
    let progress = progress_bar(report.users as u64, "loading", "users");
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut totals = InsertReport::default();
    while let Some(activity) = receiver.recv().await {
        export::write_labels(&activity, &mut labels)?;
        report.labels += activity.labels.len();
        batch.extend(activity.transactions);
        if batch.len() >= BATCH_ROWS {
            totals.add(store.insert_transactions(&batch).await?);
            batch.clear();
        }
        progress.inc(1);
    }
    totals.add(store.insert_transactions(&batch).await?);
    generator.await.context("generator thread failed")?;
    labels.flush()?;
    progress.finish_and_clear();
    report.inserted = totals.inserted;
    report.duplicates = totals.duplicates;
    Ok(report)
}
