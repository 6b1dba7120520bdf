-- Anomaly detection: each person's detector profile (a serialized value,
-- with the outbox position it has seen) and the alerts raised, with the
-- person's feedback.
CREATE TABLE anomaly_profiles (
    user_id    UUID PRIMARY KEY,
    state      BYTEA NOT NULL,
    last_seq   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE alerts (
    id             UUID PRIMARY KEY,
    user_id        UUID NOT NULL,
    transaction_id UUID,
    kind           TEXT NOT NULL,
    score          DOUBLE PRECISION NOT NULL,
    threshold      DOUBLE PRECISION NOT NULL,
    reasons        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    feedback       TEXT,
    feedback_at    BIGINT
);
CREATE INDEX alerts_user_time ON alerts (user_id, created_at);
