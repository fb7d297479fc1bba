// Package hostmgmttest is for integrators of host maintenance: fakes of
// the parts the Manager drives (hosts' agents and heartbeat, BMCs,
// pre-lock hooks, service management) and RunServiceSuite, the
// conformance suite every hostmgmt.Service implementation passes — in
// this repository hostmgmtsql.Manager on SQLite and PostgreSQL, and
// hostmgmthttp's client against its server.
package hostmgmttest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// Rig is one service under test with the fakes behind it. The rig's
// constructor wires Agents (as the hosts' agents and the heartbeat
// engine, reporting to the implementation's Observer), BMCs, Hook and
// Swacter into the implementation, with Timings(), over Inventory and
// Faults.
type Rig struct {
	// Service is the implementation under test.
	Service hostmgmt.Service
	// Inventory holds the hosts; the suite adds them.
	Inventory inventory.Service
	// Faults is where the implementation raises alarms.
	Faults  fault.Service
	Agents  *FakeAgents
	BMCs    *FakeBMCs
	Hook    *FakeHook
	Swacter *FakeSwacter
	// Restart stops the implementation and starts a new one over the same
	// database, with the same fakes, and returns it. Required: the suite
	// checks that state survives a restart.
	Restart func(t *testing.T) hostmgmt.Service
}

// Timings are the FSM timings rigs must give the implementation: StarlingX's
// defaults with the waits that a suite cannot sit through shortened.
func Timings() hostmgmt.Timings {
	t := hostmgmt.DefaultTimings()
	t.HeartbeatSoak = 100 * time.Millisecond
	t.RebootAckTimeout = 2 * time.Second
	t.ResetRetryDelay = 500 * time.Millisecond
	t.RecoveryTimeout = 500 * time.Millisecond
	t.BMCResetDelay = 200 * time.Millisecond
	t.DefaultInterval = 200 * time.Millisecond
	t.Intervals = map[hostmgmt.Cause]time.Duration{hostmgmt.CauseHeartbeat: 200 * time.Millisecond}
	t.PowerRetryDelay = 200 * time.Millisecond
	t.PowerOffTimeout = 300 * time.Millisecond
	t.PowerOnTimeout = 300 * time.Millisecond
	t.LockHooksTimeout = 5 * time.Second
	return t
}

// within is how long the suite waits for an FSM to reach a state.
const within = 15 * time.Second

type suiteCase struct {
	name string
	run  func(t *testing.T, r *Rig)
}

// RunServiceSuite runs the conformance suite; newRig returns a fresh rig
// (empty inventory) for each case.
func RunServiceSuite(t *testing.T, newRig func(t *testing.T) *Rig) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			inventorytest.PlatformNetworks(t, r.Inventory)
			c.run(t, r)
		})
	}
}

// worker adds a ready worker, simulated as running, and returns its uuid
// once maintenance shows it locked-disabled-online.
func worker(t *testing.T, r *Rig, name string) string {
	t.Helper()
	return readyHost(t, r, name, inventory.PersonalityWorker)
}

func readyHost(t *testing.T, r *Rig, name string, p inventory.Personality) string {
	t.Helper()
	h := inventorytest.NewReadyHost(t, r.Inventory, name, p)
	_, err := r.Service.GetHostState(t.Context(), h.UUID) // maintenance learns of the host
	require.NoError(t, err)
	r.Agents.AddHost(h.UUID)
	waitState(t, r, h.UUID, "locked-disabled-online")
	return h.UUID
}

func composite(s hostmgmt.State) string {
	return fmt.Sprintf("%s-%s-%s", s.Administrative, s.Operational, s.Availability)
}

// waitState waits until the host is idle in the composite state want.
func waitState(t *testing.T, r *Rig, uuid, want string) hostmgmt.HostState {
	t.Helper()
	var last hostmgmt.HostState
	ok := assert.Eventually(t, func() bool {
		hs, err := r.Service.GetHostState(t.Context(), uuid)
		if err != nil {
			return false
		}
		last = hs
		return composite(hs.State) == want && hs.Stage == hostmgmt.StageIdle
	}, within, 10*time.Millisecond)
	if !ok {
		t.Fatalf("host never reached %s idle; last: %s stage %q task %q", want, composite(last.State), last.Stage, last.Task)
	}
	return last
}

// unlock unlocks a ready worker and waits for it in service.
func unlock(t *testing.T, r *Rig, uuid string) {
	t.Helper()
	_, err := r.Service.Act(t.Context(), uuid, hostmgmt.ActionUnlock)
	require.NoError(t, err)
	waitState(t, r, uuid, "unlocked-enabled-available")
}

// invState returns the host's composite state as inventory shows it.
func invState(t *testing.T, r *Rig, uuid string) string {
	t.Helper()
	h, err := r.Inventory.GetHost(t.Context(), uuid)
	require.NoError(t, err)
	return fmt.Sprintf("%s-%s-%s", h.Administrative, h.Operational, h.Availability)
}

func hostname(t *testing.T, r *Rig, uuid string) string {
	t.Helper()
	h, err := r.Inventory.GetHost(t.Context(), uuid)
	require.NoError(t, err)
	return h.Hostname
}

// alarmActive reports whether alarm id is active on the host's entity
// (host=<name><suffix>).
func alarmActive(t *testing.T, r *Rig, id, eid string) bool {
	t.Helper()
	as, err := r.Faults.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	for _, a := range as {
		if a.AlarmID == id && a.EntityInstanceID == eid {
			return true
		}
	}
	return false
}

func waitAlarm(t *testing.T, r *Rig, id, eid string, active bool) {
	t.Helper()
	assert.Eventually(t, func() bool { return alarmActive(t, r, id, eid) == active }, within, 10*time.Millisecond,
		"alarm %s on %s active=%v", id, eid, active)
}

func refused(t *testing.T, r *Rig, uuid string, a hostmgmt.AdminAction, rule string) {
	t.Helper()
	before, err := r.Service.GetHostState(t.Context(), uuid)
	require.NoError(t, err)
	_, err = r.Service.Act(t.Context(), uuid, a)
	require.Error(t, err, "%s must be refused", a)
	assert.ErrorIs(t, err, hostmgmt.ErrInvalidTransition)
	var re *hostmgmt.RuleError
	if assert.True(t, errors.As(err, &re), "%s: %v is not a *RuleError", a, err) {
		assert.Equal(t, rule, re.Rule, "%s refused by the wrong rule: %s", a, re.Reason)
		assert.NotEmpty(t, re.Reason)
	}
	after, err := r.Service.GetHostState(t.Context(), uuid)
	require.NoError(t, err)
	assert.Equal(t, composite(before.State), composite(after.State), "a refused %s changed the state", a)
	assert.Equal(t, before.Task, after.Task, "a refused %s changed the task", a)
}

var cases = []suiteCase{
	{"UnlockEnablesWorker", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		hs, err := r.Service.Act(t.Context(), u, hostmgmt.ActionUnlock)
		require.NoError(t, err)
		assert.Equal(t, inventory.AdminUnlocked, hs.Administrative, "Act returns the accepted state")
		assert.Equal(t, hostmgmt.ActionUnlock, hs.Action)
		waitState(t, r, u, "unlocked-enabled-available")
		assert.Equal(t, "unlocked-enabled-available", invState(t, r, u), "inventory shows the state")
		cmds := r.Agents.Host(u).Commands
		assert.Equal(t, 1, r.Agents.Count(u, hostmgmt.CmdReboot), "one reboot: %v", cmds)
		assert.Equal(t, 1, r.Agents.Count(u, hostmgmt.CmdGoenabled), "goenabled once: %v", cmds)
		assert.Equal(t, 1, r.Agents.Count(u, hostmgmt.CmdStartServices), "services started once: %v", cmds)
		assert.True(t, r.Agents.Host(u).Monitored, "heartbeat runs before the host is enabled")
		h, err := r.Inventory.GetHost(t.Context(), u)
		require.NoError(t, err)
		assert.Equal(t, inventory.Provisioned, h.InvProvision, "the first enable provisions the host")
	}},
	{"LockRunsHooksAndRaisesLockedAlarm", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionLock)
		require.NoError(t, err)
		waitState(t, r, u, "locked-disabled-online")
		assert.Equal(t, []string{u}, r.Hook.Calls(), "the pre-lock hook ran once for the host")
		// The actions of a transition follow its commit.
		assert.Eventually(t, func() bool { return !r.Agents.Host(u).Monitored }, within, 5*time.Millisecond, "heartbeat stops on lock")
		assert.Eventually(t, func() bool { return r.Agents.Count(u, hostmgmt.CmdStopServices) == 1 }, within, 5*time.Millisecond, "services stopped once")
		waitAlarm(t, r, "200.001", "host="+hostname(t, r, u), true)
		unlock(t, r, u)
		waitAlarm(t, r, "200.001", "host="+hostname(t, r, u), false)
	}},
	{"LockRejectedByHook", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		r.Hook.Refuse("instances cannot be migrated")
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionLock)
		require.NoError(t, err, "the lock is accepted; the hook refuses it later")
		hs := waitState(t, r, u, "unlocked-enabled-available")
		assert.Equal(t, hostmgmt.Task("Lock Rejected: instances cannot be migrated"), hs.Task)
		assert.True(t, r.Agents.Host(u).Monitored, "a rejected lock leaves the host in service")
	}},
	{"ForceLockSkipsHooksAndReboots", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		r.Hook.Refuse("would be refused")
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionForceLock)
		require.NoError(t, err)
		waitState(t, r, u, "locked-disabled-online")
		assert.Empty(t, r.Hook.Calls(), "force-lock skips the hooks")
		assert.Equal(t, 2, r.Agents.Count(u, hostmgmt.CmdReboot), "unlock's reboot and force-lock's")
	}},
	{"Refusals", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		for _, a := range []hostmgmt.AdminAction{hostmgmt.ActionReset, hostmgmt.ActionReboot, hostmgmt.ActionPowerOff, hostmgmt.ActionReinstall} {
			refused(t, r, u, a, hostmgmt.RuleNeedsLocked)
		}
		refused(t, r, u, hostmgmt.ActionUnlock, hostmgmt.RuleAlreadyUnlocked)
		refused(t, r, u, hostmgmt.ActionSwact, hostmgmt.RuleSwact)

		_, err := r.Service.Act(t.Context(), u, hostmgmt.AdminAction("frobnicate"))
		var fe *hostmgmt.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "action", fe.Field)
		_, err = r.Service.Act(t.Context(), "no-such-host", hostmgmt.ActionLock)
		assert.ErrorIs(t, err, hostmgmt.ErrNotFound)
		_, err = r.Service.GetHostState(t.Context(), "no-such-host")
		assert.ErrorIs(t, err, hostmgmt.ErrNotFound)
	}},
	{"ActiveControllerCannotBeLocked", func(t *testing.T, r *Rig) {
		c0 := readyHost(t, r, "controller-0", inventory.PersonalityController)
		c1 := readyHost(t, r, "controller-1", inventory.PersonalityController)
		unlock(t, r, c0)
		unlock(t, r, c1)
		r.Swacter.SetActive(c0, true)
		refused(t, r, c0, hostmgmt.ActionLock, hostmgmt.RuleActiveController)
		_, err := r.Service.Act(t.Context(), c0, hostmgmt.ActionSwact)
		require.NoError(t, err)
		waitState(t, r, c0, "unlocked-enabled-available")
		_, err = r.Service.Act(t.Context(), c0, hostmgmt.ActionLock)
		require.NoError(t, err, "after the swact the controller may be locked")
		waitState(t, r, c0, "locked-disabled-online")
		refused(t, r, c1, hostmgmt.ActionLock, hostmgmt.RuleLastController)
	}},
	{"SimplexRefusesResetAndPowerOff", func(t *testing.T, r *Rig) {
		mode := inventory.ModeSimplex
		_, err := r.Inventory.UpdateSystem(t.Context(), inventory.SystemUpdate{SystemMode: &mode})
		require.NoError(t, err)
		u := readyHost(t, r, "controller-0", inventory.PersonalityController)
		refused(t, r, u, hostmgmt.ActionReset, hostmgmt.RuleSimplex)
		refused(t, r, u, hostmgmt.ActionPowerOff, hostmgmt.RuleSimplex)
	}},
	{"GracefulRecovery", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		name := hostname(t, r, u)
		boot := r.Agents.Host(u).BootID
		r.Agents.Kill(u)
		assert.Eventually(t, func() bool {
			hs, err := r.Service.GetHostState(t.Context(), u)
			return err == nil && hs.Availability == inventory.AvailFailed
		}, within, 5*time.Millisecond, "heartbeat loss fails the host")
		waitAlarm(t, r, "200.004", "host="+name, true)
		r.Agents.Revive(u) // answers the mtcAlive request in the recovery window
		hs := waitState(t, r, u, "unlocked-enabled-available")
		assert.Equal(t, boot, r.Agents.Host(u).BootID, "recovered without a reboot")
		assert.Equal(t, 1, hs.GracefulRecoveries)
		waitAlarm(t, r, "200.004", "host="+name, false)
	}},
	{"RecoveryResetPath", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		unlock(t, r, u)
		boot := r.Agents.Host(u).BootID
		r.Agents.Kill(u) // does not come back by itself
		assert.Eventually(t, func() bool {
			hs, err := r.Service.GetHostState(t.Context(), u)
			return err == nil && hs.Availability == inventory.AvailFailed
		}, within, 5*time.Millisecond, "heartbeat loss fails the host")
		waitState(t, r, u, "unlocked-enabled-available")
		assert.Contains(t, r.BMCs.Get(u).Ops(), hostmgmt.OpReset, "the silent host was reset through its BMC")
		assert.NotEqual(t, boot, r.Agents.Host(u).BootID, "the host rebooted")
		assert.Equal(t, 2, r.Agents.Count(u, hostmgmt.CmdGoenabled), "the full enable ran again after the reset")
	}},
	{"NetworkLossDegrades", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		r.Agents.Update(u, func(h *FakeHost) {
			h.Networks = []hostmgmt.Network{hostmgmt.NetworkMgmt, hostmgmt.NetworkClusterHost}
		})
		unlock(t, r, u)
		name := hostname(t, r, u)
		r.Agents.SetHealth(u, hostmgmt.HealthOK, []hostmgmt.Network{hostmgmt.NetworkMgmt})
		r.Agents.SetHealth(u, hostmgmt.HealthFailed, []hostmgmt.Network{hostmgmt.NetworkClusterHost})
		waitState(t, r, u, "unlocked-enabled-degraded")
		waitAlarm(t, r, "200.009", "host="+name+".network=cluster-host", true)
		assert.False(t, alarmActive(t, r, "200.004", "host="+name), "one network lost degrades, it does not fail")
		r.Agents.SetHealth(u, hostmgmt.HealthOK, []hostmgmt.Network{hostmgmt.NetworkClusterHost})
		waitState(t, r, u, "unlocked-enabled-available")
		waitAlarm(t, r, "200.009", "host="+name+".network=cluster-host", false)
	}},
	{"PowerOffOn", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionPowerOff)
		require.NoError(t, err)
		waitState(t, r, u, "locked-disabled-power-off")
		p, _ := r.BMCs.Get(u).State()
		assert.Equal(t, hostmgmt.PowerOff, p)
		refused(t, r, u, hostmgmt.ActionPowerOff, hostmgmt.RulePowerState)
		_, err = r.Service.Act(t.Context(), u, hostmgmt.ActionPowerOn)
		require.NoError(t, err)
		waitState(t, r, u, "locked-disabled-online")
		assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpPowerOff, hostmgmt.OpPowerOn}, r.BMCs.Get(u).Ops())
	}},
	{"BMCAccessAlarm", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		name := hostname(t, r, u)
		r.BMCs.Get(u).Fail(errors.New("connection refused"))
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionPowerOff)
		require.NoError(t, err)
		// The first try and PowerRetries retries, all failing: the fifth
		// failure in a row raises 200.010.
		waitAlarm(t, r, "200.010", "host="+name, true)
		hs := waitState(t, r, u, "locked-disabled-online")
		assert.Equal(t, hostmgmt.TaskPowerOffFailed, hs.Task)
		r.BMCs.Get(u).Fail(nil)
		_, err = r.Service.Act(t.Context(), u, hostmgmt.ActionPowerOff)
		require.NoError(t, err)
		waitState(t, r, u, "locked-disabled-power-off")
		waitAlarm(t, r, "200.010", "host="+name, false)
	}},
	{"NoBMCRefused", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		r.BMCs.Deprovision(u)
		for _, a := range []hostmgmt.AdminAction{hostmgmt.ActionReset, hostmgmt.ActionPowerOff, hostmgmt.ActionReinstall} {
			refused(t, r, u, a, hostmgmt.RuleNoBMC)
		}
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionReboot)
		require.NoError(t, err, "a reboot goes through the agent, not the BMC")
		waitState(t, r, u, "locked-disabled-online")
	}},
	{"ResumesAfterRestart", func(t *testing.T, r *Rig) {
		require.NotNil(t, r.Restart, "the rig must restart its service over the same database: state survives a restart")
		u := worker(t, r, "worker-0")
		r.Agents.Update(u, func(h *FakeHost) { h.HoldBoot = true })
		_, err := r.Service.Act(t.Context(), u, hostmgmt.ActionUnlock)
		require.NoError(t, err)
		assert.Eventually(t, func() bool {
			hs, err := r.Service.GetHostState(t.Context(), u)
			return err == nil && hs.Stage == hostmgmt.StageMtcAliveWait
		}, within, 5*time.Millisecond, "the host is rebooting")
		r.Service = r.Restart(t)
		hs, err := r.Service.GetHostState(t.Context(), u)
		require.NoError(t, err)
		assert.Equal(t, hostmgmt.StageMtcAliveWait, hs.Stage, "the enable resumes where it was")
		assert.WithinDuration(t, time.Now().Add(Timings().WorkerBootTimeout), hs.Deadline, 5*time.Second, "its deadline is recomputed from the restart")
		r.Agents.Boot(u)
		waitState(t, r, u, "unlocked-enabled-available")
		assert.Equal(t, 1, r.Agents.Count(u, hostmgmt.CmdReboot), "the reboot was not sent again")
		assert.Empty(t, r.BMCs.Get(u).Ops(), "no reset either")
	}},
	{"ContextCancelled", func(t *testing.T, r *Rig) {
		u := worker(t, r, "worker-0")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := r.Service.ListHostStates(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		_, err = r.Service.GetHostState(t.Context(), u)
		assert.NoError(t, err)
	}},
}
