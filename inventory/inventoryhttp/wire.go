package inventoryhttp

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// The JSON bodies as sysinv writes them, where they differ from the Go
// types: timestamps in Python's isoformat with the UTC offset
// ("2024-05-01T10:23:45.123456+00:00") or null; the members
// cgts-client reads unconditionally (it crashes on a missing one) always
// present; address pool ranges as [[start, end], ...]; a storage
// backend's services as one comma-separated string. Each answer type
// embeds the Go type, so every field of it is on the wire; the extra
// members are for the system CLI and are ignored by Client.

// pyLayout is the isoformat of a UTC datetime with microseconds.
const pyLayout = "2006-01-02T15:04:05.000000-07:00"

// wireTime is a timestamp on the wire: null for the zero time, the
// isoformat with microseconds when that is exact, else RFC 3339 with
// nanoseconds (so the round trip is lossless).
type wireTime time.Time

// MarshalJSON implements json.Marshaler.
func (t wireTime) MarshalJSON() ([]byte, error) {
	v := time.Time(t)
	if v.IsZero() {
		return []byte("null"), nil
	}
	v = v.UTC()
	layout := pyLayout
	if v.Nanosecond()%1000 != 0 {
		layout = time.RFC3339Nano
	}
	b := make([]byte, 0, 40)
	b = append(b, '"')
	b = v.AppendFormat(b, layout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads null, RFC 3339 or a naive UTC timestamp.
func (t *wireTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = wireTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("a timestamp must be a string")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if v, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			*t = wireTime(v.UTC())
			return nil
		}
	}
	return errors.New("not a timestamp: " + strconv.Quote(s))
}

func (t wireTime) time() time.Time { return time.Time(t) }

// object is a map the CLI needs as a dict: nil is written {}.
func object(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// orNil returns nil for an empty map (object's inverse).
func orNil(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// list is a list the CLI iterates: nil is written [].
func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func listOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// nullable is a string written null when empty (sysinv's None).
type nullable string

// MarshalJSON implements json.Marshaler.
func (s nullable) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// UnmarshalJSON reads a string or null.
func (s *nullable) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = ""
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = nullable(v)
	return nil
}

// null is a member always written as JSON null: one sysinv has and
// Flock does not, which cgts-client reads.
type null struct{}

// MarshalJSON implements json.Marshaler.
func (null) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// UnmarshalJSON accepts anything.
func (*null) UnmarshalJSON([]byte) error { return nil }

// systemJSON is an isystem.
type systemJSON struct {
	inventory.System
	Capabilities       map[string]any `json:"capabilities"`
	CreatedAt          wireTime       `json:"created_at"`
	UpdatedAt          wireTime       `json:"updated_at"`
	ServiceProjectName null           `json:"service_project_name"`
	SecurityFeature    null           `json:"security_feature"`
}

func systemOf(s *inventory.System) systemJSON {
	return systemJSON{System: *s, Capabilities: object(s.Capabilities), CreatedAt: wireTime(s.CreatedAt), UpdatedAt: wireTime(s.UpdatedAt)}
}

func (w *systemJSON) system() inventory.System {
	s := w.System
	s.Capabilities, s.CreatedAt, s.UpdatedAt = orNil(w.Capabilities), w.CreatedAt.time(), w.UpdatedAt.time()
	return s
}

// hostJSON is an ihost. personality is null until set; the members of
// sysinv's ihost that Flock does not keep are null.
type hostJSON struct {
	inventory.Host
	Personality     nullable `json:"personality"`
	CreatedAt       wireTime `json:"created_at"`
	UpdatedAt       wireTime `json:"updated_at"`
	SWVersionAlias  string   `json:"sw_version"`
	SubfunctionOper string   `json:"subfunction_oper"`
	SubfunctionAvl  string   `json:"subfunction_avail"`

	Peers               null `json:"peers"`
	InstallState        null `json:"install_state"`
	InstallStateInfo    null `json:"install_state_info"`
	Reserved            null `json:"reserved"`
	Tboot               null `json:"tboot"`
	VimProgressStatus   null `json:"vim_progress_status"`
	InvState            null `json:"inv_state"`
	ClockSync           null `json:"clock_synchronization"`
	DeviceImageUpdate   null `json:"device_image_update"`
	MaxCPUMHzConfigured null `json:"max_cpu_mhz_configured"`
	MinCPUMHzAllowed    null `json:"min_cpu_mhz_allowed"`
	MaxCPUMHzAllowed    null `json:"max_cpu_mhz_allowed"`
	CstatesAvailable    null `json:"cstates_available"`
	AppArmor            null `json:"apparmor"`
	ISCSIInitiatorName  null `json:"iscsi_initiator_name"`
	NVMEHostID          null `json:"nvme_host_id"`
	NVMEHostNQN         null `json:"nvme_host_nqn"`
}

func hostOf(h *inventory.Host) hostJSON {
	return hostJSON{Host: *h, Personality: nullable(h.Personality), CreatedAt: wireTime(h.CreatedAt), UpdatedAt: wireTime(h.UpdatedAt),
		SWVersionAlias: h.SWVersion, SubfunctionOper: string(h.Operational), SubfunctionAvl: string(h.Availability)}
}

func (w *hostJSON) host() inventory.Host {
	h := w.Host
	h.Personality, h.CreatedAt, h.UpdatedAt = inventory.Personality(w.Personality), w.CreatedAt.time(), w.UpdatedAt.time()
	return h
}

type nodeJSON struct {
	inventory.Node
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func nodeOf(n *inventory.Node) nodeJSON { return nodeJSON{Node: *n, CreatedAt: wireTime(n.CreatedAt)} }

func (w *nodeJSON) node() inventory.Node {
	n := w.Node
	n.CreatedAt = w.CreatedAt.time()
	return n
}

type cpuJSON struct {
	inventory.CPU
	CreatedAt    wireTime       `json:"created_at"`
	Capabilities map[string]any `json:"capabilities"`
	UpdatedAt    null           `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func cpuOf(c *inventory.CPU) cpuJSON {
	return cpuJSON{CPU: *c, CreatedAt: wireTime(c.CreatedAt), Capabilities: map[string]any{}}
}

func (w *cpuJSON) cpu() inventory.CPU {
	c := w.CPU
	c.CreatedAt = w.CreatedAt.time()
	return c
}

// memoryJSON is an imemory; inode_uuid is its NUMA node's uuid, which
// host-memory-list joins on.
type memoryJSON struct {
	inventory.Memory
	CreatedAt             wireTime `json:"created_at"`
	InodeUUID             nullable `json:"inode_uuid"`
	VMPendingAsPercentage string   `json:"vm_pending_as_percentage"`
	UpdatedAt             null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func memoryOf(m *inventory.Memory, inode string) memoryJSON {
	return memoryJSON{Memory: *m, CreatedAt: wireTime(m.CreatedAt), InodeUUID: nullable(inode), VMPendingAsPercentage: "False"}
}

func (w *memoryJSON) memory() inventory.Memory {
	m := w.Memory
	m.CreatedAt = w.CreatedAt.time()
	return m
}

type diskJSON struct {
	inventory.Disk
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func diskOf(d *inventory.Disk) diskJSON { return diskJSON{Disk: *d, CreatedAt: wireTime(d.CreatedAt)} }

func (w *diskJSON) disk() inventory.Disk {
	d := w.Disk
	d.CreatedAt = w.CreatedAt.time()
	return d
}

type partitionJSON struct {
	inventory.Partition
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func partitionOf(p *inventory.Partition) partitionJSON {
	return partitionJSON{Partition: *p, CreatedAt: wireTime(p.CreatedAt)}
}

func (w *partitionJSON) partition() inventory.Partition {
	p := w.Partition
	p.CreatedAt = w.CreatedAt.time()
	return p
}

// lvgJSON is an ilvg; lvm_vg_avail_size (bytes) is what its free
// extents hold, and capabilities is always a dict (the CLI reads it).
type lvgJSON struct {
	inventory.LVG
	Capabilities map[string]any `json:"capabilities"`
	CreatedAt    wireTime       `json:"created_at"`
	AvailSize    int64          `json:"lvm_vg_avail_size"`
	UpdatedAt    null           `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func lvgOf(l *inventory.LVG) lvgJSON {
	var avail int64
	if l.LVMTotalPE > 0 {
		avail = l.LVMVGSize / int64(l.LVMTotalPE) * int64(l.LVMFreePE)
	}
	return lvgJSON{LVG: *l, Capabilities: object(l.Capabilities), CreatedAt: wireTime(l.CreatedAt), AvailSize: avail}
}

func (w *lvgJSON) lvg() inventory.LVG {
	l := w.LVG
	l.Capabilities, l.CreatedAt = orNil(w.Capabilities), w.CreatedAt.time()
	return l
}

type pvJSON struct {
	inventory.PV
	CreatedAt    wireTime       `json:"created_at"`
	Capabilities map[string]any `json:"capabilities"`
	UpdatedAt    null           `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func pvOf(p *inventory.PV) pvJSON {
	return pvJSON{PV: *p, CreatedAt: wireTime(p.CreatedAt), Capabilities: map[string]any{}}
}

func (w *pvJSON) pv() inventory.PV {
	p := w.PV
	p.CreatedAt = w.CreatedAt.time()
	return p
}

type storJSON struct {
	inventory.Stor
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func storOf(s *inventory.Stor) storJSON { return storJSON{Stor: *s, CreatedAt: wireTime(s.CreatedAt)} }

func (w *storJSON) stor() inventory.Stor {
	s := w.Stor
	s.CreatedAt = w.CreatedAt.time()
	return s
}

// portJSON is a port as host-port-list reads it: type, dev_id and
// namedisplay are sysinv's.
type portJSON struct {
	inventory.Port
	CreatedAt    wireTime       `json:"created_at"`
	Type         string         `json:"type"`
	DevID        int            `json:"dev_id"`
	NameDisplay  string         `json:"namedisplay"`
	Capabilities map[string]any `json:"capabilities"`
	UpdatedAt    null           `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func portOf(p *inventory.Port) portJSON {
	disp := p.Name
	if disp == "" && len(p.UUID) >= 8 {
		disp = "(" + p.UUID[len(p.UUID)-8:] + ")"
	}
	return portJSON{Port: *p, CreatedAt: wireTime(p.CreatedAt), Type: "ethernet", NameDisplay: disp, Capabilities: map[string]any{}}
}

func (w *portJSON) port() inventory.Port {
	p := w.Port
	p.CreatedAt = w.CreatedAt.time()
	return p
}

// interfaceJSON is an iinterface: every member host-if-list reads is
// present (null where unset), uses and used_by are arrays of names. The
// class "none" is null, as sysinv stores it: host-if-list leaves out
// the interfaces of class null that nothing uses unless given --all.
type interfaceJSON struct {
	inventory.Interface
	IfClass         nullable `json:"ifclass"`
	VLANID          *int     `json:"vlan_id"`
	AEMode          nullable `json:"aemode"`
	TxHashPolicy    nullable `json:"txhashpolicy"`
	SRIOVVFDriver   nullable `json:"sriov_vf_driver"`
	Uses            []string `json:"uses"`
	UsedBy          []string `json:"used_by"`
	CreatedAt       wireTime `json:"created_at"`
	PrimaryReselect null     `json:"primary_reselect"`
	MaxTxRate       null     `json:"max_tx_rate"`
	MaxRxRate       null     `json:"max_rx_rate"`
	Channels        null     `json:"channels"`
	VFChannels      null     `json:"sriov_vf_channels"`
	PTPRole         string   `json:"ptp_role"`
	SchedPolicy     null     `json:"schedpolicy"`
	OVSAccess       null     `json:"ovs_access"`
	UpdatedAt       null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func interfaceOf(i *inventory.Interface) interfaceJSON {
	class := nullable(i.IfClass)
	if i.IfClass == inventory.IfClassNone {
		class = ""
	}
	w := interfaceJSON{Interface: *i, IfClass: class, AEMode: nullable(i.AEMode), TxHashPolicy: nullable(i.TxHashPolicy),
		SRIOVVFDriver: nullable(i.SRIOVVFDriver), Uses: list(i.Uses), UsedBy: list(i.UsedBy), CreatedAt: wireTime(i.CreatedAt), PTPRole: "none"}
	if i.VLANID != 0 {
		v := i.VLANID
		w.VLANID = &v
	}
	return w
}

func (w *interfaceJSON) iface() inventory.Interface {
	i := w.Interface
	i.IfClass, i.AEMode, i.TxHashPolicy, i.SRIOVVFDriver = inventory.IfClass(w.IfClass), string(w.AEMode), string(w.TxHashPolicy), string(w.SRIOVVFDriver)
	if w.IfClass == "" {
		i.IfClass = inventory.IfClassNone
	}
	i.Uses, i.UsedBy, i.CreatedAt = listOrNil(w.Uses), listOrNil(w.UsedBy), w.CreatedAt.time()
	i.VLANID = 0
	if w.VLANID != nil {
		i.VLANID = *w.VLANID
	}
	return i
}

// interfaceNetworkJSON carries forihostid, the host's integer id, which
// interface-network-assign looks the host up by.
type interfaceNetworkJSON struct {
	inventory.InterfaceNetwork
	ForIHostID int64 `json:"forihostid"`
	UpdatedAt  null  `json:"updated_at"` // sysinv has it; Flock does not keep it
}

type networkJSON struct {
	inventory.Network
	CreatedAt         wireTime `json:"created_at"`
	PrimaryPoolFamily nullable `json:"primary_pool_family"`
	UpdatedAt         null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func networkOf(n *inventory.Network, family int) networkJSON {
	w := networkJSON{Network: *n, CreatedAt: wireTime(n.CreatedAt)}
	switch family {
	case 4:
		w.PrimaryPoolFamily = "IPv4"
	case 6:
		w.PrimaryPoolFamily = "IPv6"
	}
	return w
}

func (w *networkJSON) network() inventory.Network {
	n := w.Network
	n.CreatedAt = w.CreatedAt.time()
	return n
}

// addrRanges are an address pool's ranges as sysinv writes them:
// [["start", "end"], ...].
type addrRanges []inventory.AddressRange

// MarshalJSON implements json.Marshaler.
func (r addrRanges) MarshalJSON() ([]byte, error) {
	pairs := make([][2]string, len(r))
	for i, x := range r {
		pairs[i] = [2]string{x.Start, x.End}
	}
	return json.Marshal(pairs)
}

// UnmarshalJSON reads pairs, or Flock's {"start","end"} objects.
func (r *addrRanges) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return inventory.Fieldf("ranges", "must be a list of [start, end] pairs")
	}
	out := addrRanges{}
	for _, x := range raw {
		var pair []string
		if err := json.Unmarshal(x, &pair); err == nil {
			if len(pair) != 2 {
				return inventory.Fieldf("ranges", "each range must be a [start, end] pair")
			}
			out = append(out, inventory.AddressRange{Start: pair[0], End: pair[1]})
			continue
		}
		var obj struct{ Start, End string }
		if err := json.Unmarshal(x, &obj); err != nil || !strings.HasPrefix(strings.TrimSpace(string(x)), "{") {
			return inventory.Fieldf("ranges", "each range must be a [start, end] pair")
		}
		out = append(out, inventory.AddressRange{Start: obj.Start, End: obj.End})
	}
	*r = out
	return nil
}

type poolJSON struct {
	inventory.AddressPool
	Ranges    addrRanges `json:"ranges"`
	CreatedAt wireTime   `json:"created_at"`
	UpdatedAt null       `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func poolOf(p *inventory.AddressPool) poolJSON {
	return poolJSON{AddressPool: *p, Ranges: addrRanges(p.Ranges), CreatedAt: wireTime(p.CreatedAt)}
}

func (w *poolJSON) pool() inventory.AddressPool {
	p := w.AddressPool
	p.Ranges, p.CreatedAt = []inventory.AddressRange(w.Ranges), w.CreatedAt.time()
	if len(p.Ranges) == 0 {
		p.Ranges = nil
	}
	return p
}

type addressJSON struct {
	inventory.Address
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func addressOf(a *inventory.Address) addressJSON {
	return addressJSON{Address: *a, CreatedAt: wireTime(a.CreatedAt)}
}

func (w *addressJSON) address() inventory.Address {
	a := w.Address
	a.CreatedAt = w.CreatedAt.time()
	return a
}

type routeJSON struct {
	inventory.Route
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func routeOf(r *inventory.Route) routeJSON {
	return routeJSON{Route: *r, CreatedAt: wireTime(r.CreatedAt)}
}

func (w *routeJSON) route() inventory.Route {
	r := w.Route
	r.CreatedAt = w.CreatedAt.time()
	return r
}

type dataNetworkJSON struct {
	inventory.DataNetwork
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func dataNetworkOf(d *inventory.DataNetwork) dataNetworkJSON {
	return dataNetworkJSON{DataNetwork: *d, CreatedAt: wireTime(d.CreatedAt)}
}

func (w *dataNetworkJSON) dataNetwork() inventory.DataNetwork {
	d := w.DataNetwork
	d.CreatedAt = w.CreatedAt.time()
	return d
}

type labelJSON struct {
	inventory.Label
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func labelOf(l *inventory.Label) labelJSON {
	return labelJSON{Label: *l, CreatedAt: wireTime(l.CreatedAt)}
}

func (w *labelJSON) label() inventory.Label {
	l := w.Label
	l.CreatedAt = w.CreatedAt.time()
	return l
}

// backendJSON is a storage backend; services are one comma-separated
// string, as sysinv has them.
type backendJSON struct {
	inventory.StorageBackend
	Services  string   `json:"services"`
	CreatedAt wireTime `json:"created_at"`
	UpdatedAt null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func backendOf(b *inventory.StorageBackend) backendJSON {
	return backendJSON{StorageBackend: *b, Services: strings.Join(b.Services, ","), CreatedAt: wireTime(b.CreatedAt)}
}

func (w *backendJSON) backend() inventory.StorageBackend {
	b := w.StorageBackend
	b.Services, b.CreatedAt = splitList(w.Services), w.CreatedAt.time()
	return b
}

// splitList splits a comma-separated list; "" is nil.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

type parameterJSON struct {
	inventory.ServiceParameter
	Personality nullable `json:"personality"`
	Resource    nullable `json:"resource"`
	CreatedAt   wireTime `json:"created_at"`
	UpdatedAt   null     `json:"updated_at"` // sysinv has it; Flock does not keep it
}

func parameterOf(p *inventory.ServiceParameter) parameterJSON {
	return parameterJSON{ServiceParameter: *p, Personality: nullable(p.Personality), Resource: nullable(p.Resource), CreatedAt: wireTime(p.CreatedAt)}
}

func (w *parameterJSON) parameter() inventory.ServiceParameter {
	p := w.ServiceParameter
	p.Personality, p.Resource, p.CreatedAt = string(w.Personality), string(w.Resource), w.CreatedAt.time()
	return p
}
