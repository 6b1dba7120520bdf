//! The tamper-evident audit log's chain: each entry carries the hash of the
//! one before it, so an edited, deleted or reordered entry breaks the chain
//! at that point. Pure: hashing and verification, no storage.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// What happened, by whom, to what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who: a user id, `cli`, `api`, `system`.
    pub actor: String,
    /// What: `import`, `quarantine.retry`, `rule.add`, ...
    pub action: String,
    /// Which records: a file name, an account, a rule id.
    pub subject: String,
    /// Free detail (counts, reasons), never personal data.
    pub detail: String,
}

/// An entry as stored: its place in the chain and the hashes that link it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub event: AuditEvent,
    /// The previous entry's hash (all zeros for the first entry).
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The hash of an entry: SHA-256 over its sequence number, time (Unix
/// nanoseconds), event fields (length-prefixed) and the previous hash.
pub fn entry_hash(
    seq: i64,
    at: OffsetDateTime,
    event: &AuditEvent,
    prev_hash: &[u8; 32],
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"finsight-audit-v1");
    hasher.update(seq.to_be_bytes());
    hasher.update(at.unix_timestamp_nanos().to_be_bytes());
    for field in [&event.actor, &event.action, &event.subject, &event.detail] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.update(prev_hash);
    hasher.finalize().into()
}

/// The first place the chain is broken, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first bad entry.
    pub seq: i64,
    pub reason: String,
}

/// Walks entries in sequence order from the start of the log and returns
/// the first break.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    expected_seq: Option<i64>,
    prev_hash: [u8; 32],
    checked: u64,
}

impl ChainVerifier {
    /// Starts after a retention checkpoint: the last pruned entry's
    /// sequence number and hash, which the first kept entry must link to.
    pub fn from_checkpoint(seq: i64, hash: [u8; 32]) -> Self {
        Self {
            expected_seq: Some(seq + 1),
            prev_hash: hash,
            checked: 0,
        }
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// Checks the next entry.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let broken = |reason: String| ChainBreak {
            seq: entry.seq,
            reason,
        };
        if let Some(expected) = self.expected_seq
            && entry.seq != expected
        {
            return Err(broken(format!(
                "expected entry {expected} next: entries {expected} to {} are missing",
                entry.seq - 1
            )));
        }
        if entry.prev_hash != self.prev_hash {
            return Err(broken(
                "does not link to the entry before it (an entry was deleted, reordered or edited)"
                    .into(),
            ));
        }
        if entry_hash(entry.seq, entry.at, &entry.event, &entry.prev_hash) != entry.hash {
            return Err(broken(
                "its content does not match its hash (the entry was edited)".into(),
            ));
        }
        self.expected_seq = Some(entry.seq + 1);
        self.prev_hash = entry.hash;
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_checkpoint_stands_in_for_pruned_entries() {
        let entries = chain(5);
        let mut verifier = ChainVerifier::from_checkpoint(2, entries[1].hash);
        for entry in &entries[2..] {
            verifier.check(entry).unwrap();
        }
        assert_eq!(verifier.checked(), 3);
        // Pruning one more than the checkpoint says is caught.
        let mut verifier = ChainVerifier::from_checkpoint(2, entries[1].hash);
        assert_eq!(verifier.check(&entries[3]).unwrap_err().seq, 4);
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    actor: "cli".into(),
                    action: "import".into(),
                    subject: format!("file-{seq}.csv"),
                    detail: "accepted=3".into(),
                };
                let at = datetime!(2026-03-20 09:00 UTC) + time::Duration::seconds(seq);
                let hash = entry_hash(seq, at, &event, &prev);
                let entry = AuditEntry {
                    seq,
                    at,
                    event,
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn first_break(entries: &[AuditEntry]) -> Option<i64> {
        let mut verifier = ChainVerifier::default();
        entries
            .iter()
            .find_map(|e| verifier.check(e).err())
            .map(|b| b.seq)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(first_break(&chain(10)), None);
    }

    #[test]
    fn edits_deletions_and_swaps_are_caught_where_they_happen() {
        let mut edited = chain(10);
        edited[4].event.detail = "accepted=300".into();
        assert_eq!(first_break(&edited), Some(5));

        let mut deleted = chain(10);
        deleted.remove(6);
        assert_eq!(first_break(&deleted), Some(8));

        let mut swapped = chain(10);
        let (a, b) = (swapped[2].clone(), swapped[3].clone());
        swapped[2] = AuditEntry { seq: 3, ..b };
        swapped[3] = AuditEntry { seq: 4, ..a };
        assert_eq!(first_break(&swapped), Some(3));
    }
}
