-- Fixes from the penetration test.
--
-- Account references learnt from bank files are scoped to the household
-- that owns the account: a reference is bound once per household and
-- never rebound; another household's binding never redirects a file.
CREATE TABLE account_references_scoped (
    household_id    BLOB NOT NULL REFERENCES households (id),
    reference_index BLOB NOT NULL,
    reference       TEXT NOT NULL,
    account_id      BLOB NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (household_id, reference_index)
);
INSERT INTO account_references_scoped (household_id, reference_index, reference, account_id)
SELECT u.household_id, r.reference_index, r.reference, r.account_id
FROM account_references r
JOIN accounts a ON a.id = r.account_id
JOIN users u ON u.id = a.user_id;
DROP TABLE account_references;
ALTER TABLE account_references_scoped RENAME TO account_references;
CREATE INDEX account_references_by_index ON account_references (reference_index);

-- Idempotency keys belong to the principal that sent them and expire.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    response     TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Failed sign-ins are throttled per (email, client address), known and
-- unknown emails alike; a login itself is never locked.
CREATE TABLE login_throttle (
    throttle_key BLOB PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TEXT,
    updated_at   TEXT NOT NULL
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);

-- Emails are unique per tenant: a tenant's admin cannot learn that an
-- email is registered with another tenant.
DROP INDEX logins_email_index;
CREATE UNIQUE INDEX logins_email_index ON logins (tenant_id, email_index);
CREATE INDEX logins_by_email ON logins (email_index);

-- Joining a household takes consent: an owner's invitation waits for the
-- person, an admin's for the person and an owner.
CREATE TABLE membership_invitations (
    household_id    BLOB NOT NULL REFERENCES households (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    invited_by      TEXT NOT NULL,
    owner_approved  BOOLEAN NOT NULL,
    person_accepted BOOLEAN NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX membership_invitations_user ON membership_invitations (user_id);
