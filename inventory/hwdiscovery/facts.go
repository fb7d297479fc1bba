package hwdiscovery

// Facts is what one discovery found. A fact that could not be read is
// named in Unknown with the reason, and its field is nil, empty or -1
// (for NUMA nodes) — never a made-up zero.
type Facts struct {
	Hostname string `json:"hostname"`
	// Kernel is the running kernel's release (/proc/sys/kernel/osrelease).
	Kernel string `json:"kernel"`
	// UptimeSeconds is /proc/uptime's first figure.
	UptimeSeconds *float64 `json:"uptime_seconds"`
	CPU           CPU      `json:"cpu"`
	// Memory is the whole machine's memory (/proc/meminfo).
	Memory Memory `json:"memory"`
	// NUMANodes are the NUMA nodes the kernel knows, with their CPUs and
	// memory; empty when it knows none (then see Unknown["numa_nodes"]).
	NUMANodes []NUMANode  `json:"numa_nodes"`
	Disks     []Disk      `json:"disks"`
	LVM       LVM         `json:"lvm"`
	Ports     []Port      `json:"ports"`
	PCI       []PCIDevice `json:"pci"`
	// RootFS is the device node of the root filesystem's block device
	// (a partition or a disk); RootDisk and BootDisk are the whole disks
	// holding / and /boot (/ when /boot is not a mount of its own).
	RootFS   string `json:"rootfs"`
	RootDisk string `json:"root_disk"`
	BootDisk string `json:"boot_disk"`
	// MgmtPort names the port Report takes the management MAC from: the
	// port of the IPv4 default route, else the first port whose link is
	// up, else the first port (by name).
	MgmtPort string `json:"mgmt_port"`
	// Unknown maps a fact ("cpu.caches", "disks[vda].serial") to why it
	// is unknown.
	Unknown map[string]string `json:"unknown,omitempty"`
}

// CPU is the processors' topology and identity.
type CPU struct {
	Vendor string `json:"vendor"`
	Model  string `json:"model"`
	// Family is /proc/cpuinfo's "cpu family" (sysinv's cpu_family).
	Family string `json:"family"`
	// MHz is /proc/cpuinfo's "cpu MHz" of the first CPU: the current
	// frequency. MaxMHz is cpufreq's cpuinfo_max_freq when there is one.
	MHz    *float64 `json:"mhz"`
	MaxMHz *float64 `json:"max_mhz"`
	// Sockets, Cores (physical, all sockets) and Threads (logical CPUs
	// online).
	Sockets int `json:"sockets"`
	Cores   int `json:"cores"`
	Threads int `json:"threads"`
	// Flags are the flags StarlingX's CPU list needs: vmx or svm
	// (hardware virtualisation) and the avx512 family, sorted.
	Flags   []string     `json:"flags"`
	Logical []LogicalCPU `json:"logical"`
	// Caches are cpu0's caches as sysfs lists them, with the number of
	// instances on the machine.
	Caches []Cache `json:"caches"`
}

// LogicalCPU is one online logical CPU.
type LogicalCPU struct {
	CPU int `json:"cpu"`
	// Socket and CoreID are the kernel's physical_package_id and
	// core_id; Core is the physical core's dense index in its socket
	// (0, 1, ... in core_id order), Thread the CPU's index among its
	// core's siblings.
	Socket   int `json:"socket"`
	CoreID   int `json:"core_id"`
	Core     int `json:"core"`
	Thread   int `json:"thread"`
	NUMANode int `json:"numa_node"` // -1 when the kernel knows none
}

// Cache is one level and type of CPU cache.
type Cache struct {
	Level   int    `json:"level"`
	Type    string `json:"type"` // Data, Instruction, Unified
	SizeKiB int    `json:"size_kib"`
	// SharedCPUs lists the CPUs sharing cpu0's instance; Instances is
	// the number of distinct instances on the machine.
	SharedCPUs string `json:"shared_cpus"`
	Instances  int    `json:"instances"`
}

// Memory is the machine's memory in KiB, and its default-size
// hugepages.
type Memory struct {
	// InstalledBytes is the memory the kernel manages in memory blocks
	// (/sys/devices/system/memory: blocks present × block size), which
	// includes what the kernel reserves for itself; TotalKiB (MemTotal)
	// does not.
	InstalledBytes *int64 `json:"installed_bytes"`
	TotalKiB       *int64 `json:"total_kib"`
	FreeKiB        *int64 `json:"free_kib"`
	AvailableKiB   *int64 `json:"available_kib"`
	// Hugepages2M and Hugepages1G are the machine-wide pools
	// (/sys/kernel/mm/hugepages); nil when the size is not supported.
	Hugepages2M *Hugepages `json:"hugepages_2m"`
	Hugepages1G *Hugepages `json:"hugepages_1g"`
}

// Hugepages is a hugepage pool: pages configured and free.
type Hugepages struct {
	Total int `json:"total"`
	Free  int `json:"free"`
}

// NUMANode is one NUMA node.
type NUMANode struct {
	Node        int        `json:"node"`
	CPUs        []int      `json:"cpus"`
	TotalKiB    *int64     `json:"total_kib"`
	FreeKiB     *int64     `json:"free_kib"`
	Hugepages2M *Hugepages `json:"hugepages_2m"`
	Hugepages1G *Hugepages `json:"hugepages_1g"`
}

// Disk is a whole disk (not a partition, loop, RAM, zram, device-mapper
// or md device, nor an empty drive).
type Disk struct {
	Name       string `json:"name"`        // vda, sda, nvme0n1
	DeviceNode string `json:"device_node"` // /dev/vda
	MajMin     string `json:"maj_min"`
	// DeviceNum is major<<8 | minor, as sysinv's device_num.
	DeviceNum int `json:"device_num"`
	// ByPath and ByID are udev's /dev/disk/by-path and by-id links (the
	// first in sort order of each), from the udev database or /dev/disk.
	ByPath    string `json:"by_path"`
	ByID      string `json:"by_id"`
	WWN       string `json:"wwn"`
	Serial    string `json:"serial"`
	Model     string `json:"model"`
	Vendor    string `json:"vendor"`
	SizeBytes int64  `json:"size_bytes"`
	// Rotational is the queue's rotational flag; Type is NVME for NVMe
	// namespaces, else HDD when rotational, else SSD.
	Rotational bool   `json:"rotational"`
	Type       string `json:"type"`
	// RPM is udev's ID_ATA_ROTATION_RATE_RPM when known.
	RPM       int  `json:"rpm,omitempty"`
	Removable bool `json:"removable"`
	ReadOnly  bool `json:"read_only"`
	// PCIAddr is the PCI function of the disk's controller.
	PCIAddr    string      `json:"pci_addr"`
	NUMANode   int         `json:"numa_node"` // -1 when the kernel does not know
	Partitions []Partition `json:"partitions"`
}

// Partition is a partition of a disk. Start and size are the kernel's
// (sysfs start and size, in 512-byte sectors); the GPT type and name
// come from the udev database (ID_PART_ENTRY_*).
type Partition struct {
	Name       string `json:"name"`
	DeviceNode string `json:"device_node"`
	ByPath     string `json:"by_path"`
	Number     int    `json:"number"`
	StartBytes int64  `json:"start_bytes"`
	SizeBytes  int64  `json:"size_bytes"`
	// EndBytes is the last byte's offset (start + size - 1).
	EndBytes int64  `json:"end_bytes"`
	TypeGUID string `json:"type_guid"`
	TypeName string `json:"type_name"`
	PartUUID string `json:"part_uuid"`
	PartName string `json:"part_name"`
	FSType   string `json:"fs_type"`
}

// LVM is the machine's LVM volume groups and physical volumes, from
// LVM's metadata backups (/etc/lvm/backup) and the udev database.
type LVM struct {
	VGs []VG `json:"vgs"`
	PVs []PV `json:"pvs"`
}

// VG is an LVM volume group.
type VG struct {
	Name        string `json:"name"`
	UUID        string `json:"uuid"`
	ExtentBytes int64  `json:"extent_bytes"`
	TotalPE     int    `json:"total_pe"`
	FreePE      int    `json:"free_pe"`
	PVs         int    `json:"pvs"`
	LVs         int    `json:"lvs"`
	MaxLV       int    `json:"max_lv"`
	MaxPV       int    `json:"max_pv"`
	Writable    bool   `json:"writable"`
}

// PV is an LVM physical volume.
type PV struct {
	Device    string `json:"device"` // /dev/sda5
	VG        string `json:"vg"`
	UUID      string `json:"uuid"`
	SizeBytes int64  `json:"size_bytes"`
	PETotal   int    `json:"pe_total"`
	PEAlloc   int    `json:"pe_alloc"`
}

// Port is a physical network port: an Ethernet interface backed by a
// device (not lo, bridges, veth, tun, ifb...).
type Port struct {
	Name   string `json:"name"`
	MAC    string `json:"mac"`
	Driver string `json:"driver"`
	// PCIAddr is the port's PCI function; for a virtio NIC, the virtio
	// PCI device's.
	PCIAddr   string `json:"pci_addr"`
	VendorID  string `json:"vendor_id"`
	DeviceID  string `json:"device_id"`
	NUMANode  int    `json:"numa_node"`
	MTU       int    `json:"mtu"`
	OperState string `json:"oper_state"`
	Link      bool   `json:"link"`
	// SpeedMbps and Duplex are the driver's; nil and "" when it does
	// not report them (then see Unknown).
	SpeedMbps *int   `json:"speed_mbps"`
	Duplex    string `json:"duplex"`
	LinkMode  int    `json:"link_mode"`
	// SRIOVTotalVFs and SRIOVNumVFs are 0 for a function without SR-IOV.
	SRIOVTotalVFs int  `json:"sriov_totalvfs"`
	SRIOVNumVFs   int  `json:"sriov_numvfs"`
	IsVF          bool `json:"is_vf"`
	// PXE is a guess: the port's MAC is BOOTIF on the kernel command
	// line, or its PCI function has an expansion ROM (where PXE code
	// lives).
	PXE bool `json:"pxe"`
	// BootInterface is true when the host booted from this port
	// (BOOTIF).
	BootInterface bool `json:"boot_interface"`
}

// PCIDevice is a PCI function.
type PCIDevice struct {
	Addr string `json:"addr"`
	// Class is the 24-bit class code ("020000"); ClassName its pci.ids
	// name (the subclass's when it has one).
	Class         string `json:"class"`
	ClassName     string `json:"class_name"`
	VendorID      string `json:"vendor_id"`
	DeviceID      string `json:"device_id"`
	Vendor        string `json:"vendor"`
	Device        string `json:"device"`
	SubVendorID   string `json:"subsystem_vendor_id"`
	SubDeviceID   string `json:"subsystem_device_id"`
	SubVendor     string `json:"subsystem_vendor"`
	SubDevice     string `json:"subsystem_device"`
	Revision      string `json:"revision"`
	Driver        string `json:"driver"`
	NUMANode      int    `json:"numa_node"`
	Kind          Kind   `json:"kind"`
	SRIOVTotalVFs int    `json:"sriov_totalvfs"`
	SRIOVNumVFs   int    `json:"sriov_numvfs"`
	PhysFn        string `json:"physfn,omitempty"` // a VF's physical function
	ExpansionROM  bool   `json:"expansion_rom"`
}

// Kind classifies a PCI device.
type Kind string

// The kinds of PCI device.
const (
	KindNIC     Kind = "nic"
	KindStorage Kind = "storage"
	KindGPU     Kind = "gpu"
	// KindQAT is Intel QuickAssist (crypto and compression).
	KindQAT Kind = "qat"
	// KindFPGA is a programmable accelerator card (Intel PAC/N3000,
	// Xilinx, Altera).
	KindFPGA Kind = "fpga"
	// KindAccelerator is another processing accelerator (class 12, e.g.
	// a FEC accelerator such as Intel's ACC100).
	KindAccelerator Kind = "accelerator"
	KindBridge      Kind = "bridge"
	KindOther       Kind = "other"
)
