package fault

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
)

// check validates a against the catalog.
func (m *Manager) check(a *Alarm, kind Kind) error {
	if err := a.validate(); err != nil {
		return err
	}
	if m.opts.NoCatalogCheck {
		return nil
	}
	d, ok := m.cat.defs[a.AlarmID]
	if !ok {
		return fieldErr("alarm_id", "%s is not in the catalog", a.AlarmID)
	}
	if d.Kind != kind && a.State != StateMsg {
		return fieldErr("alarm_id", "%s is a %s, not a %s", a.AlarmID, d.Kind, kind)
	}
	if !d.Allows(a.Severity) {
		return fieldErr("severity", "%s is not allowed for %s", a.Severity, a.AlarmID)
	}
	return nil
}

// SetAlarm raises or updates the alarm keyed by (AlarmID, EntityInstanceID)
// and returns its uuid. An existing alarm is overwritten, with a fresh uuid
// unless a.UUID is given, and a "set" event is recorded; with
// a.KeepExisting an existing alarm is left as it is. The acknowledgement
// of an existing alarm is kept unless the severity rises.
func (m *Manager) SetAlarm(ctx context.Context, a Alarm) (string, error) {
	if a.State != StateSet {
		return "", fieldErr("alarm_state", "SetAlarm needs state set, not %s", a.State)
	}
	if err := m.check(&a, KindAlarm); err != nil {
		return "", err
	}
	keep := a.KeepExisting
	a.KeepExisting = false
	a.Masked, a.MgmtAffecting, a.DegradeAffecting, a.SuppressionStatus = false, false, false, ""
	var id string
	err := m.write(ctx, func(tx *txn) error {
		old := tx.get(keyOf(&a))
		if old != nil && keep {
			// Returned once the batch is durable, like any write of it: the
			// alarm may be one this batch raised.
			id = old.UUID
			return nil
		}
		r := &alarm{Alarm: a}
		// A uuid of our own is random (122 bits): only one the caller gives
		// can belong to another alarm.
		if r.UUID == "" {
			r.UUID = newUUID()
		} else if other := tx.byUUID(r.UUID); other != nil && other != old {
			return fmt.Errorf("fault: set %s: uuid %s belongs to another alarm: %w", a.AlarmID, a.UUID, ErrConflict)
		}
		r.Timestamp = tx.now
		if old != nil {
			r.seq = old.seq
			if old.Ack != nil && a.Severity <= old.Severity {
				r.Ack = old.Ack
			}
		} else {
			tx.alarmSeq++
			r.seq = tx.alarmSeq
		}
		tx.put(r)
		tx.event(eventFor(&r.Alarm, StateSet, tx.now))
		tx.notify(NotifySet, r.Alarm)
		tx.sets++
		id = r.UUID
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// ClearAlarm clears every alarm with alarmID at or below eidPrefix
// (whole-component prefix), recording one "clear" event for each.
func (m *Manager) ClearAlarm(ctx context.Context, alarmID, eidPrefix string) error {
	if !validAlarmID(alarmID) {
		return fieldErr("alarm_id", "%q is not GGG.EEE", alarmID)
	}
	if _, err := ParseEntity(eidPrefix); err != nil {
		return err
	}
	return m.write(ctx, func(tx *txn) error {
		victims := tx.matching(maps.Keys(tx.st.byID[alarmID]), func(a *alarm) bool {
			return a.AlarmID == alarmID && MatchEntity(eidPrefix, a.EntityInstanceID)
		})
		if len(victims) == 0 {
			return fmt.Errorf("fault: clear %s %s: %w", alarmID, eidPrefix, ErrNotFound)
		}
		clearAlarms(tx, victims, true)
		return nil
	})
}

// clearAlarms clears victims, in raise order; perAlarm records a clear
// event and a notification for each.
func clearAlarms(tx *txn, victims []*alarm, perAlarm bool) {
	slices.SortFunc(victims, func(a, b *alarm) int { return cmp.Compare(a.seq, b.seq) })
	for _, r := range victims {
		tx.del(r)
		tx.clears++
		if perAlarm {
			tx.event(eventFor(&r.Alarm, StateClear, tx.now))
			a := r.Alarm
			a.Timestamp = tx.now
			tx.notify(NotifyClear, a)
		}
	}
}

// ClearAll clears every alarm at or below eidPrefix and records a single
// hierarchical-clear event. It returns the number cleared.
func (m *Manager) ClearAll(ctx context.Context, eidPrefix string) (int, error) {
	if _, err := ParseEntity(eidPrefix); err != nil {
		return 0, err
	}
	var n int
	err := m.write(ctx, func(tx *txn) error {
		victims := tx.matching(slices.Values(tx.st.byTop[entityTop(eidPrefix)]), func(a *alarm) bool {
			return MatchEntity(eidPrefix, a.EntityInstanceID)
		})
		n = len(victims)
		if n == 0 {
			return nil
		}
		clearAlarms(tx, victims, false)
		ev := Event{UUID: newUUID(), State: StateClear, EntityInstanceID: eidPrefix, Timestamp: tx.now,
			Severity: SeverityClear, ReasonText: HierarchicalClearReason}
		tx.event(ev)
		// The notification carries the event's uuid, as StarlingX's trap does.
		tx.notify(NotifyHierarchicalClear, Alarm{UUID: ev.UUID, EntityInstanceID: eidPrefix, Timestamp: tx.now, ReasonText: HierarchicalClearReason})
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Log records a log or customer message (state log or msg) in the event
// log and returns its uuid.
func (m *Manager) Log(ctx context.Context, a Alarm) (string, error) {
	if a.State != StateLog && a.State != StateMsg {
		return "", fieldErr("alarm_state", "Log needs state log or msg, not %s", a.State)
	}
	if err := m.check(&a, KindLog); err != nil {
		return "", err
	}
	a.UUID = newUUID()
	err := m.write(ctx, func(tx *txn) error {
		a.Timestamp = tx.now
		ev := eventFor(&a, StateLog, a.Timestamp)
		ev.UUID, ev.AlarmUUID = a.UUID, ""
		tx.event(ev)
		tx.notify(NotifyLog, a)
		return nil
	})
	if err != nil {
		return "", err
	}
	return a.UUID, nil
}

// DeleteAlarm clears one alarm by uuid and records a clear event.
func (m *Manager) DeleteAlarm(ctx context.Context, uuid string) error {
	return m.write(ctx, func(tx *txn) error {
		r := tx.byUUID(uuid)
		if r == nil {
			return fmt.Errorf("fault: delete alarm %s: %w", uuid, ErrNotFound)
		}
		clearAlarms(tx, []*alarm{r}, true)
		return nil
	})
}

// AckAlarm records that operator by acknowledged the alarm and returns it.
func (m *Manager) AckAlarm(ctx context.Context, uuid, by string) (Alarm, error) {
	if by == "" || len(by) > maxString {
		return Alarm{}, fieldErr("by", "must be 1 to %d bytes", maxString)
	}
	if why := textProblem(by); why != "" {
		return Alarm{}, fieldErr("by", "%s", why)
	}
	var out Alarm
	err := m.write(ctx, func(tx *txn) error {
		r := tx.byUUID(uuid)
		if r == nil {
			return fmt.Errorf("fault: ack alarm %s: %w", uuid, ErrNotFound)
		}
		acked := &alarm{Alarm: r.Alarm, seq: r.seq}
		acked.Ack = &Ack{By: by, At: tx.now}
		tx.put(acked)
		out = acked.Alarm
		tx.decorate(&out)
		return nil
	})
	if err != nil {
		return Alarm{}, err
	}
	return out, nil
}

// SetSuppression sets the operator's suppression of an alarm id (id is
// the alarm id or the entry's uuid). Suppressed ids drop out of lists and
// summaries and raise no notifications; their events are still recorded.
// A request for the state an entry already has (or is being given by a
// write not yet durable) returns once that state is durable.
func (m *Manager) SetSuppression(ctx context.Context, id string, status SuppressionStatus) (Suppression, error) {
	if !status.Valid() {
		return Suppression{}, fieldErr("suppression_status", "must be suppressed or unsuppressed, not %q", status)
	}
	var out Suppression
	err := m.write(ctx, func(tx *txn) error {
		s := tx.st.supp[id]
		if s == nil {
			s = tx.st.suppByUUID[id]
		}
		if s == nil {
			return fmt.Errorf("fault: suppression %s: %w", id, ErrNotFound)
		}
		out = *s
		cur := s.SuppressionStatus
		if st, ok := tx.supp[s.AlarmID]; ok {
			cur = st
		}
		out.SuppressionStatus = status
		if cur == status {
			return nil
		}
		tx.supp[s.AlarmID] = status
		tx.ops = append(tx.ops, suppressionOp(s, status))
		tx.notify(NotifySuppressionChanged, Alarm{})
		return nil
	})
	if err != nil {
		return Suppression{}, err
	}
	return out, nil
}
