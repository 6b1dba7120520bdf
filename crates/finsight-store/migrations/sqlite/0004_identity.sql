-- Identity: who may sign in, who belongs to which household with which
-- role, sessions (refresh-token families) and service API keys. Secrets are
-- stored only as hashes: argon2id for passwords, SHA-256 for random tokens.

CREATE TABLE memberships (
    household_id BLOB NOT NULL REFERENCES households (id),
    user_id      BLOB NOT NULL REFERENCES users (id),
    role         TEXT NOT NULL CHECK (role IN ('owner', 'member', 'viewer')),
    PRIMARY KEY (household_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
INSERT INTO memberships (household_id, user_id, role)
SELECT household_id, id, 'owner' FROM users;

CREATE TABLE logins (
    id              BLOB PRIMARY KEY NOT NULL,
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    user_id         BLOB UNIQUE REFERENCES users (id),
    staff_role      TEXT CHECK (staff_role IN ('analyst', 'admin')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (staff_role IS NULL))
);

CREATE TABLE sessions (
    id                 BLOB PRIMARY KEY NOT NULL,
    family_id          BLOB NOT NULL,
    login_id           BLOB NOT NULL REFERENCES logins (id),
    access_hash        BLOB NOT NULL UNIQUE,
    access_expires_at  TEXT NOT NULL,
    refresh_hash       BLOB NOT NULL UNIQUE,
    refresh_expires_at TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    rotated_at         TEXT,
    revoked_at         TEXT
);
CREATE INDEX sessions_family ON sessions (family_id);
CREATE INDEX sessions_login ON sessions (login_id);

CREATE TABLE api_keys (
    id         BLOB PRIMARY KEY NOT NULL,
    tenant_id  BLOB NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    key_hash   BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

ALTER TABLE transactions ADD COLUMN notes TEXT;
