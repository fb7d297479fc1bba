package hostmgmttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
)

// FakeHost is one simulated host behind FakeAgents: its agent's answers
// and what it was asked to do.
type FakeHost struct {
	// Up: the host runs and its agent answers.
	Up bool
	// Configured is reported in mtcAlive (I_AM_CONFIGURED).
	Configured bool
	// BootID changes at every boot.
	BootID string
	// Goenabled and Services are the results of the in-service tests and
	// of starting host services ("" is success, else the failure reason).
	Goenabled, Services string
	// HoldBoot keeps the host down after a reboot until Boot is called.
	HoldBoot bool
	// Networks the host heartbeats on (default mgmt).
	Networks []hostmgmt.Network
	// Commands received, in order.
	Commands []hostmgmt.Command
	// Monitored: maintenance is heartbeating the host.
	Monitored bool
}

// FakeAgents simulates the agents of hosts and the heartbeat engine: it
// implements hostmgmt.Agents and hostmgmt.Heartbeat and reports to an
// Observer, as the heartbeat engine does. A host reboots in BootDelay.
type FakeAgents struct {
	// BootDelay is how long a simulated reboot takes (default 20 ms).
	BootDelay time.Duration

	mu    sync.Mutex
	obs   hostmgmt.Observer
	hosts map[string]*FakeHost
	keys  map[string][]byte
	wg    sync.WaitGroup
}

// NewFakeAgents returns fake agents with no host.
func NewFakeAgents() *FakeAgents {
	return &FakeAgents{BootDelay: 20 * time.Millisecond, hosts: map[string]*FakeHost{}, keys: map[string][]byte{}}
}

// SetObserver sets where observations go (the Manager).
func (f *FakeAgents) SetObserver(o hostmgmt.Observer) {
	f.mu.Lock()
	f.obs = o
	f.mu.Unlock()
}

func newBootID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// AddHost simulates a running, configured host whose agent answers.
func (f *FakeAgents) AddHost(uuid string) {
	f.mu.Lock()
	f.hosts[uuid] = &FakeHost{Up: true, Configured: true, BootID: newBootID(), Networks: []hostmgmt.Network{hostmgmt.NetworkMgmt}}
	f.mu.Unlock()
	f.alive(uuid, false)
}

// Host returns a copy of a simulated host.
func (f *FakeAgents) Host(uuid string) FakeHost {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hosts[uuid]
	if h == nil {
		return FakeHost{}
	}
	c := *h
	c.Commands = slices.Clone(h.Commands)
	c.Networks = slices.Clone(h.Networks)
	return c
}

// Update changes a simulated host.
func (f *FakeAgents) Update(uuid string, fn func(h *FakeHost)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h := f.hosts[uuid]; h != nil {
		fn(h)
	}
}

// Count returns how many times the host received c.
func (f *FakeAgents) Count(uuid string, c hostmgmt.Command) int {
	h := f.Host(uuid)
	n := 0
	for _, x := range h.Commands {
		if x == c {
			n++
		}
	}
	return n
}

func (f *FakeAgents) observe(uuid string, o hostmgmt.Observation) {
	f.mu.Lock()
	obs := f.obs
	f.mu.Unlock()
	if obs != nil {
		obs.Observe(uuid, o)
	}
}

func (f *FakeAgents) alive(uuid string, requested bool) {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil || !h.Up {
		f.mu.Unlock()
		return
	}
	o := hostmgmt.Observation{Kind: hostmgmt.ObsMtcAlive, Configured: h.Configured, BootID: h.BootID, Uptime: time.Minute}
	f.mu.Unlock()
	f.observe(uuid, o)
}

// Send implements hostmgmt.Agents.
func (f *FakeAgents) Send(ctx context.Context, uuid string, c hostmgmt.Command) error {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil || !h.Up {
		f.mu.Unlock()
		<-ctx.Done() // no answer: the caller's deadline runs out
		return fmt.Errorf("%w: %s does not answer", hostmgmt.ErrUnavailable, uuid)
	}
	h.Commands = append(h.Commands, c)
	f.mu.Unlock()
	switch c {
	case hostmgmt.CmdMtcAlive:
		f.alive(uuid, true)
	case hostmgmt.CmdReboot:
		f.Reboot(uuid)
	case hostmgmt.CmdGoenabled, hostmgmt.CmdStartServices:
		f.mu.Lock()
		reason := h.Goenabled
		if c == hostmgmt.CmdStartServices {
			reason = h.Services
		}
		f.mu.Unlock()
		f.wg.Go(func() {
			f.observe(uuid, hostmgmt.Observation{Kind: hostmgmt.ObsCommandResult, Command: c, OK: reason == "", Reason: reason})
		})
	}
	return nil
}

// Reboot simulates the host going down and booting again after
// BootDelay (unless HoldBoot), with a new boot id.
func (f *FakeAgents) Reboot(uuid string) {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil {
		f.mu.Unlock()
		return
	}
	h.Up = false
	hold := h.HoldBoot
	delay := f.BootDelay
	f.mu.Unlock()
	f.wg.Go(func() {
		f.Kill(uuid)
		f.observe(uuid, hostmgmt.Observation{Kind: hostmgmt.ObsOffline})
		if hold {
			return
		}
		time.Sleep(delay)
		f.Boot(uuid)
	})
}

// Boot brings a down host up with a new boot id; its agent sends
// mtcAlive.
func (f *FakeAgents) Boot(uuid string) {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil {
		f.mu.Unlock()
		return
	}
	h.Up, h.BootID = true, newBootID()
	f.mu.Unlock()
	f.alive(uuid, false)
}

// Kill stops the host's agent without a reboot (as kill -9, or a cable
// pulled): a monitored host is reported failed on every network.
func (f *FakeAgents) Kill(uuid string) {
	f.SetHealth(uuid, hostmgmt.HealthFailed, nil)
	f.mu.Lock()
	if h := f.hosts[uuid]; h != nil {
		h.Up = false
	}
	f.mu.Unlock()
}

// Revive brings a killed agent back without a reboot (the same boot id):
// it answers heartbeat and mtcAlive again.
func (f *FakeAgents) Revive(uuid string) {
	f.mu.Lock()
	if h := f.hosts[uuid]; h != nil {
		h.Up = true
	}
	f.mu.Unlock()
	f.alive(uuid, false)
}

// SetHealth reports the host's heartbeat health on the given networks
// (nil: all of the host's), if it is monitored.
func (f *FakeAgents) SetHealth(uuid string, x hostmgmt.Health, nets []hostmgmt.Network) {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil || !h.Monitored {
		f.mu.Unlock()
		return
	}
	if nets == nil {
		nets = slices.Clone(h.Networks)
	}
	f.mu.Unlock()
	for _, n := range nets {
		f.observe(uuid, hostmgmt.Observation{Kind: hostmgmt.ObsHeartbeat, Network: n, Health: x})
	}
}

// SetKey implements hostmgmt.Heartbeat.
func (f *FakeAgents) SetKey(uuid string, key []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if key == nil {
		delete(f.keys, uuid)
		return
	}
	f.keys[uuid] = slices.Clone(key)
}

// Key returns the key the host was given.
func (f *FakeAgents) Key(uuid string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.keys[uuid])
}

// Monitor implements hostmgmt.Heartbeat. Starting to monitor a host that
// is down reports it failed, as ten missed pulses would.
func (f *FakeAgents) Monitor(uuid string, on bool) {
	f.mu.Lock()
	h := f.hosts[uuid]
	if h == nil {
		f.mu.Unlock()
		return
	}
	h.Monitored = on
	down := !h.Up
	f.mu.Unlock()
	if on && down {
		f.wg.Go(func() { f.SetHealth(uuid, hostmgmt.HealthFailed, nil) })
	}
}

// Wait waits for the simulated hosts' goroutines.
func (f *FakeAgents) Wait() { f.wg.Wait() }

// FakeBMC is a simulated BMC with injectable faults.
type FakeBMC struct {
	mu sync.Mutex
	// power is the host's power, boot its one-time boot device.
	power hostmgmt.PowerState
	boot  hostmgmt.BootDevice
	ops   []hostmgmt.PowerOp
	// fail, if set, is returned by every call (an unreachable BMC).
	fail error
	// hang makes every call wait for its context (a BMC that never
	// answers).
	hang bool
	// failNext calls fail with failErr before reaching the BMC.
	failNext int
	failErr  error
	// loseNext power calls act, then fail as if the answer was lost.
	loseNext int
	// sensors, if set, replace the default readings.
	sensors []hostmgmt.Sensor
}

// FakeBMCs hands out one FakeBMC per host and simulates the power's
// effect on the host through FakeAgents (off: the host goes down; on and
// reset: it boots).
type FakeBMCs struct {
	Agents *FakeAgents
	mu     sync.Mutex
	bmcs   map[string]*FakeBMC
	none   map[string]bool
}

// Deprovision makes the host one without a BMC (bm_type none): BMC
// answers hostmgmt.ErrNoBMC.
func (f *FakeBMCs) Deprovision(uuid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.none == nil {
		f.none = map[string]bool{}
	}
	f.none[uuid] = true
}

// NewFakeBMCs returns BMCs whose power drives agents' hosts.
func NewFakeBMCs(agents *FakeAgents) *FakeBMCs {
	return &FakeBMCs{Agents: agents, bmcs: map[string]*FakeBMC{}}
}

// Get returns the host's BMC, created powered on.
func (f *FakeBMCs) Get(uuid string) *FakeBMC {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.bmcs[uuid]
	if b == nil {
		b = &FakeBMC{power: hostmgmt.PowerOn}
		f.bmcs[uuid] = b
	}
	return b
}

// BMC implements hostmgmt.BMCs.
func (f *FakeBMCs) BMC(_ context.Context, uuid string) (hostmgmt.BMC, error) {
	f.mu.Lock()
	none := f.none[uuid]
	f.mu.Unlock()
	if none {
		return nil, fmt.Errorf("%w: %s", hostmgmt.ErrNoBMC, uuid)
	}
	return &boundBMC{f: f, uuid: uuid, b: f.Get(uuid)}, nil
}

// Fail makes every call of the host's BMC fail with err (nil heals it).
func (b *FakeBMC) Fail(err error) {
	b.mu.Lock()
	b.fail = err
	b.mu.Unlock()
}

// Hang makes every call of the host's BMC wait until its context ends,
// as a BMC that takes requests and never answers (false heals it).
func (b *FakeBMC) Hang(hang bool) {
	b.mu.Lock()
	b.hang = hang
	b.mu.Unlock()
}

// SetSensors sets the readings Sensors returns (nil: the default, one
// temperature in range).
func (b *FakeBMC) SetSensors(s []hostmgmt.Sensor) {
	b.mu.Lock()
	b.sensors = slices.Clone(s)
	b.mu.Unlock()
}

// FailNext makes the next n calls fail with err without acting (err
// wrapping hostmgmt.ErrNotSent is a request that never left).
func (b *FakeBMC) FailNext(n int, err error) {
	b.mu.Lock()
	b.failNext, b.failErr = n, err
	b.mu.Unlock()
}

// LoseAnswers makes the next n power calls act and then fail as if
// their answer was lost: the case that must never be sent again.
func (b *FakeBMC) LoseAnswers(n int) {
	b.mu.Lock()
	b.loseNext = n
	b.mu.Unlock()
}

// enter begins a call: it waits for ctx when the BMC hangs and returns
// the injected failure. On nil, b.mu is held and the caller unlocks it.
func (b *FakeBMC) enter(ctx context.Context) error {
	b.mu.Lock()
	if b.failNext > 0 {
		b.failNext--
		err := b.failErr
		b.mu.Unlock()
		return err
	}
	if b.hang {
		b.mu.Unlock()
		<-ctx.Done()
		return fmt.Errorf("fake BMC: %w", ctx.Err())
	}
	if b.fail != nil {
		err := b.fail
		b.mu.Unlock()
		return err
	}
	return nil
}

// Ops returns the power operations performed, in order.
func (b *FakeBMC) Ops() []hostmgmt.PowerOp {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.ops)
}

// State returns the power state and the one-time boot device.
func (b *FakeBMC) State() (hostmgmt.PowerState, hostmgmt.BootDevice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.power, b.boot
}

type boundBMC struct {
	f    *FakeBMCs
	uuid string
	b    *FakeBMC
}

// PowerState implements hostmgmt.BMC.
func (x *boundBMC) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	if err := x.b.enter(ctx); err != nil {
		return hostmgmt.PowerUnknown, err
	}
	defer x.b.mu.Unlock()
	return x.b.power, nil
}

// Power implements hostmgmt.BMC. Off and soft-off kill the host's fake
// agent; on, reset, cycle and graceful-restart reboot it.
func (x *boundBMC) Power(ctx context.Context, op hostmgmt.PowerOp) (err error) {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	if err := x.b.enter(ctx); err != nil {
		return err
	}
	x.b.ops = append(x.b.ops, op)
	off := op == hostmgmt.OpPowerOff || op == hostmgmt.OpGraceful
	if off {
		x.b.power = hostmgmt.PowerOff
	} else {
		x.b.power = hostmgmt.PowerOn
	}
	x.b.boot = ""
	lost := x.b.loseNext > 0
	if lost {
		x.b.loseNext--
	}
	x.b.mu.Unlock()
	defer func() {
		if lost {
			err = errors.New("fake BMC: read: connection reset by peer (the answer was lost)")
		}
	}()
	if x.f.Agents != nil {
		if off {
			x.f.Agents.Kill(x.uuid)
		} else {
			x.f.Agents.Reboot(x.uuid)
		}
	}
	return nil
}

// SetBootDevice implements hostmgmt.BMC.
func (x *boundBMC) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(d); err != nil {
		return err
	}
	if err := x.b.enter(ctx); err != nil {
		return err
	}
	defer x.b.mu.Unlock()
	x.b.boot = d
	return nil
}

// FakeHook is a pre-lock hook whose answer the test sets.
type FakeHook struct {
	mu     sync.Mutex
	refuse string
	calls  []string
}

// Name implements hostmgmt.LockHook.
func (f *FakeHook) Name() string { return "fake-hook" }

// Refuse makes the hook refuse every lock with reason ("" accepts).
func (f *FakeHook) Refuse(reason string) {
	f.mu.Lock()
	f.refuse = reason
	f.mu.Unlock()
}

// Calls returns the hosts the hook ran for.
func (f *FakeHook) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// PreLock implements hostmgmt.LockHook.
func (f *FakeHook) PreLock(ctx context.Context, uuid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, uuid)
	if f.refuse != "" {
		return errors.New(f.refuse)
	}
	return nil
}

// FakeSwacter is service management with one active controller.
type FakeSwacter struct {
	mu      sync.Mutex
	active  string
	standby bool
	swacts  int
}

// SetActive sets the active controller and whether a healthy standby
// exists.
func (f *FakeSwacter) SetActive(uuid string, standbyHealthy bool) {
	f.mu.Lock()
	f.active, f.standby = uuid, standbyHealthy
	f.mu.Unlock()
}

// Active implements hostmgmt.Swacter.
func (f *FakeSwacter) Active(context.Context) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.active, f.standby, nil
}

// Swact implements hostmgmt.Swacter: the active role moves off uuid.
func (f *FakeSwacter) Swact(_ context.Context, uuid string, force bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.active != uuid {
		return errors.New("not the active controller")
	}
	if !f.standby && !force {
		return errors.New("no healthy standby")
	}
	f.active = ""
	f.swacts++
	return nil
}

// Info implements hostmgmt.BMC.
func (x *boundBMC) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	if err := x.b.enter(ctx); err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	defer x.b.mu.Unlock()
	return hostmgmt.BMCInfo{Manufacturer: "Flock", Model: "Fake BMC", SerialNumber: x.uuid, FirmwareVersion: "1.0", BMCFirmwareVersion: "1.0",
		MACAddresses: []string{"52:54:00:00:00:01"}}, nil
}

// Sensors implements hostmgmt.BMC: the readings SetSensors gave, or one
// temperature in range.
func (x *boundBMC) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	if err := x.b.enter(ctx); err != nil {
		return nil, err
	}
	defer x.b.mu.Unlock()
	if x.b.sensors != nil {
		return slices.Clone(x.b.sensors), nil
	}
	upper := 85.0
	return []hostmgmt.Sensor{{Name: "CPU Temp", Type: hostmgmt.SensorTemperature, Reading: 40, Units: "Cel", Status: hostmgmt.SensorOK,
		Thresholds: hostmgmt.Thresholds{UpperCritical: &upper}}}, nil
}

// As implements hostmgmt.BMC: target *(*FakeBMC) gets the fake.
func (x *boundBMC) As(target any) bool {
	if p, ok := target.(**FakeBMC); ok {
		*p = x.b
		return true
	}
	return false
}
