//! The stores' side of field encryption: loading and creating tenants' keys
//! in `data_keys`, resolving which tenant a record belongs to, and sealing
//! or opening the personal columns (see [`crate::vault`]). The statements
//! are the same on both backends, so this is one macro.

use std::sync::Arc;

use finsight_core::{NewTransaction, TransactionId};

use crate::vault::{DataKey, Vault};

/// Columns holding sealed text; the name is bound into each ciphertext.
pub(crate) mod column {
    pub const DESCRIPTION: &str = "transactions.description";
    pub const NOTES: &str = "transactions.notes";
    pub const DISPLAY_NAME: &str = "users.display_name";
    pub const HOUSEHOLD_NAME: &str = "households.name";
    pub const EMAIL: &str = "logins.email";
    pub const QUARANTINE_RAW: &str = "quarantine.raw";
    pub const QUARANTINE_RECORD: &str = "quarantine.record";
    pub const ACCOUNT_REFERENCE: &str = "account_references.reference";
}

/// Every sealed column as (table, id column, column, name bound into the
/// ciphertext), for re-encryption and key status.
pub(crate) const SEALED_COLUMNS: [(&str, &str, &str, &str); 8] = [
    ("transactions", "id", "description", column::DESCRIPTION),
    ("transactions", "id", "notes", column::NOTES),
    ("users", "id", "display_name", column::DISPLAY_NAME),
    ("households", "id", "name", column::HOUSEHOLD_NAME),
    ("logins", "id", "email", column::EMAIL),
    ("quarantine", "id", "raw", column::QUARANTINE_RAW),
    ("quarantine", "id", "record", column::QUARANTINE_RECORD),
    (
        "account_references",
        "reference_index",
        "reference",
        column::ACCOUNT_REFERENCE,
    ),
];

/// A transaction's sealed description and its blind-index terms.
#[derive(Debug, Clone, Default)]
pub struct SealedText {
    pub description: String,
    pub terms: String,
}

/// Seals one record with its tenant's keys.
fn seal_record(
    data: &DataKey,
    index: &DataKey,
    id: TransactionId,
    record: &NewTransaction,
) -> SealedText {
    let text = record.description.as_str();
    SealedText {
        description: Vault::seal(data, column::DESCRIPTION, id.as_uuid().as_bytes(), text),
        terms: Vault::terms(index, text),
    }
}

pub(crate) type KeyPair = (Arc<DataKey>, Arc<DataKey>);

/// Each account's tenant keys; `None` for an unknown account.
pub(crate) type AccountKeys = std::collections::HashMap<finsight_core::AccountId, Option<KeyPair>>;

/// Seals one record with its account's keys (nothing for an unknown
/// account: its batch is refused before anything is written).
pub(crate) fn seal_with(
    keys: &AccountKeys,
    id: TransactionId,
    record: &NewTransaction,
) -> SealedText {
    match keys.get(&record.account_id) {
        Some(Some((data, index))) => seal_record(data, index, id, record),
        _ => SealedText::default(),
    }
}
