//! Bearer secrets: 32 random bytes, hex, behind a prefix that says what they
//! are (`fsa_` access, `fsr_` refresh, `fsk_` API key) so a leaked one is
//! recognisable by secret scanners. Only their SHA-256 is stored.

use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
    ApiKey,
}

impl TokenKind {
    fn prefix(self) -> &'static str {
        match self {
            TokenKind::Access => "fsa_",
            TokenKind::Refresh => "fsr_",
            TokenKind::ApiKey => "fsk_",
        }
    }

    /// The kind a presented token claims to be, by its prefix.
    pub fn of(token: &str) -> Option<TokenKind> {
        [TokenKind::Access, TokenKind::Refresh, TokenKind::ApiKey]
            .into_iter()
            .find(|kind| token.starts_with(kind.prefix()))
    }
}

/// A fresh secret of `kind` and the hash to store.
pub fn generate(kind: TokenKind) -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{}{}", kind.prefix(), hex::encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Random bytes for ids.
pub fn random_id() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hash_stably() {
        let (a, hash_a) = generate(TokenKind::Access);
        let (b, _) = generate(TokenKind::Access);
        assert_ne!(a, b);
        assert!(a.starts_with("fsa_") && a.len() == 68);
        assert_eq!(hash(&a), hash_a);
        assert_eq!(TokenKind::of(&a), Some(TokenKind::Access));
        assert_eq!(TokenKind::of("fsk_00"), Some(TokenKind::ApiKey));
        assert_eq!(TokenKind::of("Bearer x"), None);
    }
}
