package inventory

import "time"

// Every record has an integer id (the database's, as sysinv shows it)
// and a uuid; either names it in the API. Host sub-resources also carry
// their host's uuid. Times are UTC.

// System is the one system record (sysinv's isystem).
type System struct {
	ID                   int64          `json:"id"`
	UUID                 string         `json:"uuid"`
	Name                 string         `json:"name"`
	SystemType           SystemType     `json:"system_type"`
	SystemMode           SystemMode     `json:"system_mode"`
	Description          string         `json:"description"`
	Contact              string         `json:"contact"`
	Location             string         `json:"location"`
	Latitude             string         `json:"latitude"`
	Longitude            string         `json:"longitude"`
	Capabilities         map[string]any `json:"capabilities"`
	SoftwareVersion      string         `json:"software_version"`
	Timezone             string         `json:"timezone"`
	RegionName           string         `json:"region_name"`
	DistributedCloudRole DCRole         `json:"distributed_cloud_role"`
	// DNSServers and NTPServers are the system's name and time servers
	// (sysinv's idns.nameservers and intp.ntpservers).
	DNSServers []string  `json:"dns_servers"`
	NTPServers []string  `json:"ntp_servers"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SystemUpdate changes the fields that are not nil.
type SystemUpdate struct {
	Name         *string         `json:"name,omitempty"`
	Description  *string         `json:"description,omitempty"`
	Contact      *string         `json:"contact,omitempty"`
	Location     *string         `json:"location,omitempty"`
	Latitude     *string         `json:"latitude,omitempty"`
	Longitude    *string         `json:"longitude,omitempty"`
	Timezone     *string         `json:"timezone,omitempty"`
	SystemMode   *SystemMode     `json:"system_mode,omitempty"`
	Capabilities *map[string]any `json:"capabilities,omitempty"`
	DNSServers   *[]string       `json:"dns_servers,omitempty"`
	NTPServers   *[]string       `json:"ntp_servers,omitempty"`
}

// Host is one server of the system (sysinv's ihost).
//
// Ownership: inventory owns the identity, provisioning and configuration
// fields, and operators change them with UpdateHost; host maintenance
// owns Administrative, Operational, Availability, Task, Action and Uptime
// and changes them only through HostStatusWriter; the host's agent owns
// the hardware it reports (Reporter) and ConfigApplied.
type Host struct {
	ID            int64          `json:"id"`
	UUID          string         `json:"uuid"`
	Hostname      string         `json:"hostname"`
	Personality   Personality    `json:"personality"`
	Subfunctions  string         `json:"subfunctions"`
	InvProvision  ProvisionState `json:"invprovision"`
	MgmtMAC       string         `json:"mgmt_mac"`
	MgmtIP        string         `json:"mgmt_ip"`
	BMIP          string         `json:"bm_ip"`
	BMType        string         `json:"bm_type"`
	BMUsername    string         `json:"bm_username"`
	BootDevice    string         `json:"boot_device"`
	RootfsDevice  string         `json:"rootfs_device"`
	HWSettle      string         `json:"hw_settle"`
	InstallOutput string         `json:"install_output"`
	Console       string         `json:"console"`
	Location      map[string]any `json:"location"`
	Capabilities  map[string]any `json:"capabilities"`
	SerialID      string         `json:"serialid"`
	SWVersion     string         `json:"software_load"`

	// Configuration: the config UUID the host must apply, the one it
	// reports applied, and "Config out-of-date" while they differ.
	ConfigTarget  string `json:"config_target"`
	ConfigApplied string `json:"config_applied"`
	ConfigStatus  string `json:"config_status"`
	RebootNeeded  bool   `json:"reboot_needed"`

	// Owned by host maintenance.
	Administrative AdminState   `json:"administrative"`
	Operational    OperState    `json:"operational"`
	Availability   Availability `json:"availability"`
	Task           string       `json:"task"`
	Action         string       `json:"action"`
	Uptime         int64        `json:"uptime"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ConfigOutOfDate is Host.ConfigStatus while the host has not applied
// its target configuration.
const ConfigOutOfDate = "Config out-of-date"

// HostSpec is a new host (host-add, bulk add). Hostname and Personality
// are needed unless only MgmtMAC is known (a discovered host).
type HostSpec struct {
	Hostname      string         `json:"hostname"`
	Personality   Personality    `json:"personality"`
	Subfunctions  string         `json:"subfunctions,omitempty"`
	MgmtMAC       string         `json:"mgmt_mac,omitempty"`
	MgmtIP        string         `json:"mgmt_ip,omitempty"`
	BMIP          string         `json:"bm_ip,omitempty"`
	BMType        string         `json:"bm_type,omitempty"`
	BMUsername    string         `json:"bm_username,omitempty"`
	BMPassword    string         `json:"bm_password,omitempty"` // write-only
	BootDevice    string         `json:"boot_device,omitempty"`
	RootfsDevice  string         `json:"rootfs_device,omitempty"`
	HWSettle      string         `json:"hw_settle,omitempty"`
	InstallOutput string         `json:"install_output,omitempty"`
	Console       string         `json:"console,omitempty"`
	Location      map[string]any `json:"location,omitempty"`
	// PowerOn asks host maintenance to power the host on once added
	// (bulk add's <power_on/>); it needs the BMC fields.
	PowerOn bool `json:"power_on,omitempty"`
}

// HostUpdate changes the fields that are not nil (host-update).
type HostUpdate struct {
	Hostname      *string         `json:"hostname,omitempty"`
	Personality   *Personality    `json:"personality,omitempty"`
	Subfunctions  *string         `json:"subfunctions,omitempty"`
	MgmtMAC       *string         `json:"mgmt_mac,omitempty"`
	MgmtIP        *string         `json:"mgmt_ip,omitempty"`
	BMIP          *string         `json:"bm_ip,omitempty"`
	BMType        *string         `json:"bm_type,omitempty"`
	BMUsername    *string         `json:"bm_username,omitempty"`
	BMPassword    *string         `json:"bm_password,omitempty"` // write-only
	BootDevice    *string         `json:"boot_device,omitempty"`
	RootfsDevice  *string         `json:"rootfs_device,omitempty"`
	HWSettle      *string         `json:"hw_settle,omitempty"`
	InstallOutput *string         `json:"install_output,omitempty"`
	Console       *string         `json:"console,omitempty"`
	Location      *map[string]any `json:"location,omitempty"`
	Capabilities  *map[string]any `json:"capabilities,omitempty"`
}

// HostStatus is what host maintenance writes: nil fields are unchanged.
// Unlocking a host for the first time moves InvProvision from
// unprovisioned to provisioning; its first Operational enabled moves it
// to provisioned.
type HostStatus struct {
	Administrative *AdminState   `json:"administrative,omitempty"`
	Operational    *OperState    `json:"operational,omitempty"`
	Availability   *Availability `json:"availability,omitempty"`
	Task           *string       `json:"task,omitempty"`
	Action         *string       `json:"action,omitempty"`
	Uptime         *int64        `json:"uptime,omitempty"`
}

// Node is a NUMA node of a host (inode).
type Node struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	HostUUID  string    `json:"ihost_uuid"`
	NumaNode  int       `json:"numa_node"`
	CreatedAt time.Time `json:"created_at"`
}

// CPU is a logical CPU of a host (icpu).
type CPU struct {
	ID                int64       `json:"id"`
	UUID              string      `json:"uuid"`
	HostUUID          string      `json:"ihost_uuid"`
	CPU               int         `json:"cpu"`       // logical core
	NumaNode          int         `json:"numa_node"` // processor
	Core              int         `json:"core"`      // physical core
	Thread            int         `json:"thread"`
	CPUFamily         string      `json:"cpu_family"`
	CPUModel          string      `json:"cpu_model"`
	AllocatedFunction CPUFunction `json:"allocated_function"`
	CreatedAt         time.Time   `json:"created_at"`
}

// CPUModify reassigns CPUs (host-cpu-modify), in one of StarlingX's two
// forms: Cores, for each processor (NUMA node) that many physical cores
// get Function, the rest of the processor's cores being reallocated as
// StarlingX does; or CPUs, exactly these logical CPUs get Function, and
// the host's other CPUs that had it become Application CPUs. One of the
// two is given, not both.
type CPUModify struct {
	Function CPUFunction `json:"function"`
	// Cores maps a processor (NUMA node) to its number of physical
	// cores for Function.
	Cores map[int]int `json:"cores,omitempty"`
	// CPUs lists logical CPUs (the system CLI's -c cpulist).
	CPUs []int `json:"cpulist,omitempty"`
}

// Memory is one NUMA node's memory (imemory). Sizes in MiB; hugepage
// counts in pages. The *Pending fields are what the operator asked for,
// applied on the next unlock.
type Memory struct {
	ID                      int64     `json:"id"`
	UUID                    string    `json:"uuid"`
	HostUUID                string    `json:"ihost_uuid"`
	NumaNode                int       `json:"numa_node"`
	MemTotalMiB             int       `json:"memtotal_mib"`
	MemAvailMiB             int       `json:"memavail_mib"`
	PlatformReservedMiB     int       `json:"platform_reserved_mib"`
	NodeMemTotalMiB         int       `json:"node_memtotal_mib"`
	HugepagesConfigured     bool      `json:"hugepages_configured"`
	VswitchHugepagesSizeMiB int       `json:"vswitch_hugepages_size_mib"`
	VswitchHugepagesReqd    *int      `json:"vswitch_hugepages_reqd"`
	VswitchHugepagesNr      int       `json:"vswitch_hugepages_nr"`
	VswitchHugepagesAvail   int       `json:"vswitch_hugepages_avail"`
	VMHugepagesNr2M         int       `json:"vm_hugepages_nr_2M"`
	VMHugepagesNr1G         int       `json:"vm_hugepages_nr_1G"`
	VMHugepagesNr4K         int       `json:"vm_hugepages_nr_4K"`
	VMHugepagesNr2MPending  *int      `json:"vm_hugepages_nr_2M_pending"`
	VMHugepagesNr1GPending  *int      `json:"vm_hugepages_nr_1G_pending"`
	VMHugepagesAvail2M      int       `json:"vm_hugepages_avail_2M"`
	VMHugepagesAvail1G      int       `json:"vm_hugepages_avail_1G"`
	VMHugepagesPossible2M   int       `json:"vm_hugepages_possible_2M"`
	VMHugepagesPossible1G   int       `json:"vm_hugepages_possible_1G"`
	VMHugepagesUse1G        bool      `json:"vm_hugepages_use_1G"`
	CreatedAt               time.Time `json:"created_at"`
}

// MemoryUpdate changes one NUMA node's memory (host-memory-modify);
// nil fields are unchanged.
type MemoryUpdate struct {
	PlatformReservedMiB     *int `json:"platform_reserved_mib,omitempty"`
	VMHugepagesNr2M         *int `json:"vm_hugepages_nr_2M_pending,omitempty"`
	VMHugepagesNr1G         *int `json:"vm_hugepages_nr_1G_pending,omitempty"`
	VswitchHugepagesReqd    *int `json:"vswitch_hugepages_reqd,omitempty"`
	VswitchHugepagesSizeMiB *int `json:"vswitch_hugepages_size_mib,omitempty"`
}

// Disk is a host's disk (idisk).
type Disk struct {
	ID           int64          `json:"id"`
	UUID         string         `json:"uuid"`
	HostUUID     string         `json:"ihost_uuid"`
	DeviceNode   string         `json:"device_node"`
	DeviceNum    int            `json:"device_num"`
	DeviceType   DiskType       `json:"device_type"`
	DeviceID     string         `json:"device_id"`
	DevicePath   string         `json:"device_path"`
	DeviceWWN    string         `json:"device_wwn"`
	SizeMiB      int            `json:"size_mib"`
	AvailableMiB int            `json:"available_mib"`
	RPM          string         `json:"rpm"`
	SerialID     string         `json:"serial_id"`
	Capabilities map[string]any `json:"capabilities"`
	PVUUID       string         `json:"ipv_uuid"`
	CreatedAt    time.Time      `json:"created_at"`
}

// Partition is a partition of a host's disk.
type Partition struct {
	ID         int64           `json:"id"`
	UUID       string          `json:"uuid"`
	HostUUID   string          `json:"ihost_uuid"`
	DiskUUID   string          `json:"idisk_uuid"`
	StartMiB   int             `json:"start_mib"`
	EndMiB     int             `json:"end_mib"`
	SizeMiB    int             `json:"size_mib"`
	DeviceNode string          `json:"device_node"`
	DevicePath string          `json:"device_path"`
	TypeGUID   string          `json:"type_guid"`
	TypeName   string          `json:"type_name"`
	PVUUID     string          `json:"ipv_uuid"`
	Status     PartitionStatus `json:"status"`
	CreatedAt  time.Time       `json:"created_at"`
}

// PartitionSpec is a new partition (host-disk-partition-add).
type PartitionSpec struct {
	DiskUUID string `json:"idisk_uuid"`
	SizeMiB  int    `json:"size_mib"`
	// TypeGUID defaults to LVM's partition type.
	TypeGUID string `json:"type_guid,omitempty"`
}

// LVMPartitionType is the GPT type GUID of an LVM physical volume
// partition, the default for new partitions.
const LVMPartitionType = "ba5eba11-0000-1111-2222-000000000001"

// LVG is a host's LVM volume group (ilvg).
type LVG struct {
	ID           int64          `json:"id"`
	UUID         string         `json:"uuid"`
	HostUUID     string         `json:"ihost_uuid"`
	VGState      LVGState       `json:"vg_state"`
	LVMVGName    string         `json:"lvm_vg_name"`
	LVMVGUUID    string         `json:"lvm_vg_uuid"`
	LVMVGAccess  string         `json:"lvm_vg_access"`
	LVMMaxLV     int            `json:"lvm_max_lv"`
	LVMCurLV     int            `json:"lvm_cur_lv"`
	LVMMaxPV     int            `json:"lvm_max_pv"`
	LVMCurPV     int            `json:"lvm_cur_pv"`
	LVMVGSize    int64          `json:"lvm_vg_size"`
	LVMTotalPE   int            `json:"lvm_vg_total_pe"`
	LVMFreePE    int            `json:"lvm_vg_free_pe"`
	Capabilities map[string]any `json:"capabilities"`
	CreatedAt    time.Time      `json:"created_at"`
}

// PV is a host's LVM physical volume (ipv), on a disk or a partition.
type PV struct {
	ID                   int64     `json:"id"`
	UUID                 string    `json:"uuid"`
	HostUUID             string    `json:"ihost_uuid"`
	LVGUUID              string    `json:"ilvg_uuid"`
	PVState              LVGState  `json:"pv_state"`
	PVType               PVType    `json:"pv_type"`
	DiskOrPartUUID       string    `json:"disk_or_part_uuid"`
	DiskOrPartDeviceNode string    `json:"disk_or_part_device_node"`
	DiskOrPartDevicePath string    `json:"disk_or_part_device_path"`
	LVMPVName            string    `json:"lvm_pv_name"`
	LVMVGName            string    `json:"lvm_vg_name"`
	LVMPVUUID            string    `json:"lvm_pv_uuid"`
	LVMPVSize            int64     `json:"lvm_pv_size"`
	LVMPETotal           int       `json:"lvm_pe_total"`
	LVMPEAlloced         int       `json:"lvm_pe_alloced"`
	CreatedAt            time.Time `json:"created_at"`
}

// PVSpec is a new physical volume (host-pv-add): a disk or partition
// given to a volume group.
type PVSpec struct {
	LVGUUID        string `json:"ilvg_uuid"`
	DiskOrPartUUID string `json:"disk_or_part_uuid"`
}

// Port is a host's Ethernet port, as discovered (ethernet_ports).
type Port struct {
	ID            int64     `json:"id"`
	UUID          string    `json:"uuid"`
	HostUUID      string    `json:"ihost_uuid"`
	InterfaceUUID string    `json:"interface_uuid"`
	Name          string    `json:"name"`
	PCIAddr       string    `json:"pciaddr"`
	PClass        string    `json:"pclass"`
	PVendor       string    `json:"pvendor"`
	PDevice       string    `json:"pdevice"`
	PSVendor      string    `json:"psvendor"`
	PSDevice      string    `json:"psdevice"`
	DPDKSupport   bool      `json:"dpdksupport"`
	NumaNode      int       `json:"numa_node"`
	SRIOVTotalVFs int       `json:"sriov_totalvfs"`
	SRIOVNumVFs   int       `json:"sriov_numvfs"`
	Driver        string    `json:"driver"`
	MAC           string    `json:"mac"`
	MTU           int       `json:"mtu"`
	Speed         int       `json:"speed"`
	LinkMode      string    `json:"link_mode"`
	BootP         bool      `json:"bootp"`
	CreatedAt     time.Time `json:"created_at"`
}

// Interface is a host's network interface (iinterface): an Ethernet
// port, or a VLAN, bond (ae), SR-IOV VF or virtual interface over others.
type Interface struct {
	ID            int64   `json:"id"`
	UUID          string  `json:"uuid"`
	HostUUID      string  `json:"ihost_uuid"`
	IfName        string  `json:"ifname"`
	IfType        IfType  `json:"iftype"`
	IfClass       IfClass `json:"ifclass"`
	IMAC          string  `json:"imac"`
	IMTU          int     `json:"imtu"`
	VLANID        int     `json:"vlan_id,omitempty"`
	AEMode        string  `json:"aemode,omitempty"`
	TxHashPolicy  string  `json:"txhashpolicy,omitempty"`
	SRIOVNumVFs   int     `json:"sriov_numvfs"`
	SRIOVVFDriver string  `json:"sriov_vf_driver,omitempty"`
	// Uses are the names of the interfaces (or, for an ethernet
	// interface, the port) this one is built on; UsedBy the reverse.
	Uses         []string  `json:"uses"`
	UsedBy       []string  `json:"used_by"`
	Networks     []string  `json:"networks"`     // network names
	DataNetworks []string  `json:"datanetworks"` // data network names
	CreatedAt    time.Time `json:"created_at"`
}

// InterfaceSpec is a new interface (host-if-add).
type InterfaceSpec struct {
	IfName        string   `json:"ifname"`
	IfType        IfType   `json:"iftype"`
	IfClass       IfClass  `json:"ifclass"`
	IMTU          int      `json:"imtu,omitempty"`
	VLANID        int      `json:"vlan_id,omitempty"`
	AEMode        string   `json:"aemode,omitempty"`
	TxHashPolicy  string   `json:"txhashpolicy,omitempty"`
	SRIOVNumVFs   int      `json:"sriov_numvfs,omitempty"`
	SRIOVVFDriver string   `json:"sriov_vf_driver,omitempty"`
	Uses          []string `json:"uses,omitempty"`
	// Port names the Ethernet port of an ethernet interface.
	Port         string   `json:"port,omitempty"`
	DataNetworks []string `json:"datanetworks,omitempty"`
}

// InterfaceUpdate changes an interface (host-if-modify); nil fields are
// unchanged.
type InterfaceUpdate struct {
	IfName        *string   `json:"ifname,omitempty"`
	IfClass       *IfClass  `json:"ifclass,omitempty"`
	IMTU          *int      `json:"imtu,omitempty"`
	AEMode        *string   `json:"aemode,omitempty"`
	TxHashPolicy  *string   `json:"txhashpolicy,omitempty"`
	SRIOVNumVFs   *int      `json:"sriov_numvfs,omitempty"`
	SRIOVVFDriver *string   `json:"sriov_vf_driver,omitempty"`
	Uses          *[]string `json:"uses,omitempty"`
	DataNetworks  *[]string `json:"datanetworks,omitempty"`
}

// InterfaceNetwork assigns a platform network to an interface.
type InterfaceNetwork struct {
	ID            int64       `json:"id"`
	UUID          string      `json:"uuid"`
	InterfaceUUID string      `json:"interface_uuid"`
	IfName        string      `json:"ifname"`
	NetworkUUID   string      `json:"network_uuid"`
	NetworkName   string      `json:"network_name"`
	NetworkType   NetworkType `json:"network_type"`
	HostUUID      string      `json:"ihost_uuid"`
}

// Network is a platform network.
type Network struct {
	ID        int64       `json:"id"`
	UUID      string      `json:"uuid"`
	Name      string      `json:"name"`
	Type      NetworkType `json:"type"`
	Dynamic   bool        `json:"dynamic"`
	PoolUUID  string      `json:"pool_uuid"`
	CreatedAt time.Time   `json:"created_at"`
}

// NetworkSpec is a new network (network-add).
type NetworkSpec struct {
	Name     string      `json:"name"`
	Type     NetworkType `json:"type"`
	Dynamic  bool        `json:"dynamic"`
	PoolUUID string      `json:"pool_uuid"`
}

// AddressRange is an inclusive range of addresses of a pool.
type AddressRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// AddressPool is a subnet and the ranges its addresses are given from
// (address_pools).
type AddressPool struct {
	ID                 int64          `json:"id"`
	UUID               string         `json:"uuid"`
	Name               string         `json:"name"`
	Family             int            `json:"family"` // 4 or 6
	Network            string         `json:"network"`
	Prefix             int            `json:"prefix"`
	Order              string         `json:"order"` // "random" or "sequential"
	Ranges             []AddressRange `json:"ranges"`
	FloatingAddress    string         `json:"floating_address"`
	Controller0Address string         `json:"controller0_address"`
	Controller1Address string         `json:"controller1_address"`
	GatewayAddress     string         `json:"gateway_address"`
	CreatedAt          time.Time      `json:"created_at"`
}

// AddressPoolSpec is a new pool (addrpool-add).
type AddressPoolSpec struct {
	Name               string         `json:"name"`
	Network            string         `json:"network"`
	Prefix             int            `json:"prefix"`
	Order              string         `json:"order,omitempty"`
	Ranges             []AddressRange `json:"ranges,omitempty"` // default: the whole subnet but the network and broadcast addresses
	FloatingAddress    string         `json:"floating_address,omitempty"`
	Controller0Address string         `json:"controller0_address,omitempty"`
	Controller1Address string         `json:"controller1_address,omitempty"`
	GatewayAddress     string         `json:"gateway_address,omitempty"`
}

// AddressPoolUpdate changes a pool (addrpool-modify); nil fields are
// unchanged.
type AddressPoolUpdate struct {
	Name               *string         `json:"name,omitempty"`
	Order              *string         `json:"order,omitempty"`
	Ranges             *[]AddressRange `json:"ranges,omitempty"`
	FloatingAddress    *string         `json:"floating_address,omitempty"`
	Controller0Address *string         `json:"controller0_address,omitempty"`
	Controller1Address *string         `json:"controller1_address,omitempty"`
	GatewayAddress     *string         `json:"gateway_address,omitempty"`
}

// Address is an IP address given to a host's interface.
type Address struct {
	ID            int64     `json:"id"`
	UUID          string    `json:"uuid"`
	HostUUID      string    `json:"ihost_uuid"`
	InterfaceUUID string    `json:"interface_uuid"`
	IfName        string    `json:"ifname"`
	Family        int       `json:"family"`
	Address       string    `json:"address"`
	Prefix        int       `json:"prefix"`
	Name          string    `json:"name"`
	PoolUUID      string    `json:"pool_uuid"`
	CreatedAt     time.Time `json:"created_at"`
}

// Route is a static route on a host's interface.
type Route struct {
	ID            int64     `json:"id"`
	UUID          string    `json:"uuid"`
	HostUUID      string    `json:"ihost_uuid"`
	InterfaceUUID string    `json:"interface_uuid"`
	IfName        string    `json:"ifname"`
	Family        int       `json:"family"`
	Network       string    `json:"network"`
	Prefix        int       `json:"prefix"`
	Gateway       string    `json:"gateway"`
	Metric        int       `json:"metric"`
	CreatedAt     time.Time `json:"created_at"`
}

// DataNetwork is a provider network that data interfaces attach to.
type DataNetwork struct {
	ID             int64           `json:"id"`
	UUID           string          `json:"uuid"`
	Name           string          `json:"name"`
	NetworkType    DataNetworkType `json:"network_type"`
	MTU            int             `json:"mtu"`
	Description    string          `json:"description"`
	MulticastGroup string          `json:"multicast_group,omitempty"`
	PortNum        int             `json:"port_num,omitempty"`
	TTL            int             `json:"ttl,omitempty"`
	Mode           string          `json:"mode,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
}

// Label is a key=value label on a host (also applied to its Kubernetes
// node).
type Label struct {
	ID         int64     `json:"id"`
	UUID       string    `json:"uuid"`
	HostUUID   string    `json:"host_uuid"`
	LabelKey   string    `json:"label_key"`
	LabelValue string    `json:"label_value"`
	CreatedAt  time.Time `json:"created_at"`
}

// StorageBackend is a configured storage backend.
type StorageBackend struct {
	ID           int64          `json:"id"`
	UUID         string         `json:"uuid"`
	Backend      Backend        `json:"backend"`
	Name         string         `json:"name"`
	State        BackendState   `json:"state"`
	Task         string         `json:"task"`
	Services     []string       `json:"services"`
	Capabilities map[string]any `json:"capabilities"`
	CreatedAt    time.Time      `json:"created_at"`
}

// StorageBackendSpec is a new storage backend.
type StorageBackendSpec struct {
	Backend      Backend        `json:"backend"`
	Name         string         `json:"name,omitempty"`
	Services     []string       `json:"services,omitempty"`
	Capabilities map[string]any `json:"capabilities,omitempty"`
}

// ServiceParameter is one service parameter (service, section, name).
type ServiceParameter struct {
	ID          int64     `json:"id"`
	UUID        string    `json:"uuid"`
	Service     string    `json:"service"`
	Section     string    `json:"section"`
	Name        string    `json:"name"`
	Value       string    `json:"value"`
	Personality string    `json:"personality"`
	Resource    string    `json:"resource"`
	CreatedAt   time.Time `json:"created_at"`
}

// ServiceParameterQuery filters ListServiceParameters; empty fields
// match everything.
type ServiceParameterQuery struct {
	Service string
	Section string
	Name    string
}

// Stor is a disk given to a storage function (istor): a Ceph OSD or a
// journal.
type Stor struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	HostUUID  string    `json:"ihost_uuid"`
	Function  string    `json:"function"` // "osd" or "journal"
	DiskUUID  string    `json:"idisk_uuid"`
	OSDID     *int      `json:"osdid"`
	State     string    `json:"state"`
	TierName  string    `json:"tier_name"`
	CreatedAt time.Time `json:"created_at"`
}

// StorSpec gives a disk to a storage function (host-stor-add).
type StorSpec struct {
	Function string `json:"function"` // default "osd"
	DiskUUID string `json:"idisk_uuid"`
	TierName string `json:"tier_name,omitempty"`
}

// Report is what a host's agent discovered (sysinv-agent's inventory
// report): its hardware as the records above, with only the discovered
// fields set. MgmtMAC identifies the host; a MAC no host has creates a
// host with only mgmt_mac and this inventory (personality unset).
// Reported records replace the host's previous ones by their natural key
// (CPU number, NUMA node, device path, port name), keeping what operators
// set on them (a CPU's function, hugepage requests, partitions they added).
type Report struct {
	MgmtMAC    string      `json:"mgmt_mac"`
	Hostname   string      `json:"hostname,omitempty"`
	SWVersion  string      `json:"software_load,omitempty"`
	Nodes      []Node      `json:"inodes"`
	CPUs       []CPU       `json:"icpus"`
	Memory     []Memory    `json:"imemorys"`
	Disks      []Disk      `json:"idisks"`
	Ports      []Port      `json:"ethernet_ports"`
	LVGs       []LVG       `json:"ilvgs,omitempty"`
	PVs        []PV        `json:"ipvs,omitempty"`
	Partitions []Partition `json:"partitions,omitempty"`
}
