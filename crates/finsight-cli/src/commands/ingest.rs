//! `finsight import` and `finsight quarantine`: the command-line face of
//! the import service.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use finsight_core::{AccountId, UserId};
use finsight_ingest::csv::CsvProfile;
use finsight_ingest::format::FileFormat;
use finsight_ingest::import::{ImportRequest, RetryOutcome};
use finsight_store::QuarantineStatus;
use serde_json::json;

use crate::app::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bank file to import.
    file: PathBuf,
    /// The account the records belong to (remembered for the file's own
    /// account number, so later imports of that account need no flag).
    #[arg(long, value_name = "ACCOUNT_ID", value_parser = parse_account, conflicts_with = "user")]
    account: Option<AccountId>,
    /// Whose file it is: the file's own account information (OFX, QFX,
    /// camt.053, MT940) finds the account among their household's, or
    /// opens one. CSV and QIF files name no account: use --account.
    #[arg(long, value_name = "USER_ID", value_parser = parse_user)]
    user: Option<UserId>,
    /// auto, csv, ofx (also QFX), qif, camt053, mt940 or jsonl.
    #[arg(long, default_value = "auto")]
    format: String,
    /// Use a saved CSV profile instead of detecting the layout.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Save the CSV layout used under this name.
    #[arg(long, value_name = "NAME")]
    save_profile: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List quarantined records (open ones unless --all).
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Show one quarantined record in full.
    Show { id: uuid::Uuid },
    /// Validate a record again, optionally naming its account.
    Retry {
        id: uuid::Uuid,
        #[arg(long, value_name = "ACCOUNT_ID", value_parser = parse_account)]
        account: Option<AccountId>,
    },
}

fn parse_account(text: &str) -> Result<AccountId, String> {
    AccountId::parse(text).map_err(|e| e.to_string())
}

fn parse_user(text: &str) -> Result<UserId, String> {
    UserId::parse(text).map_err(|e| e.to_string())
}

pub async fn import(app: &App, args: ImportArgs) -> anyhow::Result<()> {
    let (store, clock) = (Arc::clone(&app.store), Arc::clone(&app.clock));
    let format = match args.format.as_str() {
        "auto" => None,
        other => Some(
            other
                .parse::<FileFormat>()
                .map_err(|e| anyhow::anyhow!("format: {e}"))?,
        ),
    };
    let profile = match &args.profile {
        Some(name) => {
            let json = store
                .csv_profile(name)
                .await?
                .with_context(|| format!("profile: no saved CSV profile {name:?}"))?;
            Some(
                serde_json::from_str::<CsvProfile>(&json)
                    .context("profile: stored profile is unreadable")?,
            )
        }
        None => None,
    };
    let bytes = tokio::fs::read(&args.file)
        .await
        .with_context(|| format!("file: cannot read {}", args.file.display()))?;
    let origin = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.file.display().to_string());
    anyhow::ensure!(
        args.account.is_some() || args.user.is_some(),
        "account: name the account (--account ID) or whose file it is (--user ID); see `finsight accounts`"
    );
    let outcome = app
        .services
        .importer()
        .import(ImportRequest {
            bytes,
            origin,
            format,
            account: args.account,
            profile,
            owner: args.user,
        })
        .await?;
    let event = finsight_core::audit::AuditEvent {
        actor: "cli".into(),
        action: "import".into(),
        subject: args.file.display().to_string(),
        detail: format!(
            "format={} accepted={} duplicates={} quarantined={}",
            outcome.format, outcome.accepted, outcome.duplicates, outcome.quarantined
        ),
    };
    store.append_audit(&event, clock.now()).await?;
    if let (Some(name), Some(profile)) = (&args.save_profile, &outcome.profile) {
        store
            .save_csv_profile(name, &serde_json::to_string(profile)?, clock.now())
            .await?;
    }
    match args.output {
        Output::Json => {
            let mut answer = json!({
                "accepted": outcome.accepted,
                "duplicates": outcome.duplicates,
                "quarantined": outcome.quarantined,
            });
            if !outcome.accounts.is_empty() {
                answer["accounts"] = outcome
                    .accounts
                    .iter()
                    .map(|a| {
                        json!({
                            "id": a.id.to_string(),
                            "name": a.name,
                            "currency": a.currency.code(),
                            "opened": outcome.opened_accounts.iter().any(|o| o.id == a.id),
                        })
                    })
                    .collect();
            }
            say!("{answer}");
        }
        Output::Text => {
            say!(
                "{}: {} ({}): {} accepted, {} duplicates, {} quarantined",
                args.file.display(),
                outcome.format,
                outcome.encoding,
                outcome.accepted,
                outcome.duplicates,
                outcome.quarantined
            );
            for account in &outcome.accounts {
                let opened = outcome.opened_accounts.iter().any(|o| o.id == account.id);
                say!(
                    "  {} account {} ({}, {}): {}",
                    if opened { "opened" } else { "into" },
                    account.name,
                    account.kind,
                    account.currency,
                    account.id
                );
            }
            if outcome.quarantined > 0 {
                say!("see them with: finsight quarantine list");
            }
        }
    }
    Ok(())
}

pub async fn quarantine(app: &App, command: QuarantineCommand) -> anyhow::Result<()> {
    let (store, clock) = (Arc::clone(&app.store), Arc::clone(&app.clock));
    match command {
        QuarantineCommand::List { all, limit } => {
            let status = (!all).then_some(QuarantineStatus::Open);
            let records = store.quarantined(status, limit).await?;
            if records.is_empty() {
                say!("no quarantined records");
            }
            for record in records {
                say!(
                    "{}  {:<8} {:<6} {} {}: {}: {}",
                    record.id,
                    record.status.as_str(),
                    record.entry.source,
                    record.entry.origin,
                    record.entry.location,
                    record.entry.field,
                    record.entry.reason
                );
            }
        }
        QuarantineCommand::Show { id } => {
            let record = store
                .quarantined_record(id)
                .await?
                .with_context(|| format!("id: no quarantined record {id}"))?;
            say!("id:       {}", record.id);
            say!("status:   {}", record.status.as_str());
            say!("source:   {} {}", record.entry.source, record.entry.origin);
            say!("location: {}", record.entry.location);
            say!("field:    {}", record.entry.field);
            say!("reason:   {}", record.entry.reason);
            if let Some(account) = record.entry.account_id {
                say!("account:  {account}");
            }
            if let Some(transaction) = record.transaction_id {
                say!("became:   transaction {transaction}");
            }
            say!("raw:\n{}", record.entry.raw);
        }
        QuarantineCommand::Retry { id, account } => {
            let outcome = app.services.importer().retry(id, account).await?;
            let event = finsight_core::audit::AuditEvent {
                actor: "cli".into(),
                action: "quarantine.retry".into(),
                subject: id.to_string(),
                detail: match &outcome {
                    RetryOutcome::Resolved { transaction_id, .. } => {
                        format!("resolved as {transaction_id}")
                    }
                    RetryOutcome::StillInvalid { field, .. } => format!("still invalid: {field}"),
                },
            };
            store.append_audit(&event, clock.now()).await?;
            match outcome {
                RetryOutcome::Resolved {
                    transaction_id,
                    duplicate,
                } => say!(
                    "resolved: transaction {transaction_id}{}",
                    if duplicate {
                        " (already in the ledger)"
                    } else {
                        ""
                    }
                ),
                RetryOutcome::StillInvalid { field, reason } => {
                    anyhow::bail!("still invalid: {field}: {reason}")
                }
            }
        }
    }
    Ok(())
}
