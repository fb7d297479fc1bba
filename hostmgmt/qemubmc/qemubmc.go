package qemubmc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/digitalocean/go-qemu/qemu"
	"github.com/digitalocean/go-qemu/qmp"

	"github.com/edgeflock/flock/hostmgmt"
)

// Options tune a BMC; the zero value (or nil) means the defaults.
type Options struct {
	// ConnectTimeout bounds dialling the socket and the QMP handshake
	// when the call's context has no sooner deadline; 0 means 5 s.
	ConnectTimeout time.Duration `json:"connect_timeout,omitempty" yaml:"connect_timeout,omitempty"`
}

// BMC is a QEMU VM's QMP monitor as a hostmgmt.BMC. Its methods are safe
// for concurrent use; they run one at a time over one connection.
type BMC struct {
	socket  string
	timeout time.Duration

	// sem serialises calls (a channel, so waiting honours ctx).
	sem chan struct{}

	// mu guards the connection, so that Close need not wait for a call.
	mu     sync.Mutex
	mon    *monitor
	dom    *qemu.Domain
	closed bool

	// The VM's own boot order while a one-time choice is in place (QOM
	// path to bootindex), and whether a power call has booted from the
	// choice since; guarded by sem.
	ownOrder map[string]int
	booted   bool
}

var _ hostmgmt.BMC = (*BMC)(nil)

// ErrClosed is returned by calls on a closed BMC.
var ErrClosed = errors.New("qemubmc: closed")

// New returns the BMC of the VM whose QMP unix socket is at socket. It
// checks its arguments only; the first call connects.
func New(socket string, opts *Options) (*BMC, error) {
	if socket == "" {
		return nil, &hostmgmt.FieldError{Field: "socket", Reason: "the path of the VM's QMP socket is empty"}
	}
	if opts == nil {
		opts = &Options{}
	}
	if opts.ConnectTimeout < 0 {
		return nil, &hostmgmt.FieldError{Field: "connect_timeout", Reason: fmt.Sprintf("%v is negative", opts.ConnectTimeout)}
	}
	timeout := opts.ConnectTimeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	return &BMC{socket: socket, timeout: timeout, sem: make(chan struct{}, 1)}, nil
}

// Close closes the monitor connection; a call in progress fails. The VM
// keeps running.
func (b *BMC) Close() error {
	b.mu.Lock()
	d := b.dom
	b.closed, b.dom, b.mon = true, nil, nil
	b.mu.Unlock()
	if d != nil {
		_ = d.Close()
	}
	return nil
}

// As sets target, a **qemu.Domain or a *qmp.Monitor, to the go-qemu
// client of the BMC's connection, connecting first if there is none
// (bounded by Options.ConnectTimeout). The client is shared: a command
// sent through it waits for the BMC's command in progress, if any.
func (b *BMC) As(target any) bool {
	switch target.(type) {
	case **qemu.Domain, *qmp.Monitor:
	default:
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	if err := b.lock(ctx); err != nil {
		return false
	}
	defer b.unlock()
	mon, dom, err := b.connect(ctx)
	if err != nil {
		return false
	}
	switch t := target.(type) {
	case *qmp.Monitor:
		*t = mon
	case **qemu.Domain:
		*t = dom
	}
	return true
}

func (b *BMC) lock(ctx context.Context) error {
	select {
	case b.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("qemubmc: waiting for another call: %w", context.Cause(ctx))
	}
}

func (b *BMC) unlock() { <-b.sem }

// connect returns the connection, dialling and doing the handshake if
// there is none. The caller holds sem.
func (b *BMC) connect(ctx context.Context) (*monitor, *qemu.Domain, error) {
	b.mu.Lock()
	closed, mon, dom := b.closed, b.mon, b.dom
	b.mu.Unlock()
	if closed {
		return nil, nil, ErrClosed
	}
	if dom != nil {
		return mon, dom, nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	mon, err := dialMonitor(ctx, b.socket)
	if err != nil {
		// Dialling failed: not a byte reached QEMU.
		return nil, nil, fmt.Errorf("qemubmc: %w: %w", hostmgmt.ErrNotSent, err)
	}
	if err := mon.handshake(ctx); err != nil {
		_ = mon.Disconnect()
		return nil, nil, fmt.Errorf("qemubmc: QMP handshake on %s: %w", b.socket, err)
	}
	dom, err = qemu.NewDomain(mon, b.socket)
	if err != nil {
		_ = mon.Disconnect()
		return nil, nil, fmt.Errorf("qemubmc: %s: %w", b.socket, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		_ = dom.Close()
		return nil, nil, ErrClosed
	}
	b.mon, b.dom = mon, dom
	return mon, dom, nil
}

// drop closes dom if it is still the connection, so the next call
// connects again.
func (b *BMC) drop(dom *qemu.Domain) {
	b.mu.Lock()
	if b.dom == dom {
		b.dom, b.mon = nil, nil
	}
	b.mu.Unlock()
	_ = dom.Close()
}

// session is one call's use of the connection.
type session struct {
	b   *BMC
	ctx context.Context
	mon *monitor
	dom *qemu.Domain
}

// begin takes the call's turn and the connection; end gives them back.
func (b *BMC) begin(ctx context.Context) (*session, error) {
	if err := b.lock(ctx); err != nil {
		return nil, err
	}
	mon, dom, err := b.connect(ctx)
	if err != nil {
		b.unlock()
		return nil, err
	}
	return &session{b: b, ctx: ctx, mon: mon, dom: dom}, nil
}

func (s *session) end() { s.b.unlock() }

// run sends one QMP command and decodes its "return" into out (if not
// nil). When the context ends first, the connection is closed and
// dropped; so is it after any error that is not QEMU's refusal.
func (s *session) run(execute string, args, out any) error {
	cmd, err := json.Marshal(qmp.Command{Execute: execute, Args: args})
	if err != nil {
		return fmt.Errorf("qemubmc: %s: %w", execute, err)
	}
	raw, err := s.mon.run(s.ctx, cmd)
	if err != nil {
		var refused *qmpError
		if !errors.As(err, &refused) {
			s.b.drop(s.dom)
		}
		return fmt.Errorf("qemubmc: %s: %w", execute, err)
	}
	if out == nil {
		return nil
	}
	if err := decodeReturn(raw, out); err != nil {
		return fmt.Errorf("qemubmc: %s: %w", execute, err)
	}
	return nil
}

// decodeReturn decodes the "return" member of a QMP answer into out.
func decodeReturn(raw []byte, out any) error {
	var r struct {
		Return json.RawMessage `json:"return"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if len(r.Return) == 0 {
		return errors.New("decode answer: no return member")
	}
	if err := json.Unmarshal(r.Return, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// PowerState returns the VM's power, from query-status.
func (b *BMC) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	s, err := b.begin(ctx)
	if err != nil {
		return hostmgmt.PowerUnknown, err
	}
	defer s.end()
	st, err := s.status()
	if err != nil {
		return hostmgmt.PowerUnknown, err
	}
	return powerState(st), nil
}

// status returns query-status's run state.
func (s *session) status() (string, error) {
	var st struct {
		Status string `json:"status"`
	}
	if err := s.run("query-status", nil, &st); err != nil {
		return "", err
	}
	return st.Status, nil
}

// QEMU's run states (qapi RunState).
const (
	stateRunning   = "running"
	stateSuspended = "suspended"
)

// offStates are the run states in which no vCPU runs.
var offStates = map[string]bool{
	"debug": true, "inmigrate": true, "internal-error": true, "io-error": true, "paused": true,
	"postmigrate": true, "prelaunch": true, "finish-migrate": true, "restore-vm": true,
	"save-vm": true, "shutdown": true, "watchdog": true, "guest-panicked": true, "colo": true,
}

// powerState normalises a QEMU run state.
func powerState(status string) hostmgmt.PowerState {
	switch {
	case status == stateRunning, status == stateSuspended:
		return hostmgmt.PowerOn
	case offStates[status]:
		return hostmgmt.PowerOff
	}
	return hostmgmt.PowerUnknown
}

// Power performs op; see the package doc for what each one sends.
func (b *BMC) Power(ctx context.Context, op hostmgmt.PowerOp) error {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	if op == hostmgmt.OpGracefulRestart {
		return fmt.Errorf("qemubmc: %s: %w", op, hostmgmt.ErrUnimplemented)
	}
	s, err := b.begin(ctx)
	if err != nil {
		return err
	}
	defer s.end()
	if op == hostmgmt.OpGraceful {
		return s.run("system_powerdown", nil, nil)
	}
	st, err := s.status()
	if err != nil {
		return err
	}
	on := powerState(st) == hostmgmt.PowerOn
	switch op {
	case hostmgmt.OpPowerOn:
		switch st {
		case stateRunning:
			return nil
		case stateSuspended:
			return s.run("system_wakeup", nil, nil)
		}
		return s.boot()
	case hostmgmt.OpPowerOff:
		if !on {
			return nil
		}
		if err := s.run("stop", nil, nil); err != nil {
			return err
		}
		if err := s.restoreOrder(); err != nil {
			return err
		}
		return s.reset()
	case hostmgmt.OpCycle:
		if on {
			if err := s.run("stop", nil, nil); err != nil {
				return err
			}
		}
		return s.boot()
	default: // OpReset
		return s.boot()
	}
}

// boot resets the VM and starts it: a fresh boot, from the one-time
// boot device if one is chosen.
func (s *session) boot() error {
	if err := s.restoreOrder(); err != nil {
		return err
	}
	if err := s.reset(); err != nil {
		return err
	}
	if s.b.ownOrder != nil {
		s.b.booted = true
	}
	return s.run("cont", nil, nil)
}

// reset sends system_reset and waits for QEMU's RESET event: QEMU only
// queues the request, and a cont before it is done fails for a VM in
// state shutdown.
func (s *session) reset() error {
	events, done, err := s.dom.Events()
	if err != nil {
		return fmt.Errorf("qemubmc: events: %w", err)
	}
	seen := make(chan struct{})
	go func() {
		// Read every event, so go-qemu's broadcast never blocks; ends
		// when done is closed or the connection goes.
		once := false
		for e := range events {
			if e.Event == "RESET" && !once {
				once = true
				close(seen)
			}
		}
	}()
	defer close(done)
	if err := s.run("system_reset", nil, nil); err != nil {
		return err
	}
	select {
	case <-seen:
		return nil
	case <-s.ctx.Done():
		s.b.drop(s.dom)
		return fmt.Errorf("qemubmc: waiting for the RESET event: %w", context.Cause(s.ctx))
	}
}
