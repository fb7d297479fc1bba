package qemubmc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
)

// monitor is a QMP client on a unix socket: go-qemu's qmp.Monitor, with
// contexts. It replaces go-qemu's qmp.SocketMonitor, whose reader hands
// out answers that alias its bufio.Scanner's buffer and then reads the
// next line into that buffer: an answer followed by an event (a RESET
// after system_reset) is overwritten while it is decoded.
type monitor struct {
	conn net.Conn
	r    *bufio.Reader

	mu        sync.Mutex // one command at a time
	replies   chan []byte
	events    chan qmp.Event
	listeners atomic.Int32

	closing   chan struct{}
	closeOnce sync.Once
	done      chan struct{} // closed when the reader has ended
	started   bool
	err       error // why the reader ended; read after done
}

var _ qmp.Monitor = (*monitor)(nil)

// qmpError is QEMU's refusal of a command; the connection stays usable.
type qmpError struct {
	Class string `json:"class"`
	Desc  string `json:"desc"`
}

func (e *qmpError) Error() string { return e.Desc + " (" + e.Class + ")" }

// dialMonitor connects to the socket at path; it sends nothing.
func dialMonitor(ctx context.Context, path string) (*monitor, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	return &monitor{conn: c, r: bufio.NewReader(c), replies: make(chan []byte),
		events: make(chan qmp.Event), closing: make(chan struct{}), done: make(chan struct{})}, nil
}

// handshake reads QEMU's greeting and leaves capabilities negotiation
// mode, bounded by ctx; then it starts the reader.
func (m *monitor) handshake(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = m.conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = m.conn.SetDeadline(time.Now()) })
	err := m.negotiate()
	if !stop() {
		return context.Cause(ctx)
	}
	if err != nil {
		// The connection's deadline is ctx's, and may fire a moment
		// before ctx's own timer marks it done.
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
		return err
	}
	_ = m.conn.SetDeadline(time.Time{})
	m.started = true
	go m.read()
	return nil
}

func (m *monitor) negotiate() error {
	line, err := m.r.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	var greeting struct {
		QMP *json.RawMessage `json:"QMP"`
	}
	if err := json.Unmarshal(line, &greeting); err != nil || greeting.QMP == nil {
		return fmt.Errorf("greeting: not QMP: %.80q", line)
	}
	if _, err := m.conn.Write([]byte(`{"execute":"qmp_capabilities"}` + "\n")); err != nil {
		return err
	}
	for {
		line, err := m.r.ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("qmp_capabilities: %w", err)
		}
		if _, err := answer(line); !errors.Is(err, errEvent) {
			return err
		}
	}
}

var errEvent = errors.New("an event, not an answer")

// answer decodes a line from QEMU: the answer (the whole line), a
// *qmpError, or errEvent.
func answer(line []byte) ([]byte, error) {
	var a struct {
		Event  string          `json:"event"`
		Return json.RawMessage `json:"return"`
		Error  *qmpError       `json:"error"`
	}
	if err := json.Unmarshal(line, &a); err != nil {
		return nil, fmt.Errorf("decode answer: %w", err)
	}
	switch {
	case a.Event != "":
		return nil, errEvent
	case a.Error != nil:
		return nil, a.Error
	case a.Return == nil:
		return nil, fmt.Errorf("decode answer: neither return nor error: %.80q", line)
	}
	return line, nil
}

// read passes answers to the command waiting for them and events to the
// listener, until the connection ends.
func (m *monitor) read() {
	defer close(m.events)
	defer close(m.done)
	for {
		line, err := m.r.ReadBytes('\n') // a new slice per line: no aliasing
		if err != nil {
			m.err = err
			return
		}
		line = bytes.TrimSpace(line)
		var probe struct {
			Event string `json:"event"`
		}
		if json.Unmarshal(line, &probe) != nil {
			continue
		}
		if probe.Event != "" {
			var e qmp.Event
			if json.Unmarshal(line, &e) != nil || m.listeners.Load() == 0 {
				continue
			}
			select {
			case m.events <- e:
			case <-m.closing:
				return
			}
			continue
		}
		select {
		case m.replies <- line:
		case <-m.closing:
			return
		}
	}
}

// run sends a command and returns QEMU's answer. When ctx ends first the
// connection is closed: an answer that comes later has no one to take
// it.
func (m *monitor) run(ctx context.Context, cmd []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.started {
		return nil, errors.New("not connected")
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	stop := context.AfterFunc(ctx, func() { _ = m.Disconnect() })
	defer stop()
	if _, err := m.conn.Write(append(bytes.TrimSpace(cmd), '\n')); err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	select {
	case line := <-m.replies:
		return answer(line)
	case <-m.done:
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("connection closed: %w", m.err)
	}
}

// Connect does the QMP handshake (qmp.Monitor); the BMC uses handshake.
func (m *monitor) Connect() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.handshake(ctx)
}

// Disconnect closes the connection (qmp.Monitor).
func (m *monitor) Disconnect() error {
	var err error
	m.closeOnce.Do(func() {
		close(m.closing)
		err = m.conn.Close()
	})
	return err
}

// Run sends a command and returns QEMU's answer (qmp.Monitor).
func (m *monitor) Run(cmd []byte) ([]byte, error) { return m.run(context.Background(), cmd) }

// Events returns QEMU's events (qmp.Monitor); a qemu.Domain takes them.
func (m *monitor) Events(context.Context) (<-chan qmp.Event, error) {
	m.listeners.Add(1)
	return m.events, nil
}
