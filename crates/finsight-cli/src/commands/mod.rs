//! One module per subcommand: its clap arguments and its `run`, over the
//! [`App`](crate::app::App) the composition root built. Writes go through
//! the application services as the operator principal, so every write from
//! any door is authorized and audited the same way.

pub mod accounts;
pub mod anomaly;
pub mod audit;
pub mod backfill;
#[cfg(feature = "kafka")]
pub mod consume;
pub mod demo;
pub mod eval;
pub mod export;
pub mod features;
pub mod forecast;
pub mod goal;
pub mod identity;
pub mod ingest;
pub mod keys;
pub mod market;
pub mod migrate;
pub mod models;
pub mod openapi;
pub mod process;
pub mod rules;
pub mod serve;
pub mod setup;
pub mod stats;
pub mod synth;
pub mod training_set;

use anyhow::Context;

/// The command-line operator, acting within `user`'s tenant.
async fn operator_for(
    services: &finsight_service::Services,
    user: finsight_core::UserId,
) -> anyhow::Result<finsight_core::Principal> {
    let found = services
        .store()
        .user(user)
        .await?
        .with_context(|| format!("user: {user} does not exist"))?;
    Ok(finsight_core::Principal::Operator {
        tenant: found.tenant_id,
    })
}

/// A service error as one line naming the field, for the command line.
fn describe(error: finsight_service::ServiceError) -> anyhow::Error {
    match error {
        finsight_service::ServiceError::Invalid(invalid) => {
            anyhow::anyhow!("{}: {}", invalid.field, invalid.reason)
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// One line of standard input, without its line ending: a password is
/// never taken as an argument.
fn password_from_stdin() -> anyhow::Result<String> {
    use std::io::BufRead as _;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_owned())
}

fn parse_user(text: &str) -> anyhow::Result<finsight_core::UserId> {
    finsight_core::UserId::parse(text).map_err(|e| anyhow::anyhow!("user: {}", e.reason))
}

/// A day argument (YYYY-MM-DD).
fn parse_day(text: &str) -> Result<time::Date, String> {
    finsight_core::PostingDate::parse(text)
        .map(|d| d.date())
        .map_err(|e| e.reason)
}
