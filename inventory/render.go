package inventory

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Render returns the configuration document of the host whose uuid is
// hostUUID, as a pure function of s: the same snapshot always renders the
// same document, with lists in a stable order. The document's UUID is
// left empty; the store gives it one when it differs from the last one.
func Render(s Snapshot, hostUUID string) (HostConfig, error) {
	i := slices.IndexFunc(s.Hosts, func(h Host) bool { return h.UUID == hostUUID })
	if i < 0 {
		return HostConfig{}, fmt.Errorf("render host %s: %w", hostUUID, ErrNotFound)
	}
	h := s.Hosts[i]
	c := HostConfig{
		Hostname:     h.Hostname,
		Personality:  h.Personality,
		Subfunctions: h.Subfunctions,
		System: SystemConfig{
			Name:       s.System.Name,
			SystemType: s.System.SystemType,
			SystemMode: s.System.SystemMode,
			Timezone:   s.System.Timezone,
			Region:     s.System.RegionName,
			DNSServers: slices.Clone(s.System.DNSServers),
			NTPServers: slices.Clone(s.System.NTPServers),
		},
		Labels:            map[string]string{},
		ServiceParameters: map[string]string{},
	}
	c.Interfaces, c.Routes = renderNetworking(s, h.UUID)
	c.CPUs = renderCPUs(s.CPUs[h.UUID])
	c.Memory = renderMemory(s.Memory[h.UUID])
	c.Storage = renderStorage(s, h.UUID)
	for _, l := range s.Labels[h.UUID] {
		c.Labels[l.LabelKey] = l.LabelValue
	}
	for _, p := range s.ServiceParameters {
		if p.Personality != "" && !personalityMatches(h, p.Personality) {
			continue
		}
		if p.Resource != "" && p.Resource != h.Hostname {
			continue
		}
		c.ServiceParameters[p.Service+"."+p.Section+"."+p.Name] = p.Value
	}
	return c, nil
}

// personalityMatches reports whether a parameter for personality p
// applies to h (its personality or one of its subfunctions).
func personalityMatches(h Host, p string) bool {
	if string(h.Personality) == p {
		return true
	}
	return slices.Contains(strings.Split(h.Subfunctions, ","), p)
}

func renderNetworking(s Snapshot, host string) ([]InterfaceConfig, []RouteConfig) {
	ports := map[string]Port{} // by interface uuid
	for _, p := range s.Ports[host] {
		if p.InterfaceUUID != "" {
			ports[p.InterfaceUUID] = p
		}
	}
	addrs := map[string][]string{} // by interface uuid
	for _, a := range s.Addresses[host] {
		addrs[a.InterfaceUUID] = append(addrs[a.InterfaceUUID], a.Address+"/"+strconv.Itoa(a.Prefix))
	}
	var out []InterfaceConfig
	for _, i := range s.Interfaces[host] {
		ic := InterfaceConfig{
			Name:         i.IfName,
			Type:         i.IfType,
			Class:        i.IfClass,
			MTU:          i.IMTU,
			MAC:          i.IMAC,
			VLANID:       i.VLANID,
			AEMode:       i.AEMode,
			TxHashPolicy: i.TxHashPolicy,
			SRIOVNumVFs:  i.SRIOVNumVFs,
			Uses:         sortedCopy(i.Uses),
			Networks:     sortedCopy(i.Networks),
			DataNetworks: sortedCopy(i.DataNetworks),
			Addresses:    sortedCopy(addrs[i.UUID]),
		}
		if p, ok := ports[i.UUID]; ok {
			ic.Port = p.Name
		}
		out = append(out, ic)
	}
	slices.SortFunc(out, func(a, b InterfaceConfig) int { return cmp.Compare(a.Name, b.Name) })

	var routes []RouteConfig
	for _, r := range s.Routes[host] {
		routes = append(routes, RouteConfig{
			Interface: r.IfName,
			Network:   netip.PrefixFrom(parseAddr(r.Network), r.Prefix).String(),
			Gateway:   r.Gateway,
			Metric:    r.Metric,
		})
	}
	slices.SortFunc(routes, func(a, b RouteConfig) int {
		return cmp.Or(cmp.Compare(a.Interface, b.Interface), cmp.Compare(a.Network, b.Network), cmp.Compare(a.Gateway, b.Gateway))
	})
	return out, routes
}

func parseAddr(s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func renderCPUs(cpus []CPU) CPUConfig {
	var c CPUConfig
	sorted := slices.Clone(cpus)
	slices.SortFunc(sorted, func(a, b CPU) int { return cmp.Compare(a.CPU, b.CPU) })
	for _, p := range sorted {
		switch p.AllocatedFunction {
		case CPUPlatform:
			c.Platform = append(c.Platform, p.CPU)
		case CPUVswitch:
			c.Vswitch = append(c.Vswitch, p.CPU)
		case CPUShared:
			c.Shared = append(c.Shared, p.CPU)
		case CPUApplication:
			c.Application = append(c.Application, p.CPU)
		case CPUApplicationIsolated:
			c.ApplicationIsolated = append(c.ApplicationIsolated, p.CPU)
		}
	}
	return c
}

func renderMemory(mem []Memory) []MemoryConfig {
	var out []MemoryConfig
	for _, m := range mem {
		mc := MemoryConfig{
			NumaNode:               m.NumaNode,
			PlatformReservedMiB:    m.PlatformReservedMiB,
			VMHugepages2M:          m.VMHugepagesNr2M,
			VMHugepages1G:          m.VMHugepagesNr1G,
			VswitchHugepages:       m.VswitchHugepagesNr,
			VswitchHugepageSizeMiB: m.VswitchHugepagesSizeMiB,
		}
		// What the operator asked for is what the host must apply.
		if m.VMHugepagesNr2MPending != nil {
			mc.VMHugepages2M = *m.VMHugepagesNr2MPending
		}
		if m.VMHugepagesNr1GPending != nil {
			mc.VMHugepages1G = *m.VMHugepagesNr1GPending
		}
		if m.VswitchHugepagesReqd != nil {
			mc.VswitchHugepages = *m.VswitchHugepagesReqd
		}
		out = append(out, mc)
	}
	slices.SortFunc(out, func(a, b MemoryConfig) int { return cmp.Compare(a.NumaNode, b.NumaNode) })
	return out
}

func renderStorage(s Snapshot, host string) StorageConfig {
	var c StorageConfig
	disks := map[string]Disk{}
	for _, d := range s.Disks[host] {
		disks[d.UUID] = d
	}
	for _, p := range s.Partitions[host] {
		if p.Status == PartitionDeleting || p.Status == PartitionDeleted {
			continue
		}
		c.Partitions = append(c.Partitions, PartitionConfig{
			DevicePath: p.DevicePath,
			Disk:       disks[p.DiskUUID].DevicePath,
			StartMiB:   p.StartMiB,
			SizeMiB:    p.SizeMiB,
			TypeGUID:   p.TypeGUID,
		})
	}
	slices.SortFunc(c.Partitions, func(a, b PartitionConfig) int {
		return cmp.Or(cmp.Compare(a.Disk, b.Disk), cmp.Compare(a.StartMiB, b.StartMiB))
	})
	pvs := map[string][]string{} // by lvg uuid
	for _, pv := range s.PVs[host] {
		if pv.PVState == LVGRemoving {
			continue
		}
		pvs[pv.LVGUUID] = append(pvs[pv.LVGUUID], pv.DiskOrPartDevicePath)
	}
	for _, g := range s.LVGs[host] {
		if g.VGState == LVGRemoving {
			continue
		}
		c.VolumeGroups = append(c.VolumeGroups, VolumeGroupConfig{Name: g.LVMVGName, PVs: sortedCopy(pvs[g.UUID])})
	}
	slices.SortFunc(c.VolumeGroups, func(a, b VolumeGroupConfig) int { return cmp.Compare(a.Name, b.Name) })
	for _, st := range s.Stors[host] {
		if st.Function == "osd" {
			c.OSDs = append(c.OSDs, disks[st.DiskUUID].DevicePath)
		}
	}
	slices.Sort(c.OSDs)
	return c
}

// RebootRequired reports whether going from document old to new needs a
// lock/unlock of the host: a change to its identity, interfaces, CPU or
// memory assignment, or storage layout. Changes to the system's name,
// time zone, DNS and NTP servers, labels and service parameters are
// applied at run time.
func RebootRequired(old, new HostConfig) bool {
	return old.Hostname != new.Hostname ||
		old.Personality != new.Personality ||
		old.Subfunctions != new.Subfunctions ||
		old.System.SystemType != new.System.SystemType ||
		old.System.SystemMode != new.System.SystemMode ||
		!reflect.DeepEqual(old.Interfaces, new.Interfaces) ||
		!reflect.DeepEqual(old.Routes, new.Routes) ||
		!reflect.DeepEqual(old.CPUs, new.CPUs) ||
		!reflect.DeepEqual(old.Memory, new.Memory) ||
		!reflect.DeepEqual(old.Storage, new.Storage)
}

// SameConfig reports whether two documents ask the host for the same
// configuration (their UUIDs aside).
func SameConfig(a, b HostConfig) bool {
	a.UUID, b.UUID = "", ""
	return reflect.DeepEqual(normalise(a), normalise(b))
}

// normalise makes empty and nil maps and slices compare equal.
func normalise(c HostConfig) HostConfig {
	if len(c.Labels) == 0 {
		c.Labels = nil
	} else {
		c.Labels = maps.Clone(c.Labels)
	}
	if len(c.ServiceParameters) == 0 {
		c.ServiceParameters = nil
	}
	if len(c.System.DNSServers) == 0 {
		c.System.DNSServers = nil
	}
	if len(c.System.NTPServers) == 0 {
		c.System.NTPServers = nil
	}
	if len(c.Interfaces) == 0 {
		c.Interfaces = nil
	}
	if len(c.Routes) == 0 {
		c.Routes = nil
	}
	if len(c.Memory) == 0 {
		c.Memory = nil
	}
	return c
}

// NewConfigUUID returns a new random config UUID, with StarlingX's
// reboot-required bit (bit 127 of the UUID as a 128-bit number, the top
// bit of its first byte) set if reboot.
func NewConfigUUID(reboot bool) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	if reboot {
		b[0] |= 0x80
	} else {
		b[0] &^= 0x80
	}
	return formatUUID(b)
}

// ConfigRebootRequired reports whether a config UUID carries the
// reboot-required bit. An empty or malformed UUID carries none.
func ConfigRebootRequired(uuid string) bool {
	if len(uuid) < 2 {
		return false
	}
	v, err := strconv.ParseUint(uuid[:2], 16, 8)
	return err == nil && v&0x80 != 0
}

func formatUUID(b [16]byte) string {
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
