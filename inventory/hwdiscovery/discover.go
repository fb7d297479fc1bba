package hwdiscovery

import (
	"context"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"sync"
)

// Options configure a Discoverer. The zero value (or nil) is the
// defaults.
type Options struct {
	// PCIIDs are the paths, under the root, tried in turn for the
	// pci.ids database (default usr/share/misc/pci.ids, then
	// usr/share/hwdata/pci.ids).
	PCIIDs []string `json:"pci_ids" yaml:"pci_ids"`
	// Logger gets debug messages; nil discards them.
	Logger *slog.Logger `json:"-" yaml:"-"`
}

// Discoverer discovers the hardware of the machine whose /sys, /proc,
// /run/udev, /etc/lvm and /dev the root shows. It is safe for
// concurrent use. It reads the pci.ids database once, on its first
// discovery, and keeps it.
type Discoverer struct {
	fsys  fs.FS
	ids   []string
	log   *slog.Logger
	pciDB func() (*PCIIDs, string)
}

// New returns a Discoverer reading through fsys, a view of the
// machine's root directory: os.DirFS("/") in production, a recorded
// tree in tests. fsys should implement fs.ReadLinkFS (os.DirFS and
// fstest.MapFS do): sysfs is made of symbolic links, which the
// Discoverer resolves itself, relative to fsys.
func New(fsys fs.FS, opts *Options) *Discoverer {
	if opts == nil {
		opts = &Options{}
	}
	d := &Discoverer{fsys: fsys, ids: opts.PCIIDs, log: opts.Logger}
	if len(d.ids) == 0 {
		d.ids = []string{"usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids"}
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.pciDB = sync.OnceValues(d.loadPCIIDs)
	return d
}

// loadPCIIDs reads the first pci.ids database found; without one it
// returns nil and the reason.
func (d *Discoverer) loadPCIIDs() (*PCIIDs, string) {
	var reasons []string
	for _, p := range d.ids {
		b, err := fs.ReadFile(d.fsys, strings.TrimPrefix(p, "/"))
		if err != nil {
			reasons = append(reasons, reason(p, err))
			continue
		}
		return ParsePCIIDs(string(b)), ""
	}
	return nil, strings.Join(reasons, "; ")
}

// run is one discovery's state.
type run struct {
	t       *tree
	f       *Facts
	db      *PCIIDs
	cmdline map[string]string
	udev    bool // /run/udev/data exists
}

// unknown records why a fact is unknown.
func (r *run) unknown(fact, why string) {
	if r.f.Unknown == nil {
		r.f.Unknown = map[string]string{}
	}
	r.f.Unknown[fact] = why
}

// readLine reads a one-line file; a failure is recorded as fact's
// reason.
func (r *run) readLine(fact, name string) (string, bool) {
	s, err := r.t.line(name)
	if err != nil {
		r.unknown(fact, reason(name, err))
		return "", false
	}
	return s, true
}

// readInt reads a file holding one integer.
func (r *run) readInt(fact, name string) (int64, bool) {
	s, ok := r.readLine(fact, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.unknown(fact, "/"+name+": "+strconv.Quote(s)+" is not an integer")
		return 0, false
	}
	return n, true
}

// optInt reads a file holding one integer that may be absent; ok is
// false when it is absent or unreadable.
func (r *run) optInt(name string) (int64, bool) {
	s, err := r.t.line(name)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Discover reads the machine's hardware. It fails only when ctx ends:
// what it cannot read is in Facts.Unknown.
func (d *Discoverer) Discover(ctx context.Context) (*Facts, error) {
	r := &run{t: newTree(d.fsys), f: &Facts{}}
	db, why := d.pciDB()
	r.db = db
	if db == nil {
		r.unknown("pci.names", "no pci.ids database: "+why)
	}
	if s, err := r.t.read("proc/cmdline"); err == nil {
		r.cmdline = parseCmdline(s)
	}
	r.udev = r.t.has("run/udev/data")
	steps := []func(){r.system, r.cpu, r.memory, r.pci, r.disks, r.lvm, r.ports, r.rootDevices}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step()
	}
	d.log.Debug("hardware discovered", "cpus", len(r.f.CPU.Logical), "disks", len(r.f.Disks), "ports", len(r.f.Ports), "unknown", len(r.f.Unknown))
	return r.f, nil
}

// system reads the hostname, kernel release and uptime.
func (r *run) system() {
	r.f.Hostname, _ = r.readLine("hostname", "proc/sys/kernel/hostname")
	r.f.Kernel, _ = r.readLine("kernel", "proc/sys/kernel/osrelease")
	if s, ok := r.readLine("uptime_seconds", "proc/uptime"); ok {
		f := strings.Fields(s)
		if len(f) == 0 {
			r.unknown("uptime_seconds", "/proc/uptime is empty")
		} else if v, err := strconv.ParseFloat(f[0], 64); err != nil || v < 0 {
			r.unknown("uptime_seconds", "/proc/uptime: "+strconv.Quote(f[0])+" is not a duration")
		} else {
			r.f.UptimeSeconds = &v
		}
	}
}

// numaOf reads a device's numa_node ("-1" when the kernel does not
// know, as when the file is missing).
func (r *run) numaOf(dir string) int {
	n, ok := r.optInt(dir + "/numa_node")
	if !ok || n < 0 {
		return -1
	}
	return int(n)
}
