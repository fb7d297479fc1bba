package inventory

import (
	"fmt"
	"slices"
	"strings"
)

// enumValues lists the valid values of a string enum.
type enumValues[T ~string] struct {
	field  string // JSON field name, used in errors
	values []T
}

func (e enumValues[T]) valid(v T) bool { return slices.Contains(e.values, v) }

// parse returns v as a T, or a *FieldError naming the field and listing
// the allowed values.
func (e enumValues[T]) parse(v string) (T, error) {
	if e.valid(T(v)) {
		return T(v), nil
	}
	names := make([]string, len(e.values))
	for i, x := range e.values {
		names[i] = string(x)
	}
	return "", &FieldError{Field: e.field, Reason: fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))}
}

// unmarshal parses b into *p; the empty string decodes to the zero value
// (unset), anything else must be valid.
func (e enumValues[T]) unmarshal(p *T, b []byte) error {
	if len(b) == 0 {
		*p = ""
		return nil
	}
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Personality is a host's role (StarlingX's ihost.personality).
type Personality string

// Personalities.
const (
	PersonalityController Personality = "controller"
	PersonalityWorker     Personality = "worker"
	PersonalityStorage    Personality = "storage"
	PersonalityEdgeworker Personality = "edgeworker"
)

var personalities = enumValues[Personality]{"personality", []Personality{PersonalityController, PersonalityWorker, PersonalityStorage, PersonalityEdgeworker}}

// Valid reports whether p is a known personality.
func (p Personality) Valid() bool { return personalities.valid(p) }

// ParsePersonality parses a personality name.
func ParsePersonality(s string) (Personality, error) { return personalities.parse(s) }

// UnmarshalText parses a personality; empty means not yet set.
func (p *Personality) UnmarshalText(b []byte) error { return personalities.unmarshal(p, b) }

// ProvisionState is a host's invprovision: how far its first
// provisioning has come.
type ProvisionState string

// Provisioning states.
const (
	Unprovisioned ProvisionState = "unprovisioned"
	Provisioning  ProvisionState = "provisioning"
	Provisioned   ProvisionState = "provisioned"
	Upgrading     ProvisionState = "upgrading"
)

var provisionStates = enumValues[ProvisionState]{"invprovision", []ProvisionState{Unprovisioned, Provisioning, Provisioned, Upgrading}}

// Valid reports whether s is a known provisioning state.
func (s ProvisionState) Valid() bool { return provisionStates.valid(s) }

// UnmarshalText parses a provisioning state.
func (s *ProvisionState) UnmarshalText(b []byte) error { return provisionStates.unmarshal(s, b) }

// AdminState is a host's administrative state, owned by host maintenance.
type AdminState string

// Administrative states.
const (
	AdminLocked   AdminState = "locked"
	AdminUnlocked AdminState = "unlocked"
)

var adminStates = enumValues[AdminState]{"administrative", []AdminState{AdminLocked, AdminUnlocked}}

// Valid reports whether s is locked or unlocked.
func (s AdminState) Valid() bool { return adminStates.valid(s) }

// UnmarshalText parses an administrative state.
func (s *AdminState) UnmarshalText(b []byte) error { return adminStates.unmarshal(s, b) }

// OperState is a host's operational state, owned by host maintenance.
type OperState string

// Operational states.
const (
	OperEnabled  OperState = "enabled"
	OperDisabled OperState = "disabled"
)

var operStates = enumValues[OperState]{"operational", []OperState{OperEnabled, OperDisabled}}

// Valid reports whether s is enabled or disabled.
func (s OperState) Valid() bool { return operStates.valid(s) }

// UnmarshalText parses an operational state.
func (s *OperState) UnmarshalText(b []byte) error { return operStates.unmarshal(s, b) }

// Availability is a host's availability status, owned by host
// maintenance (the nine values of StarlingX's mtce).
type Availability string

// Availability statuses.
const (
	AvailOffline      Availability = "offline"
	AvailOnline       Availability = "online"
	AvailAvailable    Availability = "available"
	AvailDegraded     Availability = "degraded"
	AvailFailed       Availability = "failed"
	AvailIntest       Availability = "intest"
	AvailPowerOff     Availability = "power-off"
	AvailOffduty      Availability = "offduty"
	AvailDependency   Availability = "dependency"
	AvailNotInstalled Availability = "not-installed"
)

var availabilities = enumValues[Availability]{"availability", []Availability{AvailOffline, AvailOnline, AvailAvailable, AvailDegraded, AvailFailed, AvailIntest, AvailPowerOff, AvailOffduty, AvailDependency, AvailNotInstalled}}

// Valid reports whether a is a known availability status.
func (a Availability) Valid() bool { return availabilities.valid(a) }

// UnmarshalText parses an availability status.
func (a *Availability) UnmarshalText(b []byte) error { return availabilities.unmarshal(a, b) }

// SystemType is StarlingX's system_type.
type SystemType string

// System types.
const (
	SystemStandard SystemType = "Standard"
	SystemAllInOne SystemType = "All-in-one"
)

var systemTypes = enumValues[SystemType]{"system_type", []SystemType{SystemStandard, SystemAllInOne}}

// Valid reports whether t is a known system type.
func (t SystemType) Valid() bool { return systemTypes.valid(t) }

// UnmarshalText parses a system type.
func (t *SystemType) UnmarshalText(b []byte) error { return systemTypes.unmarshal(t, b) }

// SystemMode is StarlingX's system_mode.
type SystemMode string

// System modes.
const (
	ModeDuplex       SystemMode = "duplex"
	ModeSimplex      SystemMode = "simplex"
	ModeDuplexDirect SystemMode = "duplex-direct"
)

var systemModes = enumValues[SystemMode]{"system_mode", []SystemMode{ModeDuplex, ModeSimplex, ModeDuplexDirect}}

// Valid reports whether m is a known system mode.
func (m SystemMode) Valid() bool { return systemModes.valid(m) }

// UnmarshalText parses a system mode.
func (m *SystemMode) UnmarshalText(b []byte) error { return systemModes.unmarshal(m, b) }

// DCRole is a system's distributed_cloud_role; empty when the system is
// not part of a distributed cloud.
type DCRole string

// Distributed cloud roles.
const (
	DCSystemController DCRole = "systemcontroller"
	DCSubcloud         DCRole = "subcloud"
)

var dcRoles = enumValues[DCRole]{"distributed_cloud_role", []DCRole{DCSystemController, DCSubcloud}}

// Valid reports whether r is a known role.
func (r DCRole) Valid() bool { return dcRoles.valid(r) }

// UnmarshalText parses a role.
func (r *DCRole) UnmarshalText(b []byte) error { return dcRoles.unmarshal(r, b) }

// CPUFunction is what a logical CPU is allocated to (icpu.allocated_function).
type CPUFunction string

// CPU functions.
const (
	CPUPlatform            CPUFunction = "Platform"
	CPUVswitch             CPUFunction = "Vswitch"
	CPUShared              CPUFunction = "Shared"
	CPUApplication         CPUFunction = "Application"
	CPUApplicationIsolated CPUFunction = "Application-isolated"
	CPUNone                CPUFunction = "None"
)

var cpuFunctions = enumValues[CPUFunction]{"allocated_function", []CPUFunction{CPUPlatform, CPUVswitch, CPUShared, CPUApplication, CPUApplicationIsolated, CPUNone}}

// Valid reports whether f is a known function.
func (f CPUFunction) Valid() bool { return cpuFunctions.valid(f) }

// ParseCPUFunction parses a function name, case-insensitively as the
// system CLI accepts it ("platform", "application-isolated").
func ParseCPUFunction(s string) (CPUFunction, error) {
	for _, f := range cpuFunctions.values {
		if strings.EqualFold(string(f), s) {
			return f, nil
		}
	}
	return cpuFunctions.parse(s)
}

// UnmarshalText parses a function name.
func (f *CPUFunction) UnmarshalText(b []byte) error { return cpuFunctions.unmarshal(f, b) }

// DiskType is a disk's device_type.
type DiskType string

// Disk types.
const (
	DiskHDD  DiskType = "HDD"
	DiskSSD  DiskType = "SSD"
	DiskNVME DiskType = "NVME"
)

var diskTypes = enumValues[DiskType]{"device_type", []DiskType{DiskHDD, DiskSSD, DiskNVME}}

// Valid reports whether t is a known disk type.
func (t DiskType) Valid() bool { return diskTypes.valid(t) }

// UnmarshalText parses a disk type.
func (t *DiskType) UnmarshalText(b []byte) error { return diskTypes.unmarshal(t, b) }

// PartitionStatus is a partition's status code (StarlingX's numbers).
type PartitionStatus int

// Partition statuses.
const (
	PartitionReady          PartitionStatus = 0
	PartitionInUse          PartitionStatus = 1
	PartitionCreatingInSvc  PartitionStatus = 2
	PartitionCreateOnUnlock PartitionStatus = 3
	PartitionDeleting       PartitionStatus = 4
	PartitionModifying      PartitionStatus = 5
	PartitionDeleted        PartitionStatus = 6
	PartitionError          PartitionStatus = 10
)

// String returns StarlingX's description of the status ("Ready", "In-Use", ...).
func (s PartitionStatus) String() string {
	switch s {
	case PartitionReady:
		return "Ready"
	case PartitionInUse:
		return "In-Use"
	case PartitionCreatingInSvc:
		return "Creating (on unlock)"
	case PartitionCreateOnUnlock:
		return "Creating (on unlock)"
	case PartitionDeleting:
		return "Deleting"
	case PartitionModifying:
		return "Modifying"
	case PartitionDeleted:
		return "Deleted"
	case PartitionError:
		return "Error"
	}
	return fmt.Sprintf("PartitionStatus(%d)", int(s))
}

// LVGState is a volume group's vg_state (also a PV's pv_state).
type LVGState string

// Volume group and physical volume states.
const (
	LVGAdding      LVGState = "adding"
	LVGRemoving    LVGState = "removing"
	LVGProvisioned LVGState = "provisioned"
)

// Volume group names StarlingX knows.
const (
	VGCgts          = "cgts-vg"
	VGNovaLocal     = "nova-local"
	VGCinderVolumes = "cinder-volumes"
)

// PVType is a physical volume's pv_type.
type PVType string

// Physical volume types.
const (
	PVDisk      PVType = "disk"
	PVPartition PVType = "partition"
)

// IfType is an interface's iftype.
type IfType string

// Interface types.
const (
	IfEthernet IfType = "ethernet"
	IfVLAN     IfType = "vlan"
	IfAE       IfType = "ae"
	IfVF       IfType = "vf"
	IfVirtual  IfType = "virtual"
)

var ifTypes = enumValues[IfType]{"iftype", []IfType{IfEthernet, IfVLAN, IfAE, IfVF, IfVirtual}}

// Valid reports whether t is a known interface type.
func (t IfType) Valid() bool { return ifTypes.valid(t) }

// UnmarshalText parses an interface type.
func (t *IfType) UnmarshalText(b []byte) error { return ifTypes.unmarshal(t, b) }

// IfClass is an interface's ifclass.
type IfClass string

// Interface classes.
const (
	IfClassNone           IfClass = "none"
	IfClassPlatform       IfClass = "platform"
	IfClassData           IfClass = "data"
	IfClassPCIPassthrough IfClass = "pci-passthrough"
	IfClassPCISRIOV       IfClass = "pci-sriov"
)

var ifClasses = enumValues[IfClass]{"ifclass", []IfClass{IfClassNone, IfClassPlatform, IfClassData, IfClassPCIPassthrough, IfClassPCISRIOV}}

// Valid reports whether c is a known interface class.
func (c IfClass) Valid() bool { return ifClasses.valid(c) }

// UnmarshalText parses an interface class.
func (c *IfClass) UnmarshalText(b []byte) error { return ifClasses.unmarshal(c, b) }

// NetworkType is a platform network's type.
type NetworkType string

// Network types.
const (
	NetMgmt                NetworkType = "mgmt"
	NetAdmin               NetworkType = "admin"
	NetOAM                 NetworkType = "oam"
	NetPXEBoot             NetworkType = "pxeboot"
	NetClusterHost         NetworkType = "cluster-host"
	NetClusterPod          NetworkType = "cluster-pod"
	NetClusterService      NetworkType = "cluster-service"
	NetStorage             NetworkType = "storage"
	NetMulticast           NetworkType = "multicast"
	NetSystemController    NetworkType = "system-controller"
	NetSystemControllerOAM NetworkType = "system-controller-oam"
	NetIronic              NetworkType = "ironic"
	NetBM                  NetworkType = "bm"
	NetData                NetworkType = "data"
	NetPCIPassthrough      NetworkType = "pci-passthrough"
	NetPCISRIOV            NetworkType = "pci-sriov"
	NetNone                NetworkType = "none"
)

var networkTypes = enumValues[NetworkType]{"type", []NetworkType{NetMgmt, NetAdmin, NetOAM, NetPXEBoot, NetClusterHost, NetClusterPod, NetClusterService, NetStorage, NetMulticast, NetSystemController, NetSystemControllerOAM, NetIronic, NetBM, NetData, NetPCIPassthrough, NetPCISRIOV, NetNone}}

// Valid reports whether t is a known network type.
func (t NetworkType) Valid() bool { return networkTypes.valid(t) }

// ParseNetworkType parses a network type.
func ParseNetworkType(s string) (NetworkType, error) { return networkTypes.parse(s) }

// UnmarshalText parses a network type.
func (t *NetworkType) UnmarshalText(b []byte) error { return networkTypes.unmarshal(t, b) }

// ControllerOnly reports whether only controllers may have an interface
// on a network of type t (OAM, and the distributed cloud's networks).
func (t NetworkType) ControllerOnly() bool {
	switch t {
	case NetOAM, NetSystemController, NetSystemControllerOAM, NetClusterPod, NetClusterService:
		return true
	}
	return false
}

// DataNetworkType is a data network's network_type.
type DataNetworkType string

// Data network types.
const (
	DataNetFlat  DataNetworkType = "flat"
	DataNetVLAN  DataNetworkType = "vlan"
	DataNetVXLAN DataNetworkType = "vxlan"
)

var dataNetworkTypes = enumValues[DataNetworkType]{"network_type", []DataNetworkType{DataNetFlat, DataNetVLAN, DataNetVXLAN}}

// Valid reports whether t is a known data network type.
func (t DataNetworkType) Valid() bool { return dataNetworkTypes.valid(t) }

// UnmarshalText parses a data network type.
func (t *DataNetworkType) UnmarshalText(b []byte) error { return dataNetworkTypes.unmarshal(t, b) }

// Backend is a storage backend's kind.
type Backend string

// Storage backends.
const (
	BackendCeph         Backend = "ceph"
	BackendCephExternal Backend = "ceph-external"
	BackendCephRook     Backend = "ceph-rook"
	BackendExternal     Backend = "external"
	BackendFile         Backend = "file"
	BackendLVM          Backend = "lvm"
)

var backends = enumValues[Backend]{"backend", []Backend{BackendCeph, BackendCephExternal, BackendCephRook, BackendExternal, BackendFile, BackendLVM}}

// Valid reports whether b is a known backend.
func (b Backend) Valid() bool { return backends.valid(b) }

// UnmarshalText parses a backend name.
func (b *Backend) UnmarshalText(t []byte) error { return backends.unmarshal(b, t) }

// BackendState is a storage backend's state.
type BackendState string

// Storage backend states.
const (
	BackendConfigured          BackendState = "configured"
	BackendConfiguring         BackendState = "configuring"
	BackendConfigFailed        BackendState = "configuration-failed"
	BackendConfiguringOnUnlock BackendState = "configuring-on-unlock"
)
