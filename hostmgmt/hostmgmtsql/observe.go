package hostmgmtsql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// observe turns one observation into events, alarms and degrade.
func (m *Manager) observe(ctx context.Context, uuid string, o hostmgmt.Observation) {
	feed := func(ev hostmgmt.Event) {
		if _, err := m.event(ctx, uuid, ev); err != nil && !errors.Is(err, hostmgmt.ErrInvalidTransition) && !errors.Is(err, hostmgmt.ErrNotFound) {
			m.log.Warn("observation", "host", uuid, "event", ev.Kind, "err", err)
		}
	}
	switch o.Kind {
	case hostmgmt.ObsMNFAEnter, hostmgmt.ObsMNFAExit:
		m.mnfaChange(ctx, o)
		return
	}
	m.mu.Lock()
	h := m.hosts[uuid]
	m.mu.Unlock()
	if h == nil {
		return
	}
	switch o.Kind {
	case hostmgmt.ObsMtcAlive:
		m.mu.Lock()
		// A host whose boot id maintenance has not seen yet counts as
		// rebooted: its first mtcAlive may well come after the reboot.
		rebooted := h.bootID == "" || (o.BootID != "" && o.BootID != h.bootID)
		changed := o.BootID != "" && o.BootID != h.bootID
		if changed {
			h.bootID = o.BootID
		}
		flagsChanged := h.flags != o.Flags
		h.flags = o.Flags
		m.mu.Unlock()
		if changed {
			if err := m.setBootID(ctx, uuid, o.BootID); err != nil {
				m.log.Warn("boot id", "host", h.hostname, "err", err)
			}
			up := int64(o.Uptime / time.Second)
			if _, err := m.o.Inventory.SetHostStatus(ctx, uuid, inventory.HostStatus{Uptime: &up}); err != nil {
				m.log.Warn("uptime", "host", h.hostname, "err", err)
			}
		}
		feed(hostmgmt.Event{Kind: hostmgmt.EventMtcAlive, Configured: o.Configured, Rebooted: rebooted,
			ConfigFailed: o.Flags&hostmgmt.FlagConfigFailed != 0})
		if flagsChanged {
			m.degradeCheck(ctx, h)
		}
	case hostmgmt.ObsOffline:
		feed(hostmgmt.Event{Kind: hostmgmt.EventOffline})
	case hostmgmt.ObsCommandResult:
		switch o.Command {
		case hostmgmt.CmdGoenabled:
			feed(hostmgmt.Event{Kind: hostmgmt.EventGoenabled, OK: o.OK, Reason: o.Reason})
		case hostmgmt.CmdStartServices:
			feed(hostmgmt.Event{Kind: hostmgmt.EventHostServices, OK: o.OK, Reason: o.Reason})
		default:
			if !o.OK {
				m.log.Info("command failed", "host", h.hostname, "command", o.Command, "reason", o.Reason)
			}
		}
	case hostmgmt.ObsHeartbeat:
		m.heartbeat(ctx, h, o)
	}
}

// heartbeat applies a host's new heartbeat health on one network: the
// network's alarm (major while degraded, critical when failed), degrade
// while one network is lost, failure when all are.
func (m *Manager) heartbeat(ctx context.Context, h *host, o hostmgmt.Observation) {
	if !o.Network.Valid() || !o.Health.Valid() {
		return
	}
	m.mu.Lock()
	monitored := h.st.Administrative == inventory.AdminUnlocked
	h.health[o.Network] = o.Health
	h.flags = o.Flags
	all, failed := len(h.health), 0
	for _, x := range h.health {
		if x == hostmgmt.HealthFailed {
			failed++
		}
	}
	var want fault.Severity
	switch o.Health {
	case hostmgmt.HealthFailed:
		want = fault.SeverityCritical
	case hostmgmt.HealthDegraded:
		want = fault.SeverityMajor
	}
	had, raised := h.netAlarms[o.Network]
	if want != 0 {
		h.netAlarms[o.Network] = want
	} else {
		delete(h.netAlarms, o.Network)
	}
	m.mu.Unlock()
	if !monitored {
		return
	}
	suffix := ".network=" + string(o.Network)
	switch {
	case want != 0 && (!raised || had != want):
		m.raiseAlarm(ctx, h, netAlarmID(o.Network), suffix, want)
	case want == 0 && raised:
		m.clearAlarm(ctx, h, netAlarmID(o.Network), suffix)
	}
	if failed > 0 && failed == all {
		if _, err := m.event(ctx, h.uuid, hostmgmt.Event{Kind: hostmgmt.EventHeartbeatLoss}); err != nil &&
			!errors.Is(err, hostmgmt.ErrInvalidTransition) && !errors.Is(err, hostmgmt.ErrNotFound) {
			m.log.Warn("heartbeat loss", "host", h.hostname, "err", err)
		}
		return
	}
	m.degradeCheck(ctx, h)
}

// degradeCheck feeds EventDegrade when the host's degrade causes (a
// network degraded or lost while another still answers, a health flag)
// appear or go.
func (m *Manager) degradeCheck(ctx context.Context, h *host) {
	m.mu.Lock()
	d := h.flags != 0
	for _, x := range h.health {
		if x == hostmgmt.HealthDegraded || x == hostmgmt.HealthFailed {
			d = true
		}
	}
	changed := d != h.st.Degraded
	m.mu.Unlock()
	if !changed {
		return
	}
	if _, err := m.event(ctx, h.uuid, hostmgmt.Event{Kind: hostmgmt.EventDegrade, Degraded: d}); err != nil && !errors.Is(err, hostmgmt.ErrNotFound) {
		m.log.Warn("degrade", "host", h.hostname, "err", err)
	}
}

// mnfaChange logs MNFA's enter and exit (200.020).
func (m *Manager) mnfaChange(ctx context.Context, o hostmgmt.Observation) {
	enter := o.Kind == hostmgmt.ObsMNFAEnter
	m.mu.Lock()
	m.mnfa[o.Network] = enter
	m.mu.Unlock()
	what := "exit"
	if enter {
		what = "enter"
	}
	m.log.Warn("multi-node failure avoidance "+what, "network", o.Network, "hosts", o.Count)
	m.writeLog(ctx, "200.020", "host=controller.network="+string(o.Network), fault.SeverityWarning,
		fmt.Sprintf("Multi-Node Failure Avoidance %s on the %s network (%d hosts)", what, o.Network, o.Count))
}

// InMNFA reports whether multi-node failure avoidance is on for network.
func (m *Manager) InMNFA(n hostmgmt.Network) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mnfa[n]
}
