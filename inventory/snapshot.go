package inventory

// Snapshot is the whole inventory at one instant. Per-host records are
// keyed by the host's uuid.
type Snapshot struct {
	System            System                        `json:"system"`
	Hosts             []Host                        `json:"hosts"`
	Nodes             map[string][]Node             `json:"nodes"`
	CPUs              map[string][]CPU              `json:"cpus"`
	Memory            map[string][]Memory           `json:"memory"`
	Disks             map[string][]Disk             `json:"disks"`
	Partitions        map[string][]Partition        `json:"partitions"`
	LVGs              map[string][]LVG              `json:"lvgs"`
	PVs               map[string][]PV               `json:"pvs"`
	Stors             map[string][]Stor             `json:"stors"`
	Ports             map[string][]Port             `json:"ports"`
	Interfaces        map[string][]Interface        `json:"interfaces"`
	InterfaceNetworks map[string][]InterfaceNetwork `json:"interface_networks"`
	Addresses         map[string][]Address          `json:"addresses"`
	Routes            map[string][]Route            `json:"routes"`
	Labels            map[string][]Label            `json:"labels"`
	Networks          []Network                     `json:"networks"`
	AddressPools      []AddressPool                 `json:"address_pools"`
	DataNetworks      []DataNetwork                 `json:"datanetworks"`
	StorageBackends   []StorageBackend              `json:"storage_backends"`
	ServiceParameters []ServiceParameter            `json:"service_parameters"`
}

// HostConfig is the configuration document rendered for one host: what
// its agent must apply. Render makes it from a Snapshot; UUID is the
// host's config_target when the document was stored.
type HostConfig struct {
	// UUID identifies this version of the document. Bit 127 (the top bit
	// of the first byte, so the first hex digit is 8 or more: StarlingX's
	// CONFIG_REBOOT_REQUIRED, 1 << 127 of the UUID as a 128-bit integer)
	// is set when applying it needs a lock/unlock.
	UUID         string            `json:"config_uuid" yaml:"config_uuid"`
	Hostname     string            `json:"hostname" yaml:"hostname"`
	Personality  Personality       `json:"personality" yaml:"personality"`
	Subfunctions string            `json:"subfunctions" yaml:"subfunctions"`
	System       SystemConfig      `json:"system" yaml:"system"`
	Interfaces   []InterfaceConfig `json:"interfaces" yaml:"interfaces"`
	Routes       []RouteConfig     `json:"routes" yaml:"routes"`
	CPUs         CPUConfig         `json:"cpus" yaml:"cpus"`
	Memory       []MemoryConfig    `json:"memory" yaml:"memory"`
	Storage      StorageConfig     `json:"storage" yaml:"storage"`
	Labels       map[string]string `json:"labels" yaml:"labels"`
	// ServiceParameters are the parameters for this host's personality,
	// as service.section.name → value.
	ServiceParameters map[string]string `json:"service_parameters" yaml:"service_parameters"`
}

// SystemConfig is the system-wide part of a host's document.
type SystemConfig struct {
	Name       string     `json:"name" yaml:"name"`
	SystemType SystemType `json:"system_type" yaml:"system_type"`
	SystemMode SystemMode `json:"system_mode" yaml:"system_mode"`
	Timezone   string     `json:"timezone" yaml:"timezone"`
	Region     string     `json:"region_name" yaml:"region_name"`
	DNSServers []string   `json:"dns_servers" yaml:"dns_servers"`
	NTPServers []string   `json:"ntp_servers" yaml:"ntp_servers"`
}

// InterfaceConfig is one interface to bring up.
type InterfaceConfig struct {
	Name         string   `json:"name" yaml:"name"`
	Type         IfType   `json:"type" yaml:"type"`
	Class        IfClass  `json:"class" yaml:"class"`
	MTU          int      `json:"mtu" yaml:"mtu"`
	MAC          string   `json:"mac,omitempty" yaml:"mac,omitempty"`
	Port         string   `json:"port,omitempty" yaml:"port,omitempty"`
	VLANID       int      `json:"vlan_id,omitempty" yaml:"vlan_id,omitempty"`
	AEMode       string   `json:"aemode,omitempty" yaml:"aemode,omitempty"`
	TxHashPolicy string   `json:"txhashpolicy,omitempty" yaml:"txhashpolicy,omitempty"`
	SRIOVNumVFs  int      `json:"sriov_numvfs,omitempty" yaml:"sriov_numvfs,omitempty"`
	Uses         []string `json:"uses,omitempty" yaml:"uses,omitempty"`
	Networks     []string `json:"networks,omitempty" yaml:"networks,omitempty"`
	DataNetworks []string `json:"datanetworks,omitempty" yaml:"datanetworks,omitempty"`
	// Addresses in CIDR form ("192.168.204.3/24").
	Addresses []string `json:"addresses,omitempty" yaml:"addresses,omitempty"`
}

// RouteConfig is one static route.
type RouteConfig struct {
	Interface string `json:"interface" yaml:"interface"`
	Network   string `json:"network" yaml:"network"` // CIDR
	Gateway   string `json:"gateway" yaml:"gateway"`
	Metric    int    `json:"metric" yaml:"metric"`
}

// CPUConfig lists the logical CPUs of each function.
type CPUConfig struct {
	Platform            []int `json:"platform" yaml:"platform"`
	Vswitch             []int `json:"vswitch,omitempty" yaml:"vswitch,omitempty"`
	Shared              []int `json:"shared,omitempty" yaml:"shared,omitempty"`
	Application         []int `json:"application,omitempty" yaml:"application,omitempty"`
	ApplicationIsolated []int `json:"application_isolated,omitempty" yaml:"application_isolated,omitempty"`
}

// MemoryConfig is one NUMA node's memory assignment.
type MemoryConfig struct {
	NumaNode               int `json:"numa_node" yaml:"numa_node"`
	PlatformReservedMiB    int `json:"platform_reserved_mib" yaml:"platform_reserved_mib"`
	VMHugepages2M          int `json:"vm_hugepages_2M" yaml:"vm_hugepages_2M"`
	VMHugepages1G          int `json:"vm_hugepages_1G" yaml:"vm_hugepages_1G"`
	VswitchHugepages       int `json:"vswitch_hugepages" yaml:"vswitch_hugepages"`
	VswitchHugepageSizeMiB int `json:"vswitch_hugepage_size_mib" yaml:"vswitch_hugepage_size_mib"`
}

// StorageConfig is a host's disks layout: partitions to create, volume
// groups with their physical volumes, and OSDs.
type StorageConfig struct {
	Partitions   []PartitionConfig   `json:"partitions,omitempty" yaml:"partitions,omitempty"`
	VolumeGroups []VolumeGroupConfig `json:"volume_groups,omitempty" yaml:"volume_groups,omitempty"`
	OSDs         []string            `json:"osds,omitempty" yaml:"osds,omitempty"` // disk device paths
}

// PartitionConfig is one partition.
type PartitionConfig struct {
	DevicePath string `json:"device_path" yaml:"device_path"`
	Disk       string `json:"disk" yaml:"disk"` // the disk's device path
	StartMiB   int    `json:"start_mib" yaml:"start_mib"`
	SizeMiB    int    `json:"size_mib" yaml:"size_mib"`
	TypeGUID   string `json:"type_guid" yaml:"type_guid"`
}

// VolumeGroupConfig is one LVM volume group and its physical volumes
// (device paths).
type VolumeGroupConfig struct {
	Name string   `json:"name" yaml:"name"`
	PVs  []string `json:"pvs" yaml:"pvs"`
}
