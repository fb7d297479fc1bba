-- Undone by 0003_events_by_seq.sqlite.sql: events are keyed by seq again.
-- The event log as a ring of slots, like the manager's: an event takes the
-- slot of one a trim removed, and is written over it in place, instead of
-- being inserted and its predecessor deleted (a delete rebalances the
-- B-tree and cost twice an insert). Rows are read in seq order.
CREATE TABLE fault_event_slots (
    slot INTEGER PRIMARY KEY,
    seq  INTEGER NOT NULL,
    body TEXT NOT NULL
);
INSERT INTO fault_event_slots (slot, seq, body) SELECT seq, seq, body FROM fault_event;
DROP TABLE fault_event;
ALTER TABLE fault_event_slots RENAME TO fault_event;
