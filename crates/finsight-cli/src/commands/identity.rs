//! Bootstrapping who may sign in: tenants, the first admin, people's
//! logins and service API keys, from the command line (run by an operator
//! with access to the database, so these commands need no token). Also the
//! demo's logins.

use clap::{Args, Subcommand};
use finsight_core::{Email, LoginKind, StaffRole, Tenant, TenantId, UserId};
use finsight_store::Directory;

use crate::app::App;

#[derive(Debug, Subcommand)]
pub enum TenantsCommand {
    /// List tenants with their ids.
    List,
    /// Create a tenant (a customer of the finance company).
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LoginsCommand {
    /// Create a login. The password is read from standard input (one line),
    /// never from the command line, so it stays out of shell history.
    Create(CreateLogin),
}

#[derive(Debug, Args)]
pub struct CreateLogin {
    #[arg(long, value_name = "TENANT_ID")]
    tenant: String,
    #[arg(long)]
    email: String,
    /// A tenant admin (manages households, logins and API keys).
    #[arg(long, conflicts_with_all = ["analyst", "user"])]
    admin: bool,
    /// An analyst (aggregate and pseudonymized data only).
    #[arg(long, conflicts_with = "user")]
    analyst: bool,
    /// A person in the ledger.
    #[arg(long, value_name = "USER_ID")]
    user: Option<String>,
    /// Read the password from standard input (required).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create an API key for another system of the finance app; the secret
    /// is printed once.
    Create {
        #[arg(long, value_name = "TENANT_ID")]
        tenant: String,
        #[arg(long)]
        name: String,
    },
}

pub async fn tenants(app: &App, command: TenantsCommand) -> anyhow::Result<()> {
    let store = &app.store;
    match command {
        TenantsCommand::List => {
            for tenant in store.tenants().await? {
                say!("{}  {}", tenant.id, tenant.name);
            }
        }
        TenantsCommand::Create { name } => {
            let name = name.trim().to_owned();
            anyhow::ensure!(
                !name.is_empty() && name.chars().count() <= 200,
                "name: must be 1 to 200 characters"
            );
            let id = TenantId::from_random_bytes(*uuid::Uuid::new_v4().as_bytes());
            store
                .upsert_directory(&Directory {
                    tenants: vec![Tenant { id, name }],
                    ..Directory::default()
                })
                .await?;
            say!("{id}");
        }
    }
    Ok(())
}

pub async fn logins(app: &App, command: LoginsCommand) -> anyhow::Result<()> {
    let services = &app.services;
    let LoginsCommand::Create(args) = command;
    anyhow::ensure!(
        args.password_stdin,
        "password-stdin: required (pipe the password in; it is never taken as an argument)"
    );
    let tenant =
        TenantId::parse(&args.tenant).map_err(|e| anyhow::anyhow!("tenant: {}", e.reason))?;
    let kind = match (args.admin, args.analyst, &args.user) {
        (true, _, _) => LoginKind::Staff(StaffRole::Admin),
        (_, true, _) => LoginKind::Staff(StaffRole::Analyst),
        (_, _, Some(user)) => LoginKind::Person(
            UserId::parse(user).map_err(|e| anyhow::anyhow!("user: {}", e.reason))?,
        ),
        _ => anyhow::bail!("role: give one of --admin, --analyst or --user USER_ID"),
    };
    let password = super::password_from_stdin()?;
    let password = password.as_str();
    let id = services
        .auth
        .create_login("cli", tenant, &args.email, password, kind)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
    say!("{id}");
    Ok(())
}

pub async fn api_keys(app: &App, command: ApiKeysCommand) -> anyhow::Result<()> {
    let services = &app.services;
    let ApiKeysCommand::Create { tenant, name } = command;
    let tenant = TenantId::parse(&tenant).map_err(|e| anyhow::anyhow!("tenant: {}", e.reason))?;
    let (key, secret) = services
        .auth
        .create_api_key_for("cli", tenant, &name)
        .await
        .map_err(|e| anyhow::anyhow!("{}", describe(e)))?;
    say!("api key {} ({}): {secret}", key.id, key.name);
    say!("the secret is shown only now; send it as `Authorization: Bearer <secret>`");
    Ok(())
}

fn describe(error: finsight_service::ServiceError) -> String {
    match error {
        finsight_service::ServiceError::Invalid(invalid) => {
            format!("{}: {}", invalid.field, invalid.reason)
        }
        other => other.to_string(),
    }
}

/// The demo's sign-ins. Public on purpose: demo data only, served on
/// localhost by default.
pub const DEMO_PERSON: (&str, &str) = ("demo@finsight.local", "finsight-demo-password");
pub const DEMO_ADMIN: (&str, &str) = ("admin@finsight.local", "finsight-demo-admin-password");

/// Creates the demo logins once: a person who owns a shared household, and
/// an admin of the same tenant. Returns the person's display name.
/// The person the demo login signs in as: the first who shares a
/// household, else the first.
pub fn demo_person(users: &[finsight_core::User]) -> Option<&finsight_core::User> {
    let shared = users.iter().find(|u| {
        users
            .iter()
            .filter(|other| other.household_id == u.household_id)
            .count()
            > 1
    });
    shared.or(users.first())
}

pub async fn ensure_demo_logins(app: &App) -> anyhow::Result<Option<String>> {
    let (store, services) = (&app.store, &app.services);
    let users = store.users().await?;
    let Some(person) = demo_person(&users) else {
        return Ok(None);
    };
    let logins = [
        (DEMO_PERSON, LoginKind::Person(person.id)),
        (DEMO_ADMIN, LoginKind::Staff(StaffRole::Admin)),
    ];
    for ((email, password), kind) in logins {
        let existing = store.logins_by_email(&Email::parse(email)?).await?;
        if existing
            .iter()
            .all(|login| login.tenant != person.tenant_id)
        {
            services
                .auth
                .create_login("demo", person.tenant_id, email, password, kind)
                .await
                .map_err(|e| anyhow::anyhow!("demo login: {}", describe(e)))?;
        }
    }
    Ok(Some(person.display_name.clone()))
}
