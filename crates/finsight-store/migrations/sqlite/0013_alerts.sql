-- Anomaly detection: each person's detector profile (a serialized value,
-- with the outbox position it has seen) and the alerts raised, with the
-- person's feedback.
CREATE TABLE anomaly_profiles (
    user_id    BLOB PRIMARY KEY NOT NULL,
    state      BLOB NOT NULL,
    last_seq   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE alerts (
    id             BLOB PRIMARY KEY NOT NULL,
    user_id        BLOB NOT NULL,
    transaction_id BLOB,
    kind           TEXT NOT NULL,
    score          REAL NOT NULL,
    threshold      REAL NOT NULL,
    reasons        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    feedback       TEXT,
    feedback_at    BIGINT
);
CREATE INDEX alerts_user_time ON alerts (user_id, created_at);
