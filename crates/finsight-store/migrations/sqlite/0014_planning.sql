-- Planning: each person's budget (a line per category, in groups and an
-- order they choose), their savings goals, and their answers to insights
-- (the latest per insight), which the ranking learns from.
CREATE TABLE budget_lines (
    user_id      BLOB NOT NULL,
    category     TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    rollover     BOOLEAN NOT NULL,
    group_name   TEXT NOT NULL,
    position     INTEGER NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, category)
);

CREATE TABLE goals (
    id           BLOB PRIMARY KEY NOT NULL,
    user_id      BLOB NOT NULL,
    name         TEXT NOT NULL,
    target_minor BIGINT NOT NULL,
    saved_minor  BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    target_date  DATE NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX goals_user ON goals (user_id, created_at);

CREATE TABLE insight_answers (
    user_id     BLOB NOT NULL,
    insight_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    response    TEXT NOT NULL,
    until       BIGINT,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, insight_key)
);
