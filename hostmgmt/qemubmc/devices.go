package qemubmc

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
)

// device is a VM device with a bootindex property.
type device struct {
	path  string              // QOM path
	kind  hostmgmt.BootDevice // "" for a bootable device of no kind we set
	index int                 // its bootindex; -1 for none
	mac   string              // a NIC's MAC address
}

// qomProp is an entry of qom-list's answer.
type qomProp struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// childType returns T of a "child<T>" property type.
func childType(propType string) (string, bool) {
	t, ok := strings.CutPrefix(propType, "child<")
	if !ok || !strings.HasSuffix(t, ">") {
		return "", false
	}
	return strings.TrimSuffix(t, ">"), true
}

// kindOf tells which boot device a QOM object of type typ with props is.
func kindOf(typ string, props map[string]bool) hostmgmt.BootDevice {
	switch {
	case props["mac"] || props["netdev"]:
		return hostmgmt.BootPXE
	case strings.HasSuffix(typ, "-cd"): // ide-cd, scsi-cd
		return hostmgmt.BootCD
	case props["drive"]:
		return hostmgmt.BootDisk
	}
	return ""
}

// devices walks the VM's QOM tree from /machine and returns the devices
// with a bootindex property, in the tree's order. It does not descend
// into such a device (virtio-net-pci and its virtio-net-device share one
// bootindex) nor into memory regions.
func (s *session) devices() ([]device, error) {
	var out []device
	var walk func(path, typ string) error
	walk = func(path, typ string) error {
		var props []qomProp
		if err := s.run("qom-list", map[string]any{"path": path}, &props); err != nil {
			return err
		}
		has := make(map[string]bool, len(props))
		for _, p := range props {
			has[p.Name] = true
		}
		if has["bootindex"] {
			d := device{path: path, kind: kindOf(typ, has)}
			if err := s.run("qom-get", map[string]any{"path": path, "property": "bootindex"}, &d.index); err != nil {
				return err
			}
			if d.kind == hostmgmt.BootPXE && has["mac"] {
				if err := s.run("qom-get", map[string]any{"path": path, "property": "mac"}, &d.mac); err != nil {
					return err
				}
			}
			out = append(out, d)
			return nil
		}
		for _, p := range props {
			t, ok := childType(p.Type)
			if !ok || strings.HasSuffix(t, "memory-region") {
				continue
			}
			if err := walk(strings.TrimSuffix(path, "/")+"/"+p.Name, t); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("/machine", ""); err != nil {
		return nil, err
	}
	return out, nil
}

// bootOrder returns the bootindex of each device when every device of
// kind comes first, in the relative order of own (the VM's own order),
// and the other devices that have an index follow in theirs.
func bootOrder(devs []device, own map[string]int, kind hostmgmt.BootDevice) map[string]int {
	idx := func(d device) int {
		if i, ok := own[d.path]; ok {
			return i
		}
		return d.index
	}
	sorted := slices.Clone(devs)
	slices.SortStableFunc(sorted, func(a, b device) int {
		ia, ib := idx(a), idx(b)
		switch {
		case ia == ib:
			return 0
		case ia < 0:
			return 1
		case ib < 0:
			return -1
		}
		return ia - ib
	})
	want := make(map[string]int, len(devs))
	next := 0
	for _, d := range sorted {
		if d.kind == kind {
			want[d.path] = next
			next++
		}
	}
	for _, d := range sorted {
		if d.kind == kind {
			continue
		}
		if idx(d) < 0 {
			want[d.path] = -1
			continue
		}
		want[d.path] = next
		next++
	}
	return want
}

// setOrder sets the devices' bootindex to want. Indices must stay
// unique (QEMU refuses one in use), so the changed devices lose theirs
// first.
func (s *session) setOrder(devs []device, want map[string]int) error {
	set := func(path string, i int) error {
		return s.run("qom-set", map[string]any{"path": path, "property": "bootindex", "value": i}, nil)
	}
	for _, d := range devs {
		if w, ok := want[d.path]; ok && w != d.index && d.index >= 0 {
			if err := set(d.path, -1); err != nil {
				return err
			}
		}
	}
	for _, d := range devs {
		if w, ok := want[d.path]; ok && w != d.index && w >= 0 {
			if err := set(d.path, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetBootDevice puts the devices of kind d first in the VM's boot order
// for the next power on, reset or cycle; see the package doc.
func (b *BMC) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(d); err != nil {
		return err
	}
	s, err := b.begin(ctx)
	if err != nil {
		return err
	}
	defer s.end()
	devs, err := s.devices()
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(devs, func(x device) bool { return x.kind == d }) {
		return &hostmgmt.FieldError{Field: "boot_device", Reason: fmt.Sprintf("the VM has no %s device (%s)", d, kindDevices[d])}
	}
	own := b.ownOrder
	if own == nil {
		own = make(map[string]int, len(devs))
		for _, x := range devs {
			own[x.path] = x.index
		}
	}
	// Remember the VM's own order before touching it: a failure half
	// way leaves an order that the next power call puts back.
	b.ownOrder, b.booted = own, false
	return s.setOrder(devs, bootOrder(devs, own, d))
}

// kindDevices names, for errors, the devices of each kind.
var kindDevices = map[hostmgmt.BootDevice]string{
	hostmgmt.BootPXE:  "a NIC with a bootindex property, e.g. e1000 or virtio-net-pci",
	hostmgmt.BootDisk: "a disk with a bootindex property, e.g. ide-hd, scsi-hd or virtio-blk-pci",
	hostmgmt.BootCD:   "an ide-cd or scsi-cd drive",
}

// restoreOrder puts the VM's own boot order back once a power call has
// booted from the one-time choice.
func (s *session) restoreOrder() error {
	b := s.b
	if b.ownOrder == nil || !b.booted {
		return nil
	}
	devs, err := s.devices()
	if err != nil {
		return err
	}
	if err := s.setOrder(devs, b.ownOrder); err != nil {
		return err
	}
	b.ownOrder, b.booted = nil, false
	return nil
}

// Info describes the VM; see the package doc for where each field comes
// from.
func (b *BMC) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	s, err := b.begin(ctx)
	if err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	defer s.end()
	info := hostmgmt.BMCInfo{Manufacturer: "QEMU"}
	var machine string
	if err := s.run("qom-get", map[string]any{"path": "/machine", "property": "type"}, &machine); err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	info.Model = strings.TrimSuffix(machine, "-machine")
	var version struct {
		QEMU struct {
			Major int `json:"major"`
			Minor int `json:"minor"`
			Micro int `json:"micro"`
		} `json:"qemu"`
		Package string `json:"package"`
	}
	if err := s.run("query-version", nil, &version); err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	info.BMCFirmwareVersion = fmt.Sprintf("%d.%d.%d", version.QEMU.Major, version.QEMU.Minor, version.QEMU.Micro)
	if p := strings.TrimSpace(version.Package); p != "" {
		info.BMCFirmwareVersion += " (" + p + ")"
	}
	var uuid struct {
		UUID string `json:"UUID"`
	}
	if err := s.run("query-uuid", nil, &uuid); err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	if uuid.UUID != "" && strings.Trim(uuid.UUID, "0-") != "" {
		info.SerialNumber = uuid.UUID
	} else {
		var name struct {
			Name string `json:"name"`
		}
		if err := s.run("query-name", nil, &name); err != nil {
			return hostmgmt.BMCInfo{}, err
		}
		info.SerialNumber = name.Name
	}
	devs, err := s.devices()
	if err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	for _, d := range devs {
		if mac, ok := normaliseMAC(d.mac); ok {
			info.MACAddresses = append(info.MACAddresses, mac)
		}
	}
	return info, nil
}

// normaliseMAC returns mac as aa:bb:cc:dd:ee:ff, or false if it is not
// a 48-bit MAC address.
func normaliseMAC(mac string) (string, bool) {
	parts := strings.FieldsFunc(strings.ToLower(strings.TrimSpace(mac)), func(r rune) bool { return r == ':' || r == '-' })
	if len(parts) != 6 {
		return "", false
	}
	for i, p := range parts {
		if len(p) == 1 {
			p = "0" + p
		}
		if len(p) != 2 || strings.Trim(p, "0123456789abcdef") != "" {
			return "", false
		}
		parts[i] = p
	}
	return strings.Join(parts, ":"), true
}

// Sensors returns an empty list once the monitor answers: QEMU's x86
// machines emulate no sensors.
func (b *BMC) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	s, err := b.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer s.end()
	if _, err := s.status(); err != nil {
		return nil, err
	}
	return []hostmgmt.Sensor{}, nil
}
