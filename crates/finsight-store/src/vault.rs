//! Field encryption at rest, by envelope: personal text (descriptions,
//! notes, names, emails, quarantined records) is sealed with AES-256-GCM
//! under its tenant's data key; data keys are stored wrapped by the
//! key-encryption key (KEK) that comes from configuration, never from the
//! database. A sealed value names its key (`e1:<key id>:<base64>`), so reads
//! keep working while `finsight keys rotate` moves rows to a new key. Each
//! value is bound to its column and row (AES-GCM associated data), so a
//! ciphertext copied to another row or column does not decrypt.
//!
//! Search that must work over sealed text uses keyed blind indexes: an
//! email's HMAC for sign-in, and the HMACs of a description's words for
//! text search. Index keys are per tenant and separate from data keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use finsight_core::{AccountId, TenantId, UserId};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::StoreError;

/// How long a process trusts its idea of a tenant's active key before it
/// asks the database again (so a rotation by another process is picked up).
pub const ACTIVE_KEY_TTL: Duration = Duration::from_secs(2);

const PREFIX: &str = "e1:";

/// The key-encryption key: 32 bytes, given as 64 hex digits. Never printed.
#[derive(Clone)]
pub struct Kek([u8; 32]);

impl Kek {
    pub fn from_hex(text: &str) -> Result<Self, StoreError> {
        let bytes = hex::decode(text.trim()).map_err(|_| {
            StoreError::Config("encryption key: must be 64 hex digits (32 bytes)".into())
        })?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            StoreError::Config("encryption key: must be 64 hex digits (32 bytes)".into())
        })?;
        Ok(Self(key))
    }

    /// A fresh random key (for a development data directory).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Names the KEK without revealing it: the first 8 bytes of its SHA-256.
    pub fn id(&self) -> [u8; 8] {
        let digest = Sha256::digest(self.0);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        id
    }
}

impl std::fmt::Debug for Kek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kek(..)")
    }
}

/// What a key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Seals field values; rotates.
    Data,
    /// Keys blind indexes; stable, so indexes need no rebuild on rotation.
    Index,
}

impl KeyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyPurpose::Data => "data",
            KeyPurpose::Index => "index",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "data" => Ok(KeyPurpose::Data),
            "index" => Ok(KeyPurpose::Index),
            other => Err(StoreError::Corrupt(format!("key purpose {other:?}"))),
        }
    }
}

/// A row of `data_keys`.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub id: Vec<u8>,
    pub tenant: uuid::Uuid,
    pub purpose: String,
    pub version: i32,
    pub wrapped: Vec<u8>,
    pub kek_id: Vec<u8>,
    pub state: String,
}

/// An unwrapped key.
pub(crate) struct DataKey {
    pub id: [u8; 8],
    pub tenant: TenantId,
    pub purpose: KeyPurpose,
    pub active: bool,
    cipher: Aes256Gcm,
    /// HMAC keyed once; cloned per use.
    mac: Hmac<Sha256>,
    /// Word hashes already computed (bank descriptions repeat their words).
    words: std::sync::Mutex<HashMap<String, [u8; 4], foldhash::fast::RandomState>>,
}

/// Most cached word hashes per key before the cache starts over.
const WORD_CACHE: usize = 200_000;

impl DataKey {
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }
}

#[derive(Default)]
struct State {
    keys: HashMap<[u8; 8], Arc<DataKey>>,
    /// Active data and index key per tenant, with when that was read.
    active: HashMap<(TenantId, KeyPurpose), ([u8; 8], Instant)>,
    tenant_of_user: HashMap<UserId, TenantId>,
    tenant_of_account: HashMap<AccountId, TenantId>,
}

/// The process's keyring and tenant lookups. Pure crypto and caches; the
/// stores load it from their `data_keys` table.
pub struct Vault {
    kek: Aes256Gcm,
    kek_id: [u8; 8],
    state: RwLock<State>,
}

/// The tenant of data that belongs to no tenant yet (quarantined records
/// whose account is unknown).
pub fn system_tenant() -> TenantId {
    TenantId::from_uuid(uuid::Uuid::nil())
}

/// AES-256-GCM with a fresh random nonce: `nonce ‖ ciphertext ‖ tag`.
fn seal_bytes(cipher: &Aes256Gcm, msg: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(&Nonce::from(nonce), Payload { msg, aad })
        .expect("AES-GCM encryption does not fail");
    let mut out = Vec::with_capacity(12 + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens what [`seal_bytes`] made; `None` if it does not authenticate.
fn open_bytes(cipher: &Aes256Gcm, bytes: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    cipher
        .decrypt(&nonce_of(nonce), Payload { msg: sealed, aad })
        .ok()
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
}

fn nonce_of(bytes: &[u8]) -> Nonce<aes_gcm::aead::consts::U12> {
    let array: [u8; 12] = bytes.try_into().expect("split at 12 bytes");
    Nonce::from(array)
}

fn wrap_aad(id: &[u8], tenant: uuid::Uuid, purpose: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(id.len() + 16 + purpose.len());
    aad.extend_from_slice(id);
    aad.extend_from_slice(tenant.as_bytes());
    aad.extend_from_slice(purpose.as_bytes());
    aad
}

fn field_aad(column: &str, row: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(column.len() + 1 + row.len());
    aad.extend_from_slice(column.as_bytes());
    aad.push(0);
    aad.extend_from_slice(row);
    aad
}

/// Why a stored value could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Sealed under a key this process has not loaded (yet).
    UnknownKey(String),
    Corrupt(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::UnknownKey(id) => write!(f, "sealed under unknown key {id}"),
            OpenError::Corrupt(why) => f.write_str(why),
        }
    }
}

impl Vault {
    pub fn new(kek: &Kek) -> Self {
        Self {
            kek: Aes256Gcm::new_from_slice(&kek.0).expect("32-byte key"),
            kek_id: kek.id(),
            state: RwLock::new(State::default()),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// A new random key for `tenant`, wrapped by the KEK, as a row to store.
    pub fn new_key_row(&self, tenant: TenantId, purpose: KeyPurpose, version: i32) -> KeyRow {
        let mut id = [0u8; 8];
        let mut material = [0u8; 32];
        let mut rng = rand::rng();
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut material);
        let aad = wrap_aad(&id, tenant.as_uuid(), purpose.as_str());
        let wrapped = seal_bytes(&self.kek, &material, &aad);
        KeyRow {
            id: id.to_vec(),
            tenant: tenant.as_uuid(),
            purpose: purpose.as_str().into(),
            version,
            wrapped,
            kek_id: self.kek_id.to_vec(),
            state: "active".into(),
        }
    }

    /// The same key wrapped by `new` instead of this vault's KEK.
    pub fn rewrap(&self, row: &KeyRow, new: &Kek) -> Result<KeyRow, StoreError> {
        if row.kek_id != self.kek_id {
            return Err(StoreError::Config(
                "encryption key: a data key is not wrapped by the configured key".into(),
            ));
        }
        let aad = wrap_aad(&row.id, row.tenant, &row.purpose);
        let material = open_bytes(&self.kek, &row.wrapped, &aad).ok_or_else(|| {
            StoreError::Config(format!(
                "encryption key: data key {} does not unwrap with the configured key",
                hex::encode(&row.id)
            ))
        })?;
        let new_cipher = Aes256Gcm::new_from_slice(&new.0).expect("32-byte key");
        Ok(KeyRow {
            wrapped: seal_bytes(&new_cipher, &material, &aad),
            kek_id: new.id().to_vec(),
            ..row.clone()
        })
    }

    /// Replaces the keyring with `rows` (all of `data_keys`), unwrapping
    /// each. A key wrapped by another KEK is a configuration error.
    pub fn install(&self, rows: Vec<KeyRow>) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut keys = HashMap::new();
        let mut active = HashMap::new();
        for row in rows {
            let id: [u8; 8] = row
                .id
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::Corrupt("data key id".into()))?;
            if row.kek_id != self.kek_id {
                return Err(StoreError::Config(
                    "encryption key: the configured key-encryption key is not the one the \
                     data keys were wrapped with"
                        .into(),
                ));
            }
            let aad = wrap_aad(&id, row.tenant, &row.purpose);
            let material = open_bytes(&self.kek, &row.wrapped, &aad).ok_or_else(|| {
                StoreError::Config(format!(
                    "encryption key: data key {} does not unwrap with the configured key",
                    hex::encode(id)
                ))
            })?;
            let material: [u8; 32] = material
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("data key {}", hex::encode(id))))?;
            let purpose = KeyPurpose::parse(&row.purpose)?;
            let tenant = TenantId::from_uuid(row.tenant);
            let is_active = row.state == "active";
            if is_active {
                active.insert((tenant, purpose), (id, now));
            }
            keys.insert(
                id,
                Arc::new(DataKey {
                    id,
                    tenant,
                    purpose,
                    active: is_active,
                    cipher: Aes256Gcm::new_from_slice(&material).expect("32-byte key"),
                    mac: <Hmac<Sha256> as Mac>::new_from_slice(&material).expect("any key length"),
                    words: std::sync::Mutex::new(HashMap::default()),
                }),
            );
        }
        let mut state = self.write();
        // Keep keys this process already held (a row read just before a key
        // was destroyed can still be opened).
        for (id, key) in state.keys.drain() {
            keys.entry(id).or_insert(key);
        }
        state.keys = keys;
        state.active = active;
        Ok(())
    }

    /// The tenant's active key for `purpose`, unless it is unknown or was
    /// read longer than [`ACTIVE_KEY_TTL`] ago.
    pub(crate) fn active(&self, tenant: TenantId, purpose: KeyPurpose) -> Option<Arc<DataKey>> {
        let state = self.read();
        let (id, read_at) = state.active.get(&(tenant, purpose))?;
        if purpose == KeyPurpose::Data && read_at.elapsed() > ACTIVE_KEY_TTL {
            return None;
        }
        state.keys.get(id).cloned()
    }

    /// Every key, for `finsight keys status`.
    pub(crate) fn keys(&self) -> Vec<Arc<DataKey>> {
        self.read().keys.values().cloned().collect()
    }

    pub fn remember_users(&self, users: impl IntoIterator<Item = (UserId, TenantId)>) {
        self.write().tenant_of_user.extend(users);
    }

    pub fn remember_accounts(&self, accounts: impl IntoIterator<Item = (AccountId, TenantId)>) {
        self.write().tenant_of_account.extend(accounts);
    }

    pub fn tenant_of_user(&self, user: UserId) -> Option<TenantId> {
        self.read().tenant_of_user.get(&user).copied()
    }

    pub fn tenant_of_account(&self, account: AccountId) -> Option<TenantId> {
        self.read().tenant_of_account.get(&account).copied()
    }

    /// Seals `text` for `column` of row `row`.
    pub(crate) fn seal(key: &DataKey, column: &str, row: &[u8], text: &str) -> String {
        let bytes = seal_bytes(&key.cipher, text.as_bytes(), &field_aad(column, row));
        let mut out = String::with_capacity(PREFIX.len() + 17 + bytes.len() * 4 / 3 + 4);
        out.push_str(PREFIX);
        out.push_str(&key.id_hex());
        out.push(':');
        URL_SAFE_NO_PAD.encode_string(&bytes, &mut out);
        out
    }

    /// The key id of a sealed value; `None` for plain text (written before
    /// encryption, or never sealed).
    pub fn sealed_key_id(stored: &str) -> Option<&str> {
        let rest = stored.strip_prefix(PREFIX)?;
        let (id, _) = rest.split_once(':')?;
        (id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
    }

    /// Opens a stored value (plain text passes through unchanged).
    pub(crate) fn open(&self, column: &str, row: &[u8], stored: &str) -> Result<String, OpenError> {
        let Some(id_hex) = Self::sealed_key_id(stored) else {
            return Ok(stored.to_owned());
        };
        let body = &stored[PREFIX.len() + 17..];
        let mut id = [0u8; 8];
        hex::decode_to_slice(id_hex, &mut id)
            .map_err(|_| OpenError::Corrupt(format!("{column}: bad key id")))?;
        let key = self
            .read()
            .keys
            .get(&id)
            .cloned()
            .ok_or_else(|| OpenError::UnknownKey(id_hex.to_owned()))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| OpenError::Corrupt(format!("{column}: not base64")))?;
        let plain = open_bytes(&key.cipher, &bytes, &field_aad(column, row)).ok_or_else(|| {
            OpenError::Corrupt(format!(
                "{column}: does not authenticate (tampered or moved)"
            ))
        })?;
        String::from_utf8(plain).map_err(|_| OpenError::Corrupt(format!("{column}: not UTF-8")))
    }

    fn mac(key: &DataKey, domain: &str, text: &str) -> [u8; 32] {
        let mut mac = key.mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The blind index of an exact value (a normalised email).
    pub(crate) fn blind_index(key: &DataKey, domain: &str, text: &str) -> Vec<u8> {
        Self::mac(key, domain, text)[..16].to_vec()
    }

    /// The keyed hashes of the words of `text` (lower-cased runs of letters
    /// and digits, at most 32 distinct), sorted and deduplicated.
    fn word_hashes(key: &DataKey, text: &str) -> Vec<[u8; 4]> {
        let mut cache = key.words.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > WORD_CACHE {
            cache.clear();
        }
        let mut hashes: Vec<[u8; 4]> = Vec::new();
        let mut word = String::new();
        for piece in text.split(|c: char| !c.is_alphanumeric()) {
            if piece.is_empty() {
                continue;
            }
            word.clear();
            if piece.is_ascii() {
                word.push_str(piece);
                word.make_ascii_lowercase();
            } else {
                word.extend(piece.chars().flat_map(char::to_lowercase));
            }
            let hash = match cache.get(word.as_str()) {
                Some(hash) => *hash,
                None => {
                    let full = Self::mac(key, "word", &word);
                    let mut hash = [0u8; 4];
                    hash.copy_from_slice(&full[..4]);
                    cache.insert(word.clone(), hash);
                    hash
                }
            };
            hashes.push(hash);
            if hashes.len() >= 64 {
                break;
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        hashes.truncate(32);
        hashes
    }

    /// The searchable terms of a description: ` h1  h2  … ` (sorted, each
    /// with its own spaces, so a pattern can match neighbours).
    pub(crate) fn terms(key: &DataKey, text: &str) -> String {
        let hashes = Self::word_hashes(key, text);
        let mut out = String::with_capacity(hashes.len() * 10);
        for hash in hashes {
            out.push(' ');
            push_hex(&mut out, &hash);
            out.push(' ');
        }
        out
    }

    /// A `LIKE` pattern over [`Vault::terms`] matching every word of
    /// `query`; `None` when the query has no words.
    pub(crate) fn terms_pattern(key: &DataKey, query: &str) -> Option<String> {
        let hashes = Self::word_hashes(key, query);
        if hashes.is_empty() {
            return None;
        }
        let mut pattern = String::from("%");
        for hash in hashes {
            pattern.push(' ');
            push_hex(&mut pattern, &hash);
            pattern.push_str(" %");
        }
        Some(pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault_with_key() -> (Vault, Arc<DataKey>, Arc<DataKey>) {
        let vault = Vault::new(&Kek::generate());
        let tenant = TenantId::from_random_bytes([1; 16]);
        vault
            .install(vec![
                vault.new_key_row(tenant, KeyPurpose::Data, 1),
                vault.new_key_row(tenant, KeyPurpose::Index, 1),
            ])
            .unwrap();
        let data = vault.active(tenant, KeyPurpose::Data).unwrap();
        let index = vault.active(tenant, KeyPurpose::Index).unwrap();
        (vault, data, index)
    }

    #[test]
    fn sealed_values_open_only_in_their_row_and_column() {
        let (vault, key, _) = vault_with_key();
        let sealed = Vault::seal(&key, "transactions.description", b"row-1", "ANN'S BAKERY");
        assert!(sealed.starts_with("e1:"));
        assert!(!sealed.contains("BAKERY"));
        assert_eq!(Vault::sealed_key_id(&sealed), Some(key.id_hex().as_str()));
        assert_eq!(
            vault
                .open("transactions.description", b"row-1", &sealed)
                .unwrap(),
            "ANN'S BAKERY"
        );
        assert!(matches!(
            vault.open("transactions.description", b"row-2", &sealed),
            Err(OpenError::Corrupt(_))
        ));
        assert!(matches!(
            vault.open("transactions.notes", b"row-1", &sealed),
            Err(OpenError::Corrupt(_))
        ));
        // Two seals of the same text differ (random nonces).
        assert_ne!(
            sealed,
            Vault::seal(&key, "transactions.description", b"row-1", "ANN'S BAKERY")
        );
        // Plain text (from before encryption) passes through.
        assert_eq!(vault.open("c", b"r", "PLAIN TEXT").unwrap(), "PLAIN TEXT");
    }

    #[test]
    fn unknown_keys_and_foreign_keks_are_reported() {
        let (vault, key, _) = vault_with_key();
        let sealed = Vault::seal(&key, "c", b"r", "x");
        let other = Vault::new(&Kek::generate());
        assert!(matches!(
            other.open("c", b"r", &sealed),
            Err(OpenError::UnknownKey(_))
        ));
        let row = vault.new_key_row(TenantId::from_random_bytes([2; 16]), KeyPurpose::Data, 1);
        assert!(matches!(
            other.install(vec![row]),
            Err(StoreError::Config(_))
        ));
    }

    #[test]
    fn word_search_matches_every_word_in_any_order() {
        let (_, _, index) = vault_with_key();
        let terms = Vault::terms(&index, "SQ *BLUE BOTTLE 0423");
        let matches = |query: &str| {
            let pattern = Vault::terms_pattern(&index, query).unwrap();
            like(&terms, &pattern)
        };
        assert!(matches("blue"));
        assert!(matches("bottle BLUE"));
        assert!(
            matches("sq blue bottle 0423"),
            "every word, neighbours included"
        );
        assert!(!matches("blue cheese"));
        assert!(!matches("blu"));
        assert!(Vault::terms_pattern(&index, "%_ ").is_none());
    }

    /// SQL `LIKE` with only `%` wildcards, for the test.
    fn like(text: &str, pattern: &str) -> bool {
        let parts: Vec<&str> = pattern.split('%').collect();
        let mut rest = text;
        for (i, part) in parts.iter().enumerate() {
            if i == 0 {
                if !rest.starts_with(part) {
                    return false;
                }
                rest = &rest[part.len()..];
            } else if let Some(at) = rest.find(part) {
                rest = &rest[at + part.len()..];
            } else {
                return false;
            }
        }
        true
    }

    #[test]
    fn blind_indexes_are_keyed_and_stable() {
        let (_, _, index) = vault_with_key();
        let (_, _, other) = vault_with_key();
        let a = Vault::blind_index(&index, "email", "ann@example.com");
        assert_eq!(a, Vault::blind_index(&index, "email", "ann@example.com"));
        assert_ne!(a, Vault::blind_index(&other, "email", "ann@example.com"));
        assert_ne!(a, Vault::blind_index(&index, "email", "bea@example.com"));
    }
}
