-- Field encryption at rest (see src/vault.rs). Data keys are stored
-- wrapped by the key-encryption key, which never enters the database.
-- Personal columns (descriptions, notes, names, emails, quarantined text)
-- hold `e1:<key id>:<base64>` ciphertexts from now on; searchable ones get a
-- keyed blind index beside them.
CREATE TABLE data_keys (
    id         BYTEA PRIMARY KEY,
    tenant_id  UUID NOT NULL,
    purpose    TEXT NOT NULL CHECK (purpose IN ('data', 'index')),
    version    INTEGER NOT NULL,
    wrapped    BYTEA NOT NULL,
    kek_id     BYTEA NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('active', 'retiring')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, purpose, version)
);

-- Keyed hashes of a description's words, for text search.
ALTER TABLE transactions ADD COLUMN description_terms TEXT;

-- The email's keyed hash: sign-in looks logins up by it.
ALTER TABLE logins ADD COLUMN email_index BYTEA;
CREATE UNIQUE INDEX logins_email_index ON logins (email_index);
