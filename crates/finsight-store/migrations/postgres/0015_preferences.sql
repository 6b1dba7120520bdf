-- A person's dashboard: the widgets of their overview, in their order and
-- sizes, as the JSON document the service validated.
CREATE TABLE dashboard_layouts (
    user_id    UUID PRIMARY KEY NOT NULL,
    layout     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
