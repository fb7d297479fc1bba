-- Fault management tables (SQLite). An alarm row is keyed by the alarm's
-- seq (its raise order, kept when the alarm is overwritten), an event row by
-- its seq; the record itself is JSON in body, with the field names of
-- fault.StoredAlarm / fault.Event. One integer-keyed B-tree per table and
-- one short statement per table per commit keep durable writes fast.
-- Query with json_extract(body, '$.severity').
CREATE TABLE fault_alarm (
    seq  INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE fault_event (
    seq  INTEGER PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE fault_suppression (
    alarm_id           TEXT NOT NULL PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    suppression_status TEXT NOT NULL
);
