-- Undone by 0003_events_by_seq.postgres.sql: events are keyed by seq again.
-- The event log as a ring of slots; see 0002_event_slots.sqlite.sql.
CREATE TABLE fault_event_slots (
    slot BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    body TEXT NOT NULL
);
INSERT INTO fault_event_slots (slot, seq, body) SELECT seq, seq, body FROM fault_event;
DROP TABLE fault_event;
ALTER TABLE fault_event_slots RENAME TO fault_event;
