-- Audit retention: entries older than the retention period are pruned; the
-- last pruned entry's sequence number and hash stay here, and verification
-- starts from them (the pruning itself is an entry of the chain).
CREATE TABLE audit_checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BYTEA NOT NULL
);
