//! Serving: each tenant's `champion` categorizer, in memory. A refresh
//! reads where the alias points now and loads only versions it has not
//! loaded; the new set replaces the old in one pointer swap, so a request
//! running during a swap finishes on the model it started with and no
//! request ever sees a half-loaded one. `spawn_refresh` polls the registry,
//! so a promotion from any replica or the CLI reaches every replica within
//! one period, without a restart.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use finsight_core::TenantId;
use finsight_models::Categorizer;

use crate::registry::load_categorizer;
use crate::{CATEGORIZER, CHAMPION, MlopsError, RegistryPorts};

/// A loaded model version.
#[derive(Debug)]
pub struct Served {
    pub version: i64,
    pub run_id: Option<String>,
    pub model: Categorizer,
}

/// What a refresh changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refreshed {
    pub loaded: usize,
    pub kept: usize,
    pub dropped: usize,
    pub failed: usize,
}

type Models = Arc<HashMap<TenantId, Arc<Served>>>;

pub struct CategorizerServing {
    store: Arc<dyn RegistryPorts>,
    current: RwLock<Models>,
}

impl CategorizerServing {
    pub fn new(store: Arc<dyn RegistryPorts>) -> Self {
        Self {
            store,
            current: RwLock::new(Arc::default()),
        }
    }

    /// The tenant's champion, if it has one.
    pub fn get(&self, tenant: TenantId) -> Option<Arc<Served>> {
        self.snapshot().get(&tenant).cloned()
    }

    fn snapshot(&self) -> Models {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Loads what the `champion` aliases point at now. A version that fails
    /// to load leaves the tenant on the model it had.
    pub async fn refresh(&self) -> Result<Refreshed, MlopsError> {
        let old = self.snapshot();
        let mut next: HashMap<TenantId, Arc<Served>> = HashMap::new();
        let mut refreshed = Refreshed::default();
        for (tenant, version) in self.store.aliased_versions(CHAMPION).await? {
            if version.name != CATEGORIZER {
                continue;
            }
            if let Some(served) = old.get(&tenant).filter(|s| s.version == version.version) {
                next.insert(tenant, Arc::clone(served));
                refreshed.kept += 1;
                continue;
            }
            match load_categorizer(self.store.as_ref(), tenant, &version).await {
                Ok(model) => {
                    tracing::debug!(%tenant, version = version.version, "serving a new categorizer");
                    next.insert(
                        tenant,
                        Arc::new(Served {
                            version: version.version,
                            run_id: version.run_id.clone(),
                            model,
                        }),
                    );
                    refreshed.loaded += 1;
                }
                Err(error) => {
                    tracing::error!(%tenant, version = version.version, %error, "could not load a categorizer; keeping the one served");
                    if let Some(served) = old.get(&tenant) {
                        next.insert(tenant, Arc::clone(served));
                    }
                    refreshed.failed += 1;
                }
            }
        }
        refreshed.dropped = old.keys().filter(|t| !next.contains_key(t)).count();
        if refreshed.loaded > 0 || refreshed.dropped > 0 {
            metrics::counter!("finsight_model_swaps_total", "model" => CATEGORIZER)
                .increment((refreshed.loaded + refreshed.dropped) as u64);
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        Ok(refreshed)
    }

    /// Refreshes every `period` until the task is aborted.
    pub fn spawn_refresh(self: &Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        let serving = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = serving.refresh().await {
                    tracing::warn!(%error, "model refresh failed; serving what was loaded");
                }
            }
        })
    }
}
