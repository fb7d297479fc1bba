-- Event rows keyed by seq again; see 0003_events_by_seq.sqlite.sql.
CREATE TABLE fault_event_by_seq (
    seq  BIGINT PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO fault_event_by_seq (seq, body)
    SELECT seq, body FROM fault_event ORDER BY slot
    ON CONFLICT (seq) DO NOTHING;
DROP TABLE fault_event;
ALTER TABLE fault_event_by_seq RENAME TO fault_event;
ALTER TABLE fault_event RENAME CONSTRAINT fault_event_by_seq_pkey TO fault_event_pkey;
