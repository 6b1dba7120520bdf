-- Fixes from the penetration test.
--
-- Account references learnt from bank files are scoped to the household
-- that owns the account: a reference is bound once per household and
-- never rebound; another household's binding never redirects a file.
ALTER TABLE account_references ADD COLUMN household_id UUID REFERENCES households (id);
UPDATE account_references r SET household_id = u.household_id
FROM accounts a JOIN users u ON u.id = a.user_id
WHERE a.id = r.account_id;
ALTER TABLE account_references ALTER COLUMN household_id SET NOT NULL;
ALTER TABLE account_references DROP CONSTRAINT account_references_pkey;
ALTER TABLE account_references ADD PRIMARY KEY (household_id, reference_index);
CREATE INDEX account_references_by_index ON account_references (reference_index);

-- Idempotency keys belong to the principal that sent them and expire.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    response     TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Failed sign-ins are throttled per (email, client address), known and
-- unknown emails alike; a login itself is never locked.
CREATE TABLE login_throttle (
    throttle_key BYTEA PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
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
    household_id    UUID NOT NULL REFERENCES households (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    invited_by      TEXT NOT NULL,
    owner_approved  BOOLEAN NOT NULL,
    person_accepted BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX membership_invitations_user ON membership_invitations (user_id);
