-- Event rows keyed by seq again, as in 0001: 0002's ring of slots is gone.
-- A new event is an insert and a trim one range delete (seq <= bound).
-- Every row of the slot table is kept; were a seq in two slots, the
-- first copy would be kept.
CREATE TABLE fault_event_by_seq (
    seq  INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
INSERT INTO fault_event_by_seq (seq, body)
    SELECT seq, body FROM fault_event WHERE true ORDER BY slot
    ON CONFLICT (seq) DO NOTHING;
DROP TABLE fault_event;
ALTER TABLE fault_event_by_seq RENAME TO fault_event;
