package heartbeat

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// TestHealthTransitionsAndRecovery: a host silent on one network goes
// minor, degraded and failed there, one step at a time, and back to ok
// when it answers again; its other network stays ok. Flags the agent
// raises come with its answers.
func TestHealthTransitionsAndRecovery(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt, cluster)
	h := l.addHost("host-1", 20*time.Millisecond)
	l.waitHeard(h)
	l.ctl.Monitor(h.uuid, true)
	assert.Equal(t, 1.0, l.metric("flock_heartbeat_monitored_hosts"))

	h.pipes[mgmt].silence(true)
	i := l.rec.waitFor(t, 0, "failed on mgmt", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthFailed))
	h.pipes[mgmt].silence(false)
	i = l.rec.waitFor(t, i, "ok on mgmt", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthOK))
	obs := l.rec.all()
	assert.Equal(t, []hostmgmt.Health{hostmgmt.HealthMinor, hostmgmt.HealthDegraded, hostmgmt.HealthFailed, hostmgmt.HealthOK},
		healths(obs, h.uuid, mgmt))
	assert.Empty(t, healths(obs, h.uuid, cluster), "cluster-host answered throughout")

	h.h.flags.Store(uint32(hostmgmt.FlagDiskFull))
	j := l.rec.waitFor(t, i, "the flags on mgmt", func(e entry) bool {
		return e.host == h.uuid && e.Kind == hostmgmt.ObsHeartbeat && e.Network == mgmt && e.Flags == hostmgmt.FlagDiskFull
	})
	assert.Equal(t, hostmgmt.HealthOK, l.rec.all()[j].Health)
	l.rec.waitFor(t, i, "the flags on cluster-host", func(e entry) bool {
		return e.host == h.uuid && e.Kind == hostmgmt.ObsHeartbeat && e.Network == cluster && e.Flags == hostmgmt.FlagDiskFull
	})

	for _, n := range []string{"mgmt", "cluster-host"} {
		assert.Positive(t, l.metric("flock_heartbeat_pulses_total", "network", n), n)
		assert.Positive(t, l.metric("flock_heartbeat_responses_total", "network", n), n)
	}
	assert.Zero(t, l.metric("flock_heartbeat_dropped_total", "reason", "forged"))
}

// TestMonitorOffForgets: stopping the heartbeat forgets the misses: a
// host monitored again while still silent starts again from minor.
func TestMonitorOffForgets(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt)
	h := l.addHost("host-1", 20*time.Millisecond)
	l.waitHeard(h)
	l.ctl.Monitor(h.uuid, true)
	h.pipes[mgmt].silence(true)
	l.rec.waitFor(t, 0, "degraded", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthDegraded))
	l.ctl.Monitor(h.uuid, false)
	assert.Zero(t, l.misses(h.uuid, mgmt))
	assert.Zero(t, l.metric("flock_heartbeat_monitored_hosts"))
	from := l.rec.len()
	l.ctl.Monitor(h.uuid, true)
	i := l.rec.waitFor(t, from, "a heartbeat observation", func(e entry) bool {
		return e.host == h.uuid && e.Kind == hostmgmt.ObsHeartbeat && e.Health != hostmgmt.HealthOK
	})
	assert.Equal(t, hostmgmt.HealthMinor, l.rec.all()[i].Health, "counting starts over")
}

// TestDroppedPacketsCounted: forged, replayed, malformed and unknown
// hosts' packets are dropped, change nothing, and are counted.
func TestDroppedPacketsCounted(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt, cluster)
	key := []byte("host-a's key")
	l.ctl.SetKey("host-a", key)
	raw := listen(t)
	defer raw.Close()
	send := func(n hostmgmt.Network, b []byte) {
		_, err := raw.WriteToUDPAddrPort(b, l.addr[n])
		require.NoError(t, err)
	}
	alive := func(k []byte, host string, seq uint64, boot string) []byte {
		return seal(newMAC(k), (&msg{kind: kindAlive, network: mgmt, seq: seq, host: host, bootID: boot}).appendTo(nil))
	}
	bootIs := func(boot string) func(entry) bool {
		return func(e entry) bool { return e.Kind == hostmgmt.ObsMtcAlive && e.BootID == boot }
	}

	good := alive(key, "host-a", 100, "boot-1")
	send(mgmt, good)
	l.rec.waitFor(t, 0, "the first mtcAlive", bootIs("boot-1"))

	send(mgmt, good)                                            // replayed
	send(mgmt, alive(key, "host-a", 50, "boot-2"))              // replayed: an old sequence
	send(cluster, good)                                         // replayed: mgmt's packet on cluster-host
	send(mgmt, alive([]byte("guess"), "host-a", 200, "boot-3")) // forged
	send(mgmt, good[:len(good)-1])                              // malformed: truncated
	send(mgmt, []byte("hello"))                                 // malformed
	reflected := seal(newMAC(key), (&msg{kind: kindPulseReq, network: mgmt, seq: 300, host: "host-a"}).appendTo(nil))
	send(mgmt, reflected)                           // malformed: the controller's own kind
	send(mgmt, alive(key, "host-x", 1, "boot-x"))   // unknown host
	send(mgmt, alive(key, "host-a", 400, "boot-4")) // good: processed after all the others
	l.rec.waitFor(t, 0, "the last mtcAlive", bootIs("boot-4"))

	var boots []string
	for _, e := range l.rec.all() {
		boots = append(boots, e.BootID)
	}
	assert.Equal(t, []string{"boot-1", "boot-4"}, boots, "the dropped packets changed nothing")
	for reason, want := range map[string]float64{"forged": 1, "replayed": 3, "malformed": 3, "unknown_host": 1} {
		assert.Equal(t, want, l.metric("flock_heartbeat_dropped_total", "reason", reason), reason)
	}
	l.ctl.mu.Lock()
	assert.Equal(t, addrOf(raw), l.ctl.hosts["host-a"].net[0].addr, "learned from the authenticated packets")
	assert.False(t, l.ctl.hosts["host-a"].net[1].addr.IsValid(), "nothing authentic came on cluster-host")
	l.ctl.mu.Unlock()
}

// TestClientDropsForgedCommands: a host runs only commands sealed with
// its key, addressed to it, and not replayed.
func TestClientDropsForgedCommands(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt)
	h := l.addHost("host-1", 20*time.Millisecond)
	l.waitHeard(h)
	var client netip.AddrPort
	require.Eventually(t, func() bool {
		if c := h.pipes[mgmt].client.Load(); c != nil {
			client = *c
			return true
		}
		return false
	}, waitLimit, time.Millisecond)
	raw := listen(t)
	defer raw.Close()
	cmd := func(k []byte, host string, seq, id uint64, c hostmgmt.Command) {
		b := seal(newMAC(k), (&msg{kind: kindCmd, network: mgmt, seq: seq, host: host, id: id, command: string(c)}).appendTo(nil))
		_, err := raw.WriteToUDPAddrPort(b, client)
		require.NoError(t, err)
	}
	now := uint64(time.Now().UnixNano())                       // above the controller's sequences so far
	cmd([]byte("guess"), h.uuid, now+1, 1, hostmgmt.CmdReboot) // forged
	cmd(h.key, "host-2", now+2, 2, hostmgmt.CmdReboot)         // for another host
	cmd(h.key, h.uuid, now+3, 3, hostmgmt.CmdStopServices)     // good
	cmd(h.key, h.uuid, now+3, 4, hostmgmt.CmdReboot)           // replayed sequence
	cmd(h.key, h.uuid, now+5, 3, hostmgmt.CmdStopServices)     // a resend: acknowledged, not run again
	cmd(h.key, h.uuid, now+6, 5, hostmgmt.CmdStartServices)    // good
	require.Eventually(t, func() bool { return len(h.h.calls()) == 2 }, waitLimit, time.Millisecond)
	assert.ElementsMatch(t, []hostmgmt.Command{hostmgmt.CmdStopServices, hostmgmt.CmdStartServices}, h.h.calls())
	require.Eventually(t, func() bool { return h.pipes[mgmt].passed[1][kindCmdAck].Load() == 3 }, waitLimit, time.Millisecond,
		"one acknowledgement per authentic command, the resend's included")
}

// TestCommandsOnce: a command whose acknowledgements are lost is resent
// and runs once; its result, whose acknowledgements are lost too, is
// reported once.
func TestCommandsOnce(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt, cluster)
	h := l.addHost("host-1", 20*time.Millisecond)
	l.waitHeard(h)
	release := make(chan struct{})
	h.h.setRun(func(ctx context.Context, cmd hostmgmt.Command) error {
		switch cmd {
		case hostmgmt.CmdGoenabled:
			<-release
			return nil
		case hostmgmt.CmdStartServices:
			return errors.New(strings.Repeat("x", 300))
		}
		return nil
	})
	// The command goes on mgmt; its result on each network in turn.
	var acksDropped, resultAcksDropped atomic.Int32
	drop := func(up bool, k kind) bool {
		switch {
		case up && k == kindCmdAck:
			return acksDropped.Add(1) <= 2
		case !up && k == kindResultAck:
			return resultAcksDropped.Add(1) <= 2
		}
		return false
	}
	passed := func(up bool, k kind) (n int64) {
		for _, p := range h.pipes {
			n += p.passed[b2i(up)][k].Load()
		}
		return n
	}
	for _, p := range h.pipes {
		p.drop.Store(&drop)
	}

	sent := make(chan error, 1)
	go func() { sent <- l.ctl.Send(t.Context(), h.uuid, hostmgmt.CmdGoenabled) }()
	require.Eventually(t, func() bool { return passed(false, kindCmd) >= 3 }, waitLimit, time.Millisecond, "resent")
	require.NoError(t, <-sent)
	close(release)
	i := l.rec.waitFor(t, 0, "the result", kindOf(h.uuid, hostmgmt.ObsCommandResult))
	require.Eventually(t, func() bool { return passed(false, kindResultAck) == 1 }, waitLimit, time.Millisecond)
	assert.Equal(t, []hostmgmt.Command{hostmgmt.CmdGoenabled}, h.h.calls(), "run once")
	assert.Equal(t, int64(3), passed(true, kindCmdResult), "the result was sent until acknowledged")
	var results []entry
	for _, e := range l.rec.all() {
		if e.Kind == hostmgmt.ObsCommandResult {
			results = append(results, e)
		}
	}
	require.Len(t, results, 1, "reported once")
	assert.Equal(t, hostmgmt.Observation{Kind: hostmgmt.ObsCommandResult, Command: hostmgmt.CmdGoenabled, OK: true}, results[0].Observation)

	// A failure's reason, cut to 200 bytes.
	require.NoError(t, l.ctl.Send(t.Context(), h.uuid, hostmgmt.CmdStartServices))
	j := l.rec.waitFor(t, i+1, "the second result", kindOf(h.uuid, hostmgmt.ObsCommandResult))
	assert.Equal(t, hostmgmt.Observation{Kind: hostmgmt.ObsCommandResult, Command: hostmgmt.CmdStartServices, Reason: strings.Repeat("x", 200)},
		l.rec.all()[j].Observation)

	// mtcAlive on request: reported though nothing changed; the handler
	// does not see it.
	from := l.rec.len()
	require.NoError(t, l.ctl.Send(t.Context(), h.uuid, hostmgmt.CmdMtcAlive))
	k := l.rec.waitFor(t, from, "the requested mtcAlive", kindOf(h.uuid, hostmgmt.ObsMtcAlive))
	assert.Equal(t, "boot-host-1", l.rec.all()[k].BootID)
	assert.Len(t, h.h.calls(), 2)
}

// TestSendErrors: an unknown host, a host that never acknowledges, and an
// unknown command.
func TestSendErrors(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt)
	err := l.ctl.Send(t.Context(), "nobody", hostmgmt.CmdReboot)
	assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
	l.ctl.SetKey("quiet", []byte("k"))
	assert.ErrorIs(t, l.ctl.Send(t.Context(), "quiet", hostmgmt.CmdReboot), hostmgmt.ErrUnavailable, "never heard")

	h := l.addHost("host-1", 20*time.Millisecond)
	l.waitHeard(h)
	h.pipes[mgmt].silence(true)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = l.ctl.Send(ctx, h.uuid, hostmgmt.CmdReboot)
	assert.ErrorIs(t, err, hostmgmt.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Greater(t, h.pipes[mgmt].passed[0][kindCmd].Load()+0, int64(-1))
	assert.ErrorIs(t, l.ctl.Send(t.Context(), h.uuid, "dance"), hostmgmt.ErrInvalid)

	l.ctl.SetKey(h.uuid, nil)
	assert.ErrorIs(t, l.ctl.Send(t.Context(), h.uuid, hostmgmt.CmdReboot), hostmgmt.ErrUnavailable, "forgotten")
}

// TestOfflineAndReturn: a host silent for the offline timeout is reported
// offline once, and its next mtcAlive reports it back.
func TestOfflineAndReturn(t *testing.T) {
	cfg := fastConfig()
	cfg.OfflineTimeout = 200 * time.Millisecond
	l := newLab(t, cfg, mgmt, cluster)
	h := l.addHost("host-1", 20*time.Millisecond)
	i := l.rec.waitFor(t, 0, "mtcAlive", kindOf(h.uuid, hostmgmt.ObsMtcAlive))
	for _, p := range h.pipes {
		p.silence(true)
	}
	j := l.rec.waitFor(t, i, "offline", kindOf(h.uuid, hostmgmt.ObsOffline))
	for _, p := range h.pipes {
		p.silence(false)
	}
	k := l.rec.waitFor(t, j, "the return", kindOf(h.uuid, hostmgmt.ObsMtcAlive))
	var kinds []hostmgmt.ObservationKind
	for _, e := range l.rec.all()[:k+1] {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []hostmgmt.ObservationKind{hostmgmt.ObsMtcAlive, hostmgmt.ObsOffline, hostmgmt.ObsMtcAlive}, kinds)
	assert.Equal(t, hostmgmt.Observation{Kind: hostmgmt.ObsMtcAlive, Configured: true, BootID: "boot-host-1", Uptime: time.Minute},
		l.rec.all()[k].Observation)
}

// silencedMNFA starts four monitored hosts and silences three of them on
// mgmt.
func silencedMNFA(t *testing.T, cfg Config) (*lab, []*testHost) {
	l := newLab(t, cfg, mgmt, cluster)
	var hosts []*testHost
	for _, name := range []string{"host-0", "host-1", "host-2", "host-3"} {
		hosts = append(hosts, l.addHost(name, 20*time.Millisecond))
	}
	for _, h := range hosts {
		l.waitHeard(h)
		l.ctl.Monitor(h.uuid, true)
	}
	for _, h := range hosts[1:] {
		h.pipes[mgmt].silence(true)
	}
	return l, hosts
}

// TestMNFA: three hosts lost at once on mgmt with mnfa_threshold 2 are a
// network event: MNFA is entered, the pulses back off, no host is
// failed however long it lasts, and when the hosts answer again MNFA
// ends and they are ok.
func TestMNFA(t *testing.T) {
	l, hosts := silencedMNFA(t, fastConfig())
	i := l.rec.waitFor(t, 0, "MNFA", kindOf("", hostmgmt.ObsMNFAEnter))
	enter := l.rec.all()[i]
	assert.Equal(t, mgmt, enter.Network)
	assert.GreaterOrEqual(t, enter.Count, 2)
	assert.Equal(t, 1.0, l.metric("flock_heartbeat_mnfa", "network", "mgmt"))
	assert.Equal(t, 0.0, l.metric("flock_heartbeat_mnfa", "network", "cluster-host"))
	// Past the failure threshold, well into the event.
	require.Eventually(t, func() bool {
		for _, h := range hosts[1:] {
			if l.misses(h.uuid, mgmt) < l.ctl.cfg.FailureThreshold+2 {
				return false
			}
		}
		return true
	}, waitLimit, time.Millisecond)
	l.ctl.mu.Lock()
	assert.Equal(t, 4*l.ctl.cfg.Period, l.ctl.nets[0].period, "backed off")
	l.ctl.mu.Unlock()

	for _, h := range hosts[1:] {
		h.pipes[mgmt].silence(false)
	}
	j := l.rec.waitFor(t, i, "the end of MNFA", kindOf("", hostmgmt.ObsMNFAExit))
	for _, h := range hosts[1:] {
		l.rec.waitFor(t, j, "ok", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthOK))
	}
	obs := l.rec.all()
	for _, h := range hosts[1:] {
		hs := healths(obs, h.uuid, mgmt)
		assert.Equal(t, []hostmgmt.Health{hostmgmt.HealthMinor, hostmgmt.HealthDegraded, hostmgmt.HealthOK}, hs, h.uuid)
	}
	assert.Empty(t, healths(obs, hosts[0].uuid, mgmt))
	for _, e := range obs {
		assert.NotEqual(t, hostmgmt.HealthFailed, e.Health, "no host failed: %+v", e)
	}
	assert.Equal(t, 0.0, l.metric("flock_heartbeat_mnfa", "network", "mgmt"))
}

// TestMNFATimeout: an MNFA that outlasts mnfa_timeout ends, and the
// hosts still missing are reported failed; it is not entered again while
// they stay missing.
func TestMNFATimeout(t *testing.T) {
	cfg := fastConfig()
	cfg.MNFATimeout = time.Second
	l, hosts := silencedMNFA(t, cfg)
	i := l.rec.waitFor(t, 0, "MNFA", kindOf("", hostmgmt.ObsMNFAEnter))
	j := l.rec.waitFor(t, i, "the end of MNFA", kindOf("", hostmgmt.ObsMNFAExit))
	assert.Equal(t, 3, l.rec.all()[j].Count)
	for _, h := range hosts[1:] {
		l.rec.waitFor(t, j, "failed", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthFailed))
	}
	for _, h := range hosts[1:] {
		h.pipes[mgmt].silence(false)
	}
	for _, h := range hosts[1:] {
		l.rec.waitFor(t, j, "ok", heartbeatOf(h.uuid, mgmt, hostmgmt.HealthOK))
	}
	enters := 0
	for _, e := range l.rec.all() {
		if e.Kind == hostmgmt.ObsMNFAEnter {
			enters++
		}
	}
	assert.Equal(t, 1, enters)
}

// TestOneHostLostIsNotMNFA: below the threshold, a lost host fails.
func TestOneHostLostIsNotMNFA(t *testing.T) {
	l := newLab(t, fastConfig(), mgmt)
	a, b := l.addHost("host-a", 20*time.Millisecond), l.addHost("host-b", 20*time.Millisecond)
	for _, h := range []*testHost{a, b} {
		l.waitHeard(h)
		l.ctl.Monitor(h.uuid, true)
	}
	a.pipes[mgmt].silence(true)
	l.rec.waitFor(t, 0, "failed", heartbeatOf(a.uuid, mgmt, hostmgmt.HealthFailed))
	for _, e := range l.rec.all() {
		assert.NotEqual(t, hostmgmt.ObsMNFAEnter, e.Kind)
	}
}
