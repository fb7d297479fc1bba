package hostmgmtsql

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

type faultSeverity = fault.Severity

const faultWarning = fault.SeverityWarning

// bmcAlarmAfter is how many back-to-back BMC access failures raise
// 200.010 (MTC_MAX_B2B_BM_ACCESS_FAIL_COUNT_B4_ALARM).
const bmcAlarmAfter = 5

// commandTimeout bounds the delivery of one command to an agent.
const commandTimeout = 10 * time.Second

// bmcTimeout bounds one BMC call.
const bmcTimeout = 60 * time.Second

func (h *host) enqueue(jobs []job) {
	if len(jobs) == 0 {
		return
	}
	h.qmu.Lock()
	h.queue = append(h.queue, jobs...)
	h.qmu.Unlock()
	select {
	case h.signal <- struct{}{}:
	default:
	}
}

// startWorker starts the goroutine that performs a host's actions in
// order. Called with m.mu held, once Run has started.
func (m *Manager) startWorker(h *host) {
	if h.working {
		return
	}
	h.working = true
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.worker(m.ctx, h)
	}()
}

func (m *Manager) worker(ctx context.Context, h *host) {
	for {
		h.qmu.Lock()
		q := h.queue
		h.queue = nil
		fsm := h.fsmCtx
		h.qmu.Unlock()
		for _, j := range q {
			if ctx.Err() != nil {
				return
			}
			m.perform(ctx, h, j)
			m.done(j.id)
		}
		select {
		case <-ctx.Done():
			return
		case <-h.signal:
		case <-fsm.Done():
			// The host was removed, or a new FSM began: look again.
			select {
			case <-ctx.Done():
				return
			case <-h.signal:
			case <-time.After(time.Second):
			}
		}
	}
}

// perform does one action and feeds its outcome back as an event.
func (m *Manager) perform(runCtx context.Context, h *host, j job) {
	// The action is bounded by Run's life and by its FSM's.
	ctx, cancel := context.WithCancel(runCtx)
	defer cancel()
	stop := context.AfterFunc(j.ctx, cancel)
	defer stop()

	uuid := h.uuid
	feed := func(ev hostmgmt.Event) {
		if _, err := m.event(runCtx, uuid, ev); err != nil && !errors.Is(err, hostmgmt.ErrInvalidTransition) && !errors.Is(err, hostmgmt.ErrNotFound) {
			m.log.Warn("feeding an action's outcome", "host", h.hostname, "event", ev.Kind, "err", err)
		}
	}
	switch a := j.act; a.Kind {
	case hostmgmt.DoRebootCommand:
		if err := m.send(ctx, uuid, hostmgmt.CmdReboot); err != nil {
			m.log.Info("reboot command not acknowledged; the BMC reset follows", "host", h.hostname, "err", err)
			return
		}
		feed(hostmgmt.Event{Kind: hostmgmt.EventRebootAck})
	case hostmgmt.DoBMCReset:
		feed(hostmgmt.Event{Kind: hostmgmt.EventBMCResult, OK: m.bmc(ctx, h, func(c context.Context, b hostmgmt.BMC) error { return b.Power(c, hostmgmt.OpReset) })})
	case hostmgmt.DoBMCPowerOn:
		feed(hostmgmt.Event{Kind: hostmgmt.EventBMCResult, OK: m.bmc(ctx, h, func(c context.Context, b hostmgmt.BMC) error { return b.Power(c, hostmgmt.OpPowerOn) })})
	case hostmgmt.DoBMCPowerOff:
		feed(hostmgmt.Event{Kind: hostmgmt.EventBMCResult, OK: m.bmc(ctx, h, func(c context.Context, b hostmgmt.BMC) error { return b.Power(c, hostmgmt.OpPowerOff) })})
	case hostmgmt.DoNetboot:
		m.bmc(ctx, h, func(c context.Context, b hostmgmt.BMC) error {
			if err := b.SetBootDevice(c, hostmgmt.BootPXE); err != nil {
				return err
			}
			return b.Power(c, hostmgmt.OpReset)
		})
	case hostmgmt.DoHeartbeatStart:
		m.mu.Lock()
		clear(h.health)
		m.mu.Unlock()
		if m.o.Heartbeat != nil {
			m.o.Heartbeat.Monitor(uuid, true)
		}
		m.degradeCheck(ctx, h) // the heartbeat's degrade causes start over
		// The soak that follows catches a host that does not answer:
		// ten missed pulses report it lost.
		feed(hostmgmt.Event{Kind: hostmgmt.EventHeartbeatOK})
	case hostmgmt.DoHeartbeatStop:
		if m.o.Heartbeat != nil {
			m.o.Heartbeat.Monitor(uuid, false)
		}
		m.mu.Lock()
		clear(h.health)
		nets := make([]hostmgmt.Network, 0, len(h.netAlarms))
		for n := range h.netAlarms {
			nets = append(nets, n)
		}
		clear(h.netAlarms)
		m.mu.Unlock()
		for _, n := range nets {
			m.clearAlarm(ctx, h, netAlarmID(n), ".network="+string(n))
		}
		m.degradeCheck(ctx, h)
	case hostmgmt.DoRequestMtcAlive:
		if err := m.send(ctx, uuid, hostmgmt.CmdMtcAlive); err != nil {
			m.log.Info("mtcAlive request not delivered", "host", h.hostname, "err", err)
		}
	case hostmgmt.DoStartGoenabled:
		if err := m.send(ctx, uuid, hostmgmt.CmdGoenabled); err != nil {
			m.log.Info("goenabled request not delivered; the stage times out", "host", h.hostname, "err", err)
		}
	case hostmgmt.DoStartServices:
		if err := m.send(ctx, uuid, hostmgmt.CmdStartServices); err != nil {
			m.log.Info("start-services not delivered; the stage times out", "host", h.hostname, "err", err)
		}
	case hostmgmt.DoStopServices:
		if err := m.send(ctx, uuid, hostmgmt.CmdStopServices); err != nil {
			m.log.Info("stop-services not delivered", "host", h.hostname, "err", err)
		}
	case hostmgmt.DoRunLockHooks:
		feed(m.runHooks(ctx, h))
	case hostmgmt.DoRequestSwact:
		ok := false
		if m.o.Swacter != nil {
			m.mu.Lock()
			force := h.st.Action == hostmgmt.ActionForceSwact
			m.mu.Unlock()
			err := m.o.Swacter.Swact(ctx, uuid, force)
			ok = err == nil
			if err != nil {
				m.log.Warn("swact", "host", h.hostname, "err", err)
			}
		}
		feed(hostmgmt.Event{Kind: hostmgmt.EventSwactDone, OK: ok})
	case hostmgmt.DoRaiseAlarm:
		m.raiseAlarm(ctx, h, a.ID, "", fault.SeverityCritical)
	case hostmgmt.DoClearAlarm:
		m.clearAlarm(ctx, h, a.ID, "")
	case hostmgmt.DoDeleteHost:
		m.deleteHost(ctx, h)
	default:
		m.log.Error("unknown action", "host", h.hostname, "action", a.Kind)
	}
}

func (m *Manager) send(ctx context.Context, uuid string, c hostmgmt.Command) error {
	if m.o.Agents == nil {
		return fmt.Errorf("%w: no agent link", hostmgmt.ErrUnavailable)
	}
	d := commandTimeout
	switch c {
	case hostmgmt.CmdReboot:
		d = m.t.RebootAckTimeout // past it, the FSM resets through the BMC
	case hostmgmt.CmdMtcAlive:
		d = m.t.RecoveryTimeout // the answer is due within the recovery window
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	// The link may not know the host yet (a controller just restarted
	// learns hosts' addresses from their mtcAlive): try until the
	// deadline.
	for {
		err := m.o.Agents.Send(ctx, uuid, c)
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(sendRetry):
		}
	}
}

// sendRetry is the wait between tries of a command the link refused.
const sendRetry = 200 * time.Millisecond

// bmc runs fn on the host's BMC through hostmgmt.Retry (a call that
// surely was not sent is sent again) and counts access failures: the
// fifth in a row raises 200.010, a success clears it.
func (m *Manager) bmc(ctx context.Context, h *host, fn func(context.Context, hostmgmt.BMC) error) bool {
	return m.bmcCall(ctx, h, bmcTimeout, true, fn) == nil
}

// bmcCall opens the host's BMC and calls fn within timeout, through
// hostmgmt.Retry when retry is set. It counts back-to-back failures:
// from the fifth on, 200.010 is raised (once); a success clears it.
// ErrNoBMC (no BMC provisioned) is returned, resets the count and clears
// 200.010. The alarms are written with ctx, not with the call's
// deadline, which a BMC that never answers has used up.
func (m *Manager) bmcCall(ctx context.Context, h *host, timeout time.Duration, retry bool, fn func(context.Context, hostmgmt.BMC) error) error {
	if m.o.BMCs == nil {
		return hostmgmt.ErrNoBMC
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	call := func(ctx context.Context) error {
		b, err := m.o.BMCs.BMC(ctx, h.uuid)
		if err != nil {
			return err
		}
		return fn(ctx, b)
	}
	var err error
	if retry {
		err = hostmgmt.Retry(callCtx, call)
	} else {
		err = call(callCtx)
	}
	noBMC := errors.Is(err, hostmgmt.ErrNoBMC)
	m.mu.Lock()
	// 200.010 may be raised: by this Manager, or before its start.
	mayBeRaised := h.bmcAlarmed || !h.bmcChecked
	raise := false
	switch {
	case err == nil || noBMC:
		h.bmcFails, h.bmcChecked, h.bmcAlarmed = 0, true, false
	default:
		h.bmcFails++
		if h.bmcFails >= bmcAlarmAfter && !h.bmcAlarmed {
			h.bmcAlarmed, raise = true, true
		}
	}
	m.mu.Unlock()
	switch {
	case raise:
		m.raiseAlarm(ctx, h, "200.010", "", fault.SeverityWarning)
	case (err == nil || noBMC) && mayBeRaised:
		m.clearAlarm(ctx, h, "200.010", "")
	}
	if err != nil && !noBMC {
		m.log.Warn("BMC", "host", h.hostname, "err", err)
	}
	return err
}

// runHooks runs the pre-lock hooks in order within lock_hooks_timeout.
func (m *Manager) runHooks(ctx context.Context, h *host) hostmgmt.Event {
	ctx, cancel := context.WithTimeout(ctx, m.t.LockHooksTimeout)
	defer cancel()
	for _, hk := range m.o.LockHooks {
		if err := hk.PreLock(ctx, h.uuid); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				// The FSM's own timer reports the timeout.
				return hostmgmt.Event{Kind: hostmgmt.EventHooksDone, OK: false, Reason: hk.Name() + " timed out"}
			}
			m.log.Info("lock rejected", "host", h.hostname, "hook", hk.Name(), "err", err)
			return hostmgmt.Event{Kind: hostmgmt.EventHooksDone, OK: false, Reason: err.Error()}
		}
	}
	return hostmgmt.Event{Kind: hostmgmt.EventHooksDone, OK: true}
}

// hostDeleter is the part of inventory.Service that deletes hosts.
type hostDeleter interface {
	DeleteHost(ctx context.Context, host string) error
}

func (m *Manager) deleteHost(ctx context.Context, h *host) {
	if d, ok := m.o.Inventory.(hostDeleter); ok {
		if err := d.DeleteHost(ctx, h.uuid); err != nil && !errors.Is(err, inventory.ErrNotFound) {
			m.log.Warn("delete host", "host", h.hostname, "err", err)
			return
		}
	}
	for _, id := range []string{"200.001", "200.004", "200.010", "200.011"} {
		m.clearAlarm(ctx, h, id, "")
	}
	m.mu.Lock()
	sensors := slices.Collect(maps.Keys(h.sensorAlarms))
	m.mu.Unlock()
	for _, name := range sensors {
		m.clearAlarm(ctx, h, "200.007", sensorSuffix(name))
	}
	if err := m.removeHost(ctx, h.uuid); err != nil {
		m.log.Warn("delete host", "host", h.hostname, "err", err)
	}
}

// sysContextLocked fills in what Step needs to know about the system.
// Called with m.mu held.
func (m *Manager) sysContextLocked(ctx context.Context, h *host) hostmgmt.SystemContext {
	sys := hostmgmt.SystemContext{Hostname: h.hostname, Personality: h.personality}
	if g, ok := m.o.Inventory.(interface {
		GetSystem(context.Context) (inventory.System, error)
	}); ok {
		if s, err := g.GetSystem(ctx); err == nil {
			sys.Simplex = s.SystemMode == inventory.ModeSimplex
		}
	}
	for _, o := range m.hosts {
		if o.personality == inventory.PersonalityController && o.st.Operational == inventory.OperEnabled &&
			o.st.Administrative == inventory.AdminUnlocked {
			sys.EnabledControllers++
		}
	}
	if m.o.Swacter != nil && h.personality == inventory.PersonalityController {
		if active, standby, err := m.o.Swacter.Active(ctx); err == nil {
			sys.ActiveController = active == h.uuid
			sys.StandbyHealthy = standby
		}
	}
	return sys
}

// mirrorLocked writes a host's new state to inventory and raises or
// clears the alarms that follow from the change itself: 200.001 while
// locked, the 200.022 log on an availability change.
func (m *Manager) mirrorLocked(ctx context.Context, h *host, prev, next hostmgmt.State) {
	st := inventory.HostStatus{}
	if prev.Administrative != next.Administrative {
		st.Administrative = &next.Administrative
	}
	if prev.Operational != next.Operational {
		st.Operational = &next.Operational
	}
	if prev.Availability != next.Availability {
		st.Availability = &next.Availability
	}
	if prev.Task != next.Task || prev.Administrative == "" {
		task := string(next.Task)
		st.Task = &task
	}
	if st == (inventory.HostStatus{}) {
		return
	}
	if _, err := m.o.Inventory.SetHostStatus(ctx, h.uuid, st); err != nil && !errors.Is(err, inventory.ErrNotFound) {
		m.log.Warn("writing host state to inventory", "host", h.hostname, "err", err)
	}
	if prev.Administrative == "" {
		return // a resync at start, not a change
	}
	if st.Administrative != nil {
		if next.Administrative == inventory.AdminLocked {
			m.raiseAlarmLocked(ctx, h, "200.001", "", fault.SeverityWarning)
		} else {
			m.clearAlarmLocked(ctx, h, "200.001", "")
		}
	}
	if st.Availability != nil {
		sev := fault.SeverityWarning
		switch next.Availability {
		case inventory.AvailFailed:
			sev = fault.SeverityCritical
		case inventory.AvailDegraded:
			sev = fault.SeverityMajor
		}
		m.logEventLocked(ctx, "200.022", h, ".state="+string(next.Availability), sev, "%s is "+string(next.Availability))
	}
}

var catalog = fault.DefaultCatalog()

func netAlarmID(n hostmgmt.Network) string {
	if n == hostmgmt.NetworkClusterHost {
		return "200.009"
	}
	return "200.005"
}

var reasons = map[string]string{
	"200.001": "%s was administratively locked to take it out-of-service.",
	"200.004": "%s experienced a service-affecting failure. Auto-recovery in progress.",
	"200.005": "%s is experiencing a persistent heartbeat loss on the management network.",
	"200.009": "%s is experiencing a persistent heartbeat loss on the cluster-host network.",
	"200.010": "%s access to board management module has failed.",
	"200.011": "%s experienced a configuration failure during initialization. Host is being re-configured by Reboot.",
}

// raiseAlarm raises alarm id on the host (entity host=<name><suffix>).
func (m *Manager) raiseAlarm(ctx context.Context, h *host, id, suffix string, sev fault.Severity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raiseAlarmLocked(ctx, h, id, suffix, sev)
}

func (m *Manager) raiseAlarmLocked(ctx context.Context, h *host, id, suffix string, sev fault.Severity) {
	if m.o.Faults == nil || h.hostname == "" {
		return
	}
	d, ok := catalog.Lookup(id)
	if !ok {
		m.log.Error("alarm not in the catalog", "id", id)
		return
	}
	if !d.Allows(sev) && len(d.Severities) > 0 {
		sev = d.Severities[0]
	}
	reason := fmt.Sprintf(reasons[id], h.hostname)
	_, err := m.o.Faults.SetAlarm(ctx, fault.Alarm{
		AlarmID: id, State: fault.StateSet, EntityTypeID: entityType(suffix),
		EntityInstanceID: "host=" + h.hostname + suffix, Severity: sev, ReasonText: reason,
		AlarmType: d.AlarmType, ProbableCause: d.ProbableCause, ProposedRepairAction: d.ProposedRepairAction,
		ServiceAffecting: d.ServiceAffecting, Suppression: d.Suppression, InhibitAlarms: d.InhibitAlarms,
	})
	if err != nil {
		m.log.Warn("raise alarm", "id", id, "host", h.hostname, "err", err)
	}
}

func entityType(suffix string) string {
	if strings.HasPrefix(suffix, ".network=") {
		return "host.network"
	}
	return "host"
}

func (m *Manager) clearAlarm(ctx context.Context, h *host, id, suffix string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clearAlarmLocked(ctx, h, id, suffix)
}

func (m *Manager) clearAlarmLocked(ctx context.Context, h *host, id, suffix string) {
	if m.o.Faults == nil || h.hostname == "" {
		return
	}
	if err := m.o.Faults.ClearAlarm(ctx, id, "host="+h.hostname+suffix); err != nil && !errors.Is(err, fault.ErrNotFound) {
		m.log.Warn("clear alarm", "id", id, "host", h.hostname, "err", err)
	}
}

// eventLogger is the part of fault.Service that writes logs.
type eventLogger interface {
	Log(ctx context.Context, a fault.Alarm) (string, error)
}

func (m *Manager) logEvent(ctx context.Context, id, uuid, suffix string, sev fault.Severity, format string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.hosts[uuid]; h != nil {
		m.logEventLocked(ctx, id, h, suffix, sev, format)
	}
}

// logEventLocked writes a 200.02x log; format has one %s, the hostname.
func (m *Manager) logEventLocked(ctx context.Context, id string, h *host, suffix string, sev fault.Severity, format string) {
	name := h.hostname
	if name == "" {
		name = h.uuid
	}
	m.writeLog(ctx, id, "host="+name+suffix, sev, fmt.Sprintf(format, name))
}

func (m *Manager) writeLog(ctx context.Context, id, eid string, sev fault.Severity, reason string) {
	l, ok := m.o.Faults.(eventLogger)
	if !ok {
		return
	}
	d, found := catalog.Lookup(id)
	if !found {
		return
	}
	if !d.Allows(sev) && len(d.Severities) > 0 {
		sev = d.Severities[0]
	}
	if _, err := l.Log(ctx, fault.Alarm{
		AlarmID: id, State: fault.StateLog, EntityTypeID: "host", EntityInstanceID: eid,
		Severity: sev, ReasonText: reason, AlarmType: d.AlarmType, ProbableCause: d.ProbableCause,
	}); err != nil {
		m.log.Warn("event log", "id", id, "err", err)
	}
}
