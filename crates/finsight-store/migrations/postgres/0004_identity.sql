-- Identity: who may sign in, who belongs to which household with which
-- role, sessions (refresh-token families) and service API keys. Secrets are
-- stored only as hashes: argon2id for passwords, SHA-256 for random tokens.

CREATE TABLE memberships (
    household_id UUID NOT NULL REFERENCES households (id),
    user_id      UUID NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
INSERT INTO memberships (household_id, user_id, role)
SELECT household_id, id, 'owner' FROM users;

CREATE TABLE logins (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    user_id         UUID UNIQUE REFERENCES users (id),
    staff_role      TEXT CHECK (staff_role IN ('analyst', 'admin')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    CHECK ((user_id IS NULL) <> (staff_role IS NULL))
);

CREATE TABLE sessions (
    id                 UUID PRIMARY KEY,
    family_id          UUID NOT NULL,
    login_id           UUID NOT NULL REFERENCES logins (id),
    access_hash        BYTEA NOT NULL UNIQUE,
    access_expires_at  TIMESTAMPTZ NOT NULL,
    refresh_hash       BYTEA NOT NULL UNIQUE,
    refresh_expires_at TIMESTAMPTZ NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    rotated_at         TIMESTAMPTZ,
    revoked_at         TIMESTAMPTZ
);
CREATE INDEX sessions_family ON sessions (family_id);
CREATE INDEX sessions_login ON sessions (login_id);

CREATE TABLE api_keys (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    key_hash   BYTEA NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

ALTER TABLE transactions ADD COLUMN notes TEXT;
