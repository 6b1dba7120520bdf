-- Ingestion and stream processing: quarantine, account aliases, saved CSV
-- profiles, import runs (data quality), stream-processor positions, user
-- category rules, HTTP idempotency keys and scheduled job runs.

-- Who set a transaction's category: 'source' (the bank file), 'rule' (the
-- user's rule), 'mcc' (merchant category code), later 'model' and 'user'.
ALTER TABLE transactions ADD COLUMN category_source TEXT;
UPDATE transactions SET category_source = 'source' WHERE category IS NOT NULL;


-- New transactions per source, account and posting day, kept up to date
-- by the store's inserts, one upsert per day and account per batch
-- (data-quality volume and freshness read this, not the whole ledger).
CREATE TABLE daily_volumes (
    source       TEXT NOT NULL,
    account_id   BLOB NOT NULL,
    day          TEXT NOT NULL,
    transactions INTEGER NOT NULL,
    PRIMARY KEY (source, account_id, day)
);
INSERT INTO daily_volumes (source, account_id, day, transactions)
SELECT source, account_id, posted_on, COUNT(*) FROM transactions GROUP BY source, account_id, posted_on;



CREATE TABLE quarantine (
    id          BLOB PRIMARY KEY NOT NULL,
    source      TEXT NOT NULL,
    origin      TEXT NOT NULL,
    location    TEXT NOT NULL,
    raw         TEXT NOT NULL,
    field       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    record      TEXT,
    account_id  BLOB REFERENCES accounts (id),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    transaction_id BLOB
);
CREATE INDEX quarantine_status ON quarantine (status, created_at, id);

CREATE TABLE account_aliases (
    reference  TEXT PRIMARY KEY NOT NULL,
    account_id BLOB NOT NULL REFERENCES accounts (id)
);

CREATE TABLE csv_profiles (
    name       TEXT PRIMARY KEY NOT NULL,
    profile    TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE import_runs (
    id          BLOB PRIMARY KEY NOT NULL,
    source      TEXT NOT NULL,
    origin      TEXT NOT NULL,
    account_id  BLOB,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    accepted    INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    quarantined INTEGER NOT NULL,
    columns     TEXT
);
CREATE INDEX import_runs_source ON import_runs (source, finished_at);

CREATE TABLE processor_positions (
    stage      TEXT PRIMARY KEY NOT NULL,
    position   INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE category_rules (
    id         BLOB PRIMARY KEY NOT NULL,
    user_id    BLOB NOT NULL REFERENCES users (id),
    pattern    TEXT NOT NULL,
    category   TEXT NOT NULL,
    priority   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX category_rules_user ON category_rules (user_id);

CREATE TABLE idempotency_keys (
    key          TEXT PRIMARY KEY NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    response     TEXT,
    created_at   TEXT NOT NULL
);

CREATE TABLE job_runs (
    job         TEXT NOT NULL,
    run_key     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    outcome     TEXT,
    PRIMARY KEY (job, run_key)
);
