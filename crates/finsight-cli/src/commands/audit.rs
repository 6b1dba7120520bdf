//! `finsight audit`: verify, list and prune the tamper-evident audit log.

use std::sync::Arc;

use clap::Subcommand;

use crate::app::App;
use crate::jobs;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; name the first modified, deleted or
    /// reordered entry (exit status 1 if there is one).
    Verify,
    /// Prune entries older than the retention period now (the daily
    /// `audit-retention` job does this too), behind a checkpoint.
    Prune {
        /// Keep this many days (default: audit.retention_days).
        #[arg(long)]
        keep_days: Option<u32>,
    },
    /// Show the latest entries.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

pub async fn run(app: &App, command: AuditCommand) -> anyhow::Result<()> {
    let (store, retention_days) = (&app.store, app.settings.audit.retention_days);
    match command {
        AuditCommand::Prune { keep_days } => {
            let keep = keep_days.unwrap_or(retention_days);
            anyhow::ensure!(
                keep >= jobs::MIN_AUDIT_RETENTION_DAYS,
                "keep-days: must be at least {} (the audit log keeps twelve months)",
                jobs::MIN_AUDIT_RETENTION_DAYS
            );
            let job = jobs::AuditRetention {
                store: Arc::clone(store),
                retention_days,
                clock: Arc::clone(&app.clock),
            };
            let cutoff = app.clock.now() - time::Duration::days(i64::from(keep));
            let outcome = job.prune(cutoff).await?;
            say!("{outcome}");
        }
        AuditCommand::Verify => {
            let mut verifier = match store.audit_checkpoint().await? {
                Some((seq, hash)) => {
                    finsight_core::audit::ChainVerifier::from_checkpoint(seq, hash)
                }
                None => finsight_core::audit::ChainVerifier::default(),
            };
            let mut after = 0;
            loop {
                let entries = store.audit_entries(after, 1000).await?;
                let Some(last) = entries.last().map(|e| e.seq) else {
                    break;
                };
                for entry in &entries {
                    if let Err(broken) = verifier.check(entry) {
                        anyhow::bail!(
                            "audit log broken at entry {}: {}",
                            broken.seq,
                            broken.reason
                        );
                    }
                }
                after = last;
            }
            say!("audit log intact: {} entries", verifier.checked());
        }
        AuditCommand::List { limit } => {
            let mut entries = Vec::new();
            let mut after = 0;
            loop {
                let page = store.audit_entries(after, 1000).await?;
                let Some(last) = page.last().map(|e| e.seq) else {
                    break;
                };
                after = last;
                entries.extend(page);
                let excess = entries.len().saturating_sub(limit as usize);
                entries.drain(..excess);
            }
            // Entries hold text from outside (file names, reasons):
            // escaped, so no entry can pass for another line.
            let shown = |text: &str| finsight_core::text::escape_forbidden(text).into_owned();
            for entry in entries {
                say!(
                    "{:>6}  {}  {:<6} {:<18} {}  {}",
                    entry.seq,
                    entry.at,
                    shown(&entry.event.actor),
                    shown(&entry.event.action),
                    shown(&entry.event.subject),
                    shown(&entry.event.detail)
                );
            }
        }
    }
    Ok(())
}
