//! Identifier newtypes, so a user id can never be passed where an account id
//! is expected. All are UUIDs; their text form is the hyphenated UUID.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::ValidationError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// An id made from 16 caller-supplied random bytes (a seeded
            /// generator makes reproducible ids; the domain reads no entropy).
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            pub fn parse(text: &str) -> Result<Self, ValidationError> {
                Uuid::parse_str(text.trim())
                    .map(Self)
                    .map_err(|_| ValidationError::new($field, format!("{text:?} is not a uuid")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(
    /// A customer of the finance company; the unit of data isolation.
    TenantId,
    "tenant_id"
);
uuid_id!(
    /// People who share finances; users of one household may share accounts.
    HouseholdId,
    "household_id"
);
uuid_id!(
    /// One person.
    UserId,
    "user_id"
);
uuid_id!(
    /// One account at a bank, card issuer or broker, or a cash wallet.
    AccountId,
    "account_id"
);
uuid_id!(
    /// A ledger transaction. Derived from the transaction's fingerprint, so
    /// the same record always gets the same id, on every backend.
    TransactionId,
    "transaction_id"
);
uuid_id!(
    /// Something that can sign in: a person's login or a staff member's.
    LoginId,
    "login_id"
);
uuid_id!(
    /// A key another system of the finance app uses to call the API.
    ApiKeyId,
    "api_key_id"
);
