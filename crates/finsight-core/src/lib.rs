//! Finsight's domain: the types every other crate speaks, and the pure rules
//! that keep them valid. Nothing here does I/O, reads a clock or the
//! environment; values are parsed at the edge, so a value of these types is
//! always valid.

pub mod account;
pub mod audit;
pub mod categorize;
pub mod category;
pub mod clock;
pub mod directory;
pub mod error;
pub mod identity;
pub mod ids;
pub mod money;
pub mod pan;
pub mod text;
pub mod transaction;

pub use account::{Account, AccountKind};
pub use categorize::{CategoryRule, CategorySource, apply_rules, mcc_category};
pub use category::{Category, CategoryId, Taxonomy};
pub use clock::{Clock, FixedClock};
pub use directory::{Household, Tenant, User};
pub use error::ValidationError;
pub use identity::{
    Action, Decision, Email, HouseholdRole, LoginKind, Membership, Owner, Password, Principal,
    StaffRole,
};
pub use ids::{AccountId, ApiKeyId, HouseholdId, LoginId, TenantId, TransactionId, UserId};
pub use money::{Currency, Money};
pub use transaction::{
    Description, Fingerprint, IdentifiedTransaction, Mcc, NewTransaction, PostingDate, SourceName,
    Transaction,
};
