//! `finsight market import`: daily closes and FX rates from CSV into the
//! feature store (idempotent: a day already held for a symbol is kept),
//! rejected rows kept with their reasons.

use anyhow::Context;
use clap::Subcommand;

use crate::app::App;

#[derive(Debug, Subcommand)]
pub enum MarketCommand {
    /// Import a CSV of `date,symbol,close[,currency]` (or `date,SYM1,SYM2,…`
    /// with a column per symbol).
    Import { file: std::path::PathBuf },
    /// Rows that were rejected, with the reason.
    Quarantine {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

pub async fn run(app: &App, command: MarketCommand) -> anyhow::Result<()> {
    match command {
        MarketCommand::Import { file } => {
            let text = tokio::fs::read_to_string(&file)
                .await
                .with_context(|| format!("file: cannot read {}", file.display()))?;
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (accepted, new, rejected) = import(app, &source, &text).await?;
            say!(
                "{accepted} prices accepted ({new} new, {} already held), {rejected} rows rejected",
                accepted - new
            );
            if rejected > 0 {
                say!("see `finsight market quarantine` for the rejected rows and why");
            }
        }
        MarketCommand::Quarantine { limit } => {
            for (source, reject) in app.store.market_quarantine(limit).await? {
                say!(
                    "{source}:{} {}: {} ({})",
                    reject.line,
                    reject.field,
                    reject.reason,
                    reject.raw
                );
            }
        }
    }
    Ok(())
}

/// Imports one file's text; (accepted, new, rejected).
pub async fn import(app: &App, source: &str, text: &str) -> anyhow::Result<(usize, usize, usize)> {
    let now = finsight_features::event::micros(app.clock.now());
    let file = finsight_features::market::parse_market_csv(text, now)
        .map_err(|e| anyhow::anyhow!("file: {e}"))?;
    app.store
        .quarantine_market_rows(source, &file.rejects, now)
        .await?;
    let mut new = 0;
    for chunk in file.facts.chunks(10_000) {
        new += app.features.ingest_market(chunk).await?;
    }
    app.audit(
        "market.import",
        &format!("market:{source}"),
        format!(
            "accepted={} new={new} rejected={}",
            file.facts.len(),
            file.rejects.len()
        ),
    )
    .await?;
    Ok((file.facts.len(), new, file.rejects.len()))
}
