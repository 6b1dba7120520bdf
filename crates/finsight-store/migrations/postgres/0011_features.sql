-- The feature store's offline side. `feature_facts` is the log the
-- feature stage writes for every processed transaction (the category as
-- decided then, the event time, when it was learned of, the amount in
-- millionths); point-in-time training sets and cold starts of the online
-- store read it. It is keyed by the transaction's outbox position, so
-- appends go to the end of the table instead of scattering over a random
-- key. `market_prices` holds daily closes and FX rates.
-- Times are microseconds since the Unix epoch.
CREATE TABLE feature_facts (
    seq            BIGINT PRIMARY KEY NOT NULL,
    transaction_id TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    category       TEXT,
    merchant       TEXT,
    event_at       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    value          BIGINT NOT NULL
);
CREATE INDEX feature_facts_user ON feature_facts (user_id, event_at);
CREATE INDEX feature_facts_account ON feature_facts (account_id, event_at);

CREATE TABLE market_prices (
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    day         TEXT NOT NULL,
    close       TEXT NOT NULL,
    currency    TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (entity_kind, entity_id, day)
);
CREATE INDEX market_prices_day ON market_prices (day);

-- A view's definition is fixed per version: a changed definition under
-- the same version is refused.
CREATE TABLE feature_views (
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    fingerprint   TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (name, version)
);

-- Materialized history: each view's vector at the end of every day an
-- entity had an event.
CREATE TABLE feature_snapshots (
    view_key    TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    as_of       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    vector      TEXT NOT NULL,
    PRIMARY KEY (view_key, entity_kind, entity_id, as_of)
);

CREATE TABLE feature_materialized_days (
    day         TEXT PRIMARY KEY NOT NULL,
    finished_at BIGINT NOT NULL
);

-- Market rows that were not accepted, with the reason.
CREATE TABLE market_quarantine (
    source     TEXT NOT NULL,
    line       BIGINT NOT NULL,
    raw        TEXT NOT NULL,
    field      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (source, line)
);
