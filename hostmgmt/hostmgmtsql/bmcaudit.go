package hostmgmtsql

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/hostmgmt"
)

// bmcAuditTimeout bounds one host's audit (power state and sensors).
const bmcAuditTimeout = 20 * time.Second

// auditBMCs audits every BMC now and then every BMCAuditInterval until
// ctx ends.
func (m *Manager) auditBMCs(ctx context.Context) {
	t := time.NewTicker(m.o.BMCAuditInterval)
	defer t.Stop()
	for {
		m.AuditBMCs(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// AuditBMCs reads once the power state and sensors of every host's BMC,
// BMCAuditParallel at a time, as Run does every BMCAuditInterval:
// readings past a threshold raise 200.007 (critical, or major for a
// caution threshold), readings back in range clear it, and a BMC that
// cannot be read counts towards 200.010. HostState.BMC shows the result.
func (m *Manager) AuditBMCs(ctx context.Context) {
	m.seedSensorAlarms(ctx)
	m.mu.Lock()
	hosts := make([]*host, 0, len(m.hosts))
	for _, h := range m.hosts {
		hosts = append(hosts, h)
	}
	m.mu.Unlock()
	var g errgroup.Group
	g.SetLimit(m.o.BMCAuditParallel)
	for _, h := range hosts {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			m.auditBMC(ctx, h)
			return nil
		})
	}
	_ = g.Wait()
}

// alarmLister is the part of fault.Service that lists alarms.
type alarmLister interface {
	ListAlarms(ctx context.Context, q fault.AlarmQuery) ([]fault.Alarm, error)
}

// seedSensorAlarms reads, once per start, the 200.007 alarms raised
// before it, so the first audit clears only those back in range instead
// of clearing every sensor blindly. Without a lister (a bare
// fault.Reporter), the first audit clears every sensor in range.
func (m *Manager) seedSensorAlarms(ctx context.Context) {
	m.mu.Lock()
	seeded := m.sensorsSeeded
	m.mu.Unlock()
	l, ok := m.o.Faults.(alarmLister)
	if seeded || !ok {
		return
	}
	as, err := l.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.007", IncludeSuppressed: true, IncludeMasked: true})
	if err != nil {
		m.log.Warn("list sensor alarms", "err", err)
		return
	}
	raised := map[string]map[string]fault.Severity{} // hostname → sensor → severity
	for _, a := range as {
		rest, ok := strings.CutPrefix(a.EntityInstanceID, "host=")
		if !ok {
			continue
		}
		hostname, sensor, ok := strings.Cut(rest, ".sensor=")
		if !ok {
			continue
		}
		if raised[hostname] == nil {
			raised[hostname] = map[string]fault.Severity{}
		}
		raised[hostname][sensor] = a.Severity
	}
	m.mu.Lock()
	m.sensorSeed, m.sensorsSeeded = raised, true
	m.mu.Unlock()
}

// auditBMC reads one host's BMC and raises or clears its sensor alarms.
// It does not retry: the next audit is the retry.
func (m *Manager) auditBMC(ctx context.Context, h *host) {
	var power hostmgmt.PowerState
	var sensors []hostmgmt.Sensor
	err := m.bmcCall(ctx, h, bmcAuditTimeout, false, func(ctx context.Context, b hostmgmt.BMC) error {
		p, err := b.PowerState(ctx)
		if err != nil {
			return err
		}
		s, err := b.Sensors(ctx)
		if err != nil && !errors.Is(err, hostmgmt.ErrUnimplemented) {
			return err
		}
		power, sensors = p, s
		return nil
	})
	now := time.Now().UTC()
	var changes []sensorChange
	m.mu.Lock()
	if m.hosts[h.uuid] != h { // deleted meanwhile
		m.mu.Unlock()
		return
	}
	hostname := h.hostname
	switch {
	case errors.Is(err, hostmgmt.ErrNoBMC):
		// Deprovisioned: nothing to show, and nothing to alarm on.
		h.bmcStatus = nil
		for name := range h.sensorAlarms {
			changes = append(changes, sensorChange{name, fault.SeverityClear})
		}
		h.sensorAlarms = map[string]fault.Severity{}
	case err != nil:
		// The readings stay, with the time they were read and why they
		// could not be read again.
		if h.bmcStatus == nil {
			h.bmcStatus = &hostmgmt.BMCStatus{Power: hostmgmt.PowerUnknown}
		}
		h.bmcStatus.Error = err.Error()
	default:
		sensors = sanitize(sensors)
		h.bmcStatus = &hostmgmt.BMCStatus{Power: power, Sensors: sensors, ReadAt: now}
		changes = m.sensorChangesLocked(h, sensors)
	}
	m.mu.Unlock()
	slices.SortFunc(changes, func(a, b sensorChange) int { return strings.Compare(a.name, b.name) })
	for _, c := range changes {
		if c.sev == fault.SeverityClear {
			m.clearAlarm(ctx, h, "200.007", sensorSuffix(c.name))
			continue
		}
		m.raiseSensorAlarm(ctx, hostname, c.name, c.sev)
	}
}

// sensorChange is a 200.007 to raise (at sev) or clear (SeverityClear).
type sensorChange = struct {
	name string
	sev  fault.Severity
}

// sensorChangesLocked updates h.sensorAlarms from sensors and returns
// what to raise and clear. Sensors sharing a name (one per chassis) are
// one alarm, at the worst status among them.
func (m *Manager) sensorChangesLocked(h *host, sensors []hostmgmt.Sensor) []sensorChange {
	// A host's first audit since start: what was raised before comes
	// from the seed; without one, every sensor in range is cleared.
	first := h.sensorAlarms == nil && !m.sensorsSeeded
	if h.sensorAlarms == nil {
		h.sensorAlarms = maps.Clone(m.sensorSeed[h.hostname])
		if h.sensorAlarms == nil {
			h.sensorAlarms = map[string]fault.Severity{}
		}
	}
	rank := map[hostmgmt.SensorStatus]int{hostmgmt.SensorUnknown: 0, hostmgmt.SensorOK: 1, hostmgmt.SensorWarning: 2, hostmgmt.SensorCritical: 3}
	worst := make(map[string]hostmgmt.SensorStatus, len(sensors))
	for _, s := range sensors {
		if cur, ok := worst[s.Name]; !ok || rank[s.Status] > rank[cur] {
			worst[s.Name] = s.Status
		}
	}
	var changes []sensorChange
	for name, status := range worst {
		var want fault.Severity
		switch status {
		case hostmgmt.SensorCritical:
			want = fault.SeverityCritical
		case hostmgmt.SensorWarning:
			want = fault.SeverityMajor
		case hostmgmt.SensorOK:
			want = fault.SeverityClear
		default:
			continue // no reading: keep what is raised
		}
		had, raised := h.sensorAlarms[name]
		switch {
		case want != fault.SeverityClear && (!raised || had != want):
			h.sensorAlarms[name] = want
			changes = append(changes, sensorChange{name, want})
		case want == fault.SeverityClear && (raised || first):
			delete(h.sensorAlarms, name)
			changes = append(changes, sensorChange{name, fault.SeverityClear})
		}
	}
	for name := range h.sensorAlarms {
		if _, ok := worst[name]; !ok { // the sensor is gone
			delete(h.sensorAlarms, name)
			changes = append(changes, sensorChange{name, fault.SeverityClear})
		}
	}
	return changes
}

// sanitize makes readings JSON can carry: a reading that is not a
// finite number is no reading (status unknown), a limit that is not one
// is no limit.
func sanitize(sensors []hostmgmt.Sensor) []hostmgmt.Sensor {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	limit := func(p *float64) *float64 {
		if p == nil || !finite(*p) {
			return nil
		}
		return p
	}
	for i := range sensors {
		s := &sensors[i]
		if !finite(s.Reading) {
			s.Reading, s.Status = 0, hostmgmt.SensorUnknown
		}
		if !s.Status.Valid() {
			s.Status = hostmgmt.SensorUnknown
		}
		t := &s.Thresholds
		t.LowerCritical, t.LowerCaution, t.UpperCaution, t.UpperCritical = limit(t.LowerCritical), limit(t.LowerCaution), limit(t.UpperCaution), limit(t.UpperCritical)
	}
	return sensors
}

func sensorSuffix(name string) string { return ".sensor=" + name }

// raiseSensorAlarm raises 200.007 for one sensor, in hwmon's words.
func (m *Manager) raiseSensorAlarm(ctx context.Context, hostname, sensor string, sev fault.Severity) {
	if m.o.Faults == nil || hostname == "" {
		return
	}
	d, _ := catalog.Lookup("200.007")
	_, err := m.o.Faults.SetAlarm(ctx, fault.Alarm{
		AlarmID: "200.007", State: fault.StateSet, EntityTypeID: "host.sensor",
		EntityInstanceID: "host=" + hostname + sensorSuffix(sensor), Severity: sev,
		ReasonText:           fmt.Sprintf("%s is reporting a '%s' out-of-tolerance reading from the '%s' sensor", hostname, sev, sensor),
		AlarmType:            d.AlarmType,
		ProbableCause:        d.ProbableCause,
		ProposedRepairAction: d.ProposedRepairAction,
		ServiceAffecting:     d.ServiceAffecting,
		Suppression:          d.Suppression,
	})
	if err != nil {
		m.log.Warn("raise alarm", "id", "200.007", "host", hostname, "sensor", sensor, "err", err)
	}
}
