package inventoryhttp

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/inventory"
)

// patchOp is one operation of a JSON patch, as sysinv takes them:
// [{"op":"replace","path":"/hostname","value":"worker-1"}]. Operations
// apply in order, so a path given twice takes its last value; "add" is
// a replace (every member exists).
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

func replace(path string, v any) patchOp {
	data, _ := json.Marshal(v)
	return patchOp{Op: "replace", Path: "/" + path, Value: data}
}

// decodePatch reads a JSON patch body. An empty list is valid: the
// system CLI sends [] when no option is given, and nothing changes.
// Each operation's path names the field of its errors.
func decodePatch(data []byte) ([]patchOp, error) {
	var ops []patchOp
	if err := errTable.Unmarshal(data, &ops); err != nil {
		return nil, err
	}
	if ops == nil {
		return nil, inventory.Fieldf("body", "must be a list of patch operations")
	}
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			return nil, inventory.Fieldf("op", "only replace is supported, not %q", truncate(op.Op))
		}
		if !strings.HasPrefix(op.Path, "/") || len(op.Path) < 2 || strings.Contains(op.Path[1:], "/") {
			return nil, inventory.Fieldf("path", "%q is not a member of the record (\"/name\")", truncate(op.Path))
		}
		if len(op.Value) == 0 {
			return nil, inventory.Fieldf(op.name(), "the operation has no value")
		}
	}
	return ops, nil
}

// name is the field an operation changes.
func (op *patchOp) name() string { return op.Path[1:] }

// str reads the value as a string; a number is taken as its text.
func (op *patchOp) str() (string, error) {
	s, err := scalarString(op.name(), op.Value)
	if err != nil {
		return "", err
	}
	if string(op.Value) == "null" {
		return "", inventory.Fieldf(op.name(), "must be a string, not null")
	}
	return s, nil
}

// num reads the value as an integer, a JSON number or a decimal string.
func (op *patchOp) num() (int, error) {
	var f flexInt
	if err := f.UnmarshalJSON(op.Value); err != nil || !f.set {
		return 0, inventory.Fieldf(op.name(), "must be an integer")
	}
	return f.v, nil
}

// boolean reads true/false or their strings.
func (op *patchOp) boolean() (bool, error) {
	var f flexBool
	if err := f.UnmarshalJSON(op.Value); err != nil || !f.set {
		return false, inventory.Fieldf(op.name(), "must be true or false")
	}
	return f.v, nil
}

// object reads a JSON object; null is an empty one.
func (op *patchOp) object() (map[string]any, error) {
	if string(op.Value) == "null" {
		return map[string]any{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(op.Value, &m); err != nil || m == nil {
		return nil, inventory.Fieldf(op.name(), "must be an object")
	}
	return m, nil
}

// strs reads a list of strings, or a comma-separated string.
func (op *patchOp) strs() ([]string, error) {
	var s string
	if err := json.Unmarshal(op.Value, &s); err == nil {
		return splitList(s), nil
	}
	var l []string
	if err := json.Unmarshal(op.Value, &l); err != nil {
		return nil, inventory.Fieldf(op.name(), "must be a list of strings or a comma-separated string")
	}
	return l, nil
}

func unknownPath(op *patchOp) error {
	return inventory.Fieldf(op.name(), "cannot be changed here (no such field, or not by this request)")
}

func setStr(dst **string, op *patchOp) error {
	s, err := op.str()
	*dst = &s
	return err
}

// hostUpdate maps a PATCH /v1/ihosts/{id} body to a HostUpdate. The
// fields host maintenance owns (administrative, operational,
// availability, task, action, uptime) are not changed here.
func hostUpdate(ops []patchOp) (inventory.HostUpdate, error) {
	var u inventory.HostUpdate
	for i := range ops {
		op := &ops[i]
		var err error
		switch op.name() {
		case "hostname":
			err = setStr(&u.Hostname, op)
		case "personality":
			var s string
			if s, err = op.str(); err == nil {
				var p inventory.Personality
				if p, err = inventory.ParsePersonality(s); err == nil {
					u.Personality = &p
				}
			}
		case "subfunctions":
			err = setStr(&u.Subfunctions, op)
		case "mgmt_mac":
			err = setStr(&u.MgmtMAC, op)
		case "mgmt_ip":
			err = setStr(&u.MgmtIP, op)
		case "bm_ip":
			err = setStr(&u.BMIP, op)
		case "bm_type":
			err = setStr(&u.BMType, op)
		case "bm_username":
			err = setStr(&u.BMUsername, op)
		case "bm_password":
			err = setStr(&u.BMPassword, op)
		case "boot_device":
			err = setStr(&u.BootDevice, op)
		case "rootfs_device":
			err = setStr(&u.RootfsDevice, op)
		case "hw_settle":
			err = setStr(&u.HWSettle, op)
		case "install_output":
			err = setStr(&u.InstallOutput, op)
		case "console":
			err = setStr(&u.Console, op)
		case "location":
			var m map[string]any
			if m, err = location(op.name(), op.Value); err == nil {
				if m == nil {
					m = map[string]any{}
				}
				u.Location = &m
			}
		case "capabilities":
			var m map[string]any
			if m, err = op.object(); err == nil {
				u.Capabilities = &m
			}
		case "administrative", "operational", "availability", "task", "action", "uptime":
			err = inventory.Fieldf(op.name(), "is host maintenance's (lock, unlock and the states are not inventory requests)")
		default:
			err = unknownPath(op)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func hostUpdatePatch(u *inventory.HostUpdate) []patchOp {
	ops := []patchOp{}
	add := func(name string, p *string) {
		if p != nil {
			ops = append(ops, replace(name, *p))
		}
	}
	add("hostname", u.Hostname)
	if u.Personality != nil {
		ops = append(ops, replace("personality", string(*u.Personality)))
	}
	add("subfunctions", u.Subfunctions)
	add("mgmt_mac", u.MgmtMAC)
	add("mgmt_ip", u.MgmtIP)
	add("bm_ip", u.BMIP)
	add("bm_type", u.BMType)
	add("bm_username", u.BMUsername)
	add("bm_password", u.BMPassword)
	add("boot_device", u.BootDevice)
	add("rootfs_device", u.RootfsDevice)
	add("hw_settle", u.HWSettle)
	add("install_output", u.InstallOutput)
	add("console", u.Console)
	if u.Location != nil {
		ops = append(ops, replace("location", object(*u.Location)))
	}
	if u.Capabilities != nil {
		ops = append(ops, replace("capabilities", object(*u.Capabilities)))
	}
	return ops
}

// systemUpdate maps PATCH /v1/isystems/{uuid}. sdn_enabled,
// https_enabled and vswitch_type are members of the system's
// capabilities, as in sysinv; cur is the system before the change.
func systemUpdate(ops []patchOp, cur *inventory.System) (inventory.SystemUpdate, error) {
	var u inventory.SystemUpdate
	caps := func() map[string]any {
		if u.Capabilities == nil {
			m := maps.Clone(cur.Capabilities)
			if m == nil {
				m = map[string]any{}
			}
			u.Capabilities = &m
		}
		return *u.Capabilities
	}
	for i := range ops {
		op := &ops[i]
		var err error
		switch op.name() {
		case "name":
			err = setStr(&u.Name, op)
		case "description":
			err = setStr(&u.Description, op)
		case "contact":
			err = setStr(&u.Contact, op)
		case "location":
			err = setStr(&u.Location, op)
		case "latitude":
			err = setStr(&u.Latitude, op)
		case "longitude":
			err = setStr(&u.Longitude, op)
		case "timezone":
			err = setStr(&u.Timezone, op)
		case "system_mode":
			var s string
			if s, err = op.str(); err == nil {
				var m inventory.SystemMode
				if err = m.UnmarshalText([]byte(s)); err == nil {
					u.SystemMode = &m
				}
			}
		case "capabilities":
			var m map[string]any
			if m, err = op.object(); err == nil {
				u.Capabilities = &m
			}
		case "sdn_enabled", "https_enabled":
			var b bool
			if b, err = op.boolean(); err == nil {
				caps()[op.name()] = b
			}
		case "vswitch_type":
			var s string
			if s, err = op.str(); err == nil {
				if s != "none" && s != "ovs-dpdk" {
					err = inventory.Fieldf(op.name(), "%q is not one of none, ovs-dpdk", truncate(s))
				} else {
					caps()[op.name()] = s
				}
			}
		case "dns_servers":
			var l []string
			if l, err = op.strs(); err == nil {
				u.DNSServers = &l
			}
		case "ntp_servers":
			var l []string
			if l, err = op.strs(); err == nil {
				u.NTPServers = &l
			}
		case "security_feature":
			err = unsupported(op.name())
		default:
			err = unknownPath(op)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func systemUpdatePatch(u *inventory.SystemUpdate) []patchOp {
	ops := []patchOp{}
	add := func(name string, p *string) {
		if p != nil {
			ops = append(ops, replace(name, *p))
		}
	}
	add("name", u.Name)
	add("description", u.Description)
	add("contact", u.Contact)
	add("location", u.Location)
	add("latitude", u.Latitude)
	add("longitude", u.Longitude)
	add("timezone", u.Timezone)
	if u.SystemMode != nil {
		ops = append(ops, replace("system_mode", string(*u.SystemMode)))
	}
	if u.Capabilities != nil {
		ops = append(ops, replace("capabilities", object(*u.Capabilities)))
	}
	if u.DNSServers != nil {
		ops = append(ops, replace("dns_servers", list(*u.DNSServers)))
	}
	if u.NTPServers != nil {
		ops = append(ops, replace("ntp_servers", list(*u.NTPServers)))
	}
	return ops
}

// memoryUpdate maps PATCH /v1/imemorys/{uuid} as host-memory-modify
// sends it: platform_reserved_mib "1200", vm_hugepages_nr_2M_pending 10,
// vm_pending_as_percentage "False", vswitch_hugepages_reqd "4",
// vswitch_hugepages_size_mib 2. Percentages are not supported.
func memoryUpdate(ops []patchOp) (inventory.MemoryUpdate, error) {
	var u inventory.MemoryUpdate
	for i := range ops {
		op := &ops[i]
		var dst **int
		switch op.name() {
		case "platform_reserved_mib":
			dst = &u.PlatformReservedMiB
		case "vm_hugepages_nr_2M_pending":
			dst = &u.VMHugepagesNr2M
		case "vm_hugepages_nr_1G_pending":
			dst = &u.VMHugepagesNr1G
		case "vswitch_hugepages_reqd":
			dst = &u.VswitchHugepagesReqd
		case "vswitch_hugepages_size_mib":
			dst = &u.VswitchHugepagesSizeMiB
		case "vm_pending_as_percentage":
			pct, err := op.boolean()
			if err != nil {
				return u, err
			}
			if pct {
				return u, inventory.Fieldf(op.name(), "hugepages as a percentage are not supported by Flock's inventory; give page counts")
			}
			continue
		default:
			return u, unknownPath(op)
		}
		n, err := op.num()
		if err != nil {
			return u, err
		}
		if n < 0 {
			return u, inventory.Fieldf(op.name(), "cannot be negative")
		}
		*dst = &n
	}
	return u, nil
}

func memoryUpdatePatch(u *inventory.MemoryUpdate) []patchOp {
	ops := []patchOp{}
	for _, f := range []struct {
		name string
		p    *int
	}{{"platform_reserved_mib", u.PlatformReservedMiB}, {"vm_hugepages_nr_2M_pending", u.VMHugepagesNr2M},
		{"vm_hugepages_nr_1G_pending", u.VMHugepagesNr1G}, {"vswitch_hugepages_reqd", u.VswitchHugepagesReqd},
		{"vswitch_hugepages_size_mib", u.VswitchHugepagesSizeMiB}} {
		if f.p != nil {
			ops = append(ops, replace(f.name, *f.p))
		}
	}
	return ops
}

// partitionSize maps PATCH /v1/partitions/{uuid}: /size_mib only.
func partitionSize(ops []patchOp) (int, error) {
	size := -1
	for i := range ops {
		op := &ops[i]
		if op.name() != "size_mib" {
			return 0, unknownPath(op)
		}
		n, err := op.num()
		if err != nil {
			return 0, err
		}
		if n <= 0 {
			return 0, inventory.Fieldf("size_mib", "must be greater than 0")
		}
		size = n
	}
	if size < 0 {
		return 0, inventory.Fieldf("size_mib", "is required")
	}
	return size, nil
}

// interfaceUpdate maps PATCH /v1/iinterfaces/{uuid} (host-if-modify).
// The members of sysinv Flock does not keep take their neutral values
// only; "none" resets one.
func interfaceUpdate(ops []patchOp) (inventory.InterfaceUpdate, error) {
	var u inventory.InterfaceUpdate
	for i := range ops {
		op := &ops[i]
		var err error
		switch op.name() {
		case "ifname":
			err = setStr(&u.IfName, op)
		case "ifclass":
			var s string
			if s, err = op.str(); err == nil {
				var c inventory.IfClass
				if err = c.UnmarshalText([]byte(s)); err == nil {
					u.IfClass = &c
				}
			}
		case "imtu", "sriov_numvfs":
			var n int
			if n, err = op.num(); err == nil {
				if n < 0 {
					err = inventory.Fieldf(op.name(), "cannot be negative")
				} else if op.name() == "imtu" {
					u.IMTU = &n
				} else {
					u.SRIOVNumVFs = &n
				}
			}
		case "aemode":
			err = setStr(&u.AEMode, op)
		case "txhashpolicy":
			err = setStr(&u.TxHashPolicy, op)
		case "sriov_vf_driver":
			err = setStr(&u.SRIOVVFDriver, op)
		case "uses":
			var l []string
			if l, err = op.strs(); err == nil {
				u.Uses = &l
			}
		case "datanetworks":
			var l []string
			if l, err = op.strs(); err == nil {
				u.DataNetworks = &l
			}
		case "ipv4_mode", "ipv6_mode":
			var s string
			if s, err = op.str(); err == nil {
				err = neutral(op.name(), s, "disabled", "none")
			}
		case "ptp_role", "ipv4_pool", "ipv6_pool", "primary_reselect", "max_tx_rate", "max_rx_rate", "channels", "sriov_vf_channels", "ovs_access":
			var s string
			if s, err = op.str(); err == nil {
				err = neutral(op.name(), s, "none", "default", "0", "false")
			}
		default:
			err = unknownPath(op)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func interfaceUpdatePatch(u *inventory.InterfaceUpdate) []patchOp {
	ops := []patchOp{}
	add := func(name string, p *string) {
		if p != nil {
			ops = append(ops, replace(name, *p))
		}
	}
	add("ifname", u.IfName)
	if u.IfClass != nil {
		ops = append(ops, replace("ifclass", string(*u.IfClass)))
	}
	if u.IMTU != nil {
		ops = append(ops, replace("imtu", *u.IMTU))
	}
	add("aemode", u.AEMode)
	add("txhashpolicy", u.TxHashPolicy)
	if u.SRIOVNumVFs != nil {
		ops = append(ops, replace("sriov_numvfs", *u.SRIOVNumVFs))
	}
	add("sriov_vf_driver", u.SRIOVVFDriver)
	if u.Uses != nil {
		ops = append(ops, replace("uses", list(*u.Uses)))
	}
	if u.DataNetworks != nil {
		ops = append(ops, replace("datanetworks", list(*u.DataNetworks)))
	}
	return ops
}

// poolUpdate maps PATCH /v1/addrpools/{id} (addrpool-modify). network
// and prefix cannot change; the CLI may still send them with the values
// they have, which is accepted.
func poolUpdate(ops []patchOp, cur *inventory.AddressPool) (inventory.AddressPoolUpdate, error) {
	var u inventory.AddressPoolUpdate
	for i := range ops {
		op := &ops[i]
		var err error
		switch op.name() {
		case "name":
			err = setStr(&u.Name, op)
		case "order":
			if err = setStr(&u.Order, op); err == nil {
				err = checkOrder(*u.Order)
			}
		case "floating_address":
			err = setStr(&u.FloatingAddress, op)
		case "controller0_address":
			err = setStr(&u.Controller0Address, op)
		case "controller1_address":
			err = setStr(&u.Controller1Address, op)
		case "gateway_address":
			err = setStr(&u.GatewayAddress, op)
		case "ranges":
			var r addrRanges
			if e := json.Unmarshal(op.Value, &r); e != nil {
				err = inventory.Fieldf("ranges", "%v", e)
			} else {
				l := []inventory.AddressRange(r)
				u.Ranges = &l
			}
		case "network":
			var s string
			if s, err = op.str(); err == nil && s != cur.Network {
				err = inventory.Fieldf("network", "a pool's subnet cannot be changed; add a new pool")
			}
		case "prefix":
			var n int
			if n, err = op.num(); err == nil && n != cur.Prefix {
				err = inventory.Fieldf("prefix", "a pool's subnet cannot be changed; add a new pool")
			}
		default:
			err = unknownPath(op)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

func poolUpdatePatch(u *inventory.AddressPoolUpdate) []patchOp {
	ops := []patchOp{}
	add := func(name string, p *string) {
		if p != nil {
			ops = append(ops, replace(name, *p))
		}
	}
	add("name", u.Name)
	add("order", u.Order)
	if u.Ranges != nil {
		ops = append(ops, replace("ranges", addrRanges(*u.Ranges)))
	}
	add("floating_address", u.FloatingAddress)
	add("controller0_address", u.Controller0Address)
	add("controller1_address", u.Controller1Address)
	add("gateway_address", u.GatewayAddress)
	return ops
}

// parameterValue maps PATCH /v1/service_parameter/{uuid} as
// service-parameter-modify sends it (/name, /value, and /personality,
// /resource if given): only the value changes; the others must name the
// parameter as it is. As in sysinv, the last operation on a path wins:
// the system CLI modifying several parameters sends each PATCH with the
// operations of the parameters before it still in front.
func parameterValue(ops []patchOp, cur *inventory.ServiceParameter) (string, error) {
	final := map[string]string{}
	for i := range ops {
		op := &ops[i]
		s, err := scalarString(op.name(), op.Value)
		if err != nil {
			return "", err
		}
		switch op.name() {
		case "value", "name", "personality", "resource", "service", "section":
			final[op.name()] = s
		default:
			return "", unknownPath(op)
		}
	}
	have := map[string]string{"name": cur.Name, "personality": cur.Personality, "resource": cur.Resource,
		"service": cur.Service, "section": cur.Section}
	for _, f := range []string{"service", "section", "name", "personality", "resource"} {
		if s, ok := final[f]; ok && s != have[f] {
			return "", inventory.Fieldf(f, "%q: a parameter's %s cannot be changed (it is %q); delete it and add another",
				truncate(s), f, have[f])
		}
	}
	value, set := final["value"]
	if !set {
		return "", inventory.Fieldf("value", "is required")
	}
	return value, nil
}

func sortedKeys[V any](m map[int]V) []int { return slices.Sorted(maps.Keys(m)) }

// overwriteParam reads ?overwrite= of host-label-assign ("True", "False").
func overwriteParam(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		return false, inventory.Fieldf("overwrite", "must be True or False, not %q", truncate(s))
	}
	return b, nil
}
