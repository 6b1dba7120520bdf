-- The tamper-evident audit log: append-only, each entry hash-chained to the
-- one before it (see finsight_core::audit). Entries are never updated or
-- deleted by Finsight; `finsight audit verify` detects anyone who does.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);
