package inventorysql

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/inventory"
)

// Configuration versioning. Every write that may change what a host's
// document holds calls reconfigure inside its transaction: the host's
// document is rendered again from a snapshot read in the transaction and,
// if it differs from the stored one, stored with a new config UUID that
// becomes the host's config_target. The UUID carries StarlingX's
// reboot-required bit (bit 127 of the UUID as a big-endian 128-bit
// integer: the top bit of its first byte) when applying the change needs
// a lock/unlock, or when the target it replaces had the bit and was not
// applied yet.

const (
	qConfigGet    = `SELECT uuid, doc FROM inv_host_config WHERE host_id = ?`
	qConfigPut    = `INSERT INTO inv_host_config (host_id, uuid, doc) VALUES (?, ?, ?) ON CONFLICT (host_id) DO UPDATE SET uuid = excluded.uuid, doc = excluded.doc`
	alarmOutOfDat = "250.001"
)

// reconfigure renders the documents of the hosts with ids (every host if
// ids is nil) and moves the config_target of each whose document changed.
func (c conn) reconfigure(ctx context.Context, fx *effects, ids []int64) error {
	if ids == nil {
		snap, hosts, err := c.snapshot(ctx, 0)
		if err != nil {
			return err
		}
		for _, h := range hosts {
			if err := c.reconfigureHost(ctx, fx, snap, h); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range ids {
		snap, hosts, err := c.snapshot(ctx, id)
		if err != nil {
			return err
		}
		if len(hosts) == 0 {
			continue
		}
		if err := c.reconfigureHost(ctx, fx, snap, hosts[0]); err != nil {
			return err
		}
	}
	return nil
}

func (c conn) reconfigureHost(ctx context.Context, fx *effects, snap inventory.Snapshot, h hostBody) error {
	if h.Personality == "" || h.Hostname == "" {
		return nil // a discovered host has no configuration yet
	}
	doc, err := inventory.Render(snap, h.UUID)
	if err != nil {
		return fmt.Errorf("render the configuration of host %s: %w", hostLabel(h), err)
	}
	doc.UUID = ""
	var oldUUID, oldDoc string
	var old inventory.HostConfig
	err = c.queryRow(ctx, qConfigGet, h.ID).Scan(&oldUUID, &oldDoc)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(oldDoc), &old); err != nil {
			return fmt.Errorf("decode the configuration of host %s: %w", hostLabel(h), err)
		}
		if inventory.SameConfig(old, doc) && h.ConfigTarget == oldUUID {
			return nil
		}
	case isNotFound(mapErr(err)):
	default:
		return err
	}
	// The reboot bit sticks while a target that has it is not applied.
	reboot := inventory.RebootRequired(old, doc) ||
		(inventory.ConfigRebootRequired(h.ConfigTarget) && h.ConfigTarget != h.ConfigApplied)
	target := inventory.NewConfigUUID(reboot)
	doc.UUID = target
	if _, err := c.exec(ctx, qConfigPut, h.ID, target, body(doc)); err != nil {
		return err
	}
	was := outOfDate(h)
	h.ConfigTarget = target
	if err := c.putHost(ctx, &h); err != nil {
		return err
	}
	fx.alarm(was, h)
	return nil
}

// alarmChange is a 250.001 set or clear to publish after commit.
type alarmChange struct {
	hostname string
}

// alarm records the alarm change of a host whose state moved from was
// (out of date or not) to its current one.
func (fx *effects) alarm(was bool, h hostBody) {
	if h.Hostname == "" {
		return
	}
	if was || outOfDate(h) {
		fx.alarms = append(fx.alarms, alarmChange{hostname: h.Hostname})
	}
}

// publish sends the alarm changes of a committed write. Writers publish
// one at a time, and each sends the state its hosts are in now, read
// back from the database, not the state its own commit left: a slow
// publish never overwrites a later one with a stale state. A reporter's
// failure is logged, never returned: the write is done, and
// ReconcileAlarms repairs what a failure or a crash left.
func (m *Manager) publish(ctx context.Context, fx effects) {
	if m.reporter == nil || len(fx.alarms) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	done := map[string]bool{}
	for _, a := range fx.alarms {
		if done[a.hostname] {
			continue
		}
		done[a.hostname] = true
		h, err := one[hostBody](ctx, conn{m: m}, `SELECT id, body FROM inv_host WHERE hostname = ?`, a.hostname)
		switch {
		case err == nil:
			m.sendAlarm(ctx, h, false)
		case isNotFound(mapErr(err)):
			m.sendAlarm(ctx, hostBody{Host: inventory.Host{Hostname: a.hostname}}, false)
		default:
			m.log.Warn("inventory: read host for alarm 250.001", "host", a.hostname, "err", err)
		}
	}
}

// sendAlarm raises alarm 250.001 for h if it is out of date and clears
// it otherwise. keep leaves an active alarm as it is (its uuid and
// time) instead of raising it again.
func (m *Manager) sendAlarm(ctx context.Context, h hostBody, keep bool) {
	eid := "host=" + h.Hostname
	if !outOfDate(h) {
		if err := m.reporter.ClearAlarm(ctx, alarmOutOfDat, eid); err != nil && !errors.Is(err, fault.ErrNotFound) {
			m.log.Warn("inventory: clear alarm 250.001", "host", h.Hostname, "err", err)
		}
		return
	}
	applied := h.ConfigApplied
	if applied == "" {
		applied = "none"
	}
	_, err := m.reporter.SetAlarm(ctx, fault.Alarm{
		AlarmID:              alarmOutOfDat,
		State:                fault.StateSet,
		EntityTypeID:         "host",
		EntityInstanceID:     eid,
		Severity:             fault.SeverityMajor,
		ReasonText:           fmt.Sprintf("%s Configuration is out-of-date. (applied: %s target: %s)", h.Hostname, applied, h.ConfigTarget),
		AlarmType:            fault.AlarmTypeProcessingError,
		ProbableCause:        fault.CauseConfigurationOutOfDate,
		ProposedRepairAction: "Lock and unlock host " + h.Hostname + " to update config.",
		Suppression:          true,
		KeepExisting:         keep,
	})
	if err != nil {
		m.log.Warn("inventory: set alarm 250.001", "host", h.Hostname, "err", err)
	}
}

// ReconcileAlarms makes alarm 250.001 agree with the database for every
// host: raised (kept as it is if already active) for each host out of
// date, cleared for the others. Writes publish their alarms after they
// commit; a crash or a reporter failure between the two leaves an alarm
// wrong until this runs. stx.Open runs it at start.
func (m *Manager) ReconcileAlarms(ctx context.Context) error {
	if m.reporter == nil {
		return nil
	}
	c, err := m.read()
	if err != nil {
		return err
	}
	m.pubMu.Lock()
	defer m.pubMu.Unlock()
	hosts, err := list[hostBody](ctx, c, qHosts)
	if err != nil {
		return wrap("reconcile alarms", err)
	}
	for _, h := range hosts {
		if h.Hostname != "" {
			m.sendAlarm(ctx, h, true)
		}
	}
	return nil
}

// HostConfig returns the host's stored configuration document, whose
// UUID is its config_target.
func (m *Manager) HostConfig(ctx context.Context, host string) (inventory.HostConfig, error) {
	c, err := m.read()
	if err != nil {
		return inventory.HostConfig{}, err
	}
	h, err := c.host(ctx, host)
	if err != nil {
		return inventory.HostConfig{}, wrap("host config", err)
	}
	var u, doc string
	if err := c.queryRow(ctx, qConfigGet, h.ID).Scan(&u, &doc); err != nil {
		return inventory.HostConfig{}, wrap("host config", notFoundOr(err, "configuration of host", hostLabel(h)))
	}
	var out inventory.HostConfig
	if err := json.Unmarshal([]byte(doc), &out); err != nil {
		return out, wrap("host config", err)
	}
	return out, nil
}

// checkConfigUUID checks a config UUID's form.
func checkConfigUUID(u string) error {
	if len(u) != 36 || u[8] != '-' || u[13] != '-' || u[18] != '-' || u[23] != '-' {
		return inventory.Fieldf("config_applied", "%q is not a UUID", u)
	}
	if _, err := hex.DecodeString(strings.ReplaceAll(u, "-", "")); err != nil {
		return inventory.Fieldf("config_applied", "%q is not a UUID", u)
	}
	return nil
}

// ReportConfigApplied records the config UUID the host applied; the
// host is current when it equals config_target.
func (m *Manager) ReportConfigApplied(ctx context.Context, host, configUUID string) (inventory.Host, error) {
	configUUID = strings.ToLower(configUUID)
	if err := checkConfigUUID(configUUID); err != nil {
		return inventory.Host{}, wrap("report config applied", err)
	}
	var out inventory.Host
	err := m.write(ctx, "report config applied", func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		was := outOfDate(h)
		h.ConfigApplied = configUUID
		h.Agent = true
		if err := c.putHost(ctx, &h); err != nil {
			return err
		}
		if was != outOfDate(h) {
			fx.alarm(was, h)
		}
		out = h.view()
		return nil
	})
	return out, err
}
