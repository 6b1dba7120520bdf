//! Promotion and rollback move an alias; loading a version reads its
//! artifact and checks the bytes against the hash recorded with them.

use finsight_core::TenantId;
use finsight_models::Categorizer;
use finsight_store::ModelVersion;

use crate::tracking::{parse_source, sha256_hex};
use crate::{MlopsError, RegistryPorts};

/// An alias move: from which version (if any) to which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub from: Option<i64>,
    pub to: i64,
}

/// Points `alias` of `model` at `version`.
pub async fn promote(
    store: &dyn RegistryPorts,
    tenant: TenantId,
    model: &str,
    version: i64,
    alias: &str,
    now: i64,
) -> Result<Moved, MlopsError> {
    let from = store.set_alias(tenant, model, alias, version, now).await?;
    Ok(Moved { from, to: version })
}

/// Moves `alias` back to the version it pointed at before its last move.
pub async fn rollback(
    store: &dyn RegistryPorts,
    tenant: TenantId,
    model: &str,
    alias: &str,
    now: i64,
) -> Result<Moved, MlopsError> {
    let moves = store.alias_moves(tenant, model, alias).await?;
    let last = moves
        .first()
        .ok_or_else(|| MlopsError::Nothing(format!("{model}@{alias} has never been set")))?;
    let to = last.previous.ok_or_else(|| {
        MlopsError::Nothing(format!(
            "{model}@{alias} has no earlier version to go back to"
        ))
    })?;
    let from = store.set_alias(tenant, model, alias, to, now).await?;
    Ok(Moved { from, to })
}

/// The bytes of a version's model, checked against their recorded hash.
pub async fn model_bytes(
    store: &dyn RegistryPorts,
    tenant: TenantId,
    version: &ModelVersion,
) -> Result<Vec<u8>, MlopsError> {
    let (run, path) = parse_source(&version.source).ok_or_else(|| {
        MlopsError::Broken(format!(
            "{} v{}: source {:?} is not a runs:/ address",
            version.name, version.version, version.source
        ))
    })?;
    let (artifact, bytes) = store.artifact(tenant, run, path).await?.ok_or_else(|| {
        MlopsError::Broken(format!(
            "{} v{}: artifact {} is missing",
            version.name, version.version, version.source
        ))
    })?;
    if sha256_hex(&bytes) != artifact.sha256 {
        return Err(MlopsError::Broken(format!(
            "{} v{}: artifact {} does not match its SHA-256",
            version.name, version.version, version.source
        )));
    }
    Ok(bytes)
}

/// A version of the categorizer, loaded.
pub async fn load_categorizer(
    store: &dyn RegistryPorts,
    tenant: TenantId,
    version: &ModelVersion,
) -> Result<Categorizer, MlopsError> {
    let bytes = model_bytes(store, tenant, version).await?;
    Ok(Categorizer::from_bytes(&bytes)?)
}
