//! `finsight export --pseudonymize`: every transaction as JSON Lines with
//! keyed, purpose-bound pseudonyms for user and account ids and no free
//! text, for analysis outside Finsight.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use finsight_store::Store;

use crate::app::App;
use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Required: only pseudonymized exports exist.
    #[arg(long)]
    pseudonymize: bool,
    /// What the export is for (names the pseudonym set).
    #[arg(long)]
    purpose: String,
    /// JSON Lines output file.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Checks the pseudonym key before it opens the database.
pub async fn run(settings: Settings, args: ExportArgs) -> anyhow::Result<()> {
    let ExportArgs {
        pseudonymize,
        purpose,
        out,
    } = args;
    let (purpose, out) = (purpose.as_str(), out.as_path());
    anyhow::ensure!(
        pseudonymize,
        "pseudonymize: exports always pseudonymize ids; pass --pseudonymize"
    );
    let key = settings.privacy.pseudonym_key.as_ref().context(
        "privacy.pseudonym_key: not configured (set FINSIGHT__PRIVACY__PSEUDONYM_KEY to 64 or more hex digits)",
    )?;
    let pseudonymizer = finsight_privacy::PseudonymKey::from_hex(key.expose())
        .and_then(|k| k.for_purpose(purpose))?;
    let app = App::build(settings).await?;
    let rows = export_pseudonymized(&app.store, &pseudonymizer, out).await?;
    app.audit(
        "export",
        purpose,
        format!("rows={rows} file={}", out.display()),
    )
    .await?;
    say!(
        "exported {rows} transactions for purpose {purpose} to {}",
        out.display()
    );
    Ok(())
}

/// Writes every transaction as a JSON line with pseudonymous ids and no
/// free text (descriptions, merchants and references can name people).
async fn export_pseudonymized(
    store: &Arc<dyn Store>,
    pseudonymizer: &finsight_privacy::Pseudonymizer,
    out: &std::path::Path,
) -> anyhow::Result<u64> {
    use tokio::io::AsyncWriteExt as _;
    let file = tokio::fs::File::create(out)
        .await
        .with_context(|| format!("out: cannot create {}", out.display()))?;
    let mut writer = tokio::io::BufWriter::new(file);
    let mut rows = 0;
    for user in store.users().await? {
        let user_pseudonym = pseudonymizer.pseudonym("user", user.id.as_uuid().as_bytes());
        let mut query = finsight_store::TransactionQuery::for_user(user.id);
        query.limit = finsight_store::TransactionQuery::MAX_LIMIT;
        loop {
            let page = store.transactions(&query).await?;
            // One page is serialised in memory, then written without
            // blocking the runtime.
            let mut lines = String::with_capacity(page.transactions.len() * 160);
            for t in &page.transactions {
                let line = serde_json::json!({
                    "user": user_pseudonym,
                    "account": pseudonymizer.pseudonym("account", t.account_id.as_uuid().as_bytes()),
                    "posted_on": t.posted_on.to_string(),
                    "amount": t.amount.amount_text(),
                    "currency": t.amount.currency().code(),
                    "category": t.category.as_ref().map(|c| c.to_string()),
                    "mcc": t.mcc.map(|m| m.to_string()),
                });
                lines.push_str(&line.to_string());
                lines.push('\n');
                rows += 1;
            }
            writer.write_all(lines.as_bytes()).await?;
            match page.next {
                Some(cursor) => query.after = Some(cursor),
                None => break,
            }
        }
    }
    writer.flush().await?;
    Ok(rows)
}
