//go:build libvirt

package libvirtbmc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"libvirt.org/go/libvirt"

	"github.com/edgeflock/flock/hostmgmt"
)

// BMC is a libvirt domain's BMC. It is safe for concurrent use.
type BMC struct {
	uri, domain string
	opts        Options

	mu      sync.Mutex
	conn    *libvirt.Connect // nil until opened, and after it broke
	dom     *libvirt.Domain  // nil until looked up
	opening chan struct{}    // non-nil while a goroutine opens conn; closed when it is done
	closed  bool
}

var _ hostmgmt.BMC = (*BMC)(nil)

// errClosed is the error of a call after Close.
var errClosed = errors.New("libvirtbmc: BMC closed")

// New returns the BMC of domain (a name or a UUID) reached through the
// libvirt connection uri (qemu:///system, test:///default ...). It checks
// its arguments and does no I/O: the connection is opened by the first
// call. Close releases it.
func New(uri, domain string, opts *Options) (*BMC, error) {
	if err := checkArgs(uri, domain); err != nil {
		return nil, err
	}
	return &BMC{uri: uri, domain: domain, opts: opts.withDefaults()}, nil
}

// Close closes the BMC's connection. Calls under way finish on their
// own references; later calls fail.
func (b *BMC) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	return b.dropLocked(b.conn)
}

// dropLocked forgets the connection c (if it is still the current one)
// and its domain handle, releasing the BMC's references to them.
func (b *BMC) dropLocked(c *libvirt.Connect) error {
	if c == nil || b.conn != c {
		return nil
	}
	var errs []error
	if b.dom != nil {
		errs = append(errs, b.dom.Free())
		b.dom = nil
	}
	_, err := b.conn.Close()
	b.conn = nil
	return errors.Join(append(errs, err)...)
}

// handle returns the connection and the domain, opening or looking up
// what is missing, each with a reference of the caller's own (release
// with release). An error opening the connection wraps
// hostmgmt.ErrNotSent.
func (b *BMC) handle(ctx context.Context) (*libvirt.Connect, *libvirt.Domain, error) {
	for {
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			return nil, nil, errClosed
		}
		if b.conn != nil {
			// A break libvirt noticed already (keepalive, the peer's
			// EOF seen by the event loop): open anew rather than fail.
			if alive, err := b.conn.IsAlive(); err != nil || !alive {
				b.opts.Logger.Debug("libvirtbmc: connection broken", "uri", b.uri, "err", err)
				b.dropLocked(b.conn) //nolint:errcheck // broken anyway
			}
		}
		if b.conn != nil && b.dom != nil {
			c, d := b.conn, b.dom
			err := errors.Join(c.Ref(), d.Ref())
			b.mu.Unlock()
			if err != nil {
				return nil, nil, err
			}
			return c, d, nil
		}
		if ch := b.opening; ch != nil {
			b.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		if err := ctx.Err(); err != nil {
			b.mu.Unlock()
			return nil, nil, err
		}
		ch := make(chan struct{})
		b.opening = ch
		c := b.conn
		if c != nil {
			if err := c.Ref(); err != nil {
				b.opening = nil
				close(ch)
				b.mu.Unlock()
				return nil, nil, err
			}
		}
		b.mu.Unlock()
		if err := b.connect(ctx, ch, c); err != nil {
			return nil, nil, err
		}
	}
}

// connect opens the connection when c is nil (else c is the current one,
// with a reference of connect's own) and looks the domain up, then
// stores them and closes ch.
func (b *BMC) connect(ctx context.Context, ch chan struct{}, c *libvirt.Connect) error {
	fresh := c == nil
	var err error
	if fresh {
		c, err = b.open()
	}
	var d *libvirt.Domain
	if err == nil && ctx.Err() == nil {
		d, err = b.lookup(c)
	}
	b.mu.Lock()
	b.opening = nil
	close(ch)
	keep := !b.closed && (fresh || b.conn == c)
	if keep && fresh && c != nil {
		b.conn = c // the reference NewConnect returned
	}
	if keep && d != nil && b.dom == nil {
		b.dom = d
		d = nil
	}
	closed := b.closed
	b.mu.Unlock()
	if d != nil {
		d.Free() //nolint:errcheck // not kept
	}
	if err != nil && c != nil {
		b.check(c, err)
	}
	if c != nil && (!fresh || !keep) {
		c.Close() //nolint:errcheck // connect's reference
	}
	switch {
	case closed:
		return errClosed
	case err != nil:
		return err
	}
	return ctx.Err()
}

// open opens the connection and turns keepalive on.
func (b *BMC) open() (*libvirt.Connect, error) {
	c, err := libvirt.NewConnect(b.uri)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w: %w", b.uri, hostmgmt.ErrNotSent, err)
	}
	if b.opts.KeepAliveInterval > 0 {
		secs := max(1, int(b.opts.KeepAliveInterval.Seconds()))
		if err := c.SetKeepAlive(secs, b.opts.KeepAliveCount); err != nil {
			b.opts.Logger.Debug("libvirtbmc: no keepalive", "uri", b.uri, "err", err)
		}
	}
	return c, nil
}

// lookup finds the domain by UUID or by name.
func (b *BMC) lookup(c *libvirt.Connect) (*libvirt.Domain, error) {
	d, err := c.LookupDomainByUUIDString(b.domain)
	if err == nil {
		return d, nil
	}
	d, err = c.LookupDomainByName(b.domain)
	if err != nil {
		return nil, err
	}
	return d, nil
}

func release(c *libvirt.Connect, d *libvirt.Domain) {
	d.Free()  //nolint:errcheck // a reference count
	c.Close() //nolint:errcheck // a reference count
}

// check drops the connection c when err left it broken, or the domain
// handle when the domain is gone, so the next call opens or looks up
// again.
func (b *BMC) check(c *libvirt.Connect, err error) {
	var lerr libvirt.Error
	if !errors.As(err, &lerr) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != c {
		return
	}
	if lerr.Code == libvirt.ERR_NO_DOMAIN {
		if b.dom != nil {
			b.dom.Free() //nolint:errcheck // dropped
			b.dom = nil
		}
		return
	}
	if alive, aerr := c.IsAlive(); aerr != nil || !alive {
		b.opts.Logger.Debug("libvirtbmc: connection broken", "uri", b.uri, "err", err)
		b.dropLocked(c) //nolint:errcheck // broken anyway
	}
}

// do runs fn on the domain in a goroutine of its own and returns when fn
// does or when ctx ends, whichever comes first. Nothing is sent once ctx
// has ended; fn itself runs to its end.
func (b *BMC) do(ctx context.Context, what string, fn func(*libvirt.Connect, *libvirt.Domain) error) error {
	wrap := func(err error) error { return fmt.Errorf("libvirtbmc: %s %s: %w", what, b.domain, err) }
	if err := ctx.Err(); err != nil {
		return wrap(err)
	}
	done := make(chan error, 1)
	go func() {
		c, d, err := b.handle(ctx)
		if err != nil {
			done <- classify(err)
			return
		}
		defer release(c, d)
		if err := ctx.Err(); err != nil {
			done <- err
			return
		}
		err = fn(c, d)
		if err != nil {
			b.check(c, err)
		}
		done <- classify(err)
	}()
	select {
	case err := <-done:
		if err != nil {
			return wrap(err)
		}
		return nil
	case <-ctx.Done():
		return wrap(ctx.Err())
	}
}

// classify adds hostmgmt's sentinel to libvirt's error.
func classify(err error) error {
	var lerr libvirt.Error
	if err == nil || !errors.As(err, &lerr) || errors.Is(err, hostmgmt.ErrNotSent) {
		return err
	}
	switch lerr.Code {
	case libvirt.ERR_NO_SUPPORT, libvirt.ERR_OPERATION_UNSUPPORTED:
		return fmt.Errorf("%w: %w", hostmgmt.ErrUnimplemented, err)
	case libvirt.ERR_NO_DOMAIN:
		return fmt.Errorf("%w: %w", hostmgmt.ErrNotFound, err)
	}
	return err
}

// withDefaults returns a copy of o with the defaults filled in.
func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.KeepAliveInterval == 0 {
		r.KeepAliveInterval = 5 * time.Second
	}
	if r.KeepAliveCount == 0 {
		r.KeepAliveCount = 3
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	return r
}

// powerState maps a domain state to a power state.
func powerState(s libvirt.DomainState) hostmgmt.PowerState {
	switch s {
	case libvirt.DOMAIN_RUNNING, libvirt.DOMAIN_BLOCKED, libvirt.DOMAIN_PAUSED, libvirt.DOMAIN_PMSUSPENDED:
		return hostmgmt.PowerOn
	case libvirt.DOMAIN_SHUTOFF, libvirt.DOMAIN_SHUTDOWN, libvirt.DOMAIN_CRASHED:
		return hostmgmt.PowerOff
	}
	return hostmgmt.PowerUnknown
}

// PowerState returns the power state of the domain's state (see the
// package doc).
func (b *BMC) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	st := hostmgmt.PowerUnknown
	err := b.do(ctx, "power state of", func(_ *libvirt.Connect, d *libvirt.Domain) error {
		s, _, err := d.GetState()
		if err != nil {
			return err
		}
		st = powerState(s)
		return nil
	})
	if err != nil {
		return hostmgmt.PowerUnknown, err
	}
	return st, nil
}

// Power performs op on the domain (see the package doc for each one).
func (b *BMC) Power(ctx context.Context, op hostmgmt.PowerOp) error {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	return b.do(ctx, "power "+string(op)+" of", func(c *libvirt.Connect, d *libvirt.Domain) error {
		s, _, err := d.GetState()
		if err != nil {
			return err
		}
		off := s == libvirt.DOMAIN_SHUTOFF
		switch op {
		case hostmgmt.OpPowerOn:
			switch s {
			case libvirt.DOMAIN_SHUTOFF:
				return b.start(c, d)
			case libvirt.DOMAIN_PAUSED:
				return d.Resume()
			case libvirt.DOMAIN_PMSUSPENDED:
				return d.PMWakeup(0)
			case libvirt.DOMAIN_CRASHED, libvirt.DOMAIN_SHUTDOWN:
				return b.restart(c, d)
			}
			return nil
		case hostmgmt.OpPowerOff:
			if off {
				return nil
			}
			return d.Destroy()
		case hostmgmt.OpReset:
			if off {
				return b.start(c, d)
			}
			pending, err := b.pending(d)
			if err != nil {
				return err
			}
			if pending != nil || s == libvirt.DOMAIN_PMSUSPENDED || s == libvirt.DOMAIN_CRASHED {
				return b.restart(c, d)
			}
			if err := d.Reset(0); err != nil {
				return err
			}
			if s == libvirt.DOMAIN_PAUSED {
				return d.Resume()
			}
			return nil
		case hostmgmt.OpCycle:
			if off {
				return b.start(c, d)
			}
			return b.restart(c, d)
		case hostmgmt.OpGraceful:
			if off {
				return nil
			}
			return d.Shutdown()
		case hostmgmt.OpGracefulRestart:
			if off {
				return b.start(c, d)
			}
			return d.Reboot(0)
		}
		return nil
	})
}

// restart destroys the running domain and starts it.
func (b *BMC) restart(c *libvirt.Connect, d *libvirt.Domain) error {
	if err := d.Destroy(); err != nil {
		return err
	}
	return b.start(c, d)
}

// start starts the shut-off domain, then restores the boot order a
// one-time boot device replaced.
func (b *BMC) start(c *libvirt.Connect, d *libvirt.Domain) error {
	if err := d.Create(); err != nil {
		return err
	}
	restore, err := b.pending(d)
	if err != nil || restore == nil {
		return err
	}
	if err := b.defineBoot(c, d, restore); err != nil {
		return fmt.Errorf("started, but the boot order was not restored: %w", err)
	}
	if err := d.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, "", "", MetadataNS, libvirt.DOMAIN_AFFECT_CONFIG); err != nil {
		return fmt.Errorf("started and restored the boot order, but its record stays: %w", err)
	}
	return nil
}

// pending returns the boot order to restore after the next start, nil if
// no one-time boot device is set.
func (b *BMC) pending(d *libvirt.Domain) ([]string, error) {
	persistent, err := d.IsPersistent()
	if err != nil || !persistent {
		return nil, err
	}
	meta, err := d.GetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, MetadataNS, libvirt.DOMAIN_AFFECT_CONFIG)
	var lerr libvirt.Error
	if errors.As(err, &lerr) && lerr.Code == libvirt.ERR_NO_DOMAIN_METADATA {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parsePending(meta)
}

// defineBoot redefines the domain's persistent definition with the boot
// order devs.
func (b *BMC) defineBoot(c *libvirt.Connect, d *libvirt.Domain, devs []string) error {
	x, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE | libvirt.DOMAIN_XML_SECURE)
	if err != nil {
		return err
	}
	nx, err := setBoot(x, devs)
	if err != nil {
		return err
	}
	nd, err := c.DomainDefineXML(nx)
	if err != nil {
		return err
	}
	return nd.Free()
}

// SetBootDevice makes dev the device of the domain's next start through
// this engine, after which the previous order comes back (see the package
// doc).
func (b *BMC) SetBootDevice(ctx context.Context, dev hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(dev); err != nil {
		return err
	}
	return b.do(ctx, "set boot device "+string(dev)+" of", func(c *libvirt.Connect, d *libvirt.Domain) error {
		persistent, err := d.IsPersistent()
		if err != nil {
			return err
		}
		if !persistent {
			return fmt.Errorf("%w: a transient domain has no next start", hostmgmt.ErrUnimplemented)
		}
		x, err := d.GetXMLDesc(libvirt.DOMAIN_XML_INACTIVE)
		if err != nil {
			return err
		}
		info, err := parseDomain(x)
		if err != nil {
			return err
		}
		if info.PerDeviceBoot {
			return fmt.Errorf("%w: the domain orders its boot per device (<boot order=.../>); libvirtbmc sets <os><boot dev=.../>", hostmgmt.ErrUnimplemented)
		}
		restore, err := b.pending(d)
		if err != nil {
			return err
		}
		if restore == nil {
			restore = info.Boot
			if len(restore) == 0 {
				restore = []string{"hd"}
			}
			// Recorded first: should the definition fail, the record
			// names the order the domain still has.
			if err := d.SetMetadata(libvirt.DOMAIN_METADATA_ELEMENT, pendingXML(restore), "flock", MetadataNS, libvirt.DOMAIN_AFFECT_CONFIG); err != nil {
				return err
			}
		}
		order := onceOrder(bootDevs[dev], restore)
		if slices.Equal(order, info.Boot) {
			return nil
		}
		return b.defineBoot(c, d, order)
	})
}

// Info describes the domain (see the package doc).
func (b *BMC) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	var info hostmgmt.BMCInfo
	err := b.do(ctx, "info of", func(c *libvirt.Connect, d *libvirt.Domain) error {
		x, err := d.GetXMLDesc(0)
		if err != nil {
			return err
		}
		di, err := parseDomain(x)
		if err != nil {
			return err
		}
		hv, err := c.GetType()
		if err != nil {
			return err
		}
		hvv, err := c.GetVersion()
		if err != nil {
			return err
		}
		lv, err := c.GetLibVersion()
		if err != nil {
			return err
		}
		info = hostmgmt.BMCInfo{
			Manufacturer:       first(di.Manufacturer, hv),
			Model:              first(di.Product, di.Machine, di.OSType),
			SerialNumber:       first(di.Serial, di.UUID),
			FirmwareVersion:    first(di.BIOSVersion, hv+" "+version(hvv)),
			BMCFirmwareVersion: "libvirt " + version(lv),
			MACAddresses:       di.MACs,
		}
		return nil
	})
	if err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	return info, nil
}

// first returns the first of vs that is not empty.
func first(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// version formats libvirt's major*1,000,000 + minor*1,000 + release.
func version(v uint32) string {
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}

// Sensors returns no sensors: libvirt has none to read. It checks the
// domain can be reached first.
func (b *BMC) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	err := b.do(ctx, "sensors of", func(_ *libvirt.Connect, d *libvirt.Domain) error {
		_, _, err := d.GetState()
		return err
	})
	if err != nil {
		return nil, err
	}
	return []hostmgmt.Sensor{}, nil
}

// As sets target, a **libvirt.Connect or a **libvirt.Domain, to the BMC's
// own connection or domain handle (not to be closed or freed by the
// caller), and reports whether it could: false for other types, and
// before the first call has connected.
func (b *BMC) As(target any) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch t := target.(type) {
	case **libvirt.Connect:
		if b.conn == nil {
			return false
		}
		*t = b.conn
		return true
	case **libvirt.Domain:
		if b.dom == nil {
			return false
		}
		*t = b.dom
		return true
	}
	return false
}
