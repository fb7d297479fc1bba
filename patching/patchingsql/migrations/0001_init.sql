-- Software management (SQLite and PostgreSQL). sw_release: the release
-- repository's index (the files are in the content store, by digest);
-- sw_deploy: the one deploy in progress (id always 1); sw_host: what
-- each host's agent last reported, and its place in the deploy.
CREATE TABLE sw_release (
    id          TEXT PRIMARY KEY,
    digest      TEXT NOT NULL,
    size        BIGINT NOT NULL,
    state       TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    signer      TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE TABLE sw_deploy (
    id              INTEGER PRIMARY KEY,
    from_release    TEXT NOT NULL,
    to_release      TEXT NOT NULL,
    state           TEXT NOT NULL,
    reboot_required BOOLEAN NOT NULL,
    reason          TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sw_host (
    hostname     TEXT PRIMARY KEY,
    running      TEXT NOT NULL DEFAULT '',
    pending      TEXT NOT NULL DEFAULT '',
    agent_state  TEXT NOT NULL DEFAULT 'idle',
    reason       TEXT NOT NULL DEFAULT '',
    deploy_state TEXT NOT NULL DEFAULT '',
    reported_at  TEXT NOT NULL DEFAULT ''
);
