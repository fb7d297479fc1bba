-- Fault management tables. Times are microseconds since the Unix epoch (UTC).
CREATE TABLE fault_alarm (
    alarm_id               TEXT    NOT NULL,
    entity_instance_id     TEXT    NOT NULL,
    uuid                   TEXT    NOT NULL UNIQUE,
    seq                    BIGINT  NOT NULL,
    alarm_state            TEXT    NOT NULL,
    entity_type_id         TEXT    NOT NULL,
    ts_us                  BIGINT  NOT NULL,
    severity               TEXT    NOT NULL,
    reason_text            TEXT    NOT NULL,
    alarm_type             TEXT    NOT NULL,
    probable_cause         TEXT    NOT NULL,
    proposed_repair_action TEXT    NOT NULL,
    service_affecting      BOOLEAN NOT NULL,
    suppression            BOOLEAN NOT NULL,
    inhibit_alarms         BOOLEAN NOT NULL,
    ack_by                 TEXT,
    ack_us                 BIGINT,
    PRIMARY KEY (alarm_id, entity_instance_id)
);
CREATE TABLE fault_event (
    seq                    BIGINT  NOT NULL PRIMARY KEY,
    uuid                   TEXT    NOT NULL UNIQUE,
    event_log_id           TEXT    NOT NULL,
    state                  TEXT    NOT NULL,
    entity_type_id         TEXT    NOT NULL,
    entity_instance_id     TEXT    NOT NULL,
    ts_us                  BIGINT  NOT NULL,
    severity               TEXT    NOT NULL,
    reason_text            TEXT    NOT NULL,
    event_log_type         TEXT    NOT NULL,
    probable_cause         TEXT    NOT NULL,
    proposed_repair_action TEXT    NOT NULL,
    service_affecting      BOOLEAN NOT NULL,
    suppression            BOOLEAN NOT NULL,
    alarm_uuid             TEXT    NOT NULL
);
CREATE TABLE fault_suppression (
    alarm_id           TEXT NOT NULL PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    suppression_status TEXT NOT NULL
);
