package inventoryhttp

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/inventory"
)

// The request bodies. cgts-client sends most numbers and flags as
// strings ("vlan_id": "10", "dynamic": "true", "prefix": "24"), some as
// JSON numbers; the server reads both. Each body is decoded strictly
// (httpx's Unmarshal: known members only, valid text), then every field
// is checked, naming the first bad one, before the service is called.

var (
	intType  = reflect.TypeFor[int]()
	boolType = reflect.TypeFor[bool]()
)

// flexInt is an integer sent as a JSON number or a decimal string; null
// or "" is unset.
type flexInt struct {
	v   int
	set bool
}

func setInt(v int) flexInt { return flexInt{v: v, set: true} }

// MarshalJSON writes the number, or null when unset.
func (f flexInt) MarshalJSON() ([]byte, error) {
	if !f.set {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(f.v), 10), nil
}

// UnmarshalJSON reads a number, a decimal string or null.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	*f = flexInt{}
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: intType}
		}
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "non-integer " + strconv.Quote(truncate(s)), Type: intType}
	}
	*f = flexInt{v: n, set: true}
	return nil
}

// flexBool is a flag sent as JSON true/false or a string ("true",
// "False"); null or "" is unset.
type flexBool struct {
	v   bool
	set bool
}

// MarshalJSON writes true, false or null.
func (f flexBool) MarshalJSON() ([]byte, error) {
	if !f.set {
		return []byte("null"), nil
	}
	return strconv.AppendBool(nil, f.v), nil
}

// UnmarshalJSON reads true, false, their strings in any case, or null.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	*f = flexBool{}
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return &json.UnmarshalTypeError{Value: "string", Type: boolType}
		}
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
	case "true":
		*f = flexBool{v: true, set: true}
	case "false":
		*f = flexBool{v: false, set: true}
	default:
		return &json.UnmarshalTypeError{Value: strconv.Quote(truncate(s)), Type: boolType}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// hostBody is POST /v1/ihosts (host-add) and one host of a bulk add.
// location is an object ({"locn": "..."}, as host-add sends it) or a
// string, kept as {"locn": string}. vsc_controllers, ttys_dcd and
// clock_synchronization are sysinv's; Flock takes only their defaults.
type hostBody struct {
	Hostname      string          `json:"hostname,omitempty"`
	Personality   string          `json:"personality,omitempty"`
	Subfunctions  string          `json:"subfunctions,omitempty"`
	MgmtMAC       string          `json:"mgmt_mac,omitempty"`
	MgmtIP        string          `json:"mgmt_ip,omitempty"`
	BMIP          string          `json:"bm_ip,omitempty"`
	BMType        string          `json:"bm_type,omitempty"`
	BMUsername    string          `json:"bm_username,omitempty"`
	BMPassword    string          `json:"bm_password,omitempty"`
	BootDevice    string          `json:"boot_device,omitempty"`
	RootfsDevice  string          `json:"rootfs_device,omitempty"`
	HWSettle      json.RawMessage `json:"hw_settle,omitempty"`
	InstallOutput string          `json:"install_output,omitempty"`
	Console       string          `json:"console,omitempty"`
	Location      json.RawMessage `json:"location,omitempty"`
	PowerOn       flexBool        `json:"power_on,omitzero"`

	VSCControllers string   `json:"vsc_controllers,omitempty"`
	TTYsDCD        flexBool `json:"ttys_dcd,omitzero"`
	ClockSync      string   `json:"clock_synchronization,omitempty"`
}

func hostBodyOf(h *inventory.HostSpec) hostBody {
	b := hostBody{Hostname: h.Hostname, Personality: string(h.Personality), Subfunctions: h.Subfunctions, MgmtMAC: h.MgmtMAC,
		MgmtIP: h.MgmtIP, BMIP: h.BMIP, BMType: h.BMType, BMUsername: h.BMUsername, BMPassword: h.BMPassword,
		BootDevice: h.BootDevice, RootfsDevice: h.RootfsDevice, InstallOutput: h.InstallOutput, Console: h.Console}
	if h.HWSettle != "" {
		b.HWSettle, _ = json.Marshal(h.HWSettle)
	}
	if h.Location != nil {
		b.Location, _ = json.Marshal(h.Location)
	}
	if h.PowerOn {
		b.PowerOn = flexBool{v: true, set: true}
	}
	return b
}

// spec checks the body and returns the host it asks for.
func (b *hostBody) spec() (inventory.HostSpec, error) {
	h := inventory.HostSpec{Hostname: b.Hostname, Subfunctions: b.Subfunctions, MgmtMAC: b.MgmtMAC, MgmtIP: b.MgmtIP,
		BMIP: b.BMIP, BMType: b.BMType, BMUsername: b.BMUsername, BMPassword: b.BMPassword, BootDevice: b.BootDevice,
		RootfsDevice: b.RootfsDevice, InstallOutput: b.InstallOutput, Console: b.Console, PowerOn: b.PowerOn.v}
	if b.Personality != "" {
		p, err := inventory.ParsePersonality(b.Personality)
		if err != nil {
			return h, err
		}
		h.Personality = p
	}
	var err error
	if h.HWSettle, err = scalarString("hw_settle", b.HWSettle); err != nil {
		return h, err
	}
	if h.Location, err = location("location", b.Location); err != nil {
		return h, err
	}
	if b.VSCControllers != "" {
		return h, unsupported("vsc_controllers")
	}
	if b.TTYsDCD.v {
		return h, unsupported("ttys_dcd")
	}
	if b.ClockSync != "" && b.ClockSync != "ntp" {
		return h, inventory.Fieldf("clock_synchronization", "only ntp is supported, not %q", b.ClockSync)
	}
	return h, nil
}

func unsupported(field string) error {
	return inventory.Fieldf(field, "is not supported by Flock's inventory")
}

// scalarString reads a string, a number (as its text) or null ("").
func scalarString(field string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", inventory.Fieldf(field, "must be a string or a number")
}

// location reads an object, or a string as {"locn": string}; null is nil.
func location(field string, raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return map[string]any{"locn": s}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, inventory.Fieldf(field, "must be an object or a string")
	}
	return m, nil
}

// bulkBody is Flock's JSON bulk add: {"ihosts": [host, ...]}.
type bulkBody struct {
	Hosts []hostBody `json:"ihosts"`
}

// interfaceBody is POST /v1/iinterfaces (host-if-add). An ethernet
// interface names its port as the first of uses, as the CLI sends it;
// the members of sysinv Flock does not keep take their neutral values
// only (ipv4_mode "disabled", ptp_role "none", ...).
type interfaceBody struct {
	HostUUID      string          `json:"ihost_uuid"`
	IfName        string          `json:"ifname"`
	IfType        string          `json:"iftype"`
	IfClass       string          `json:"ifclass,omitempty"`
	IMTU          flexInt         `json:"imtu,omitzero"`
	VLANID        flexInt         `json:"vlan_id,omitzero"`
	AEMode        string          `json:"aemode,omitempty"`
	TxHashPolicy  string          `json:"txhashpolicy,omitempty"`
	SRIOVNumVFs   flexInt         `json:"sriov_numvfs,omitzero"`
	SRIOVVFDriver string          `json:"sriov_vf_driver,omitempty"`
	Uses          []string        `json:"uses"`
	Ports         json.RawMessage `json:"ports,omitempty"`
	DataNetworks  []string        `json:"datanetworks,omitempty"`

	IPv4Mode        string  `json:"ipv4_mode,omitempty"`
	IPv6Mode        string  `json:"ipv6_mode,omitempty"`
	IPv4Pool        string  `json:"ipv4_pool,omitempty"`
	IPv6Pool        string  `json:"ipv6_pool,omitempty"`
	PTPRole         string  `json:"ptp_role,omitempty"`
	MaxTxRate       flexInt `json:"max_tx_rate,omitzero"`
	MaxRxRate       flexInt `json:"max_rx_rate,omitzero"`
	PrimaryReselect string  `json:"primary_reselect,omitempty"`
	OVSAccess       string  `json:"ovs_access,omitempty"`
}

func interfaceBodyOf(host string, s *inventory.InterfaceSpec) interfaceBody {
	b := interfaceBody{HostUUID: host, IfName: s.IfName, IfType: string(s.IfType), IfClass: string(s.IfClass),
		AEMode: s.AEMode, TxHashPolicy: s.TxHashPolicy, SRIOVVFDriver: s.SRIOVVFDriver, Uses: s.Uses, DataNetworks: s.DataNetworks}
	if s.IMTU != 0 {
		b.IMTU = setInt(s.IMTU)
	}
	if s.VLANID != 0 {
		b.VLANID = setInt(s.VLANID)
	}
	if s.SRIOVNumVFs != 0 {
		b.SRIOVNumVFs = setInt(s.SRIOVNumVFs)
	}
	if s.IfType == inventory.IfEthernet && s.Port != "" {
		b.Uses = append([]string{s.Port}, s.Uses...)
	}
	return b
}

// neutral checks the sysinv-only members: each may be absent or hold
// its neutral value.
func neutral(field, v string, ok ...string) error {
	if v == "" {
		return nil
	}
	for _, o := range ok {
		if strings.EqualFold(v, o) {
			return nil
		}
	}
	return inventory.Fieldf(field, "%q is not supported by Flock's inventory", truncate(v))
}

func (b *interfaceBody) spec() (string, inventory.InterfaceSpec, error) {
	s := inventory.InterfaceSpec{IfName: b.IfName, AEMode: b.AEMode, TxHashPolicy: b.TxHashPolicy, SRIOVVFDriver: b.SRIOVVFDriver,
		IMTU: b.IMTU.v, VLANID: b.VLANID.v, SRIOVNumVFs: b.SRIOVNumVFs.v, Uses: b.Uses, DataNetworks: b.DataNetworks}
	if b.HostUUID == "" {
		return "", s, inventory.Fieldf("ihost_uuid", "is required")
	}
	if b.IfType == "" {
		return "", s, inventory.Fieldf("iftype", "is required")
	}
	if err := s.IfType.UnmarshalText([]byte(b.IfType)); err != nil {
		return "", s, err
	}
	if err := s.IfClass.UnmarshalText([]byte(b.IfClass)); err != nil {
		return "", s, err
	}
	if s.IfType == inventory.IfEthernet && len(s.Uses) > 0 {
		s.Port, s.Uses = s.Uses[0], s.Uses[1:]
		if len(s.Uses) == 0 {
			s.Uses = nil
		}
	}
	switch p := strings.TrimSpace(string(b.Ports)); p {
	case "", "null", "[]":
	default:
		return "", s, inventory.Fieldf("ports", "name the port in uses")
	}
	for _, c := range []struct{ field, v string }{{"ipv4_mode", b.IPv4Mode}, {"ipv6_mode", b.IPv6Mode}} {
		if err := neutral(c.field, c.v, "disabled"); err != nil {
			return "", s, err
		}
	}
	if err := neutral("ipv4_pool", b.IPv4Pool); err != nil {
		return "", s, err
	}
	if err := neutral("ipv6_pool", b.IPv6Pool); err != nil {
		return "", s, err
	}
	if err := neutral("ptp_role", b.PTPRole, "none"); err != nil {
		return "", s, err
	}
	if err := neutral("primary_reselect", b.PrimaryReselect); err != nil {
		return "", s, err
	}
	if err := neutral("ovs_access", b.OVSAccess, "false"); err != nil {
		return "", s, err
	}
	if b.MaxTxRate.v != 0 {
		return "", s, unsupported("max_tx_rate")
	}
	if b.MaxRxRate.v != 0 {
		return "", s, unsupported("max_rx_rate")
	}
	return b.HostUUID, s, nil
}

// maxCPUList bounds the cores one processor may be given.
const maxCPUList = 4096

// cpuModifyBody is one element of PUT .../state/host_cpus_modify:
// {"function": "vswitch", "sockets": [{"0": 2}, {"1": 1}]}.
type cpuModifyBody struct {
	Function string           `json:"function"`
	Sockets  []map[string]int `json:"sockets,omitempty"`
	CPUList  string           `json:"cpulist,omitempty"`
}

func cpuModifyBodyOf(m *inventory.CPUModify) []cpuModifyBody {
	b := cpuModifyBody{Function: strings.ToLower(string(m.Function))}
	if len(m.CPUs) > 0 {
		list := make([]string, len(m.CPUs))
		for i, n := range m.CPUs {
			list[i] = strconv.Itoa(n)
		}
		b.CPUList = strings.Join(list, ",")
	}
	if len(m.Cores) > 0 || len(m.CPUs) == 0 {
		b.Sockets = []map[string]int{}
		for _, p := range sortedKeys(m.Cores) {
			b.Sockets = append(b.Sockets, map[string]int{strconv.Itoa(p): m.Cores[p]})
		}
	}
	return []cpuModifyBody{b}
}

func parseCPUModify(bs []cpuModifyBody) (inventory.CPUModify, error) {
	var m inventory.CPUModify
	if len(bs) != 1 {
		return m, inventory.Fieldf("body", "want one function to modify, not %d", len(bs))
	}
	b := bs[0]
	if b.Function == "" {
		return m, inventory.Fieldf("function", "is required")
	}
	f, err := inventory.ParseCPUFunction(b.Function)
	if err != nil {
		return m, inventory.Fieldf("function", "%q is not a CPU function", truncate(b.Function))
	}
	m.Function = f
	if b.CPUList != "" {
		if len(b.Sockets) > 0 {
			return m, inventory.Fieldf("cpulist", "give sockets or a CPU list, not both")
		}
		cpus, err := inventory.ParseCPUList(b.CPUList)
		if err != nil {
			return m, err
		}
		m.CPUs = cpus
		return m, nil
	}
	if len(b.Sockets) == 0 {
		return m, inventory.Fieldf("sockets", "is required")
	}
	m.Cores = map[int]int{}
	for _, sock := range b.Sockets {
		for k, n := range sock {
			p, err := strconv.Atoi(k)
			if err != nil || p < 0 || p > 1024 {
				return m, inventory.Fieldf("sockets", "%q is not a processor number", truncate(k))
			}
			if _, dup := m.Cores[p]; dup {
				return m, inventory.Fieldf("sockets", "processor %d is given twice", p)
			}
			if n < 0 || n > maxCPUList {
				return m, inventory.Fieldf("sockets", "processor %d: %d is not a number of cores", p, n)
			}
			m.Cores[p] = n
		}
	}
	return m, nil
}

// partitionBody is POST /v1/partitions.
type partitionBody struct {
	HostUUID string  `json:"ihost_uuid"`
	DiskUUID string  `json:"idisk_uuid"`
	SizeMiB  flexInt `json:"size_mib"`
	TypeGUID string  `json:"type_guid,omitempty"`
}

func (b *partitionBody) spec() (string, inventory.PartitionSpec, error) {
	p := inventory.PartitionSpec{DiskUUID: b.DiskUUID, SizeMiB: b.SizeMiB.v, TypeGUID: b.TypeGUID}
	switch {
	case b.HostUUID == "":
		return "", p, inventory.Fieldf("ihost_uuid", "is required")
	case b.DiskUUID == "":
		return "", p, inventory.Fieldf("idisk_uuid", "is required")
	case !b.SizeMiB.set:
		return "", p, inventory.Fieldf("size_mib", "is required")
	case b.SizeMiB.v <= 0:
		return "", p, inventory.Fieldf("size_mib", "must be greater than 0")
	}
	return b.HostUUID, p, nil
}

// lvgBody is POST /v1/ilvgs (host-lvg-add).
type lvgBody struct {
	HostUUID     string         `json:"ihost_uuid"`
	LVMVGName    string         `json:"lvm_vg_name"`
	Capabilities map[string]any `json:"capabilities,omitempty"`
}

// pvBody is POST /v1/ipvs (host-pv-add).
type pvBody struct {
	HostUUID       string `json:"ihost_uuid"`
	LVGUUID        string `json:"ilvg_uuid"`
	DiskOrPartUUID string `json:"disk_or_part_uuid"`
	PVType         string `json:"pv_type,omitempty"`
}

// storBody is POST /v1/istors (host-stor-add).
type storBody struct {
	HostUUID string `json:"ihost_uuid"`
	DiskUUID string `json:"idisk_uuid"`
	Function string `json:"function,omitempty"`
	TierName string `json:"tier_name,omitempty"`

	TierUUID        string  `json:"tier_uuid,omitempty"`
	JournalLocation string  `json:"journal_location,omitempty"`
	JournalSizeMiB  flexInt `json:"journal_size_mib,omitzero"`
}

// interfaceNetworkBody is POST /v1/interface_networks.
type interfaceNetworkBody struct {
	InterfaceUUID string `json:"interface_uuid"`
	NetworkUUID   string `json:"network_uuid"`
}

// networkBody is POST /v1/networks (network-add; dynamic is "true").
type networkBody struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Dynamic  flexBool `json:"dynamic"`
	PoolUUID string   `json:"pool_uuid"`
}

func (b *networkBody) spec() (inventory.NetworkSpec, error) {
	s := inventory.NetworkSpec{Name: b.Name, Dynamic: b.Dynamic.v, PoolUUID: b.PoolUUID}
	if b.Type == "" {
		return s, inventory.Fieldf("type", "is required")
	}
	t, err := inventory.ParseNetworkType(b.Type)
	s.Type = t
	return s, err
}

// poolBody is POST /v1/addrpools (prefix is "24").
type poolBody struct {
	Name               string     `json:"name"`
	Network            string     `json:"network"`
	Prefix             flexInt    `json:"prefix"`
	Order              string     `json:"order,omitempty"`
	Ranges             addrRanges `json:"ranges,omitempty"`
	FloatingAddress    string     `json:"floating_address,omitempty"`
	Controller0Address string     `json:"controller0_address,omitempty"`
	Controller1Address string     `json:"controller1_address,omitempty"`
	GatewayAddress     string     `json:"gateway_address,omitempty"`
}

func poolBodyOf(s *inventory.AddressPoolSpec) poolBody {
	return poolBody{Name: s.Name, Network: s.Network, Prefix: setInt(s.Prefix), Order: s.Order, Ranges: addrRanges(s.Ranges),
		FloatingAddress: s.FloatingAddress, Controller0Address: s.Controller0Address, Controller1Address: s.Controller1Address,
		GatewayAddress: s.GatewayAddress}
}

func (b *poolBody) spec() (inventory.AddressPoolSpec, error) {
	s := inventory.AddressPoolSpec{Name: b.Name, Network: b.Network, Prefix: b.Prefix.v, Order: b.Order,
		Ranges: []inventory.AddressRange(b.Ranges), FloatingAddress: b.FloatingAddress, Controller0Address: b.Controller0Address,
		Controller1Address: b.Controller1Address, GatewayAddress: b.GatewayAddress}
	if len(s.Ranges) == 0 {
		s.Ranges = nil
	}
	if !b.Prefix.set {
		return s, inventory.Fieldf("prefix", "is required")
	}
	if err := checkOrder(b.Order); err != nil {
		return s, err
	}
	return s, nil
}

func checkOrder(o string) error {
	if o != "" && o != "random" && o != "sequential" {
		return inventory.Fieldf("order", "must be random or sequential, not %q", truncate(o))
	}
	return nil
}

// dataNetworkBody is POST /v1/datanetworks: mtu is 1500 or "9000",
// port_num and ttl strings, and mode (the CLI always sends it) is kept
// for vxlan only, as sysinv does.
type dataNetworkBody struct {
	Name           string  `json:"name"`
	NetworkType    string  `json:"network_type"`
	MTU            flexInt `json:"mtu,omitzero"`
	Description    string  `json:"description,omitempty"`
	MulticastGroup string  `json:"multicast_group,omitempty"`
	PortNum        flexInt `json:"port_num,omitzero"`
	TTL            flexInt `json:"ttl,omitzero"`
	Mode           string  `json:"mode,omitempty"`
}

func dataNetworkBodyOf(d *inventory.DataNetwork) dataNetworkBody {
	b := dataNetworkBody{Name: d.Name, NetworkType: string(d.NetworkType), Description: d.Description,
		MulticastGroup: d.MulticastGroup, Mode: d.Mode}
	if d.MTU != 0 {
		b.MTU = setInt(d.MTU)
	}
	if d.PortNum != 0 {
		b.PortNum = setInt(d.PortNum)
	}
	if d.TTL != 0 {
		b.TTL = setInt(d.TTL)
	}
	return b
}

func (b *dataNetworkBody) dataNetwork() (inventory.DataNetwork, error) {
	d := inventory.DataNetwork{Name: b.Name, MTU: b.MTU.v, Description: b.Description, MulticastGroup: b.MulticastGroup,
		PortNum: b.PortNum.v, TTL: b.TTL.v, Mode: b.Mode}
	if b.NetworkType == "" {
		return d, inventory.Fieldf("network_type", "is required")
	}
	if err := d.NetworkType.UnmarshalText([]byte(b.NetworkType)); err != nil {
		return d, err
	}
	if b.Mode != "" && b.Mode != "dynamic" && b.Mode != "static" {
		return d, inventory.Fieldf("mode", "must be dynamic or static, not %q", truncate(b.Mode))
	}
	if d.NetworkType != inventory.DataNetVXLAN {
		d.Mode = ""
	}
	return d, nil
}

// backendBody is POST /v1/storage_backend; services are a list or a
// comma-separated string. confirmed is what the CLI sends to skip its
// prompt.
type backendBody struct {
	Backend      string          `json:"backend"`
	Name         string          `json:"name,omitempty"`
	Services     json.RawMessage `json:"services,omitempty"`
	Capabilities map[string]any  `json:"capabilities,omitempty"`
	Confirmed    flexBool        `json:"confirmed,omitzero"`
}

func (b *backendBody) spec() (inventory.StorageBackendSpec, error) {
	s := inventory.StorageBackendSpec{Name: b.Name, Capabilities: b.Capabilities}
	if b.Backend == "" {
		return s, inventory.Fieldf("backend", "is required")
	}
	if err := s.Backend.UnmarshalText([]byte(b.Backend)); err != nil {
		return s, err
	}
	if raw := b.Services; len(raw) > 0 && string(raw) != "null" {
		var str string
		if err := json.Unmarshal(raw, &str); err == nil {
			s.Services = splitList(str)
		} else if err := json.Unmarshal(raw, &s.Services); err != nil {
			return s, inventory.Fieldf("services", "must be a list of names or a comma-separated string")
		}
	}
	return s, nil
}

// parameterBody is POST /v1/service_parameter.
type parameterBody struct {
	Service     string             `json:"service"`
	Section     string             `json:"section"`
	Personality *string            `json:"personality"`
	Resource    *string            `json:"resource"`
	Parameters  map[string]*string `json:"parameters"`
}

// configAppliedBody is PUT /v1/ihosts/{id}/config_applied (Flock).
type configAppliedBody struct {
	ConfigUUID string `json:"config_uuid"`
}
