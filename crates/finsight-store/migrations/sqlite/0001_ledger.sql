-- The ledger on SQLite: money as integer minor units, ids as 16-byte blobs,
-- dates as ISO 8601 text. Every inserted transaction gets an outbox row in
-- the same database transaction (trigger), so the stream processor never
-- misses one.
-- Transaction ids start with the posting day, so a file's (or a stream's)
-- inserts land close together in every index.

CREATE TABLE tenants (
    id   BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE households (
    id        BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    name      TEXT NOT NULL
);

CREATE TABLE users (
    id           BLOB PRIMARY KEY NOT NULL,
    tenant_id    BLOB NOT NULL REFERENCES tenants (id),
    household_id BLOB NOT NULL REFERENCES households (id),
    display_name TEXT NOT NULL
);
CREATE INDEX users_household ON users (household_id);

CREATE TABLE accounts (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('checking', 'savings', 'credit_card', 'loan', 'investment', 'cash')),
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    name        TEXT NOT NULL,
    institution TEXT NOT NULL
);
CREATE INDEX accounts_user ON accounts (user_id);

CREATE TABLE transactions (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL REFERENCES users (id),
    account_id   BLOB NOT NULL REFERENCES accounts (id),
    posted_on    TEXT NOT NULL,
    occurred_at  TEXT,
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    description  TEXT NOT NULL,
    merchant     TEXT,
    mcc          INTEGER CHECK (mcc BETWEEN 0 AND 9999),
    category     TEXT,
    source       TEXT NOT NULL,
    source_ref   TEXT
);
CREATE INDEX transactions_user_date ON transactions (user_id, posted_on, id);


-- seq is the rowid: always above every existing row (never delete the
-- newest entry, or its seq could be handed out again).
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY,
    transaction_id BLOB NOT NULL,
    user_id        BLOB NOT NULL
);

CREATE TRIGGER transactions_to_outbox AFTER INSERT ON transactions
BEGIN
    INSERT INTO outbox (transaction_id, user_id) VALUES (NEW.id, NEW.user_id);
END;
