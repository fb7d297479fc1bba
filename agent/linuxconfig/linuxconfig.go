// Package linuxconfig is the agent's Linux applier: it turns a host's
// rendered configuration (inventory.HostConfig) into the files a Linux
// host reads, and writes them, each atomically, under a root directory:
//
//	etc/systemd/network/50-flock-<dev>.network   per interface: MTU, addresses, routes, VLANs, bond membership
//	etc/systemd/network/50-flock-<dev>.netdev    per VLAN and bond (ae): its kind, VLAN id, bond mode and hash policy
//	etc/sysctl.d/90-flock-hugepages.conf         vm.nr_hugepages: the 2 MiB pages of every NUMA node
//	etc/default/grub.d/90-flock.cfg              kernel arguments: 1 GiB hugepages, isolated CPUs (isolcpus, nohz_full, rcu_nocbs)
//
// Files it wrote before that the new configuration no longer has are
// removed. With root "/" (New's real mode) it writes the host's own
// files; with any other root it is a dry run that only shows what it
// would write. It starts no program: making networkd, sysctl and the
// boot loader read the files (networkctl reload, sysctl --system,
// update-grub and a reboot for kernel arguments) is Options.Activate's,
// or the operator's.
//
// What it does not do yet: SR-IOV VFs, virtual and VF interfaces (skipped,
// logged), per-NUMA-node hugepage counts (vm.nr_hugepages is the total),
// partitions, volume groups and OSDs.
package linuxconfig

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/agent"
	"github.com/edgeflock/flock/inventory"
)

// Where the files go, under the root.
const (
	NetworkDir = "etc/systemd/network"
	SysctlFile = "etc/sysctl.d/90-flock-hugepages.conf"
	GrubFile   = "etc/default/grub.d/90-flock.cfg"
	// filePrefix marks the networkd files this package owns.
	filePrefix = "50-flock-"
)

// Options configure New; nil means defaults.
type Options struct {
	// Activate, if set, is called after an Apply that changed files, with
	// their paths (written or removed): a real host's agent reloads
	// networkd and sysctl there. Its error fails the Apply.
	Activate func(ctx context.Context, changed []string) error
	// Logger; nil discards.
	Logger *slog.Logger
}

// Applier writes a configuration's files under its root.
type Applier struct {
	root string
	o    Options
	log  *slog.Logger
}

var _ agent.Applier = (*Applier)(nil)

// New returns an applier writing under root: "/" for the host itself, a
// directory for a dry run.
func New(root string, opts *Options) (*Applier, error) {
	if root == "" {
		return nil, errors.New("linuxconfig: root is required (/ for the host, a directory for a dry run)")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Applier{root: root, o: o, log: log}, nil
}

// Apply writes c's files and removes the ones of a previous configuration
// it does not have; files whose content is the same are left alone.
func (a *Applier) Apply(ctx context.Context, c inventory.HostConfig) error {
	files, skipped := Files(c)
	for _, s := range skipped {
		a.log.Warn("interface not configured by linuxconfig", "interface", s)
	}
	var changed []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(a.root, p)
		if old, err := os.ReadFile(full); err == nil && string(old) == files[p] {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("linuxconfig: %w", err)
		}
		if err := agent.WriteFileAtomic(full, []byte(files[p]), 0o644); err != nil {
			return fmt.Errorf("linuxconfig: write %s: %w", p, err)
		}
		changed = append(changed, p)
	}
	// Stale files of ours.
	stale := []string{SysctlFile, GrubFile}
	if ents, err := os.ReadDir(filepath.Join(a.root, NetworkDir)); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), filePrefix) {
				stale = append(stale, filepath.Join(NetworkDir, e.Name()))
			}
		}
	}
	for _, p := range stale {
		if _, keep := files[p]; keep {
			continue
		}
		err := os.Remove(filepath.Join(a.root, p))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("linuxconfig: remove %s: %w", p, err)
		}
		changed = append(changed, p)
	}
	a.log.Info("configuration written", "config_uuid", c.UUID, "root", a.root, "changed", len(changed))
	if len(changed) > 0 && a.o.Activate != nil {
		if err := a.o.Activate(ctx, changed); err != nil {
			return fmt.Errorf("linuxconfig: activate: %w", err)
		}
	}
	return nil
}

// Files returns the files of c, by path under the root, and the names of
// the interfaces it leaves out (VFs and virtual interfaces).
func Files(c inventory.HostConfig) (files map[string]string, skipped []string) {
	files = map[string]string{}
	// An ethernet interface is its port's device; others are their own.
	dev := map[string]string{}
	for _, ic := range c.Interfaces {
		dev[ic.Name] = ic.Name
		if ic.Type == inventory.IfEthernet && ic.Port != "" {
			dev[ic.Name] = ic.Port
		}
	}
	vlans := map[string][]string{} // lower device → VLAN devices
	bondOf := map[string]string{}  // member device → bond device
	for _, ic := range c.Interfaces {
		switch ic.Type {
		case inventory.IfVLAN:
			if len(ic.Uses) > 0 {
				lower := dev[ic.Uses[0]]
				vlans[lower] = append(vlans[lower], ic.Name)
			}
		case inventory.IfAE:
			for _, u := range ic.Uses {
				bondOf[dev[u]] = ic.Name
			}
		}
	}
	routes := map[string][]inventory.RouteConfig{}
	for _, r := range c.Routes {
		routes[dev[r.Interface]] = append(routes[dev[r.Interface]], r)
	}
	for _, ic := range c.Interfaces {
		d := dev[ic.Name]
		var nd ini
		switch ic.Type {
		case inventory.IfEthernet:
		case inventory.IfVLAN:
			nd.section("NetDev", "Name", d, "Kind", "vlan", "MTUBytes", mtu(ic.MTU))
			nd.section("VLAN", "Id", strconv.Itoa(ic.VLANID))
		case inventory.IfAE:
			nd.section("NetDev", "Name", d, "Kind", "bond", "MTUBytes", mtu(ic.MTU))
			nd.section("Bond", "Mode", bondMode(ic.AEMode), "TransmitHashPolicy", ic.TxHashPolicy)
		default:
			skipped = append(skipped, ic.Name)
			continue
		}
		if nd.Len() > 0 {
			files[filepath.Join(NetworkDir, filePrefix+d+".netdev")] = nd.String()
		}
		var nw ini
		if ic.Type == inventory.IfEthernet && ic.MAC != "" {
			nw.section("Match", "Name", d, "MACAddress", ic.MAC)
		} else {
			nw.section("Match", "Name", d)
		}
		nw.section("Link", "MTUBytes", mtu(ic.MTU))
		var kv []string
		if b := bondOf[d]; b != "" {
			kv = append(kv, "Bond", b)
		} else {
			for _, addr := range ic.Addresses {
				kv = append(kv, "Address", addr)
			}
			if len(ic.Addresses) == 0 {
				kv = append(kv, "LinkLocalAddressing", "no")
			}
		}
		for _, v := range vlans[d] {
			kv = append(kv, "VLAN", v)
		}
		nw.section("Network", kv...)
		for _, r := range routes[d] {
			nw.section("Route", "Destination", r.Network, "Gateway", r.Gateway, "Metric", metric(r.Metric))
		}
		files[filepath.Join(NetworkDir, filePrefix+d+".network")] = nw.String()
	}

	pages2M, pages1G := 0, 0
	for _, m := range c.Memory {
		pages2M += m.VMHugepages2M
		pages1G += m.VMHugepages1G
		switch m.VswitchHugepageSizeMiB {
		case 2:
			pages2M += m.VswitchHugepages
		case 1024:
			pages1G += m.VswitchHugepages
		}
	}
	if pages2M > 0 {
		files[SysctlFile] = "# Written by the Flock agent (linuxconfig): 2 MiB hugepages of every NUMA node.\nvm.nr_hugepages = " + strconv.Itoa(pages2M) + "\n"
	}
	var args []string
	if pages1G > 0 {
		args = append(args, "hugepagesz=1G", "hugepages="+strconv.Itoa(pages1G))
	}
	if iso := c.CPUs.ApplicationIsolated; len(iso) > 0 {
		list := cpuList(iso)
		args = append(args, "isolcpus=managed_irq,domain,"+list, "nohz_full="+list, "rcu_nocbs="+list)
	}
	if len(args) > 0 {
		files[GrubFile] = "# Written by the Flock agent (linuxconfig): kernel arguments, read at the next boot.\n" +
			`GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ` + strings.Join(args, " ") + "\"\n"
	}
	return files, skipped
}

// bondMode is networkd's Mode of an ae interface's aemode.
func bondMode(m string) string {
	switch m {
	case "balanced":
		return "balance-xor"
	case "802.3ad":
		return "802.3ad"
	}
	return "active-backup"
}

func mtu(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func metric(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// cpuList is the kernel's list form of cpus: "2-5,8".
func cpuList(cpus []int) string {
	cpus = slices.Clone(cpus)
	slices.Sort(cpus)
	cpus = slices.Compact(cpus)
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i])+"-"+strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// ini builds a systemd unit-style file; empty values are left out, and
// so are sections left empty (but Match and Network).
type ini struct{ strings.Builder }

func (f *ini) section(name string, kv ...string) {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			b.WriteString(kv[i] + "=" + kv[i+1] + "\n")
		}
	}
	if b.Len() == 0 && name != "Network" {
		return
	}
	if f.Len() > 0 {
		f.WriteString("\n")
	}
	f.WriteString("[" + name + "]\n" + b.String())
}
