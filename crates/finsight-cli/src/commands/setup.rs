//! `finsight setup`: the first run for one's own money. One step creates a
//! tenant, a household, the person and their owner login (and, with
//! `--currency`, a first checking account), then says what to do next.

use anyhow::Context;
use clap::Args;
use finsight_core::{
    AccountKind, Currency, Email, Household, HouseholdId, LoginKind, Tenant, TenantId, User, UserId,
};
use finsight_store::Directory;
use serde_json::json;

use crate::ingest::Output;

use crate::app::App;

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The email to sign in with.
    #[arg(long)]
    email: String,
    /// Read the password from standard input (required; 12 to 256
    /// characters).
    #[arg(long)]
    password_stdin: bool,
    /// Your name as Finsight shows it (default: the email's local part).
    #[arg(long)]
    name: Option<String>,
    /// Also open a first checking account in this currency (for CSV and
    /// QIF files, which name no account of their own).
    #[arg(long, value_name = "CUR")]
    currency: Option<String>,
    /// Create another tenant beside the existing ones, with this name.
    #[arg(long)]
    tenant_name: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

fn random_bytes() -> [u8; 16] {
    *uuid::Uuid::new_v4().as_bytes()
}

pub async fn run(app: &App, args: SetupArgs) -> anyhow::Result<()> {
    let (store, services) = (&app.store, &app.services);
    anyhow::ensure!(
        args.password_stdin,
        "password-stdin: required (pipe the password in; it is never taken as an argument)"
    );
    let email = Email::parse(&args.email).map_err(|e| anyhow::anyhow!("email: {}", e.reason))?;
    let existing = store.tenants().await?;
    if args.tenant_name.is_none()
        && let Some(tenant) = existing.first()
    {
        anyhow::bail!(
            "tenant: this installation is set up already (tenant {:?}); run `finsight setup --tenant-name NAME …` to create another tenant",
            tenant.name
        );
    }
    let currency = args
        .currency
        .as_deref()
        .map(Currency::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("currency: {}", e.reason))?;
    let display_name = match &args.name {
        Some(name) => name.trim().to_owned(),
        None => email.as_str().split('@').next().unwrap_or("me").to_owned(),
    };
    anyhow::ensure!(
        !display_name.is_empty() && display_name.chars().count() <= 200,
        "name: must be 1 to 200 characters"
    );
    finsight_core::text::check_printable("name", &display_name)
        .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.reason))?;
    let tenant_name = args
        .tenant_name
        .as_deref()
        .unwrap_or("Personal")
        .trim()
        .to_owned();
    anyhow::ensure!(
        !tenant_name.is_empty() && tenant_name.chars().count() <= 200,
        "tenant-name: must be 1 to 200 characters"
    );
    let password = super::password_from_stdin()?;
    let password = password.as_str();
    finsight_core::Password::parse(password)
        .map_err(|e| anyhow::anyhow!("password: {}", e.reason))?;

    let tenant = Tenant {
        id: TenantId::from_random_bytes(random_bytes()),
        name: tenant_name,
    };
    let household = Household {
        id: HouseholdId::from_random_bytes(random_bytes()),
        tenant_id: tenant.id,
        name: format!("{display_name}'s household"),
    };
    let user = User {
        id: UserId::from_random_bytes(random_bytes()),
        tenant_id: tenant.id,
        household_id: household.id,
        display_name: display_name.clone(),
    };
    // The person owns their new household (the directory makes the first
    // person of a household its owner).
    store
        .upsert_directory(&Directory {
            tenants: vec![tenant.clone()],
            households: vec![household.clone()],
            users: vec![user.clone()],
            accounts: Vec::new(),
        })
        .await
        .context("cannot save the tenant, household and person")?;
    services
        .auth
        .create_login(
            "cli",
            tenant.id,
            email.as_str(),
            password,
            LoginKind::Person(user.id),
        )
        .await
        .map_err(|e| match e {
            finsight_service::ServiceError::Invalid(invalid) => {
                anyhow::anyhow!("{}: {}", invalid.field, invalid.reason)
            }
            other => anyhow::anyhow!("{other}"),
        })?;
    store
        .append_audit(
            &finsight_core::audit::AuditEvent {
                actor: "cli".into(),
                action: "setup".into(),
                subject: format!("tenant:{}", tenant.id),
                detail: format!("household:{} user:{}", household.id, user.id),
            },
            app.clock.now(),
        )
        .await?;
    let account = match currency {
        Some(currency) => Some(
            super::accounts::open(
                services,
                user.id,
                AccountKind::Checking,
                currency,
                "Checking",
                None,
            )
            .await?,
        ),
        None => None,
    };
    match args.output {
        Output::Json => {
            let mut answer = json!({
                "tenant_id": tenant.id.to_string(),
                "household_id": household.id.to_string(),
                "user_id": user.id.to_string(),
            });
            if let Some(account) = &account {
                answer["account_id"] = json!(account.id.to_string());
            }
            say!("{answer}");
        }
        Output::Text => {
            say!(
                "Finsight is set up for {display_name} ({}).",
                email.as_str()
            );
            say!("  tenant    {}  {}", tenant.id, tenant.name);
            say!("  household {}  {}", household.id, household.name);
            say!("  person    {}", user.id);
            if let Some(account) = &account {
                say!(
                    "  account   {}  {} ({})",
                    account.id,
                    account.name,
                    account.currency
                );
            }
            say!("next:");
            say!(
                "  finsight import YOUR-BANK-FILE --user {}   # OFX/QFX, camt.053, MT940: finds or opens the account",
                user.id
            );
            say!(
                "  finsight accounts create --user {} --kind checking --currency EUR --name \"Everyday\"   # for CSV/QIF, then import --account ID",
                user.id
            );
            say!(
                "  finsight serve   # then sign in at http://127.0.0.1:8080 with {}",
                email.as_str()
            );
        }
    }
    Ok(())
}
