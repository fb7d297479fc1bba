package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/heartbeat"
)

// Defaults of MaintenanceOptions.
const (
	DefaultGoenabledDir      = "/etc/flock/goenabled.d"
	DefaultServicesDir       = "/etc/flock/services.d"
	DefaultScriptTimeout     = 60 * time.Second
	DefaultLinkRefresh       = 5 * time.Minute
	DefaultDiskCheckInterval = 10 * time.Second
)

// Where the host's boot id and uptime are read.
const (
	bootIDFile = "/proc/sys/kernel/random/boot_id"
	uptimeFile = "/proc/uptime"
)

// Disk full: less than 1 % or 16 MiB of the state directory's filesystem
// free for the agent.
const (
	diskFullPercent = 1
	diskFullBytes   = 16 << 20
)

// rebootDelay lets the client's acknowledgement of a reboot leave the
// host before it goes down.
const rebootDelay = 100 * time.Millisecond

// hostWait is how often Run looks whether the agent knows its host yet.
const hostWait = time.Second

// MaintenanceOptions configure NewMaintenance; nil means defaults. It is
// the maintenance part of stx-agent's YAML config.
type MaintenanceOptions struct {
	// GoenabledDir holds the in-service test scripts that goenabled
	// runs (default /etc/flock/goenabled.d).
	GoenabledDir string `yaml:"goenabled_dir"`
	// ServicesDir holds the scripts that start-services and
	// stop-services run with "start" or "stop" (default
	// /etc/flock/services.d).
	ServicesDir string `yaml:"services_dir"`
	// ScriptTimeout bounds each script (default 60 s).
	ScriptTimeout time.Duration `yaml:"script_timeout"`
	// Reboot is how the reboot command reboots: system (default), exec
	// or exit (RebootSystem, RebootExec, RebootExit). Labs that run many
	// agents on one machine use exec.
	Reboot string `yaml:"reboot"`
	// LocalAddrs is the local address to bind per heartbeat network
	// (by name: "mgmt", "cluster-host"), "ip" or "ip:port" (default: any
	// address, any port).
	LocalAddrs map[string]string `yaml:"local_addrs"`
	// AliveInterval between mtcAlive messages (0: the link's default,
	// 1 s).
	AliveInterval time.Duration `yaml:"alive_interval"`
	// LinkRefresh is how often the link is fetched again to see if the
	// controller changed it (default 5 min).
	LinkRefresh time.Duration `yaml:"link_refresh"`
	// DiskCheckInterval is how often the state directory's filesystem
	// is checked for free space (default 10 s).
	DiskCheckInterval time.Duration `yaml:"disk_check_interval"`

	// Rebooter, if set, does the reboot instead of the one Reboot names;
	// the exec and exit modes' boot id is still recorded.
	Rebooter Rebooter `yaml:"-"`
	// DiskSpace, if set, replaces statfs(2): the bytes available to the
	// agent and the filesystem's size at path.
	DiskSpace func(path string) (avail, total uint64, err error) `yaml:"-"`
	// Logger; nil is the agent's.
	Logger *slog.Logger `yaml:"-"`
}

// Validate names the first bad field, as in the YAML config.
func (o *MaintenanceOptions) Validate() error {
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"script_timeout", o.ScriptTimeout}, {"alive_interval", o.AliveInterval}, {"link_refresh", o.LinkRefresh},
		{"disk_check_interval", o.DiskCheckInterval}} {
		if f.v < 0 {
			return fmt.Errorf("agent: %s must not be negative", f.name)
		}
	}
	switch o.Reboot {
	case "", RebootSystem, RebootExec, RebootExit:
	default:
		return fmt.Errorf("agent: reboot: %q is not system, exec or exit", o.Reboot)
	}
	_, err := o.local()
	return err
}

// local parses LocalAddrs.
func (o *MaintenanceOptions) local() (map[hostmgmt.Network]netip.AddrPort, error) {
	if len(o.LocalAddrs) == 0 {
		return nil, nil
	}
	out := make(map[hostmgmt.Network]netip.AddrPort, len(o.LocalAddrs))
	nets := make([]string, 0, len(o.LocalAddrs))
	for n := range o.LocalAddrs {
		nets = append(nets, n)
	}
	slices.Sort(nets)
	for _, n := range nets {
		s := o.LocalAddrs[n]
		if !hostmgmt.Network(n).Valid() {
			return nil, fmt.Errorf("agent: local_addrs: %q is not a heartbeat network (mgmt, cluster-host)", n)
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("agent: local_addrs.%s: %q is not an \"ip\" or \"ip:port\" address", n, s)
			}
			ap = netip.AddrPortFrom(a, 0)
		}
		out[hostmgmt.Network(n)] = ap
	}
	return out, nil
}

// Maintenance is the host side of host maintenance (StarlingX's
// mtcClient and hbsClient) beside an Agent: it joins the controller's
// maintenance link once the agent knows its host, answers heartbeat
// pulses and sends mtcAlive with the host's status, and runs the
// controller's commands. It implements heartbeat.Handler.
type Maintenance struct {
	a     *Agent
	links LinkSource
	o     MaintenanceOptions
	local map[hostmgmt.Network]netip.AddrPort
	log   *slog.Logger
	reb   Rebooter

	// Status's, fixed at NewMaintenance: the boot id, the uptime then,
	// and when that was (monotonic).
	bootID     string
	hostBootID string
	uptime0    time.Duration
	start      time.Time
	stallAfter time.Duration
	diskFull   atomic.Bool

	cmdMu chan struct{} // one script command at a time

	newClient func(heartbeat.ClientConfig, heartbeat.Handler, *slog.Logger) (linkRunner, error)
}

// linkRunner is the running part of a heartbeat.Client.
type linkRunner interface {
	Run(ctx context.Context) error
}

var _ heartbeat.Handler = (*Maintenance)(nil)

// NewMaintenance returns the maintenance side of a's host, which gets
// its link from links. It reads the host's boot id and uptime now
// (/proc), or, in the exec and exit reboot modes after a simulated
// reboot, the simulated boot recorded in a's state directory
// (SimBootFile).
func NewMaintenance(a *Agent, links LinkSource, opts *MaintenanceOptions) (*Maintenance, error) {
	var o MaintenanceOptions
	if opts != nil {
		o = *opts
	}
	switch {
	case a == nil:
		return nil, errors.New("agent: maintenance needs its agent")
	case links == nil:
		return nil, errors.New("agent: maintenance needs a link source")
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.GoenabledDir == "" {
		o.GoenabledDir = DefaultGoenabledDir
	}
	if o.ServicesDir == "" {
		o.ServicesDir = DefaultServicesDir
	}
	if o.Reboot == "" {
		o.Reboot = RebootSystem
	}
	orDefault(&o.ScriptTimeout, DefaultScriptTimeout)
	orDefault(&o.LinkRefresh, DefaultLinkRefresh)
	orDefault(&o.DiskCheckInterval, DefaultDiskCheckInterval)
	if o.DiskSpace == nil {
		o.DiskSpace = statfs
	}
	log := o.Logger
	if log == nil {
		log = a.log
	}
	local, _ := o.local()
	m := &Maintenance{a: a, links: links, o: o, local: local, log: log, reb: o.Rebooter,
		stallAfter: 3 * a.o.PollInterval, cmdMu: make(chan struct{}, 1), newClient: newHeartbeatClient}
	if m.reb == nil {
		switch o.Reboot {
		case RebootExec:
			m.reb = ExecRebooter{}
		case RebootExit:
			m.reb = ExitRebooter{}
		default:
			m.reb = SystemRebooter{}
		}
	}
	var err error
	if m.hostBootID, err = readBootID(bootIDFile); err != nil {
		return nil, err
	}
	if m.uptime0, err = readUptime(uptimeFile); err != nil {
		return nil, err
	}
	m.start = time.Now()
	m.bootID = m.hostBootID
	if m.simulated() {
		sb, ok, err := loadSimBoot(a.dir, m.hostBootID)
		if err != nil {
			return nil, err
		}
		if ok {
			m.bootID = sb.BootID
			m.uptime0 = max(m.start.Sub(sb.BootedAt), 0)
		}
	}
	return m, nil
}

func newHeartbeatClient(cfg heartbeat.ClientConfig, h heartbeat.Handler, log *slog.Logger) (linkRunner, error) {
	c, err := heartbeat.NewClient(cfg, h, log)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// simulated reports whether reboots are simulated (exec, exit).
func (m *Maintenance) simulated() bool { return m.o.Reboot == RebootExec || m.o.Reboot == RebootExit }

// Status is the host's status for the heartbeat link. It allocates
// nothing: a few atomic loads and the clock.
//
//   - Configured is the agent's Configured: the controller's config
//     target of this run is the configuration applied.
//   - BootID is the kernel's boot id, or the simulated one.
//   - Uptime is the uptime at NewMaintenance plus the (monotonic) time
//     since.
//   - Flags: FlagDiskFull while the state directory's filesystem has
//     less than 1 % or 16 MiB free (as Run last found it);
//     FlagProcessStalled while the agent's Run has not finished a step
//     for more than three poll intervals (counted from NewMaintenance
//     if it never did since); FlagConfigFailed while the last apply of
//     the host's configuration failed.
func (m *Maintenance) Status() heartbeat.Status {
	now := time.Now()
	var flags hostmgmt.HealthFlags
	if m.diskFull.Load() {
		flags |= hostmgmt.FlagDiskFull
	}
	last := m.a.LastStep()
	if last.Before(m.start) {
		last = m.start
	}
	if now.Sub(last) > m.stallAfter {
		flags |= hostmgmt.FlagProcessStalled
	}
	if m.a.ConfigFailed() {
		flags |= hostmgmt.FlagConfigFailed
	}
	return heartbeat.Status{Configured: m.a.Configured(), BootID: m.bootID, Uptime: m.uptime0 + now.Sub(m.start), Flags: flags}
}

// Command runs a maintenance command:
//
//   - goenabled runs the executables of GoenabledDir, in name order;
//   - start-services and stop-services run those of ServicesDir with
//     "start" (in name order) or "stop" (in reverse);
//   - reboot waits 100 ms for the acknowledgement to leave, then
//     reboots as Reboot says; in the exec and exit modes it first
//     records a new simulated boot in the state directory;
//   - mtcalive does nothing here: the link sends it.
//
// Each script has ScriptTimeout; the first that exits non-zero or times
// out ends the command with an error naming the script, its exit status
// and the last line it wrote to stderr. A missing directory has no
// scripts: the command passes. Script commands run one at a time; a
// reboot does not wait for them.
func (m *Maintenance) Command(ctx context.Context, cmd hostmgmt.Command) error {
	switch cmd {
	case hostmgmt.CmdGoenabled:
		return m.scripts(ctx, cmd, m.o.GoenabledDir, false)
	case hostmgmt.CmdStartServices:
		return m.scripts(ctx, cmd, m.o.ServicesDir, false, "start")
	case hostmgmt.CmdStopServices:
		return m.scripts(ctx, cmd, m.o.ServicesDir, true, "stop")
	case hostmgmt.CmdReboot:
		return m.reboot(ctx)
	case hostmgmt.CmdMtcAlive:
		return nil
	}
	return fmt.Errorf("agent: command %q: unknown", cmd)
}

func (m *Maintenance) scripts(ctx context.Context, cmd hostmgmt.Command, dir string, reverse bool, args ...string) error {
	select {
	case m.cmdMu <- struct{}{}:
		defer func() { <-m.cmdMu }()
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", cmd, ctx.Err())
	}
	m.log.Info("running maintenance command", "command", cmd, "dir", dir)
	if err := runScripts(ctx, dir, reverse, m.o.ScriptTimeout, args...); err != nil {
		m.log.Warn("maintenance command failed", "command", cmd, "error", err)
		return fmt.Errorf("%s: %w", cmd, err)
	}
	m.log.Info("maintenance command passed", "command", cmd)
	return nil
}

func (m *Maintenance) reboot(ctx context.Context) error {
	m.log.Warn("rebooting on the controller's command", "reboot", m.o.Reboot)
	t := time.NewTimer(rebootDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return fmt.Errorf("reboot: %w", ctx.Err())
	}
	if m.simulated() {
		sb := SimBoot{BootID: newBootID(), BootedAt: time.Now().UTC(), HostBootID: m.hostBootID}
		if err := saveSimBoot(m.a.dir, sb); err != nil {
			return fmt.Errorf("reboot: record the simulated boot: %w", err)
		}
		m.log.Info("simulated reboot", "boot_id", sb.BootID)
	}
	if err := m.reb.Reboot(ctx); err != nil {
		m.log.Error("reboot failed", "error", err)
		return fmt.Errorf("reboot: %w", err)
	}
	return nil
}

// Run keeps the host on the maintenance link until ctx ends, then
// returns nil. Once the agent's Run has had the controller's answer (so
// the host's uuid and configuration target are known), it fetches the
// host's link from its LinkSource, retrying with the agent's backoff
// (ErrLinkNotIssued: not issued yet), and runs a heartbeat.Client on it.
// The link is fetched again every LinkRefresh: a changed one (a new key,
// period or endpoint), or a new host uuid, restarts the client; a
// client that stops (with an error, such as its key refused) is
// restarted after the link is fetched again. Meanwhile it checks the
// state directory's free space every DiskCheckInterval.
func (m *Maintenance) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { m.watchDisk(ctx) })
	m.log.Info("maintenance started", "boot_id", m.bootID, "reboot", m.o.Reboot)
	defer m.log.Info("maintenance stopped")
	failures := 0
	for {
		hostUUID, ok := m.waitHost(ctx)
		if !ok {
			return nil
		}
		link, err := m.links.MtceLink(ctx, hostUUID)
		if err == nil {
			began := time.Now()
			err = m.serve(ctx, link)
			if err == nil || time.Since(began) > m.a.o.MaxBackoff {
				failures = 0 // the link served long enough
			}
			if err == nil {
				continue // the link changed: fetch it at once
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		failures++
		d := backoff(m.a.o.MinBackoff, m.a.o.MaxBackoff, failures)
		if errors.Is(err, ErrLinkNotIssued) {
			m.log.Info("maintenance link not issued yet; will retry", "host_uuid", hostUUID, "retry_in", d)
		} else {
			m.log.Warn("maintenance link failed; will retry", "error", err, "failures", failures, "retry_in", d)
		}
		if !sleep(ctx, d) {
			return nil
		}
	}
}

// waitHost waits until the agent has had the controller's answer in its
// Run, and returns the host's uuid; ok is false if ctx ended first.
func (m *Maintenance) waitHost(ctx context.Context) (string, bool) {
	for {
		if h := m.hostUUID(); h != "" {
			return h, true
		}
		if !sleep(ctx, hostWait) {
			return "", false
		}
	}
}

// hostUUID is the host's uuid once the agent's Run has had the
// controller's answer, else "".
func (m *Maintenance) hostUUID() string {
	m.a.mu.Lock()
	defer m.a.mu.Unlock()
	if !m.a.targetKnown {
		return ""
	}
	return m.a.st.HostUUID
}

// serve runs a heartbeat client on link until ctx ends (nil), the link
// or the host's uuid changes (nil: to be fetched again at once), or the
// client stops (its error).
func (m *Maintenance) serve(ctx context.Context, link hostmgmt.LinkConfig) error {
	cl, err := m.newClient(heartbeat.ClientConfig{Link: link, Local: m.local, AliveInterval: m.o.AliveInterval}, m, m.log)
	if err != nil {
		return fmt.Errorf("heartbeat client: %w", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- cl.Run(cctx) }()
	stop := func() { cancel(); <-done }
	m.log.Info("maintenance link up", "host_uuid", link.HostUUID, "controller", link.Controller, "period_ms", link.PeriodMS)
	tick := time.NewTicker(m.o.LinkRefresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case err := <-done:
			cancel()
			if err == nil {
				err = errors.New("stopped")
			}
			return fmt.Errorf("heartbeat client: %w", err)
		case <-tick.C:
		}
		if h := m.hostUUID(); h != link.HostUUID {
			m.log.Info("host uuid changed: restarting the maintenance link", "was", link.HostUUID, "host_uuid", h)
			stop()
			return nil
		}
		nl, err := m.links.MtceLink(ctx, link.HostUUID)
		switch {
		case err == nil && !sameLink(nl, link):
			m.log.Info("maintenance link changed: restarting it")
			stop()
			return nil
		case errors.Is(err, ErrLinkNotIssued) || errors.Is(err, ErrLinkRefused):
			// Revoked: the key is no longer good.
			stop()
			return err
		case err != nil && ctx.Err() == nil:
			// The controller's API is down: the link may well be up.
			m.log.Warn("maintenance link refresh failed; keeping the link", "error", err)
		}
	}
}

// watchDisk checks the state directory's free space every
// DiskCheckInterval until ctx ends.
func (m *Maintenance) watchDisk(ctx context.Context) {
	for {
		m.checkDisk()
		if !sleep(ctx, m.o.DiskCheckInterval) {
			return
		}
	}
}

// checkDisk sets or clears FlagDiskFull. A check that fails changes
// nothing.
func (m *Maintenance) checkDisk() {
	avail, total, err := m.o.DiskSpace(m.a.dir)
	if err != nil {
		m.log.Debug("disk space check failed", "path", m.a.dir, "error", err)
		return
	}
	full := total > 0 && (avail < diskFullBytes || avail < total/100*diskFullPercent)
	if m.diskFull.Swap(full) != full {
		if full {
			m.log.Warn("state directory's filesystem is full", "path", m.a.dir, "avail_bytes", avail, "size_bytes", total)
		} else {
			m.log.Info("state directory's filesystem has room again", "path", m.a.dir, "avail_bytes", avail)
		}
	}
}

// statfs is the bytes available to an unprivileged user and the size of
// path's filesystem.
func statfs(path string) (avail, total uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, 0, err
	}
	bs := uint64(st.Bsize)
	return st.Bavail * bs, st.Blocks * bs, nil
}

// sleep waits d; false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// backoff is the wait after the failures-th failure in a row: lo doubled
// per failure up to hi, then a random point in its upper half.
func backoff(lo, hi time.Duration, failures int) time.Duration {
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}
