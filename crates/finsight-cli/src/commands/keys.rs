//! `finsight keys`: the encryption keys' status, and online rotation. A
//! rotation makes a new data-key version active for each tenant, waits for
//! other processes to see it, re-seals every value under the old versions
//! in small batches (the server keeps serving: reads open either version),
//! and destroys the old versions once nothing uses them. Each step is
//! written to the audit log.

use std::time::Instant;

use clap::Subcommand;
use finsight_core::TenantId;

use crate::app::App;

/// Writes a key file readable only by its owner (fails if it exists).
pub fn write_key_file(path: &std::path::Path, kek: &finsight_store::Kek) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("encryption.key_file: cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, kek.to_hex().as_bytes())?;
    file.sync_all()?;
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List keys per tenant with how many values each seals.
    Status,
    /// Rotate the key-encryption key: re-wrap every data key under the key
    /// in FINSIGHT_NEW_ENCRYPTION_KEY (64 hex digits). With a key file, the
    /// file is replaced; with FINSIGHT__ENCRYPTION__KEY, set it to the new
    /// key before the next start.
    Rewrap,
    /// Rotate the data keys and re-seal everything under the new versions.
    Rotate {
        /// Only this tenant's key.
        #[arg(long, value_name = "TENANT_ID")]
        tenant: Option<String>,
        /// Values re-sealed per column and transaction.
        #[arg(long, default_value_t = 500)]
        batch: u32,
    },
}

/// Where the running key came from, for `keys rewrap`.
enum KeySource {
    Environment,
    File(std::path::PathBuf),
}

pub async fn run(app: &App, command: KeysCommand) -> anyhow::Result<()> {
    let store = &app.store;
    let source = if app.settings.encryption.key.is_some() {
        KeySource::Environment
    } else {
        KeySource::File(crate::app::key_file_path(&app.settings))
    };
    match command {
        KeysCommand::Rewrap => {
            let text = std::env::var("FINSIGHT_NEW_ENCRYPTION_KEY").map_err(|_| {
                anyhow::anyhow!(
                    "FINSIGHT_NEW_ENCRYPTION_KEY: set it to the new key (64 hex digits)"
                )
            })?;
            let new = finsight_store::Kek::from_hex(&text)
                .map_err(|e| anyhow::anyhow!("FINSIGHT_NEW_ENCRYPTION_KEY: {e}"))?;
            // With a key file, the new key is on disk before any data key
            // depends on it.
            let staged = match &source {
                KeySource::File(path) => {
                    let staged = path.with_extension("key.new");
                    write_key_file(&staged, &new)?;
                    Some((staged, path.clone()))
                }
                KeySource::Environment => None,
            };
            let count = store.rewrap_keys(&new).await?;
            app.audit("keys.rewrap", "data_keys", format!("keys={count}"))
                .await?;
            match staged {
                Some((staged, path)) => {
                    std::fs::rename(&staged, &path).map_err(|e| {
                        anyhow::anyhow!(
                            "re-wrapped {count} keys, but cannot move {} to {}: {e}; move it by hand",
                            staged.display(),
                            path.display()
                        )
                    })?;
                    say!(
                        "re-wrapped {count} data keys; {} holds the new key",
                        path.display()
                    );
                }
                None => say!(
                    "re-wrapped {count} data keys; set FINSIGHT__ENCRYPTION__KEY to the new key before the next start"
                ),
            }
        }
        KeysCommand::Status => {
            let tenants: std::collections::HashMap<TenantId, String> = store
                .tenants()
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            say!(
                "tenant                                name            purpose  version  state     key               sealed values"
            );
            for key in store.key_status().await? {
                let name = tenants
                    .get(&key.tenant)
                    .cloned()
                    .unwrap_or_else(|| "(system)".into());
                say!(
                    "{}  {:<14.14}  {:<7}  {:>7}  {:<8}  {}  {:>13}",
                    key.tenant,
                    name,
                    key.purpose,
                    key.version,
                    key.state,
                    key.key_id,
                    key.sealed_values
                );
            }
        }
        KeysCommand::Rotate { tenant, batch } => {
            anyhow::ensure!(batch >= 1, "batch: must be at least 1");
            let tenant = tenant
                .map(|t| TenantId::parse(&t).map_err(|e| anyhow::anyhow!("tenant: {}", e.reason)))
                .transpose()?;
            let started = Instant::now();
            let created = store.rotate_data_keys(tenant, app.clock.now()).await?;
            app.audit(
                "keys.rotate",
                "data_keys",
                format!("new={}", created.join(",")),
            )
            .await?;
            say!("new data keys: {}", created.len());
            // Let every process pick up the new versions before the last pass.
            tokio::time::sleep(finsight_store::vault::ACTIVE_KEY_TTL * 2).await;
            let mut moved = 0u64;
            let mut destroyed = Vec::new();
            for _ in 0..10 {
                loop {
                    let step = store.reseal_batch(batch).await?;
                    if step == 0 {
                        break;
                    }
                    moved += step;
                    tracing::info!(moved, "re-sealing");
                }
                destroyed.extend(store.destroy_retired_keys().await?);
                let retiring = store
                    .key_status()
                    .await?
                    .into_iter()
                    .any(|k| k.state == "retiring");
                if !retiring {
                    break;
                }
            }
            app.audit(
                "keys.destroy",
                "data_keys",
                format!("destroyed={} resealed={moved}", destroyed.join(",")),
            )
            .await?;
            say!(
                "re-sealed {moved} values in {:.1} s; destroyed {} old keys",
                started.elapsed().as_secs_f64(),
                destroyed.len()
            );
            anyhow::ensure!(
                !store
                    .key_status()
                    .await?
                    .iter()
                    .any(|k| k.state == "retiring"),
                "some values are still sealed under old keys; run `finsight keys rotate` again"
            );
        }
    }
    Ok(())
}
