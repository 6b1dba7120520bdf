//! The application services both API surfaces call: authentication
//! (passwords, sessions, API keys, lockout) and every read or write made on
//! behalf of a [`Principal`](finsight_core::Principal). Authorization lives
//! here, not in handlers, so REST and GraphQL cannot diverge: each method
//! takes the principal, loads who owns the data, and asks the policy in
//! `finsight_core::identity`.

pub mod accounts;
pub mod alerts;
pub mod auth;
pub mod dashboard;
mod error;
pub mod features;
pub mod forecasts;
mod fx;
pub mod households;
pub mod ingest;
pub mod invitations;
pub mod ledger;
pub mod models;
pub mod operations;
pub mod passwords;
pub mod planning;
pub mod recurring;
pub mod tokens;
pub mod tracking;

use std::sync::Arc;

use finsight_core::Clock;
use finsight_store::Store;

pub use auth::{AuthSettings, Authenticator, IssuedSession};
pub use error::ServiceError;
pub use passwords::PasswordHashing;

/// The pseudonym purpose of everything analysts see.
pub const ANALYST_VIEW: &str = "analyst-view";

/// The services, wired to one store and clock.
#[derive(Clone)]
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub auth: Authenticator,
    /// Pseudonyms for analyst-facing views (purpose `analyst-view`); without
    /// a key, analysts see no account ids at all.
    pub(crate) analyst_pseudonyms: Option<Arc<finsight_privacy::Pseudonymizer>>,
    pub(crate) taxonomy: Arc<finsight_core::Taxonomy>,
    pub(crate) importer: Arc<finsight_ingest::import::Importer>,
    /// The online feature store the feature routes read.
    pub(crate) features: Option<features::FeatureServing>,
    /// New alerts, live.
    pub(crate) alert_hub: Arc<alerts::AlertHub>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: AuthSettings) -> Self {
        let auth = Authenticator::new(Arc::clone(&store), Arc::clone(&clock), settings);
        let taxonomy = finsight_core::Taxonomy::default_tree();
        let importer = Arc::new(finsight_ingest::import::Importer::new(
            Arc::clone(&store),
            taxonomy.clone(),
            Arc::clone(&clock),
        ));
        Self {
            store,
            clock,
            auth,
            analyst_pseudonyms: None,
            taxonomy: Arc::new(taxonomy),
            importer,
            features: None,
            alert_hub: Arc::default(),
        }
    }

    /// The online feature store and its views, when configured: models in
    /// the same process read vectors through it without a copy.
    pub fn online_features(
        &self,
    ) -> Option<(
        &Arc<finsight_features::FeatureSet>,
        &Arc<dyn finsight_features::OnlineStore>,
    )> {
        self.features.as_ref().map(|f| (&f.set, &f.online))
    }

    /// The same services, serving features from `online`.
    pub fn with_features(
        mut self,
        set: Arc<finsight_features::FeatureSet>,
        online: Arc<dyn finsight_features::OnlineStore>,
    ) -> Self {
        self.features = Some(features::FeatureServing { set, online });
        self
    }

    /// The same services with other authentication settings; everything
    /// else (a pseudonym key set before, the importer) is kept.
    pub fn with_auth_settings(mut self, settings: AuthSettings) -> Self {
        self.auth = Authenticator::new(Arc::clone(&self.store), Arc::clone(&self.clock), settings);
        self
    }

    /// The importer the ingestion use-cases run (for operators' tools).
    pub fn importer(&self) -> &Arc<finsight_ingest::import::Importer> {
        &self.importer
    }

    /// The category tree.
    pub fn taxonomy(&self) -> &finsight_core::Taxonomy {
        &self.taxonomy
    }

    /// The same services, pseudonymizing analyst-facing ids with `key`.
    pub fn with_pseudonym_key(
        mut self,
        key: &finsight_privacy::PseudonymKey,
    ) -> Result<Self, finsight_privacy::PrivacyError> {
        self.analyst_pseudonyms = Some(Arc::new(key.for_purpose(ANALYST_VIEW)?));
        Ok(self)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The clock every service reads time from.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }
}
