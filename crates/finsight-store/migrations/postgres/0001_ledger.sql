-- The ledger on PostgreSQL: the same shape as the SQLite schema (money as
-- integer minor units), so both backends answer every query identically.
-- Every inserted transaction gets an outbox row in the same database
-- transaction (trigger).

CREATE TABLE tenants (
    id   UUID PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE households (
    id        UUID PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    name      TEXT NOT NULL
);

CREATE TABLE users (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id),
    household_id UUID NOT NULL REFERENCES households (id),
    display_name TEXT NOT NULL
);
CREATE INDEX users_household ON users (household_id);

CREATE TABLE accounts (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('checking', 'savings', 'credit_card', 'loan', 'investment', 'cash')),
    currency    CHAR(3) NOT NULL,
    name        TEXT NOT NULL,
    institution TEXT NOT NULL
);
CREATE INDEX accounts_user ON accounts (user_id);

CREATE TABLE transactions (
    id           UUID PRIMARY KEY,
    user_id      UUID NOT NULL REFERENCES users (id),
    account_id   UUID NOT NULL REFERENCES accounts (id),
    posted_on    DATE NOT NULL,
    occurred_at  TIMESTAMPTZ,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    description  TEXT NOT NULL,
    merchant     TEXT,
    mcc          INTEGER CHECK (mcc BETWEEN 0 AND 9999),
    category     TEXT COLLATE "C",
    source       TEXT NOT NULL,
    source_ref   TEXT
);
CREATE INDEX transactions_user_date ON transactions (user_id, posted_on, id);

CREATE TABLE outbox (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id UUID NOT NULL,
    user_id        UUID NOT NULL
);

CREATE FUNCTION transactions_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (transaction_id, user_id) VALUES (NEW.id, NEW.user_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER transactions_to_outbox AFTER INSERT ON transactions
    FOR EACH ROW EXECUTE FUNCTION transactions_to_outbox();
