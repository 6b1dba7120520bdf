//! `finsight accounts`: list accounts with their ids, and open one for a
//! person (for CSV and QIF files, which name no account of their own)
//! through the same service as the API.

use clap::{Args, Subcommand};
use finsight_core::{Account, AccountKind, Currency, UserId};
use finsight_service::Services;
use finsight_service::accounts::NewAccount;

use crate::app::App;

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

/// Opens an account for `user` through the service, as the operator
/// (authorized and audited like `POST /v1/accounts`).
pub async fn open(
    services: &Services,
    user: UserId,
    kind: AccountKind,
    currency: Currency,
    name: &str,
    institution: Option<&str>,
) -> anyhow::Result<Account> {
    let operator = super::operator_for(services, user).await?;
    services
        .create_account(
            &operator,
            NewAccount {
                user: Some(user),
                kind,
                currency,
                name: name.to_owned(),
                institution: institution.map(str::to_owned),
            },
        )
        .await
        .map_err(super::describe)
}

pub async fn run(app: &App, args: AccountsArgs) -> anyhow::Result<()> {
    let (store, services) = (&app.store, &app.services);
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
                services,
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
