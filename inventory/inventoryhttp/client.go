package inventoryhttp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/inventory"
)

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Token is sent as "Authorization: Bearer <token>".
	Token string
	// HTTPClient, if set, is used instead of a client tuned for many
	// concurrent requests to one server.
	HTTPClient *http.Client
	// Timeout bounds each request when the context has no deadline
	// (default 30 s).
	Timeout time.Duration
}

// Client is an inventory.Service over the REST API. Its errors wrap
// inventory's sentinels, so errors.Is(err, inventory.ErrNotFound) holds
// as in-process, and a refused field or rule comes back as a
// *inventory.FieldError or *inventory.RuleError naming it.
type Client struct {
	api *httpx.Caller
}

var _ inventory.Service = (*Client)(nil)

// NewClient returns a client of the API at baseURL ("http://127.0.0.1:6385").
func NewClient(baseURL string, opts *ClientOptions) *Client {
	if opts == nil {
		opts = &ClientOptions{}
	}
	return &Client{api: httpx.NewCaller("inventoryhttp", baseURL, opts.Token, opts.HTTPClient, opts.Timeout, errTable, inventory.ErrUnavailable)}
}

// seg is one path segment naming a record: "", "." and ".." name none.
func seg(what, name string) (string, error) {
	switch name {
	case "", ".", "..":
		return "", fmt.Errorf("inventoryhttp: %s %q: %w", what, name, inventory.ErrNotFound)
	}
	return url.PathEscape(name), nil
}

// do sends a request and decodes a JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	return c.api.Do(ctx, method, path, query, in, out)
}

// one fetches one record at path and converts it.
func one[W, T any](ctx context.Context, c *Client, method, path string, in any, conv func(*W) T) (T, error) {
	var w W
	if err := c.do(ctx, method, path, nil, in, &w); err != nil {
		var zero T
		return zero, err
	}
	return conv(&w), nil
}

// many fetches {"<key>": [...]} and converts each record.
func many[W, T any](ctx context.Context, c *Client, method, path string, query url.Values, in any, key string, conv func(*W) T) ([]T, error) {
	var out map[string][]W
	if err := c.do(ctx, method, path, query, in, &out); err != nil {
		return nil, err
	}
	ws := out[key]
	ts := make([]T, len(ws))
	for i := range ws {
		ts[i] = conv(&ws[i])
	}
	return ts, nil
}

// hostPath is /v1/ihosts/{host}[/sub].
func hostPath(host, sub string) (string, error) {
	h, err := seg("host", host)
	if err != nil {
		return "", err
	}
	if sub != "" {
		sub = "/" + sub
	}
	return "/v1/ihosts/" + h + sub, nil
}

func hostMany[W, T any](ctx context.Context, c *Client, host, key string, conv func(*W) T) ([]T, error) {
	p, err := hostPath(host, key)
	if err != nil {
		return nil, err
	}
	return many(ctx, c, http.MethodGet, p, nil, nil, key, conv)
}

func (c *Client) del(ctx context.Context, coll, what, id string) error {
	s, err := seg(what, id)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, "/v1/"+coll+"/"+s, nil, nil, nil)
}

// GetHost returns a host by hostname, uuid or id (GET /v1/ihosts/{id}).
func (c *Client) GetHost(ctx context.Context, host string) (inventory.Host, error) {
	p, err := hostPath(host, "")
	if err != nil {
		return inventory.Host{}, err
	}
	return one(ctx, c, http.MethodGet, p, nil, (*hostJSON).host)
}

// ListHosts returns every host (GET /v1/ihosts).
func (c *Client) ListHosts(ctx context.Context) ([]inventory.Host, error) {
	return many(ctx, c, http.MethodGet, "/v1/ihosts", nil, nil, "ihosts", (*hostJSON).host)
}

// SetHostStatus writes host maintenance's fields (PUT /v1/ihosts/{id}/status).
func (c *Client) SetHostStatus(ctx context.Context, host string, st inventory.HostStatus) (inventory.Host, error) {
	p, err := hostPath(host, "status")
	if err != nil {
		return inventory.Host{}, err
	}
	return one(ctx, c, http.MethodPut, p, st, (*hostJSON).host)
}

// CheckUnlock asks whether host may be unlocked (GET /v1/ihosts/{id}/check_unlock).
func (c *Client) CheckUnlock(ctx context.Context, host string) error {
	p, err := hostPath(host, "check_unlock")
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodGet, p, nil, nil, nil)
}

// ReportInventory sends an agent's report (POST /v1/ihosts/inventory_report).
func (c *Client) ReportInventory(ctx context.Context, r inventory.Report) (inventory.Host, error) {
	return one(ctx, c, http.MethodPost, "/v1/ihosts/inventory_report", r, (*hostJSON).host)
}

// HostConfig returns a host's rendered configuration (GET /v1/ihosts/{id}/config).
func (c *Client) HostConfig(ctx context.Context, host string) (inventory.HostConfig, error) {
	var hc inventory.HostConfig
	p, err := hostPath(host, "config")
	if err != nil {
		return hc, err
	}
	err = c.do(ctx, http.MethodGet, p, nil, nil, &hc)
	return hc, err
}

// ReportConfigApplied records the config a host applied (PUT /v1/ihosts/{id}/config_applied).
func (c *Client) ReportConfigApplied(ctx context.Context, host, configUUID string) (inventory.Host, error) {
	p, err := hostPath(host, "config_applied")
	if err != nil {
		return inventory.Host{}, err
	}
	return one(ctx, c, http.MethodPut, p, configAppliedBody{ConfigUUID: configUUID}, (*hostJSON).host)
}

// GetSystem returns the system (GET /v1/isystems).
func (c *Client) GetSystem(ctx context.Context) (inventory.System, error) {
	ss, err := many(ctx, c, http.MethodGet, "/v1/isystems", nil, nil, "isystems", (*systemJSON).system)
	if err != nil {
		return inventory.System{}, err
	}
	if len(ss) == 0 {
		return inventory.System{}, fmt.Errorf("inventoryhttp: the system: %w", inventory.ErrNotFound)
	}
	return ss[0], nil
}

// UpdateSystem changes the system (PATCH /v1/isystems/{uuid}).
func (c *Client) UpdateSystem(ctx context.Context, u inventory.SystemUpdate) (inventory.System, error) {
	sys, err := c.GetSystem(ctx)
	if err != nil {
		return sys, err
	}
	s, err := seg("system", sys.UUID)
	if err != nil {
		return sys, err
	}
	return one(ctx, c, http.MethodPatch, "/v1/isystems/"+s, systemUpdatePatch(&u), (*systemJSON).system)
}

// AddHost creates a host (POST /v1/ihosts).
func (c *Client) AddHost(ctx context.Context, h inventory.HostSpec) (inventory.Host, error) {
	return one(ctx, c, http.MethodPost, "/v1/ihosts", hostBodyOf(&h), (*hostJSON).host)
}

// AddHosts creates hosts all or none (POST /v1/ihosts/bulk_add, Flock's JSON form).
func (c *Client) AddHosts(ctx context.Context, hs []inventory.HostSpec) ([]inventory.Host, error) {
	b := bulkBody{Hosts: make([]hostBody, len(hs))}
	for i := range hs {
		b.Hosts[i] = hostBodyOf(&hs[i])
	}
	return many(ctx, c, http.MethodPost, "/v1/ihosts/bulk_add", nil, b, "ihosts", (*hostJSON).host)
}

// UpdateHost changes a host (PATCH /v1/ihosts/{id}, a JSON patch).
func (c *Client) UpdateHost(ctx context.Context, host string, u inventory.HostUpdate) (inventory.Host, error) {
	p, err := hostPath(host, "")
	if err != nil {
		return inventory.Host{}, err
	}
	return one(ctx, c, http.MethodPatch, p, hostUpdatePatch(&u), (*hostJSON).host)
}

// DeleteHost deletes a host (DELETE /v1/ihosts/{id}).
func (c *Client) DeleteHost(ctx context.Context, host string) error {
	return c.del(ctx, "ihosts", "host", host)
}

// ListNodes returns a host's NUMA nodes (GET /v1/ihosts/{id}/inodes).
func (c *Client) ListNodes(ctx context.Context, host string) ([]inventory.Node, error) {
	return hostMany(ctx, c, host, "inodes", (*nodeJSON).node)
}

// ListCPUs returns a host's CPUs (GET /v1/ihosts/{id}/icpus).
func (c *Client) ListCPUs(ctx context.Context, host string) ([]inventory.CPU, error) {
	return hostMany(ctx, c, host, "icpus", (*cpuJSON).cpu)
}

// ModifyCPUs reassigns cores (PUT /v1/ihosts/{id}/state/host_cpus_modify).
func (c *Client) ModifyCPUs(ctx context.Context, host string, m inventory.CPUModify) ([]inventory.CPU, error) {
	p, err := hostPath(host, "state/host_cpus_modify")
	if err != nil {
		return nil, err
	}
	return many(ctx, c, http.MethodPut, p, nil, cpuModifyBodyOf(&m), "icpus", (*cpuJSON).cpu)
}

// ListMemory returns a host's memory (GET /v1/ihosts/{id}/imemorys).
func (c *Client) ListMemory(ctx context.Context, host string) ([]inventory.Memory, error) {
	return hostMany(ctx, c, host, "imemorys", (*memoryJSON).memory)
}

// ModifyMemory changes one NUMA node's memory: as host-memory-modify
// does, it finds the node's record, then patches it
// (PATCH /v1/imemorys/{uuid}).
func (c *Client) ModifyMemory(ctx context.Context, host string, numaNode int, u inventory.MemoryUpdate) (inventory.Memory, error) {
	mems, err := c.ListMemory(ctx, host)
	if err != nil {
		return inventory.Memory{}, err
	}
	for _, m := range mems {
		if m.NumaNode == numaNode {
			s, err := seg("memory", m.UUID)
			if err != nil {
				return inventory.Memory{}, err
			}
			return one(ctx, c, http.MethodPatch, "/v1/imemorys/"+s, memoryUpdatePatch(&u), (*memoryJSON).memory)
		}
	}
	return inventory.Memory{}, fmt.Errorf("inventoryhttp: host %q processor %d: %w", host, numaNode, inventory.ErrNotFound)
}

// ListDisks returns a host's disks (GET /v1/ihosts/{id}/idisks).
func (c *Client) ListDisks(ctx context.Context, host string) ([]inventory.Disk, error) {
	return hostMany(ctx, c, host, "idisks", (*diskJSON).disk)
}

// ListPartitions returns a host's partitions, or one disk's
// (GET /v1/ihosts/{id}[/idisks/{disk}]/partitions).
func (c *Client) ListPartitions(ctx context.Context, host, diskUUID string) ([]inventory.Partition, error) {
	sub := "partitions"
	if diskUUID != "" {
		d, err := seg("disk", diskUUID)
		if err != nil {
			return nil, err
		}
		sub = "idisks/" + d + "/partitions"
	}
	p, err := hostPath(host, sub)
	if err != nil {
		return nil, err
	}
	return many(ctx, c, http.MethodGet, p, nil, nil, "partitions", (*partitionJSON).partition)
}

// AddPartition creates a partition (POST /v1/partitions).
func (c *Client) AddPartition(ctx context.Context, host string, p inventory.PartitionSpec) (inventory.Partition, error) {
	b := partitionBody{HostUUID: host, DiskUUID: p.DiskUUID, SizeMiB: setInt(p.SizeMiB), TypeGUID: p.TypeGUID}
	return one(ctx, c, http.MethodPost, "/v1/partitions", b, (*partitionJSON).partition)
}

// ModifyPartition grows a partition (PATCH /v1/partitions/{uuid}).
func (c *Client) ModifyPartition(ctx context.Context, uuid string, sizeMiB int) (inventory.Partition, error) {
	s, err := seg("partition", uuid)
	if err != nil {
		return inventory.Partition{}, err
	}
	return one(ctx, c, http.MethodPatch, "/v1/partitions/"+s, []patchOp{replace("size_mib", sizeMiB)}, (*partitionJSON).partition)
}

// DeletePartition deletes a partition (DELETE /v1/partitions/{uuid}).
func (c *Client) DeletePartition(ctx context.Context, uuid string) error {
	return c.del(ctx, "partitions", "partition", uuid)
}

// ListLVGs returns a host's volume groups (GET /v1/ihosts/{id}/ilvgs).
func (c *Client) ListLVGs(ctx context.Context, host string) ([]inventory.LVG, error) {
	return hostMany(ctx, c, host, "ilvgs", (*lvgJSON).lvg)
}

// AddLVG creates a volume group (POST /v1/ilvgs).
func (c *Client) AddLVG(ctx context.Context, host, vgName string) (inventory.LVG, error) {
	return one(ctx, c, http.MethodPost, "/v1/ilvgs", lvgBody{HostUUID: host, LVMVGName: vgName}, (*lvgJSON).lvg)
}

// DeleteLVG deletes a volume group (DELETE /v1/ilvgs/{uuid}).
func (c *Client) DeleteLVG(ctx context.Context, uuid string) error {
	return c.del(ctx, "ilvgs", "volume group", uuid)
}

// ListPVs returns a host's physical volumes (GET /v1/ihosts/{id}/ipvs).
func (c *Client) ListPVs(ctx context.Context, host string) ([]inventory.PV, error) {
	return hostMany(ctx, c, host, "ipvs", (*pvJSON).pv)
}

// AddPV creates a physical volume (POST /v1/ipvs).
func (c *Client) AddPV(ctx context.Context, host string, p inventory.PVSpec) (inventory.PV, error) {
	return one(ctx, c, http.MethodPost, "/v1/ipvs", pvBody{HostUUID: host, LVGUUID: p.LVGUUID, DiskOrPartUUID: p.DiskOrPartUUID},
		(*pvJSON).pv)
}

// DeletePV deletes a physical volume (DELETE /v1/ipvs/{uuid}).
func (c *Client) DeletePV(ctx context.Context, uuid string) error {
	return c.del(ctx, "ipvs", "physical volume", uuid)
}

// ListStors returns a host's storage functions (GET /v1/ihosts/{id}/istors).
func (c *Client) ListStors(ctx context.Context, host string) ([]inventory.Stor, error) {
	return hostMany(ctx, c, host, "istors", (*storJSON).stor)
}

// AddStor gives a disk to a storage function (POST /v1/istors).
func (c *Client) AddStor(ctx context.Context, host string, s inventory.StorSpec) (inventory.Stor, error) {
	return one(ctx, c, http.MethodPost, "/v1/istors", storBody{HostUUID: host, DiskUUID: s.DiskUUID, Function: s.Function, TierName: s.TierName},
		(*storJSON).stor)
}

// DeleteStor removes a storage function (DELETE /v1/istors/{uuid}).
func (c *Client) DeleteStor(ctx context.Context, uuid string) error {
	return c.del(ctx, "istors", "stor", uuid)
}

// ListPorts returns a host's Ethernet ports (GET /v1/ihosts/{id}/ethernet_ports).
func (c *Client) ListPorts(ctx context.Context, host string) ([]inventory.Port, error) {
	return hostMany(ctx, c, host, "ethernet_ports", (*portJSON).port)
}

// ListInterfaces returns a host's interfaces (GET /v1/ihosts/{id}/iinterfaces).
func (c *Client) ListInterfaces(ctx context.Context, host string) ([]inventory.Interface, error) {
	return hostMany(ctx, c, host, "iinterfaces", (*interfaceJSON).iface)
}

// GetInterface returns an interface (GET /v1/iinterfaces/{uuid}).
func (c *Client) GetInterface(ctx context.Context, uuid string) (inventory.Interface, error) {
	s, err := seg("interface", uuid)
	if err != nil {
		return inventory.Interface{}, err
	}
	return one(ctx, c, http.MethodGet, "/v1/iinterfaces/"+s, nil, (*interfaceJSON).iface)
}

// AddInterface creates an interface (POST /v1/iinterfaces).
func (c *Client) AddInterface(ctx context.Context, host string, s inventory.InterfaceSpec) (inventory.Interface, error) {
	return one(ctx, c, http.MethodPost, "/v1/iinterfaces", interfaceBodyOf(host, &s), (*interfaceJSON).iface)
}

// UpdateInterface changes an interface (PATCH /v1/iinterfaces/{uuid}).
func (c *Client) UpdateInterface(ctx context.Context, uuid string, u inventory.InterfaceUpdate) (inventory.Interface, error) {
	s, err := seg("interface", uuid)
	if err != nil {
		return inventory.Interface{}, err
	}
	return one(ctx, c, http.MethodPatch, "/v1/iinterfaces/"+s, interfaceUpdatePatch(&u), (*interfaceJSON).iface)
}

// DeleteInterface deletes an interface (DELETE /v1/iinterfaces/{uuid}).
func (c *Client) DeleteInterface(ctx context.Context, uuid string) error {
	return c.del(ctx, "iinterfaces", "interface", uuid)
}

func interfaceNetwork(w *interfaceNetworkJSON) inventory.InterfaceNetwork { return w.InterfaceNetwork }

// ListInterfaceNetworks returns a host's network assignments
// (GET /v1/ihosts/{id}/interface_networks).
func (c *Client) ListInterfaceNetworks(ctx context.Context, host string) ([]inventory.InterfaceNetwork, error) {
	return hostMany(ctx, c, host, "interface_networks", interfaceNetwork)
}

// AssignInterfaceNetwork puts an interface on a network (POST /v1/interface_networks).
func (c *Client) AssignInterfaceNetwork(ctx context.Context, interfaceUUID, network string) (inventory.InterfaceNetwork, error) {
	return one(ctx, c, http.MethodPost, "/v1/interface_networks",
		interfaceNetworkBody{InterfaceUUID: interfaceUUID, NetworkUUID: network}, interfaceNetwork)
}

// RemoveInterfaceNetwork undoes an assignment (DELETE /v1/interface_networks/{uuid}).
func (c *Client) RemoveInterfaceNetwork(ctx context.Context, uuid string) error {
	return c.del(ctx, "interface_networks", "interface network", uuid)
}

// ListAddresses returns a host's addresses (GET /v1/ihosts/{id}/addresses).
func (c *Client) ListAddresses(ctx context.Context, host string) ([]inventory.Address, error) {
	return hostMany(ctx, c, host, "addresses", (*addressJSON).address)
}

// ListRoutes returns a host's routes (GET /v1/ihosts/{id}/routes).
func (c *Client) ListRoutes(ctx context.Context, host string) ([]inventory.Route, error) {
	return hostMany(ctx, c, host, "routes", (*routeJSON).route)
}

// ListNetworks returns the networks (GET /v1/networks).
func (c *Client) ListNetworks(ctx context.Context) ([]inventory.Network, error) {
	return many(ctx, c, http.MethodGet, "/v1/networks", nil, nil, "networks", (*networkJSON).network)
}

// GetNetwork returns a network by name, uuid or id (GET /v1/networks/{id}).
func (c *Client) GetNetwork(ctx context.Context, network string) (inventory.Network, error) {
	s, err := seg("network", network)
	if err != nil {
		return inventory.Network{}, err
	}
	return one(ctx, c, http.MethodGet, "/v1/networks/"+s, nil, (*networkJSON).network)
}

// AddNetwork creates a network (POST /v1/networks).
func (c *Client) AddNetwork(ctx context.Context, s inventory.NetworkSpec) (inventory.Network, error) {
	b := networkBody{Name: s.Name, Type: string(s.Type), Dynamic: flexBool{v: s.Dynamic, set: true}, PoolUUID: s.PoolUUID}
	return one(ctx, c, http.MethodPost, "/v1/networks", b, (*networkJSON).network)
}

// DeleteNetwork deletes a network (DELETE /v1/networks/{id}).
func (c *Client) DeleteNetwork(ctx context.Context, network string) error {
	return c.del(ctx, "networks", "network", network)
}

// ListAddressPools returns the pools (GET /v1/addrpools).
func (c *Client) ListAddressPools(ctx context.Context) ([]inventory.AddressPool, error) {
	return many(ctx, c, http.MethodGet, "/v1/addrpools", nil, nil, "addrpools", (*poolJSON).pool)
}

// GetAddressPool returns a pool by name, uuid or id (GET /v1/addrpools/{id}).
func (c *Client) GetAddressPool(ctx context.Context, pool string) (inventory.AddressPool, error) {
	s, err := seg("address pool", pool)
	if err != nil {
		return inventory.AddressPool{}, err
	}
	return one(ctx, c, http.MethodGet, "/v1/addrpools/"+s, nil, (*poolJSON).pool)
}

// AddAddressPool creates a pool (POST /v1/addrpools).
func (c *Client) AddAddressPool(ctx context.Context, s inventory.AddressPoolSpec) (inventory.AddressPool, error) {
	return one(ctx, c, http.MethodPost, "/v1/addrpools", poolBodyOf(&s), (*poolJSON).pool)
}

// UpdateAddressPool changes a pool (PATCH /v1/addrpools/{id}).
func (c *Client) UpdateAddressPool(ctx context.Context, pool string, u inventory.AddressPoolUpdate) (inventory.AddressPool, error) {
	s, err := seg("address pool", pool)
	if err != nil {
		return inventory.AddressPool{}, err
	}
	return one(ctx, c, http.MethodPatch, "/v1/addrpools/"+s, poolUpdatePatch(&u), (*poolJSON).pool)
}

// DeleteAddressPool deletes a pool (DELETE /v1/addrpools/{id}).
func (c *Client) DeleteAddressPool(ctx context.Context, pool string) error {
	return c.del(ctx, "addrpools", "address pool", pool)
}

// ListDataNetworks returns the data networks (GET /v1/datanetworks).
func (c *Client) ListDataNetworks(ctx context.Context) ([]inventory.DataNetwork, error) {
	return many(ctx, c, http.MethodGet, "/v1/datanetworks", nil, nil, "datanetworks", (*dataNetworkJSON).dataNetwork)
}

// AddDataNetwork creates a data network (POST /v1/datanetworks).
func (c *Client) AddDataNetwork(ctx context.Context, d inventory.DataNetwork) (inventory.DataNetwork, error) {
	return one(ctx, c, http.MethodPost, "/v1/datanetworks", dataNetworkBodyOf(&d), (*dataNetworkJSON).dataNetwork)
}

// DeleteDataNetwork deletes a data network (DELETE /v1/datanetworks/{id}).
func (c *Client) DeleteDataNetwork(ctx context.Context, dataNetwork string) error {
	return c.del(ctx, "datanetworks", "data network", dataNetwork)
}

// ListLabels returns a host's labels (GET /v1/ihosts/{id}/labels).
func (c *Client) ListLabels(ctx context.Context, host string) ([]inventory.Label, error) {
	return hostMany(ctx, c, host, "labels", (*labelJSON).label)
}

// AssignLabels sets labels (POST /v1/labels/{host}?overwrite=).
func (c *Client) AssignLabels(ctx context.Context, host string, labels map[string]string, overwrite bool) ([]inventory.Label, error) {
	h, err := seg("host", host)
	if err != nil {
		return nil, err
	}
	q := url.Values{"overwrite": {"False"}} // as the system CLI writes it
	if overwrite {
		q.Set("overwrite", "True")
	}
	if labels == nil {
		labels = map[string]string{}
	}
	return many(ctx, c, http.MethodPost, "/v1/labels/"+h, q, labels, "labels", (*labelJSON).label)
}

// RemoveLabel removes a label (DELETE /v1/labels/{uuid}).
func (c *Client) RemoveLabel(ctx context.Context, uuid string) error {
	return c.del(ctx, "labels", "label", uuid)
}

// ListStorageBackends returns the backends (GET /v1/storage_backend).
func (c *Client) ListStorageBackends(ctx context.Context) ([]inventory.StorageBackend, error) {
	return many(ctx, c, http.MethodGet, "/v1/storage_backend", nil, nil, "storage_backends", (*backendJSON).backend)
}

// AddStorageBackend configures a backend (POST /v1/storage_backend).
func (c *Client) AddStorageBackend(ctx context.Context, s inventory.StorageBackendSpec) (inventory.StorageBackend, error) {
	b := backendBody{Backend: string(s.Backend), Name: s.Name, Capabilities: s.Capabilities}
	if s.Services != nil {
		b.Services, _ = json.Marshal(s.Services)
	}
	return one(ctx, c, http.MethodPost, "/v1/storage_backend", b, (*backendJSON).backend)
}

// DeleteStorageBackend removes a backend (DELETE /v1/storage_backend/{uuid}).
func (c *Client) DeleteStorageBackend(ctx context.Context, uuid string) error {
	return c.del(ctx, "storage_backend", "storage backend", uuid)
}

// ListServiceParameters returns parameters (GET /v1/service_parameter?q.field=...).
func (c *Client) ListServiceParameters(ctx context.Context, q inventory.ServiceParameterQuery) ([]inventory.ServiceParameter, error) {
	v := url.Values{}
	for _, f := range []struct{ name, val string }{{"service", q.Service}, {"section", q.Section}, {"name", q.Name}} {
		if f.val != "" {
			v.Add("q.field", f.name)
			v.Add("q.op", "eq")
			v.Add("q.value", f.val)
		}
	}
	return many(ctx, c, http.MethodGet, "/v1/service_parameter", v, nil, "parameters", (*parameterJSON).parameter)
}

// AddServiceParameters adds parameters (POST /v1/service_parameter).
func (c *Client) AddServiceParameters(ctx context.Context, service, section string, params map[string]string, personality, resource string) ([]inventory.ServiceParameter, error) {
	b := parameterBody{Service: service, Section: section, Parameters: make(map[string]*string, len(params))}
	for k, v := range params {
		b.Parameters[k] = &v
	}
	if personality != "" {
		b.Personality = &personality
	}
	if resource != "" {
		b.Resource = &resource
	}
	return many(ctx, c, http.MethodPost, "/v1/service_parameter", nil, b, "parameters", (*parameterJSON).parameter)
}

// UpdateServiceParameter changes a value (PATCH /v1/service_parameter/{uuid}).
func (c *Client) UpdateServiceParameter(ctx context.Context, uuid, value string) (inventory.ServiceParameter, error) {
	s, err := seg("service parameter", uuid)
	if err != nil {
		return inventory.ServiceParameter{}, err
	}
	return one(ctx, c, http.MethodPatch, "/v1/service_parameter/"+s, []patchOp{replace("value", value)}, (*parameterJSON).parameter)
}

// DeleteServiceParameter deletes a parameter (DELETE /v1/service_parameter/{uuid}).
func (c *Client) DeleteServiceParameter(ctx context.Context, uuid string) error {
	return c.del(ctx, "service_parameter", "service parameter", uuid)
}

// HostSnapshot returns one host's whole inventory (GET
// /v1/ihosts/{id}/snapshot).
func (c *Client) HostSnapshot(ctx context.Context, host string) (inventory.Snapshot, error) {
	p, err := seg("host", host)
	if err != nil {
		return inventory.Snapshot{}, err
	}
	var s inventory.Snapshot
	err = c.do(ctx, http.MethodGet, "/v1/ihosts/"+p+"/snapshot", nil, nil, &s)
	return s, err
}

// Snapshot returns the whole inventory (GET /v1/snapshot).
func (c *Client) Snapshot(ctx context.Context) (inventory.Snapshot, error) {
	var s inventory.Snapshot
	err := c.do(ctx, http.MethodGet, "/v1/snapshot", nil, nil, &s)
	return s, err
}
