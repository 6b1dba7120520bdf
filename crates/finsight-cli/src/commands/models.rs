//! `finsight train`, `finsight models` and `finsight runs`: train the
//! categorizer (tracked, evaluated against the champion, promoted by the
//! logged rule), list the registry, promote and roll back aliases, and read
//! runs — all through the services as the operator, so each is audited as
//! from the API.

use clap::{Args, Subcommand};
use finsight_core::{Principal, TenantId};
use finsight_models::TrainOptions;
use finsight_store::{Page, Run};

use super::describe;
use crate::app::App;

const ALL: Page = Page {
    offset: 0,
    limit: 1000,
};

#[derive(Debug, Args)]
pub struct TenantArg {
    /// The tenant; may be left out when the database holds one tenant
    /// (`train` then trains every tenant).
    #[arg(long, value_name = "TENANT_ID")]
    tenant: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// Train the categorizer on the people's own and their banks'
    /// categories; promoted to champion only if it is at least as good on
    /// the latest 20% by date.
    Categorizer {
        #[command(flatten)]
        tenant: TenantArg,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Registered models with their versions and aliases.
    List {
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// Point an alias (default `champion`) at a version.
    Promote {
        #[command(flatten)]
        tenant: TenantArg,
        name: String,
        version: i64,
        #[arg(long, default_value = "champion")]
        alias: String,
    },
    /// Move an alias (default `champion`) back to where it pointed before.
    Rollback {
        #[command(flatten)]
        tenant: TenantArg,
        name: String,
        #[arg(long, default_value = "champion")]
        alias: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Runs, newest first.
    List {
        #[command(flatten)]
        tenant: TenantArg,
    },
    /// One run: its parameters, metrics, tags and artifacts.
    Show {
        #[command(flatten)]
        tenant: TenantArg,
        run_id: String,
    },
    /// Runs side by side: every parameter and metric, one column per run.
    Compare {
        #[command(flatten)]
        tenant: TenantArg,
        #[arg(required = true, num_args = 2..)]
        run_ids: Vec<String>,
    },
}

/// The tenants a command acts in: the one named, or every tenant when
/// `all` (else the only one).
async fn tenants(app: &App, arg: &TenantArg, all: bool) -> anyhow::Result<Vec<TenantId>> {
    if let Some(text) = &arg.tenant {
        let tenant = TenantId::parse(text).map_err(|e| anyhow::anyhow!("tenant: {}", e.reason))?;
        return Ok(vec![tenant]);
    }
    let tenants: Vec<TenantId> = app
        .store
        .tenants()
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    anyhow::ensure!(
        all || tenants.len() == 1,
        "tenant: the database holds {} tenants; name one with --tenant",
        tenants.len()
    );
    Ok(tenants)
}

fn operator(tenant: TenantId) -> Principal {
    Principal::Operator { tenant }
}

pub async fn train(app: &App, command: TrainCommand) -> anyhow::Result<()> {
    let TrainCommand::Categorizer { tenant, seed } = command;
    for tenant in tenants(app, &tenant, true).await? {
        let options = TrainOptions {
            seed,
            ..TrainOptions::default()
        };
        let report = app
            .services
            .train_categorizer(&operator(tenant), options)
            .await
            .map_err(describe)?;
        println!(
            "tenant {tenant}: categorizer version {} (run {}), trained on {} and tested on {} \
             transactions in {} categories",
            report.version, report.run_id, report.train_rows, report.test_rows, report.labels
        );
        println!(
            "  holdout accuracy {:.4}, macro-F1 {:.4}; payee baseline {:.4} / {:.4}",
            report.candidate.accuracy,
            report.candidate.macro_f1,
            report.baseline.accuracy,
            report.baseline.macro_f1
        );
        match &report.champion {
            Some((version, score)) => println!(
                "  champion version {version}: {:.4} / {:.4} → {}",
                score.accuracy,
                score.macro_f1,
                if report.promoted { "replaced" } else { "kept" }
            ),
            None => println!("  no champion yet → promoted"),
        }
    }
    Ok(())
}

pub async fn models(app: &App, command: ModelsCommand) -> anyhow::Result<()> {
    let services = &app.services;
    match command {
        ModelsCommand::List { tenant } => {
            for tenant in tenants(app, &tenant, true).await? {
                let principal = operator(tenant);
                for model in services
                    .registered_models(&principal, ALL)
                    .await
                    .map_err(describe)?
                {
                    println!("{} (tenant {tenant})", model.name);
                    let versions = services
                        .model_versions(&principal, Some(&model.name), ALL)
                        .await
                        .map_err(describe)?;
                    for v in versions {
                        println!(
                            "  v{:<4} {}  run {}  {}",
                            v.version,
                            time_of(v.created_at),
                            v.run_id.as_deref().unwrap_or("-"),
                            v.aliases.join(", ")
                        );
                    }
                }
            }
        }
        ModelsCommand::Promote {
            tenant,
            name,
            version,
            alias,
        } => {
            let tenant = tenants(app, &tenant, false).await?[0];
            let moved = services
                .promote_model(&operator(tenant), &name, version, &alias)
                .await
                .map_err(describe)?;
            println!("{name}@{alias}: {} → v{}", was(moved.from), moved.to);
        }
        ModelsCommand::Rollback {
            tenant,
            name,
            alias,
        } => {
            let tenant = tenants(app, &tenant, false).await?[0];
            let moved = services
                .rollback_model(&operator(tenant), &name, &alias)
                .await
                .map_err(describe)?;
            println!("{name}@{alias}: {} → v{}", was(moved.from), moved.to);
        }
    }
    Ok(())
}

pub async fn runs(app: &App, command: RunsCommand) -> anyhow::Result<()> {
    let services = &app.services;
    match command {
        RunsCommand::List { tenant } => {
            let mut all = Vec::new();
            for tenant in tenants(app, &tenant, true).await? {
                all.extend(
                    services
                        .runs(&operator(tenant), None, ALL)
                        .await
                        .map_err(describe)?,
                );
            }
            all.sort_by_key(|r| std::cmp::Reverse(r.info.start_time));
            for run in all {
                let info = &run.info;
                println!(
                    "{}  {}  {:<8}  {}  {}",
                    info.id,
                    time_of(info.start_time),
                    info.status,
                    info.name,
                    run.metrics
                        .iter()
                        .map(|m| format!("{}={}", m.key, m.value))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
        RunsCommand::Show { tenant, run_id } => {
            let (tenant, run) = find_run(app, &tenant, &run_id).await?;
            print_run(&run);
            let artifacts = app.store.artifacts(tenant, &run_id).await?;
            for artifact in artifacts {
                println!(
                    "artifact {}  {} bytes  sha256 {}",
                    artifact.path, artifact.size, artifact.sha256
                );
            }
        }
        RunsCommand::Compare { tenant, run_ids } => {
            let mut runs = Vec::new();
            for id in &run_ids {
                runs.push(find_run(app, &tenant, id).await?.1);
            }
            print_comparison(&runs);
        }
    }
    Ok(())
}

/// A run by id, in the named tenant or any (run ids are unique).
async fn find_run(app: &App, tenant: &TenantArg, id: &str) -> anyhow::Result<(TenantId, Run)> {
    for tenant in tenants(app, tenant, true).await? {
        match app.services.run(&operator(tenant), id).await {
            Ok(run) => return Ok((tenant, run)),
            Err(finsight_service::ServiceError::NotFound(_)) => continue,
            Err(e) => return Err(describe(e)),
        }
    }
    anyhow::bail!("run_id: no run {id}")
}

fn print_run(run: &Run) {
    let info = &run.info;
    println!("run {}  ({})", info.id, info.name);
    println!(
        "experiment {}  status {}  user {}  started {}  ended {}",
        info.experiment_id,
        info.status,
        info.user,
        time_of(info.start_time),
        info.end_time.map_or_else(|| "-".to_owned(), time_of)
    );
    for (key, value) in &run.params {
        println!("param  {key} = {value}");
    }
    for metric in &run.metrics {
        println!(
            "metric {} = {} (step {})",
            metric.key, metric.value, metric.step
        );
    }
    for (key, value) in &run.tags {
        println!("tag    {key} = {value}");
    }
}

fn print_comparison(runs: &[Run]) {
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: String, pick: &dyn Fn(&Run) -> Option<String>| {
        rows.push((
            name,
            runs.iter()
                .map(|r| pick(r).unwrap_or_else(|| "-".into()))
                .collect(),
        ));
    };
    add("status".into(), &|r| Some(r.info.status.clone()));
    let mut params: Vec<&String> = runs
        .iter()
        .flat_map(|r| r.params.iter().map(|p| &p.0))
        .collect();
    params.sort();
    params.dedup();
    for key in params {
        add(format!("param {key}"), &|r| {
            r.params.iter().find(|p| &p.0 == key).map(|p| p.1.clone())
        });
    }
    let mut metrics: Vec<&String> = runs
        .iter()
        .flat_map(|r| r.metrics.iter().map(|m| &m.key))
        .collect();
    metrics.sort();
    metrics.dedup();
    for key in metrics {
        add(format!("metric {key}"), &|r| {
            r.metrics
                .iter()
                .find(|m| &m.key == key)
                .map(|m| format!("{:.6}", m.value))
        });
    }
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    print!("{:width$}", "");
    for run in runs {
        print!("  {:>32}", run.info.id);
    }
    println!();
    for (name, values) in rows {
        print!("{name:width$}");
        for value in values {
            print!("  {value:>32}");
        }
        println!();
    }
}

fn time_of(millis: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

fn was(version: Option<i64>) -> String {
    version.map_or_else(|| "unset".to_owned(), |v| format!("v{v}"))
}
