//! Privacy building blocks. For now: pseudonyms. Every export, training set
//! and analyst-facing view replaces user and account ids with a keyed
//! HMAC-SHA256 pseudonym derived for one *purpose*, so two exports made for
//! different purposes cannot be joined on their ids, and nobody without the
//! key can go back from a pseudonym to the person.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// The secret every pseudonym is derived from: at least 32 bytes, given as
/// hex. Never printed.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    pub fn from_hex(text: &str) -> Result<Self, PrivacyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| PrivacyError::Invalid {
            field: "pseudonym_key",
            reason: "must be hexadecimal".into(),
        })?;
        if bytes.len() < 32 {
            return Err(PrivacyError::Invalid {
                field: "pseudonym_key",
                reason: format!(
                    "must be at least 32 bytes (64 hex digits), not {}",
                    bytes.len()
                ),
            });
        }
        Ok(Self(bytes))
    }

    /// The pseudonymizer for one purpose (`churn-model-2026`,
    /// `analytics-export`): 1 to 64 characters of `[a-z0-9_-]`.
    pub fn for_purpose(&self, purpose: &str) -> Result<Pseudonymizer, PrivacyError> {
        let valid = !purpose.is_empty()
            && purpose.len() <= 64
            && purpose
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(PrivacyError::Invalid {
                field: "purpose",
                reason: format!("{purpose:?} is not a purpose name (1-64 of a-z 0-9 _ -)"),
            });
        }
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(b"finsight-pseudonym-purpose-v1:");
        mac.update(purpose.as_bytes());
        Ok(Pseudonymizer {
            purpose_key: mac.finalize().into_bytes().to_vec(),
        })
    }
}

/// Turns identifiers into pseudonyms for one purpose.
pub struct Pseudonymizer {
    purpose_key: Vec<u8>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(..)")
    }
}

impl Pseudonymizer {
    /// A stable pseudonym for `kind` (`user`, `account`) and the id's
    /// bytes: `kind_` and 32 hex digits (128 bits of HMAC-SHA256).
    pub fn pseudonym(&self, kind: &str, id: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.purpose_key).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(id);
        let digest = mac.finalize().into_bytes();
        format!("{kind}_{}", hex::encode(&digest[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PseudonymKey {
        PseudonymKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn pseudonyms_are_stable_within_a_purpose_and_unjoinable_across() {
        let analytics = key().for_purpose("analytics").unwrap();
        let training = key().for_purpose("churn-model").unwrap();
        let id = [7u8; 16];
        assert_eq!(
            analytics.pseudonym("user", &id),
            analytics.pseudonym("user", &id)
        );
        assert_ne!(
            analytics.pseudonym("user", &id),
            training.pseudonym("user", &id)
        );
        assert_ne!(
            analytics.pseudonym("user", &id),
            analytics.pseudonym("account", &id)
        );
        assert!(analytics.pseudonym("user", &id).starts_with("user_"));
        let other_key = PseudonymKey::from_hex(&"cd".repeat(32))
            .unwrap()
            .for_purpose("analytics")
            .unwrap();
        assert_ne!(
            analytics.pseudonym("user", &id),
            other_key.pseudonym("user", &id)
        );
    }

    #[test]
    fn weak_keys_and_bad_purposes_are_refused_by_name() {
        assert!(matches!(
            PseudonymKey::from_hex("abcd"),
            Err(PrivacyError::Invalid {
                field: "pseudonym_key",
                ..
            })
        ));
        assert!(matches!(
            PseudonymKey::from_hex("zz"),
            Err(PrivacyError::Invalid {
                field: "pseudonym_key",
                ..
            })
        ));
        assert!(matches!(
            key().for_purpose("Bad Purpose"),
            Err(PrivacyError::Invalid {
                field: "purpose",
                ..
            })
        ));
        assert_eq!(format!("{:?}", key()), "PseudonymKey(..)");
    }
}
