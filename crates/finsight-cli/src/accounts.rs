//! `finsight accounts`: list accounts with their ids, and open one for a
//! person (for CSV and QIF files, which name no account of their own).

use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use finsight_core::{Account, AccountId, AccountKind, Currency, UserId};
use finsight_store::{Directory, Store};
use time::OffsetDateTime;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AccountsArgs {
    #[command(subcommand)]
    command: Option<AccountsCommand>,
    /// Only this user's accounts (when listing).
    #[arg(long, value_name = "USER_ID")]
    user: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List accounts with their ids (the default).
    List {
        #[arg(long, value_name = "USER_ID")]
        user: Option<String>,
    },
    /// Open an account for a person; prints its id.
    Create {
        #[arg(long, value_name = "USER_ID")]
        user: String,
        /// checking, savings, credit_card, loan, investment or cash.
        #[arg(long)]
        kind: String,
        /// ISO 4217 code (EUR, USD, …).
        #[arg(long)]
        currency: String,
        #[arg(long)]
        name: String,
        /// The bank.
        #[arg(long)]
        institution: Option<String>,
    },
}

fn user_id(text: &str) -> anyhow::Result<UserId> {
    UserId::parse(text).map_err(|e| anyhow::anyhow!("user: {}", e.reason))
}

/// Opens an account for `user`, written to the audit log as `actor`.
pub async fn open(
    store: &Arc<dyn Store>,
    actor: &str,
    user: UserId,
    kind: AccountKind,
    currency: Currency,
    name: &str,
    institution: Option<&str>,
) -> anyhow::Result<Account> {
    anyhow::ensure!(
        store.user(user).await?.is_some(),
        "user: {user} does not exist"
    );
    let field = |e: finsight_core::ValidationError| anyhow::anyhow!("{}: {}", e.field, e.reason);
    let account = Account {
        id: AccountId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes()),
        user_id: user,
        kind,
        currency,
        name: Account::parse_label("name", name).map_err(field)?,
        institution: institution
            .map(|i| Account::parse_label("institution", i))
            .transpose()
            .map_err(field)?
            .unwrap_or_default(),
        closed_on: None,
    };
    store
        .upsert_directory(&Directory {
            accounts: vec![account.clone()],
            ..Directory::default()
        })
        .await
        .context("cannot save the account")?;
    let event = finsight_core::audit::AuditEvent {
        actor: actor.into(),
        action: "account.create".into(),
        subject: format!("account:{}", account.id),
        detail: format!("user:{user} kind:{kind} currency:{currency}"),
    };
    store
        .append_audit(&event, OffsetDateTime::now_utc())
        .await?;
    Ok(account)
}

pub async fn run(store: &Arc<dyn Store>, args: AccountsArgs) -> anyhow::Result<()> {
    match args
        .command
        .unwrap_or(AccountsCommand::List { user: args.user })
    {
        AccountsCommand::List { user } => {
            let users = match user {
                Some(text) => vec![user_id(&text)?],
                None => store.users().await?.into_iter().map(|u| u.id).collect(),
            };
            for user in users {
                for account in store.accounts_of_user(user).await? {
                    say!(
                        "{}  user {}  {:<12} {}  {}{}{}",
                        account.id,
                        account.user_id,
                        account.kind,
                        account.currency,
                        account.name,
                        if account.institution.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", account.institution)
                        },
                        account
                            .closed_on
                            .map(|d| format!("  closed {d}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        AccountsCommand::Create {
            user,
            kind,
            currency,
            name,
            institution,
        } => {
            let kind: AccountKind = kind.parse().map_err(|e: finsight_core::ValidationError| {
                anyhow::anyhow!("kind: {}", e.reason)
            })?;
            let currency = Currency::parse(&currency)
                .map_err(|e| anyhow::anyhow!("currency: {}", e.reason))?;
            let account = open(
                store,
                "cli",
                user_id(&user)?,
                kind,
                currency,
                &name,
                institution.as_deref(),
            )
            .await?;
            say!("{}", account.id);
        }
    }
    Ok(())
}
