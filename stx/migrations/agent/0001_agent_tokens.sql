-- Per-host agent tokens: only a SHA-256 of each token is kept. One token
-- per host; issuing a new one replaces the old.
CREATE TABLE stx_agent_tokens (
	host_uuid  TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
