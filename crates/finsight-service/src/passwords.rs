//! Password hashing with argon2id. Parameters follow OWASP's password
//! storage cheat sheet (m = 19 MiB, t = 2, p = 1), about 18 ms per hash on
//! one core of the reference machine (see bench/RESULTS.md); tests may use
//! cheaper ones. Stored as PHC strings, so parameters can be raised later
//! and old hashes still verify.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordHashing {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordHashing {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl PasswordHashing {
    /// Cheap parameters for tests only.
    pub fn for_tests() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string (`$argon2id$v=19$m=…`).
    pub fn hash(&self, password: &str) -> String {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .expect("argon2 accepts any password up to 2^32 bytes")
            .to_string()
    }

    /// Checks `password` against a stored PHC string (with the parameters
    /// recorded in it). A malformed stored hash never verifies.
    pub fn verify(&self, password: &str, stored: &str) -> bool {
        PasswordHash::new(stored)
            .map(|hash| {
                self.argon2()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password_and_are_salted() {
        let hashing = PasswordHashing::for_tests();
        let a = hashing.hash("correct horse battery");
        let b = hashing.hash("correct horse battery");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(hashing.verify("correct horse battery", &a));
        assert!(!hashing.verify("correct horse batterx", &a));
        assert!(!hashing.verify("anything", "not a phc string"));
        // Verification uses the parameters stored in the hash.
        assert!(PasswordHashing::default().verify("correct horse battery", &a));
    }
}
