-- Fault management tables (PostgreSQL); see 0001_init.sqlite.sql.
CREATE TABLE fault_alarm (
    seq  BIGINT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE fault_event (
    seq  BIGINT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE fault_suppression (
    alarm_id           TEXT NOT NULL PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    suppression_status TEXT NOT NULL
);
