package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// The partition tests run host maintenance on real processes and real
// sockets across network namespaces (testenv.NetLab): a real
// stx-controller in the root namespace, heartbeating on one address per
// network (on lo), and one real stx-agent per host, each in its own
// namespace with a veth pair per network; a network is cut for a host by
// dropping every packet on both ends of its veth (tc pfifo limit 0), so
// the sockets see silence, not errors. The controller's REST API listens
// on the management server address, so agents reach it over their
// management veth as a host reaches its controller.

// partitionLab is a controller and its hosts in a NetLab.
type partitionLab struct {
	t        *testing.T
	lab      *testenv.NetLab
	nets     []hostmgmt.Network
	ctrl     *testenv.Controller
	admin    *inventoryhttp.Client
	mt       *hostmgmthttp.Client
	fm       *faulthttp.Client
	agentBin string
}

// labHost is one host of a partitionLab: its namespace and its agent.
type labHost struct {
	name, uuid string
	nets       []hostmgmt.Network
	ns         *testenv.NetHost
	ag         *agentProc
	state      string // the agent's state directory
}

// newPartitionLab starts a lab with nets and a controller heartbeating
// on each of them, with heartbeat (YAML, indented under heartbeat:) as
// its heartbeat config.
func newPartitionLab(t *testing.T, heartbeat string, nets ...hostmgmt.Network) *partitionLab {
	t.Helper()
	names := make([]string, len(nets))
	for i, n := range nets {
		names[i] = string(n)
	}
	lab := testenv.NewNetLab(t, names...)
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("host_maintenance:\n  listen:\n")
	for _, n := range nets {
		fmt.Fprintf(&cfg, "    %s: %s:0\n", n, lab.ServerIP(string(n)))
	}
	if heartbeat != "" {
		cfg.WriteString("  heartbeat:\n" + heartbeat)
	}
	cfgFile := filepath.Join(dir, "controller.yaml")
	require.NoError(t, os.WriteFile(cfgFile, []byte(cfg.String()), 0o600))
	ctrl := testenv.StartControllerAt(t, lab.ServerIP(string(hostmgmt.NetworkMgmt)), "--config", cfgFile)
	bin := filepath.Join(dir, "stx-agent")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "build stx-agent: %s", out)
	p := &partitionLab{
		t: t, lab: lab, nets: nets, ctrl: ctrl, agentBin: bin,
		admin: inventoryhttp.NewClient(ctrl.URL, &inventoryhttp.ClientOptions{Token: ctrl.Token}),
		mt:    hostmgmthttp.NewClient(ctrl.URL, &hostmgmthttp.ClientOptions{Token: ctrl.Token}),
		fm:    faulthttp.NewClient(ctrl.URL, &faulthttp.ClientOptions{Token: ctrl.Token}),
	}
	inventorytest.PlatformNetworks(t, p.admin)
	return p
}

// addHost adds a worker named name to inventory and starts its agent in
// a new namespace with a link on each of nets, its heartbeat bound to
// the host's address there.
func (p *partitionLab) addHost(name string, nets ...hostmgmt.Network) *labHost {
	t := p.t
	t.Helper()
	ctx := t.Context()
	names := make([]string, len(nets))
	for i, n := range nets {
		names[i] = string(n)
	}
	ns := p.lab.AddHost(t, names...)
	ih := inventorytest.NewReadyHost(t, p.admin, name, inventory.PersonalityWorker)
	h := &labHost{name: name, uuid: ih.UUID, nets: nets, ns: ns}
	dir := t.TempDir()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.ctrl.URL+"/v1/ihosts/"+name+"/agent_token", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.ctrl.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var tok struct{ Token string }
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	tokFile := filepath.Join(dir, "agent.token")
	require.NoError(t, os.WriteFile(tokFile, []byte(tok.Token+"\n"), 0o600))
	report, err := json.Marshal(inventorytest.ReportFor(inventorytest.MAC(name)))
	require.NoError(t, err)
	reportFile := filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(reportFile, report, 0o600))
	genDir, svcDir := filepath.Join(dir, "goenabled.d"), filepath.Join(dir, "services.d")
	require.NoError(t, os.MkdirAll(genDir, 0o700))
	require.NoError(t, os.MkdirAll(svcDir, 0o700))
	h.state = filepath.Join(dir, "state")

	args := []string{
		"--controller", p.ctrl.URL, "--token-file", tokFile, "--state-dir", h.state,
		"--applier", "dry-run:" + filepath.Join(dir, "root"), "--report-file", reportFile,
		"--reboot", "exec", "--goenabled-dir", genDir, "--services-dir", svcDir, "--poll-interval", "200ms",
	}
	for _, n := range nets {
		args = append(args, "--"+string(n)+"-addr", ns.IP(string(n)).String())
	}
	cmd := ns.Command(p.agentBin, args...)
	h.ag = &agentProc{bin: cmd.Path, args: cmd.Args[1:], log: &testenv.LogBuffer{}}
	h.ag.start(t)
	t.Cleanup(func() {
		if h.ag.cmd != nil {
			h.ag.kill(t)
		}
		if t.Failed() {
			t.Logf("stx-agent %s log:\n%s", name, h.ag.log.Tail(60))
		}
	})
	return h
}

// state is the host's maintenance state now.
func (p *partitionLab) state(h *labHost) (hostmgmt.HostState, error) {
	return p.mt.GetHostState(p.t.Context(), h.uuid)
}

// wait polls h's state every 20 ms until ok holds, and fails the test if
// it does not within the time given.
func (p *partitionLab) wait(h *labHost, what string, within time.Duration, ok func(hostmgmt.HostState) bool) hostmgmt.HostState {
	t := p.t
	t.Helper()
	var last hostmgmt.HostState
	deadline := time.Now().Add(within)
	for {
		hs, err := p.state(h)
		if err == nil {
			last = hs
			if ok(hs) {
				return hs
			}
		}
		if time.Now().After(deadline) {
			js, _ := json.Marshal(last)
			t.Fatalf("%s: %s: not within %s; last state %s", h.name, what, within, js)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inService reports whether hs is unlocked-enabled-<avail>, idle, with
// the heartbeat ok on every network of h.
func inService(h *labHost, avail inventory.Availability) func(hostmgmt.HostState) bool {
	return func(hs hostmgmt.HostState) bool {
		if hs.Administrative != inventory.AdminUnlocked || hs.Operational != inventory.OperEnabled ||
			hs.Availability != avail || hs.Stage != hostmgmt.StageIdle {
			return false
		}
		for _, n := range h.nets {
			if hs.Heartbeat[n] != hostmgmt.HealthOK {
				return false
			}
		}
		return true
	}
}

// unlock brings the hosts online, unlocks them and waits until each is
// unlocked-enabled-available with its heartbeat ok on each of its
// networks: the controller heartbeats it on all of them.
func (p *partitionLab) unlock(hosts ...*labHost) {
	t := p.t
	t.Helper()
	for _, h := range hosts {
		p.wait(h, "online by mtcAlive", 30*time.Second, func(hs hostmgmt.HostState) bool {
			return hs.Stage == hostmgmt.StageIdle && hs.Availability == inventory.AvailOnline
		})
	}
	for _, h := range hosts {
		_, err := p.mt.Act(t.Context(), h.name, hostmgmt.ActionUnlock)
		require.NoError(t, err, "unlock %s", h.name)
	}
	for _, h := range hosts {
		p.wait(h, "unlocked-enabled-available, heartbeat ok on "+fmt.Sprint(h.nets), 90*time.Second, inService(h, inventory.AvailAvailable))
		p.requireInventory(h, "unlocked-enabled-available")
	}
}

// requireInventory checks the host's states as inventory shows them
// (stx host-list).
func (p *partitionLab) requireInventory(h *labHost, want string) {
	t := p.t
	t.Helper()
	ih, err := p.admin.GetHost(t.Context(), h.uuid)
	require.NoError(t, err)
	require.Equal(t, want, string(ih.Administrative)+"-"+string(ih.Operational)+"-"+string(ih.Availability), "%s in inventory", h.name)
}

// alarms lists the raised alarms id on entity (exactly).
func (p *partitionLab) alarms(id, entity string) []fault.Alarm {
	t := p.t
	t.Helper()
	as, err := p.fm.ListAlarms(t.Context(), fault.AlarmQuery{AlarmID: id, IncludeSuppressed: true, IncludeMasked: true})
	require.NoError(t, err)
	var out []fault.Alarm
	for _, a := range as {
		if a.EntityInstanceID == entity {
			out = append(out, a)
		}
	}
	return out
}

// waitAlarm waits until alarm id on entity is raised (raised true) or
// cleared.
func (p *partitionLab) waitAlarm(id, entity string, raised bool, within time.Duration) []fault.Alarm {
	t := p.t
	t.Helper()
	var as []fault.Alarm
	require.Eventually(t, func() bool {
		as = p.alarms(id, entity)
		return (len(as) > 0) == raised
	}, within, 50*time.Millisecond, "alarm %s on %s raised=%v", id, entity, raised)
	return as
}

// bootID is the agent's simulated boot id.
func (h *labHost) bootID(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.state, "sim-boot.json"))
	require.NoError(t, err)
	sb, err := agent.DecodeSimBoot(data)
	require.NoError(t, err)
	return sb.BootID
}

// hold polls the hosts' states every 50 ms for d and calls check with
// each; it fails the test at the first state check rejects.
func (p *partitionLab) hold(d time.Duration, check func(h *labHost, hs hostmgmt.HostState) error, hosts ...*labHost) {
	t := p.t
	t.Helper()
	polls := 0
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		for _, h := range hosts {
			hs, err := p.state(h)
			require.NoError(t, err)
			if err := check(h, hs); err != nil {
				js, _ := json.Marshal(hs)
				t.Fatalf("%s after %d polls: %v; state %s", h.name, polls, err, js)
			}
		}
		polls++
	}
	t.Logf("held %s: %d polls of %d hosts", d, polls, len(hosts))
}

// TestPartitionOneNetworkDegrades: a host that loses its cluster-host
// network while its management network answers is degraded, with alarm
// 200.009 on host=<name>.network=cluster-host, and stays enabled long
// after the cluster-host heartbeat has reached its failure threshold
// (no false failure); when the network comes back the host is available
// again and the alarm cleared.
func TestPartitionOneNetworkDegrades(t *testing.T) {
	t.Parallel()
	mgmt, cluster := hostmgmt.NetworkMgmt, hostmgmt.NetworkClusterHost
	p := newPartitionLab(t, "", mgmt, cluster)
	h := p.addHost("worker-0", mgmt, cluster)
	p.unlock(h)
	entity := "host=worker-0.network=cluster-host"
	require.Empty(t, p.alarms("200.009", entity))

	h.ns.Drop(t, string(cluster))
	dropped := time.Now()
	p.wait(h, "unlocked-enabled-degraded", 10*time.Second, func(hs hostmgmt.HostState) bool {
		return hs.Operational == inventory.OperEnabled && hs.Availability == inventory.AvailDegraded
	})
	t.Logf("degraded %s after the drop", time.Since(dropped).Round(time.Millisecond))
	p.requireInventory(h, "unlocked-enabled-degraded")
	as := p.waitAlarm("200.009", entity, true, 5*time.Second)
	assert.Equal(t, "host.network", as[0].EntityTypeID)
	assert.Empty(t, p.alarms("200.005", "host=worker-0.network=mgmt"), "the management network answers")

	// No false failure: the cluster-host heartbeat goes past its failure
	// threshold (10 misses, 1 s), and the host stays enabled.
	var lost bool
	p.hold(3*time.Second, func(h *labHost, hs hostmgmt.HostState) error {
		if hs.Operational != inventory.OperEnabled || hs.Availability != inventory.AvailDegraded {
			return fmt.Errorf("not unlocked-enabled-degraded with the management network up")
		}
		if hs.Heartbeat[mgmt] == hostmgmt.HealthFailed {
			return fmt.Errorf("management heartbeat failed")
		}
		lost = lost || hs.Heartbeat[cluster] == hostmgmt.HealthFailed
		return nil
	}, h)
	require.True(t, lost, "the cluster-host heartbeat reached its failure threshold during the hold")
	p.requireInventory(h, "unlocked-enabled-degraded")
	assert.Empty(t, p.alarms("200.004", "host=worker-0"), "no host failure alarm")

	h.ns.Heal(t, string(cluster))
	p.wait(h, "available after the heal", 10*time.Second, inService(h, inventory.AvailAvailable))
	p.requireInventory(h, "unlocked-enabled-available")
	p.waitAlarm("200.009", entity, false, 5*time.Second)
	hs, err := p.state(h)
	require.NoError(t, err)
	assert.Zero(t, hs.GracefulRecoveries, "never failed")
}

// TestPartitionAllNetworksFail: a host that loses both its networks is
// failed (200.004); when they come back within the recovery window it
// recovers gracefully, without a reboot.
func TestPartitionAllNetworksFail(t *testing.T) {
	t.Parallel()
	mgmt, cluster := hostmgmt.NetworkMgmt, hostmgmt.NetworkClusterHost
	p := newPartitionLab(t, "", mgmt, cluster)
	h := p.addHost("worker-0", mgmt, cluster)
	p.unlock(h)
	boot := h.bootID(t)

	h.ns.Drop(t, string(mgmt))
	h.ns.Drop(t, string(cluster))
	dropped := time.Now()
	p.wait(h, "failed", 10*time.Second, func(hs hostmgmt.HostState) bool {
		return hs.Availability == inventory.AvailFailed
	})
	t.Logf("failed %s after the drop", time.Since(dropped).Round(time.Millisecond))
	p.waitAlarm("200.004", "host=worker-0", true, 5*time.Second)
	p.requireInventory(h, "unlocked-disabled-failed")

	// Back within the recovery window (5 s): the controller's request
	// for an mtcAlive gets through and the host comes back without a
	// reboot, after the heartbeat soak.
	h.ns.Heal(t, string(mgmt))
	h.ns.Heal(t, string(cluster))
	hs := p.wait(h, "graceful recovery", 60*time.Second, inService(h, inventory.AvailAvailable))
	assert.Equal(t, 1, hs.GracefulRecoveries)
	assert.Equal(t, boot, h.bootID(t), "recovered without a reboot")
	p.requireInventory(h, "unlocked-enabled-available")
	p.waitAlarm("200.004", "host=worker-0", false, 5*time.Second)
	p.waitAlarm("200.005", "host=worker-0.network=mgmt", false, 5*time.Second)
	p.waitAlarm("200.009", "host=worker-0.network=cluster-host", false, 5*time.Second)
}

// TestPartitionMNFA: three hosts that heartbeat on the management network
// only lose it at once. Alone, each would fail (its only network lost:
// the last step shows it); with mnfa_threshold 2 the controller takes it
// for a network event: a 200.020 log says MNFA entered, no host is failed
// however long the outage lasts (degraded at most), and when the network
// comes back MNFA exits (logged) and every host is available again.
func TestPartitionMNFA(t *testing.T) {
	t.Parallel()
	mgmt := hostmgmt.NetworkMgmt
	p := newPartitionLab(t, "    mnfa_threshold: 2\n", mgmt)
	hosts := []*labHost{p.addHost("worker-0", mgmt), p.addHost("worker-1", mgmt), p.addHost("worker-2", mgmt)}
	p.unlock(hosts...)
	ctx := t.Context()
	mnfaLogs := func(what string) []fault.Event {
		t.Helper()
		es, err := p.fm.ListEvents(ctx, fault.EventQuery{EventLogID: "200.020", EntityPrefix: "host=controller.network=mgmt"})
		require.NoError(t, err)
		var out []fault.Event
		for _, e := range es {
			if e.State == fault.StateLog && strings.Contains(e.ReasonText, "Avoidance "+what) {
				out = append(out, e)
			}
		}
		return out
	}
	require.Empty(t, mnfaLogs("enter"))

	for _, h := range hosts {
		h.ns.Drop(t, string(mgmt))
	}
	dropped := time.Now()
	require.Eventually(t, func() bool { return len(mnfaLogs("enter")) > 0 }, 10*time.Second, 50*time.Millisecond, "MNFA enter logged")
	t.Logf("MNFA entered %s after the drop", time.Since(dropped).Round(time.Millisecond))
	e := mnfaLogs("enter")[0]
	assert.Contains(t, e.ReasonText, "mgmt network")

	// Well past the failure threshold (10 misses: 1 s; 2.8 s with MNFA's
	// backed-off pulses) and short of the offline timeout (10 s): no host
	// is failed, each is degraded.
	degraded := map[string]bool{}
	p.hold(6*time.Second, func(h *labHost, hs hostmgmt.HostState) error {
		if hs.Availability == inventory.AvailFailed || hs.Operational != inventory.OperEnabled {
			return fmt.Errorf("failed in MNFA")
		}
		if hs.Heartbeat[mgmt] == hostmgmt.HealthFailed {
			return fmt.Errorf("heartbeat reported failed in MNFA")
		}
		if hs.Availability == inventory.AvailDegraded {
			degraded[h.name] = true
		}
		return nil
	}, hosts...)
	for _, h := range hosts {
		assert.True(t, degraded[h.name], "%s was seen degraded: the outage was detected", h.name)
		p.requireInventory(h, "unlocked-enabled-degraded")
		assert.Empty(t, p.alarms("200.004", "host="+h.name), "no failure alarm on %s", h.name)
	}
	assert.Empty(t, mnfaLogs("exit"), "MNFA held through the outage")

	for _, h := range hosts {
		h.ns.Heal(t, string(mgmt))
	}
	require.Eventually(t, func() bool { return len(mnfaLogs("exit")) > 0 }, 10*time.Second, 50*time.Millisecond, "MNFA exit logged")
	for _, h := range hosts {
		hs := p.wait(h, "available after MNFA", 30*time.Second, inService(h, inventory.AvailAvailable))
		assert.Zero(t, hs.GracefulRecoveries, "%s never failed", h.name)
		p.requireInventory(h, "unlocked-enabled-available")
		p.waitAlarm("200.005", "host="+h.name+".network=mgmt", false, 5*time.Second)
	}

	// The control: one host alone (below the threshold) losing the same
	// network fails.
	hosts[0].ns.Drop(t, string(mgmt))
	p.wait(hosts[0], "failed alone", 10*time.Second, func(hs hostmgmt.HostState) bool {
		return hs.Availability == inventory.AvailFailed
	})
	assert.Len(t, mnfaLogs("enter"), 1, "one host is no network event")
}
