//! The application services both API surfaces call: authentication
//! (passwords, sessions, API keys, lockout) and every read or write made on
//! behalf of a [`Principal`](finsight_core::Principal). Authorization lives
//! here, not in handlers, so REST and GraphQL cannot diverge: each method
//! takes the principal, loads who owns the data, and asks the policy in
//! `finsight_core::identity`.

pub mod auth;
mod error;
pub mod households;
pub mod ledger;
pub mod operations;
pub mod passwords;
pub mod tokens;

use std::sync::Arc;

use finsight_core::Clock;
use finsight_store::Store;

pub use auth::{AuthSettings, Authenticator, IssuedSession};
pub use error::ServiceError;
pub use passwords::PasswordHashing;

/// The services, wired to one store and clock.
#[derive(Clone)]
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub auth: Authenticator,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: AuthSettings) -> Self {
        let auth = Authenticator::new(Arc::clone(&store), Arc::clone(&clock), settings);
        Self { store, clock, auth }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}
