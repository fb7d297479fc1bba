// Package faultsql is the SQL engine of fault.Store: SQLite (the embedded
// default, pure Go) and PostgreSQL, with the same tables and SQL.
//
//	store, err := faultsql.Open(ctx, "sqlite:///var/lib/flock/flock.db")
//	m, err := fault.Open(ctx, store, nil)
//
// Every Commit is one transaction; on SQLite it is fsynced (WAL,
// synchronous=FULL) before Commit returns, so what the manager
// acknowledged survives kill -9 and power loss.
package faultsql

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a fault.Store over a SQL database.
type Store struct {
	db      *sqlstore.DB
	ownsDB  bool
	putA    *sql.Stmt
	delA    *sql.Stmt
	putE    *sql.Stmt
	trimE   *sql.Stmt
	putS    *sql.Stmt
	closeFn func() error
}

var _ fault.Store = (*Store)(nil)

// Open opens (creating and migrating if needed) the database at url,
// "sqlite:///path/file.db" or "postgres://...".
func Open(ctx context.Context, url string) (*Store, error) {
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
	}
	s, err := New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.ownsDB = true
	return s, nil
}

// New returns a Store over an open database shared with other services;
// it migrates the fault tables. Close does not close db.
func New(ctx context.Context, db *sqlstore.DB) (*Store, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	if err := db.Migrate(ctx, "fault", sub); err != nil {
		return nil, fmt.Errorf("faultsql: %w: %w", fault.ErrUnavailable, err)
	}
	s := &Store{db: db}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.PrepareContext(ctx, db.Rebind(q))
		return st
	}
	s.putA = prep(`INSERT INTO fault_alarm (alarm_id, entity_instance_id, uuid, seq, alarm_state, entity_type_id, ts_us,
		severity, reason_text, alarm_type, probable_cause, proposed_repair_action, service_affecting, suppression,
		inhibit_alarms, ack_by, ack_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (alarm_id, entity_instance_id) DO UPDATE SET uuid = excluded.uuid, seq = excluded.seq,
		alarm_state = excluded.alarm_state, entity_type_id = excluded.entity_type_id, ts_us = excluded.ts_us,
		severity = excluded.severity, reason_text = excluded.reason_text, alarm_type = excluded.alarm_type,
		probable_cause = excluded.probable_cause, proposed_repair_action = excluded.proposed_repair_action,
		service_affecting = excluded.service_affecting, suppression = excluded.suppression,
		inhibit_alarms = excluded.inhibit_alarms, ack_by = excluded.ack_by, ack_us = excluded.ack_us`)
	s.delA = prep(`DELETE FROM fault_alarm WHERE alarm_id = ? AND entity_instance_id = ?`)
	s.putE = prep(`INSERT INTO fault_event (seq, uuid, event_log_id, state, entity_type_id, entity_instance_id, ts_us,
		severity, reason_text, event_log_type, probable_cause, proposed_repair_action, service_affecting, suppression,
		alarm_uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	s.trimE = prep(`DELETE FROM fault_event WHERE seq <= ?`)
	s.putS = prep(`INSERT INTO fault_suppression (alarm_id, uuid, suppression_status) VALUES (?, ?, ?)
		ON CONFLICT (alarm_id) DO UPDATE SET uuid = excluded.uuid, suppression_status = excluded.suppression_status`)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("faultsql: prepare: %w: %w", fault.ErrUnavailable, err)
	}
	return s, nil
}

// Close releases the statements, and the database if Open opened it.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.putA, s.delA, s.putE, s.trimE, s.putS} {
		if st != nil {
			st.Close()
		}
	}
	if s.ownsDB {
		return s.db.Close()
	}
	return nil
}

// DB returns the database, for the tests and tools that read it directly.
func (s *Store) DB() *sql.DB { return s.db.DB }

func us(t time.Time) int64 { return t.UnixMicro() }

func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// Commit applies ops in one transaction. Event trims are merged into one
// delete at the end.
func (s *Store) Commit(ctx context.Context, ops []fault.Op) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		putA, delA, putE, putS := tx.Stmt(s.putA), tx.Stmt(s.delA), tx.Stmt(s.putE), tx.Stmt(s.putS)
		var trim int64
		for _, op := range ops {
			var err error
			switch op.Kind {
			case fault.OpPutAlarm:
				a := op.Alarm
				var ackBy sql.NullString
				var ackUS sql.NullInt64
				if a.Ack != nil {
					ackBy = sql.NullString{String: a.Ack.By, Valid: true}
					ackUS = sql.NullInt64{Int64: us(a.Ack.At), Valid: true}
				}
				_, err = putA.ExecContext(ctx, a.AlarmID, a.EntityInstanceID, a.UUID, a.Seq, a.State.String(),
					a.EntityTypeID, us(a.Timestamp), a.Severity.String(), a.ReasonText, a.AlarmType.String(),
					a.ProbableCause.String(), a.ProposedRepairAction, a.ServiceAffecting, a.Suppression,
					a.InhibitAlarms, ackBy, ackUS)
			case fault.OpDeleteAlarm:
				_, err = delA.ExecContext(ctx, op.Alarm.AlarmID, op.Alarm.EntityInstanceID)
			case fault.OpAppendEvent:
				e := op.Event
				_, err = putE.ExecContext(ctx, e.Seq, e.UUID, e.EventLogID, e.State.String(), e.EntityTypeID,
					e.EntityInstanceID, us(e.Timestamp), e.Severity.String(), e.ReasonText, e.EventLogType.String(),
					e.ProbableCause.String(), e.ProposedRepairAction, e.ServiceAffecting, e.Suppression, e.AlarmUUID)
			case fault.OpTrimEvents:
				trim = max(trim, op.TrimSeq)
			case fault.OpPutSuppression:
				r := op.Suppression
				_, err = putS.ExecContext(ctx, r.AlarmID, r.UUID, string(r.Status))
			default:
				err = fmt.Errorf("unknown op kind %d", op.Kind)
			}
			if err != nil {
				return fmt.Errorf("faultsql: commit: %w", err)
			}
		}
		if trim > 0 {
			if _, err := tx.Stmt(s.trimE).ExecContext(ctx, trim); err != nil {
				return fmt.Errorf("faultsql: trim events: %w", err)
			}
		}
		return nil
	})
}

// Load reads every table.
func (s *Store) Load(ctx context.Context) (*fault.Snapshot, error) {
	snap := &fault.Snapshot{}
	rows, err := s.db.QueryContext(ctx, `SELECT alarm_id, entity_instance_id, uuid, seq, alarm_state, entity_type_id, ts_us,
		severity, reason_text, alarm_type, probable_cause, proposed_repair_action, service_affecting, suppression,
		inhibit_alarms, ack_by, ack_us FROM fault_alarm ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("faultsql: load alarms: %w", err)
	}
	for rows.Next() {
		var a fault.StoredAlarm
		var state, sev, typ, cause string
		var ts int64
		var ackBy sql.NullString
		var ackUS sql.NullInt64
		if err := rows.Scan(&a.AlarmID, &a.EntityInstanceID, &a.UUID, &a.Seq, &state, &a.EntityTypeID, &ts, &sev,
			&a.ReasonText, &typ, &cause, &a.ProposedRepairAction, &a.ServiceAffecting, &a.Suppression,
			&a.InhibitAlarms, &ackBy, &ackUS); err != nil {
			rows.Close()
			return nil, fmt.Errorf("faultsql: load alarms: %w", err)
		}
		a.Timestamp = fromUS(ts)
		if err := parseEnums(state, sev, typ, cause, &a.State, &a.Severity, &a.AlarmType, &a.ProbableCause); err != nil {
			rows.Close()
			return nil, fmt.Errorf("faultsql: alarm %s: %w", a.UUID, err)
		}
		if ackBy.Valid {
			a.Ack = &fault.Ack{By: ackBy.String, At: fromUS(ackUS.Int64)}
		}
		snap.Alarms = append(snap.Alarms, a)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT seq, uuid, event_log_id, state, entity_type_id, entity_instance_id, ts_us,
		severity, reason_text, event_log_type, probable_cause, proposed_repair_action, service_affecting, suppression,
		alarm_uuid FROM fault_event ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("faultsql: load events: %w", err)
	}
	for rows.Next() {
		var e fault.Event
		var state, sev, typ, cause string
		var ts int64
		if err := rows.Scan(&e.Seq, &e.UUID, &e.EventLogID, &state, &e.EntityTypeID, &e.EntityInstanceID, &ts, &sev,
			&e.ReasonText, &typ, &cause, &e.ProposedRepairAction, &e.ServiceAffecting, &e.Suppression, &e.AlarmUUID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("faultsql: load events: %w", err)
		}
		e.Timestamp = fromUS(ts)
		if err := parseEnums(state, sev, typ, cause, &e.State, &e.Severity, &e.EventLogType, &e.ProbableCause); err != nil {
			rows.Close()
			return nil, fmt.Errorf("faultsql: event %s: %w", e.UUID, err)
		}
		snap.Events = append(snap.Events, e)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT alarm_id, uuid, suppression_status FROM fault_suppression`)
	if err != nil {
		return nil, fmt.Errorf("faultsql: load suppression: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r fault.SuppressionRecord
		var st string
		if err := rows.Scan(&r.AlarmID, &r.UUID, &st); err != nil {
			return nil, err
		}
		r.Status = fault.SuppressionStatus(st)
		snap.Suppressions = append(snap.Suppressions, r)
	}
	return snap, rows.Err()
}

func parseEnums(state, sev, typ, cause string, st *fault.State, sv *fault.Severity, t *fault.AlarmType, c *fault.ProbableCause) error {
	var err error
	if *st, err = fault.ParseState(state); err != nil {
		return err
	}
	if *sv, err = fault.ParseSeverity(sev); err != nil {
		return err
	}
	if *t, err = fault.ParseAlarmType(typ); err != nil {
		return err
	}
	*c, err = fault.ParseProbableCause(cause)
	return err
}
