-- Experiment tracking and the model registry (MLflow's entities, per
-- tenant), and what the models decided about each transaction. Times are
-- milliseconds since the Unix epoch.
CREATE TABLE ml_experiments (
    tenant_id         TEXT NOT NULL,
    id                TEXT NOT NULL,
    name              TEXT NOT NULL,
    artifact_location TEXT NOT NULL,
    lifecycle_stage   TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
CREATE TABLE ml_experiment_tags (
    tenant_id     TEXT NOT NULL,
    experiment_id TEXT NOT NULL,
    key           TEXT NOT NULL,
    value         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, experiment_id, key)
);
CREATE TABLE ml_runs (
    id              TEXT PRIMARY KEY NOT NULL,
    tenant_id       TEXT NOT NULL,
    experiment_id   TEXT NOT NULL,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL,
    start_time      BIGINT NOT NULL,
    end_time        BIGINT,
    lifecycle_stage TEXT NOT NULL,
    user_name       TEXT NOT NULL,
    artifact_uri    TEXT NOT NULL
);
CREATE INDEX ml_runs_experiment ON ml_runs (tenant_id, experiment_id, start_time);
CREATE TABLE ml_params (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE ml_tags (
    run_id TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE TABLE ml_metrics (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     REAL NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL
);
CREATE INDEX ml_metrics_run ON ml_metrics (run_id, key, step, timestamp);
CREATE TABLE ml_artifacts (
    run_id     TEXT NOT NULL,
    path       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    content    BLOB NOT NULL,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE ml_models (
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE TABLE ml_model_versions (
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    run_id      TEXT,
    source      TEXT NOT NULL,
    status      TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name, version)
);
CREATE TABLE ml_aliases (
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    alias      TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name, alias)
);
CREATE INDEX ml_aliases_alias ON ml_aliases (alias);
-- Every move of an alias, so a rollback knows where to go back to.
CREATE TABLE ml_alias_moves (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    alias     TEXT NOT NULL,
    version   BIGINT,
    previous  BIGINT,
    at        BIGINT NOT NULL
);
CREATE INDEX ml_alias_moves_alias ON ml_alias_moves (tenant_id, name, alias, seq);

-- The categorizer's decision per transaction: applied, or waiting in the
-- person's review queue; `resolved` once they chose. The model version
-- answers "which model categorized this transaction?".
CREATE TABLE categorizations (
    transaction_id BLOB PRIMARY KEY NOT NULL,
    tenant_id      TEXT NOT NULL,
    user_id        BLOB NOT NULL,
    model          TEXT NOT NULL,
    version        BIGINT NOT NULL,
    category       TEXT NOT NULL,
    confidence     REAL NOT NULL,
    status         TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX categorizations_review ON categorizations (user_id, status, created_at);
