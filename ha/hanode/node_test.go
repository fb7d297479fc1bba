package hanode_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hanode"
	"github.com/edgeflock/flock/ha/hapeer"
	"github.com/edgeflock/flock/ha/hatest"
)

// testModel: one moving group with a floating address and an API that
// goes active only after the address, and one group active on both.
const testModel = `
domains:
  - name: controller
    members:
      - {service_group_name: vip-services, redundancy_model: N + M, n_active: 1, m_standby: 1}
      - {service_group_name: local-services, redundancy_model: N, n_active: 2, m_standby: 0}
service_groups:
  - name: vip-services
    services:
      - {service_name: vip, service_failure_impact: critical}
      - {service_name: api, service_failure_impact: critical}
  - name: local-services
    services:
      - {service_name: agent, service_failure_impact: major}
services:
  - name: vip
    kind: ip
    ip: {network: oam}
  - name: api
    actions:
      - {action: go-active, plugin_type: go, plugin_name: api.start, timeout: 5s}
      - {action: go-standby, plugin_type: go, plugin_name: api.stop, timeout: 5s}
      - {action: disable, plugin_type: go, plugin_name: api.stop, timeout: 5s}
    dependencies:
      - {type: action, action: go-active, dependent: vip, dependent_state: enabled-active}
  - name: agent
    actions:
      - {action: enable, plugin_type: go, plugin_name: agent.start, timeout: 5s}
`

// world is what the two nodes' plugins act on: who holds the floating
// address and runs the API, which nodes are powered, and every instant
// at which both held the address.
type world struct {
	t        *testing.T
	mu       sync.Mutex
	vip      map[int]bool
	api      map[int]bool
	off      [2]bool
	stop     [2]context.CancelFunc
	dual     []string
	apiEarly []string
	apiFails [2]bool
	vipStuck [2]bool // removing the address fails (a netlink error)
}

func (w *world) plugins(i int) ha.Plugins {
	ip := ha.PluginFunc(func(ctx context.Context, c ha.PluginCall) ha.PluginResult {
		w.mu.Lock()
		defer w.mu.Unlock()
		if c.Service.IP.Address != "10.10.10.2/24" || c.Service.IP.Interface != "eth1" {
			return ha.PluginResult{Result: ha.ResultFatal, Err: fmt.Errorf("address %+v not resolved", c.Service.IP)}
		}
		switch c.Action {
		case ha.ActionGoActive:
			w.vip[i] = true
			if w.vip[1-i] && !w.off[1-i] {
				w.dual = append(w.dual, fmt.Sprintf("node %d added the address held by node %d", i, 1-i))
			}
		case ha.ActionGoStandby, ha.ActionDisable:
			if w.vipStuck[i] {
				return ha.PluginResult{Result: ha.ResultFatal, Err: errors.New("netlink: operation not permitted")}
			}
			delete(w.vip, i)
		case ha.ActionAuditEnabled, ha.ActionAuditDisabled:
			switch {
			case w.vip[i]:
				return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledActive}
			case c.Active:
				return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceDisabled}
			}
			return ha.PluginResult{Result: ha.ResultSuccess, State: ha.ServiceEnabledStandby}
		}
		return ha.PluginResult{Result: ha.ResultSuccess}
	})
	gofn := ha.PluginFunc(func(ctx context.Context, c ha.PluginCall) ha.PluginResult {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch c.Spec.PluginName {
		case "api.start":
			if w.apiFails[i] {
				return ha.PluginResult{Result: ha.ResultFailed, Err: errors.New("api: port in use")}
			}
			if !w.vip[i] {
				w.apiEarly = append(w.apiEarly, fmt.Sprintf("node %d started the API without the address", i))
			}
			w.api[i] = true
		case "api.stop":
			delete(w.api, i)
		}
		return ha.PluginResult{Result: ha.ResultSuccess}
	})
	return ha.Plugins{ha.PluginIP: ip, ha.PluginGo: gofn}
}

// powerOff is the fence: node j stops, and what it held goes with it.
func (w *world) powerOff(j int) {
	w.mu.Lock()
	w.off[j] = true
	delete(w.vip, j)
	delete(w.api, j)
	stop := w.stop[j]
	w.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (w *world) holders() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	var h []int
	for i := range 2 {
		if w.vip[i] {
			h = append(h, i)
		}
	}
	return h
}

type cluster struct {
	t      *testing.T
	w      *world
	net    *hatest.FakeNet
	nodes  [2]*hanode.Node
	cfg    [2]hanode.Config
	opts   [2]hanode.Options
	alarms *faulttest.FakeReporter
	done   [2]chan struct{}
}

func newCluster(t *testing.T, fence bool) *cluster {
	m, err := ha.LoadModel(strings.NewReader(testModel))
	require.NoError(t, err)
	c := &cluster{t: t, w: &world{t: t, vip: map[int]bool{}, api: map[int]bool{}}, net: hatest.NewFakeNet(1),
		alarms: faulttest.NewFakeReporter()}
	names := [2]string{"controller-0", "controller-1"}
	for i := range 2 {
		lc := hapeer.Config{Node: names[i], Peer: names[1-i], Key: strings.Repeat("k", 32)}
		for k, p := range []string{"mgmt", "oam"} {
			lc.Paths = append(lc.Paths, hapeer.Path{Name: p, Local: fmt.Sprintf("10.0.%d.%d:2112", k, i+1), Peer: fmt.Sprintf("10.0.%d.%d:2112", k, 2-i)})
		}
		c.cfg[i] = hanode.Config{Model: m, Link: lc, StateDir: t.TempDir(),
			Addresses: map[string]hanode.Address{"oam": {Address: "10.10.10.2/24", Interface: "eth1"}},
			Failover:  ha.FailoverConfig{WaitInterval: time.Second}}
		c.opts[i] = hanode.Options{Plugins: c.w.plugins(i), Listen: c.net.Listen, Alarms: c.alarms}
		if fence {
			j := 1 - i
			c.opts[i].Fencer = ha.FencerFunc(func(ctx context.Context, node string) error {
				if node != names[j] {
					return fmt.Errorf("fence of %q", node)
				}
				c.w.powerOff(j)
				return nil
			})
		}
	}
	return c
}

func (c *cluster) start(i int) {
	n, err := hanode.New(c.cfg[i], &c.opts[i])
	require.NoError(c.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	c.w.mu.Lock()
	c.w.off[i], c.w.stop[i] = false, cancel
	c.w.mu.Unlock()
	c.nodes[i] = n
	done := make(chan struct{})
	c.done[i] = done
	go func() {
		defer close(done)
		if err := n.Run(ctx); err != nil {
			c.t.Errorf("node %d: %v", i, err)
		}
	}()
	c.t.Cleanup(func() { cancel(); <-done })
}

// kill stops node i as kill -9 would: what it held stays held.
func (c *cluster) kill(i int) {
	c.w.mu.Lock()
	stop := c.w.stop[i]
	c.w.mu.Unlock()
	stop()
	<-c.done[i]
}

func (c *cluster) partition(all bool) {
	for _, p := range c.cfg[0].Link.Paths {
		c.net.Partition(p, hatest.NetBoth)
		if !all {
			return
		}
	}
}

func (c *cluster) role(i int) ha.ControllerState { return c.nodes[i].Status().Role }

func groupState(st hanode.Status, g string) ha.GroupState {
	for _, gs := range st.Groups {
		if gs.Name == g {
			return gs.State
		}
	}
	return ""
}

// TestNodeElectAndSwact: two nodes start, elect controller-0 (the name
// tie-break), bring the address and then the API up on it only, and a
// swact requested on either node moves both to the other, never with
// the address on both.
func TestNodeElectAndSwact(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, true)
		c.start(0)
		c.start(1)
		time.Sleep(2 * time.Second)
		require.Equal(t, ha.ControllerActive, c.role(0))
		require.Equal(t, ha.ControllerStandby, c.role(1))
		assert.Equal(t, []int{0}, c.w.holders())
		st := c.nodes[0].Status()
		assert.Equal(t, ha.GroupActive, groupState(st, "vip-services"))
		assert.Equal(t, ha.GroupActive, groupState(st, "local-services"))
		assert.Equal(t, ha.GroupStandby, groupState(c.nodes[1].Status(), "vip-services"))
		assert.Equal(t, ha.GroupActive, groupState(c.nodes[1].Status(), "local-services"), "N-active groups are active on both")

		ctx := context.Background()
		start := time.Now()
		require.NoError(t, c.nodes[0].Swact(ctx, ha.SwactRequest{Node: "controller-0"}))
		t.Logf("swact took %v of fake time", time.Since(start))
		assert.Equal(t, ha.ControllerActive, c.role(1))
		assert.Equal(t, []int{1}, c.w.holders())
		assert.Equal(t, ha.GroupStandby, groupState(c.nodes[0].Status(), "vip-services"))

		// Asked on the standby, about the active peer.
		require.NoError(t, c.nodes[0].Swact(ctx, ha.SwactRequest{Node: "controller-1"}))
		assert.Equal(t, ha.ControllerActive, c.role(0))
		assert.Equal(t, []int{0}, c.w.holders())

		// Refusals: an unknown node, and a swact away from the standby.
		err := c.nodes[0].Swact(ctx, ha.SwactRequest{Node: "controller-7"})
		assert.ErrorIs(t, err, ha.ErrNotFound)
		err = c.nodes[1].Swact(ctx, ha.SwactRequest{Node: "controller-1"})
		var re *ha.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, ha.RuleSwactNotActive, re.Rule)
		err = c.nodes[1].Swact(ctx, ha.SwactRequest{Node: "controller-1", Force: true})
		require.ErrorAs(t, err, &re)
		assert.Equal(t, ha.RuleSwactFailed, re.Rule, "forced, the failover state machine still refuses")
		assert.Equal(t, ha.ControllerActive, c.role(0), "a refused swact changes nothing")

		// The operator's view, from either node.
		for i := range 2 {
			sda, err := c.nodes[i].ListServiceGroups(ctx)
			require.NoError(t, err)
			got := map[string]ha.GroupState{}
			for _, a := range sda {
				got[a.NodeName+"/"+a.ServiceGroupName] = a.State
				assert.Equal(t, "controller", a.Name)
			}
			assert.Equal(t, map[string]ha.GroupState{"controller-0/vip-services": ha.GroupActive, "controller-0/local-services": ha.GroupActive,
				"controller-1/vip-services": ha.GroupStandby, "controller-1/local-services": ha.GroupActive}, got, "from node %d", i)
			a, err := c.nodes[i].GetServiceGroup(ctx, sda[0].UUID)
			require.NoError(t, err)
			assert.Equal(t, sda[0], a)
		}
		svc, err := c.nodes[0].GetService(ctx, "api")
		require.NoError(t, err)
		assert.Equal(t, ha.ServiceEnabledActive, svc.State)
		svc, err = c.nodes[1].GetService(ctx, "api")
		require.NoError(t, err)
		assert.Equal(t, ha.ServiceEnabledStandby, svc.State)
		_, err = c.nodes[1].GetService(ctx, "nope")
		assert.ErrorIs(t, err, ha.ErrNotFound)
		sn, err := c.nodes[1].ListServiceNodes(ctx)
		require.NoError(t, err)
		require.Len(t, sn, 2)
		assert.True(t, sn[0].UnlockedEnabled() && sn[1].UnlockedEnabled())
		require.NoError(t, c.nodes[1].Swact(ctx, ha.SwactRequest{Node: "controller-0", CheckOnly: true}))
		assert.Equal(t, ha.ControllerActive, c.role(0), "a pre-check moves nothing")

		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		assert.Empty(t, c.w.dual)
		assert.Empty(t, c.w.apiEarly)
	})
}

// TestNodeFailover: the active dies (as with kill -9: its address stays
// configured); the standby fences it (which powers it off) and takes
// over. Restarted, the old active comes back as standby.
func TestNodeFailover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, true)
		c.start(0)
		c.start(1)
		time.Sleep(2 * time.Second)
		require.Equal(t, ha.ControllerActive, c.role(0))
		killed := time.Now()
		c.kill(0)
		for c.role(1) != ha.ControllerActive || len(c.w.holders()) != 1 || c.w.holders()[0] != 1 {
			time.Sleep(time.Millisecond)
			require.Less(t, time.Since(killed), 5*time.Second, "no takeover")
		}
		took := time.Since(killed)
		t.Logf("takeover %v after the kill", took)
		// Dead after 150–200 ms, then the fence and the address: nothing
		// else stands in the way.
		assert.LessOrEqual(t, took, 250*time.Millisecond)

		c.start(0)
		time.Sleep(2 * time.Second)
		assert.Equal(t, ha.ControllerStandby, c.role(0))
		assert.Equal(t, ha.ControllerActive, c.role(1))
		assert.Equal(t, []int{1}, c.w.holders())
		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		assert.Empty(t, c.w.dual)
	})
}

// TestNodeNoProtection: without fence or witness, a silent partition
// leaves the standby standby with 400.002 raised; one path lost is only
// 400.005 for it.
func TestNodeNoProtection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, false)
		c.start(0)
		c.start(1)
		time.Sleep(2 * time.Second)
		require.Equal(t, ha.ControllerActive, c.role(0))

		c.partition(false)
		time.Sleep(2 * time.Second)
		assert.Equal(t, ha.ControllerActive, c.role(0))
		assert.Equal(t, ha.ControllerStandby, c.role(1))
		_, ok := c.alarms.Active("400.005", "host=controller-1.network=mgmt")
		assert.True(t, ok, "path lost")
		_, ok = c.alarms.Active("400.002", "service_domain=controller.service_group=vip-services")
		assert.False(t, ok)

		c.partition(true)
		time.Sleep(5 * time.Second)
		assert.Equal(t, ha.ControllerActive, c.role(0))
		assert.Equal(t, ha.ControllerStandby, c.role(1))
		assert.Equal(t, []int{0}, c.w.holders())
		_, ok = c.alarms.Active("400.002", "service_domain=controller.service_group=vip-services")
		assert.True(t, ok, "no takeover possible")
		err := c.nodes[0].Swact(context.Background(), ha.SwactRequest{Node: "controller-0"})
		var re *ha.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, ha.RuleSwactNoPeer, re.Rule)
		sn, err := c.nodes[0].GetServiceNode(context.Background(), "controller-1")
		require.NoError(t, err)
		assert.Equal(t, ha.AvailFailed, sn.AvailabilityStatus)

		c.net.HealAll()
		time.Sleep(2 * time.Second)
		_, ok = c.alarms.Active("400.002", "service_domain=controller.service_group=vip-services")
		assert.False(t, ok, "cleared once the peer is heard again")
		_, ok = c.alarms.Active("400.005", "host=controller-1.network=mgmt")
		assert.False(t, ok)
	})
}

// TestNodeBothRestart: both killed (addresses left behind) and
// restarted: the one active before is active again, and the other's
// stale address is removed at start.
func TestNodeBothRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, true)
		c.start(0)
		c.start(1)
		time.Sleep(2 * time.Second)
		require.NoError(t, c.nodes[0].Swact(context.Background(), ha.SwactRequest{Node: "controller-0"}))
		require.Equal(t, ha.ControllerActive, c.role(1))
		c.kill(0)
		c.kill(1)
		c.w.mu.Lock()
		c.w.vip[0] = true // a stale address on the old standby too
		c.w.mu.Unlock()
		c.start(0)
		c.start(1)
		time.Sleep(3 * time.Second)
		assert.Equal(t, ha.ControllerActive, c.role(1), "was active before")
		assert.Equal(t, ha.ControllerStandby, c.role(0))
		assert.Equal(t, []int{1}, c.w.holders())
	})
}

// cutWitness is one node's way to a shared witness, which a partition
// can cut.
type cutWitness struct {
	ha.Witness
	mu  sync.Mutex
	cut bool
}

func (c *cutWitness) set(cut bool) { c.mu.Lock(); c.cut = cut; c.mu.Unlock() }

func (c *cutWitness) down() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut {
		return fmt.Errorf("%w: witness unreachable", ha.ErrUnavailable)
	}
	return nil
}

func (c *cutWitness) Acquire(ctx context.Context, node string) (time.Time, error) {
	if err := c.down(); err != nil {
		return time.Time{}, err
	}
	return c.Witness.Acquire(ctx, node)
}

func (c *cutWitness) Release(ctx context.Context, node string) error {
	if err := c.down(); err != nil {
		return err
	}
	return c.Witness.Release(ctx, node)
}

// TestNodeWitnessPartition: with a witness and no fence, the active cut
// off from its peer and the witness demotes itself before its lease
// ends, and only then does the standby, granted the lease, take over;
// the address is never on both. Healed, the old active stays standby.
func TestNodeWitnessPartition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, false)
		fw := hatest.NewFakeWitness(2*time.Second, nil)
		ws := [2]*cutWitness{{Witness: fw}, {Witness: fw}}
		for i := range 2 {
			c.opts[i].Witness = ws[i]
		}
		c.start(0)
		c.start(1)
		time.Sleep(3 * time.Second)
		require.Equal(t, ha.ControllerActive, c.role(0))
		holder, _ := fw.Holder()
		require.Equal(t, "controller-0", holder)

		cut := time.Now()
		c.partition(true)
		ws[0].set(true)
		var demoted, tookOver time.Duration
		for time.Since(cut) < 10*time.Second {
			time.Sleep(5 * time.Millisecond)
			h := c.w.holders()
			require.LessOrEqual(t, len(h), 1, "both hold the address at %v", time.Since(cut))
			if demoted == 0 && c.role(0) != ha.ControllerActive {
				demoted = time.Since(cut)
			}
			if tookOver == 0 && len(h) == 1 && h[0] == 1 {
				tookOver = time.Since(cut)
			}
		}
		t.Logf("demoted after %v, taken over after %v", demoted, tookOver)
		require.NotZero(t, tookOver, "the standby took over")
		assert.Less(t, demoted, tookOver)
		assert.Equal(t, ha.ControllerActive, c.role(1))
		assert.Equal(t, ha.ControllerStandby, c.role(0))

		ws[0].set(false)
		c.net.HealAll()
		time.Sleep(3 * time.Second)
		assert.Equal(t, ha.ControllerStandby, c.role(0))
		assert.Equal(t, ha.ControllerActive, c.role(1))
		assert.Equal(t, []int{1}, c.w.holders())
		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		assert.Empty(t, c.w.dual)
	})
}

// TestNodeGroupFailureSwacts: the API cannot start on the elected
// controller-0; past its max_failures the group fails there, and the
// services move to controller-1, where they run, with 400.001 raised
// for controller-0's group.
func TestNodeGroupFailureSwacts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, true)
		c.w.apiFails[0] = true
		c.start(0)
		c.start(1)
		time.Sleep(10 * time.Second)
		assert.Equal(t, ha.ControllerActive, c.role(1), "%+v", c.nodes[0].Status().Groups)
		assert.Equal(t, ha.ControllerStandby, c.role(0))
		assert.Equal(t, []int{1}, c.w.holders())
		c.w.mu.Lock()
		assert.True(t, c.w.api[1])
		assert.False(t, c.w.api[0])
		assert.Empty(t, c.w.dual)
		c.w.mu.Unlock()
		a, ok := c.alarms.Active("400.001", "service_domain=controller.service_group=vip-services.host=controller-0")
		require.True(t, ok)
		assert.Equal(t, "critical", a.Severity.String())
	})
}

// TestNodeStuckReleaseBlocksTakeover: controller-0 cannot remove its
// address; asked to swact, it goes standby but keeps telling its peer it
// is active, so controller-1 never adds the address; the swact fails.
func TestNodeStuckReleaseBlocksTakeover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, true)
		for i := range 2 {
			c.cfg[i].Failover.SwactTimeout = 3 * time.Second
		}
		c.start(0)
		c.start(1)
		time.Sleep(2 * time.Second)
		require.Equal(t, ha.ControllerActive, c.role(0))
		c.w.mu.Lock()
		c.w.vipStuck[0] = true
		c.w.mu.Unlock()
		err := c.nodes[0].Swact(context.Background(), ha.SwactRequest{Node: "controller-0"})
		var re *ha.RuleError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, ha.RuleSwactFailed, re.Rule)
		assert.Equal(t, []int{0}, c.w.holders(), "controller-1 never took the address")
		c.w.mu.Lock()
		defer c.w.mu.Unlock()
		assert.Empty(t, c.w.dual)
		assert.False(t, c.w.api[1])
	})
}

// TestNodeRunEnds: a node whose paths cannot be opened returns the error
// (it does not hang), a Swact waiting on a node that stops is told so,
// and a Node runs once.
func TestNodeRunEnds(t *testing.T) {
	c := newCluster(t, false)
	c.opts[0].Listen = func(hapeer.Path) (hapeer.Conn, error) { return nil, errors.New("cannot assign requested address") }
	n, err := hanode.New(c.cfg[0], &c.opts[0])
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	assert.ErrorContains(t, n.Run(ctx), "cannot assign requested address")
	assert.Error(t, n.Run(ctx), "a Node runs once")
	assert.ErrorIs(t, n.Swact(ctx, ha.SwactRequest{Node: "controller-0"}), hanode.ErrNotRunning)

	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, false)
		c.start(0) // alone: the swact to a silent peer is refused at once
		c.start(1)
		time.Sleep(2 * time.Second)
		c.w.mu.Lock()
		c.w.vipStuck[0] = true // the swact will wait forever
		c.w.mu.Unlock()
		errc := make(chan error, 1)
		go func() { errc <- c.nodes[0].Swact(context.Background(), ha.SwactRequest{Node: "controller-0"}) }()
		time.Sleep(time.Second)
		c.kill(0)
		assert.ErrorIs(t, <-errc, hanode.ErrNotRunning)
	})
}
