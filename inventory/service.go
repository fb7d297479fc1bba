package inventory

import "context"

// A host is named in every method by its hostname, uuid or numeric id;
// other records by their uuid (or, where noted, their name).

// HostReader is what other services need to look hosts up.
type HostReader interface {
	// GetHost returns a host by hostname, uuid or id.
	GetHost(ctx context.Context, host string) (Host, error)
	// ListHosts returns every host, ordered by id.
	ListHosts(ctx context.Context) ([]Host, error)
}

// BMCCredentials are a host's board management fields with the
// write-only password: what host maintenance needs to open its BMC.
type BMCCredentials struct {
	Type     string // bm_type: none, dynamic, bmc (legacy dynamic), ipmi, redfish
	Address  string // bm_ip: an IP address or a BMC URL (see CheckBMAddress)
	Username string
	Password string
}

// BMCCredentialReader is host maintenance's privileged reader of a
// host's BMC credentials. No REST path serves it: the password stays
// write-only for every client.
type BMCCredentialReader interface {
	BMCCredentials(ctx context.Context, host string) (BMCCredentials, error)
}

// HostStatusWriter is host maintenance's writer: the only way to change
// the fields it owns, and the semantic check it runs before an unlock.
type HostStatusWriter interface {
	HostReader
	// SetHostStatus changes the non-nil fields of st and moves the
	// host's invprovision as HostStatus says. An unlock that CheckUnlock
	// would refuse is refused with the same *RuleError.
	SetHostStatus(ctx context.Context, host string, st HostStatus) (Host, error)
	// CheckUnlock returns nil if host may be unlocked, or a *RuleError
	// saying why not (a host without personality, a storage host without
	// an OSD, a worker without its platform interfaces...).
	CheckUnlock(ctx context.Context, host string) error
}

// Reporter is what a host's agent calls.
type Reporter interface {
	// ReportInventory records what an agent discovered and returns the
	// host it belongs to (created if its MAC is unknown).
	ReportInventory(ctx context.Context, r Report) (Host, error)
	// HostConfig returns the host's rendered configuration document,
	// whose UUID is the host's config_target.
	HostConfig(ctx context.Context, host string) (HostConfig, error)
	// ReportConfigApplied records the config UUID the host applied; when
	// it equals config_target the host is no longer out of date.
	ReportConfigApplied(ctx context.Context, host, configUUID string) (Host, error)
}

// Service is the whole inventory API. inventorysql.Manager implements it
// over SQLite or PostgreSQL; inventoryhttp.Client implements it over
// sysinv's REST API.
type Service interface {
	HostStatusWriter
	Reporter

	// GetSystem returns the system record.
	GetSystem(ctx context.Context) (System, error)
	// UpdateSystem changes the system record.
	UpdateSystem(ctx context.Context, u SystemUpdate) (System, error)

	// AddHost creates a host (host-add).
	AddHost(ctx context.Context, h HostSpec) (Host, error)
	// AddHosts creates several hosts at once (bulk add): every host is
	// checked before any is created, and either all are created or none.
	// A host of the list that exists already (the same mgmt_mac and, if
	// given, hostname and personality) only has its BMC fields updated,
	// so that a bulk export imports again into the system it came from.
	AddHosts(ctx context.Context, hs []HostSpec) ([]Host, error)
	// UpdateHost changes a host's inventory-owned fields (host-update).
	UpdateHost(ctx context.Context, host string, u HostUpdate) (Host, error)
	// DeleteHost deletes a locked host and everything it holds.
	DeleteHost(ctx context.Context, host string) error

	// ListNodes returns a host's NUMA nodes.
	ListNodes(ctx context.Context, host string) ([]Node, error)
	// ListCPUs returns a host's logical CPUs, by cpu number.
	ListCPUs(ctx context.Context, host string) ([]CPU, error)
	// ModifyCPUs reassigns a locked host's cores (host-cpu-modify) and
	// returns every CPU of the host.
	ModifyCPUs(ctx context.Context, host string, m CPUModify) ([]CPU, error)
	// ListMemory returns a host's memory, one record per NUMA node.
	ListMemory(ctx context.Context, host string) ([]Memory, error)
	// ModifyMemory changes one NUMA node's memory of a locked host.
	ModifyMemory(ctx context.Context, host string, numaNode int, u MemoryUpdate) (Memory, error)

	// ListDisks returns a host's disks.
	ListDisks(ctx context.Context, host string) ([]Disk, error)
	// ListPartitions returns a host's partitions; diskUUID, if not
	// empty, keeps one disk's.
	ListPartitions(ctx context.Context, host, diskUUID string) ([]Partition, error)
	// AddPartition creates a partition at the end of a disk's used space.
	AddPartition(ctx context.Context, host string, p PartitionSpec) (Partition, error)
	// ModifyPartition grows a partition to sizeMiB.
	ModifyPartition(ctx context.Context, uuid string, sizeMiB int) (Partition, error)
	// DeletePartition deletes the last partition of its disk, if unused.
	DeletePartition(ctx context.Context, uuid string) error
	// ListLVGs returns a host's volume groups.
	ListLVGs(ctx context.Context, host string) ([]LVG, error)
	// AddLVG creates a volume group on a locked host.
	AddLVG(ctx context.Context, host, vgName string) (LVG, error)
	// DeleteLVG deletes a volume group with no physical volume.
	DeleteLVG(ctx context.Context, uuid string) error
	// ListPVs returns a host's physical volumes.
	ListPVs(ctx context.Context, host string) ([]PV, error)
	// AddPV gives a disk or partition to a volume group.
	AddPV(ctx context.Context, host string, p PVSpec) (PV, error)
	// DeletePV removes a physical volume from its group.
	DeletePV(ctx context.Context, uuid string) error
	// ListStors returns a host's storage functions (OSDs, journals).
	ListStors(ctx context.Context, host string) ([]Stor, error)
	// AddStor gives a disk to a storage function.
	AddStor(ctx context.Context, host string, s StorSpec) (Stor, error)
	// DeleteStor removes a storage function.
	DeleteStor(ctx context.Context, uuid string) error

	// ListPorts returns a host's Ethernet ports.
	ListPorts(ctx context.Context, host string) ([]Port, error)
	// ListInterfaces returns a host's interfaces.
	ListInterfaces(ctx context.Context, host string) ([]Interface, error)
	// GetInterface returns an interface by uuid.
	GetInterface(ctx context.Context, uuid string) (Interface, error)
	// AddInterface creates an interface on a locked host.
	AddInterface(ctx context.Context, host string, s InterfaceSpec) (Interface, error)
	// UpdateInterface changes an interface of a locked host.
	UpdateInterface(ctx context.Context, uuid string, u InterfaceUpdate) (Interface, error)
	// DeleteInterface deletes an interface no other one uses.
	DeleteInterface(ctx context.Context, uuid string) error
	// ListInterfaceNetworks returns the network assignments of a host's
	// interfaces.
	ListInterfaceNetworks(ctx context.Context, host string) ([]InterfaceNetwork, error)
	// AssignInterfaceNetwork puts an interface on a network (by name or
	// uuid).
	AssignInterfaceNetwork(ctx context.Context, interfaceUUID, network string) (InterfaceNetwork, error)
	// RemoveInterfaceNetwork undoes an assignment by its uuid.
	RemoveInterfaceNetwork(ctx context.Context, uuid string) error

	// ListAddresses returns a host's static addresses.
	ListAddresses(ctx context.Context, host string) ([]Address, error)
	// ListRoutes returns a host's static routes.
	ListRoutes(ctx context.Context, host string) ([]Route, error)

	// ListNetworks returns the platform networks.
	ListNetworks(ctx context.Context) ([]Network, error)
	// GetNetwork returns a network by name, uuid or id.
	GetNetwork(ctx context.Context, network string) (Network, error)
	// AddNetwork creates a network over an address pool.
	AddNetwork(ctx context.Context, s NetworkSpec) (Network, error)
	// DeleteNetwork deletes a network no interface uses.
	DeleteNetwork(ctx context.Context, network string) error

	// ListAddressPools returns the address pools.
	ListAddressPools(ctx context.Context) ([]AddressPool, error)
	// GetAddressPool returns a pool by name, uuid or id.
	GetAddressPool(ctx context.Context, pool string) (AddressPool, error)
	// AddAddressPool creates a pool.
	AddAddressPool(ctx context.Context, s AddressPoolSpec) (AddressPool, error)
	// UpdateAddressPool changes a pool.
	UpdateAddressPool(ctx context.Context, pool string, u AddressPoolUpdate) (AddressPool, error)
	// DeleteAddressPool deletes a pool no network uses.
	DeleteAddressPool(ctx context.Context, pool string) error

	// ListDataNetworks returns the data networks.
	ListDataNetworks(ctx context.Context) ([]DataNetwork, error)
	// AddDataNetwork creates a data network.
	AddDataNetwork(ctx context.Context, d DataNetwork) (DataNetwork, error)
	// DeleteDataNetwork deletes a data network no interface uses.
	DeleteDataNetwork(ctx context.Context, dataNetwork string) error

	// ListLabels returns a host's labels.
	ListLabels(ctx context.Context, host string) ([]Label, error)
	// AssignLabels sets labels on a host; an existing key is an
	// ErrConflict unless overwrite.
	AssignLabels(ctx context.Context, host string, labels map[string]string, overwrite bool) ([]Label, error)
	// RemoveLabel removes a label by uuid.
	RemoveLabel(ctx context.Context, uuid string) error

	// ListStorageBackends returns the storage backends.
	ListStorageBackends(ctx context.Context) ([]StorageBackend, error)
	// AddStorageBackend configures a backend.
	AddStorageBackend(ctx context.Context, s StorageBackendSpec) (StorageBackend, error)
	// DeleteStorageBackend removes a backend.
	DeleteStorageBackend(ctx context.Context, uuid string) error

	// ListServiceParameters returns the parameters matching q.
	ListServiceParameters(ctx context.Context, q ServiceParameterQuery) ([]ServiceParameter, error)
	// AddServiceParameters adds parameters (name → value) to a service's
	// section.
	AddServiceParameters(ctx context.Context, service, section string, params map[string]string, personality, resource string) ([]ServiceParameter, error)
	// UpdateServiceParameter changes a parameter's value.
	UpdateServiceParameter(ctx context.Context, uuid, value string) (ServiceParameter, error)
	// DeleteServiceParameter deletes a parameter.
	DeleteServiceParameter(ctx context.Context, uuid string) error

	// Snapshot returns the whole inventory at one instant, what
	// configuration rendering reads.
	Snapshot(ctx context.Context) (Snapshot, error)
	// HostSnapshot returns one host's whole inventory at one instant:
	// the Snapshot's system-wide records (system, networks, pools, data
	// networks, backends, service parameters) and that host with its
	// records only — what a host's page or its agent reads, in one call.
	HostSnapshot(ctx context.Context, host string) (Snapshot, error)
}
