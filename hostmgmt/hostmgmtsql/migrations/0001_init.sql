-- Host maintenance tables (SQLite and PostgreSQL). hm_host holds each
-- host's FSM state (hostmgmt.State as JSON) and the boot id its agent
-- last reported; hm_action the actions a transition committed that have
-- not been performed yet (the outbox: performed after the commit,
-- deleted once done); hm_key the host's heartbeat key.
CREATE TABLE hm_host (
    uuid       TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    boot_id    TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE hm_action (
    id        TEXT PRIMARY KEY,
    host_uuid TEXT NOT NULL REFERENCES hm_host (uuid) ON DELETE CASCADE,
    seq       BIGINT NOT NULL,
    kind      TEXT NOT NULL,
    alarm_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hm_action_host ON hm_action (host_uuid, seq);
CREATE TABLE hm_key (
    host_uuid TEXT PRIMARY KEY,
    key       TEXT NOT NULL
);
