package inventoryhttp

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/inventory"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3 document of the REST API.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

// errTable maps inventory's sentinels to HTTP. The messages are what
// clients are told of a 5xx; the error itself goes to the handler's log.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: inventory.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: inventory.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: inventory.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusConflict},
		{Err: inventory.ErrConflict, Code: "conflict", Status: http.StatusConflict},
		{Err: inventory.ErrUnavailable, Code: "unavailable", Status: http.StatusServiceUnavailable,
			Message: "the inventory is unavailable for now (its database cannot take the request); retry later"},
		{Err: inventory.ErrUnimplemented, Code: "unimplemented", Status: http.StatusNotImplemented,
			Message: "not implemented by this inventory service"},
		{Err: inventory.ErrClosed, Code: "closed", Status: http.StatusServiceUnavailable,
			Message: "the inventory is shutting down"},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout,
			Message: "the request took too long"},
	},
	Invalid: inventory.ErrInvalid,
	NewFieldError: func(field, reason string) error {
		return &inventory.FieldError{Field: field, Reason: reason}
	},
	RuleOf: func(err error) (string, string, bool) {
		re, ok := errors.AsType[*inventory.RuleError](err)
		if !ok {
			return "", "", false
		}
		return re.Rule, re.Reason, true
	},
	NewRuleError: func(rule, reason string, kind error) error {
		return &inventory.RuleError{Rule: rule, Reason: reason, Kind: kind}
	},
	OpenStackEnvelope: true,
}

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MaxBody caps request bodies (default 4 MiB: an agent's report of a
	// large host, or a bulk add of a thousand hosts).
	MaxBody int64
	// Logger receives the detail of every request answered with a 5xx,
	// under the request id the answer carries. nil discards.
	Logger *slog.Logger
}

type server struct {
	svc     inventory.Service
	maxBody int64
	log     *slog.Logger
}

// NewHandler returns sysinv's REST API over svc under /v1: the paths,
// bodies and error answers StarlingX's system CLI uses. It does no
// authentication: wrap it (the stx package does). Every answer carries a
// request id (X-Request-Id and X-Openstack-Request-Id).
//
//	GET         /v1/isystems, /v1/isystems/{uuid}; PATCH /v1/isystems/{uuid}
//	GET, POST   /v1/ihosts; GET, PATCH, DELETE /v1/ihosts/{id}
//	POST        /v1/ihosts/bulk_add              ({"ihosts": [...]})
//	GET         /v1/ihosts/{id}/inodes, icpus, imemorys, idisks, partitions,
//	            ilvgs, ipvs, istors, ports, ethernet_ports, iinterfaces,
//	            interface_networks, addresses, routes, labels
//	GET         /v1/ihosts/{id}/idisks/{disk}/partitions
//	PUT         /v1/ihosts/{id}/state/host_cpus_modify
//	GET         /v1/icpus/{uuid}, /v1/idisks/{uuid}, /v1/ports/{uuid}
//	GET, PATCH  /v1/imemorys/{uuid}
//	POST        /v1/partitions; GET, PATCH, DELETE /v1/partitions/{uuid}
//	POST        /v1/ilvgs, /v1/ipvs, /v1/istors; GET, DELETE .../{uuid}
//	POST        /v1/iinterfaces; GET, PATCH, DELETE /v1/iinterfaces/{uuid}
//	GET         /v1/iinterfaces/{uuid}/ports, /v1/iinterfaces/{uuid}/interface_networks
//	POST        /v1/interface_networks; GET, DELETE /v1/interface_networks/{uuid}
//	GET, POST   /v1/networks, /v1/addrpools, /v1/datanetworks, /v1/storage_backend, /v1/service_parameter
//	GET, DELETE /v1/networks/{id}, /v1/datanetworks/{id}, /v1/storage_backend/{uuid}
//	GET, PATCH, DELETE /v1/addrpools/{id}, /v1/service_parameter/{uuid}
//	POST        /v1/labels/{host}?overwrite=; GET, DELETE /v1/labels/{uuid}
//
// Flock's additions, for the Service methods sysinv serves over RPC:
//
//	PUT  /v1/ihosts/{id}/status            HostStatus (host maintenance)
//	GET  /v1/ihosts/{id}/check_unlock      204, or the rule refusing it
//	POST /v1/ihosts/inventory_report       Report (the agent)
//	GET  /v1/ihosts/{id}/config            the rendered HostConfig
//	PUT  /v1/ihosts/{id}/config_applied    {"config_uuid": "..."}
//	GET  /v1/snapshot                      the whole inventory
//	GET  /v1/ihosts/{id}/snapshot          one host's whole inventory
//	GET  /v1/openapi.json
func NewHandler(svc inventory.Service, opts *HandlerOptions) http.Handler {
	s := &server{svc: svc, maxBody: 4 << 20, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.MaxBody > 0 {
			s.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
	}
	mux := http.NewServeMux()
	h := mux.HandleFunc

	h("GET /v1/isystems", s.listSystems)
	h("GET /v1/isystems/{uuid}", s.getSystem)
	h("PATCH /v1/isystems/{uuid}", s.patchSystem)

	h("GET /v1/ihosts", s.listHosts)
	h("POST /v1/ihosts", s.addHost)
	h("GET /v1/ihosts/{id}", s.getHost)
	h("PATCH /v1/ihosts/{id}", s.patchHost)
	h("DELETE /v1/ihosts/{id}", s.deleteHost)
	h("POST /v1/ihosts/bulk_add", s.bulkAdd)
	h("GET /v1/ihosts/bulk_export", s.bulkExport)
	h("PUT /v1/ihosts/{id}/status", s.setStatus)
	h("GET /v1/ihosts/{id}/check_unlock", s.checkUnlock)
	h("POST /v1/ihosts/inventory_report", s.report)
	h("GET /v1/ihosts/{id}/config", s.hostConfig)
	h("PUT /v1/ihosts/{id}/config_applied", s.configApplied)
	h("GET /v1/snapshot", s.snapshot)
	h("GET /v1/ihosts/{id}/snapshot", s.hostSnapshot)

	h("GET /v1/ihosts/{id}/inodes", hostList(s, "inodes", svc.ListNodes, nodeOf))
	h("GET /v1/ihosts/{id}/icpus", hostList(s, "icpus", svc.ListCPUs, cpuOf))
	h("GET /v1/icpus/{uuid}", s.getCPU)
	h("PUT /v1/ihosts/{id}/state/host_cpus_modify", s.modifyCPUs)
	h("GET /v1/ihosts/{id}/imemorys", s.listMemory)
	h("GET /v1/imemorys/{uuid}", s.getMemory)
	h("PATCH /v1/imemorys/{uuid}", s.patchMemory)
	h("GET /v1/ihosts/{id}/idisks", hostList(s, "idisks", svc.ListDisks, diskOf))
	h("GET /v1/idisks/{uuid}", s.getDisk)
	h("GET /v1/ihosts/{id}/partitions", s.listPartitions)
	h("GET /v1/ihosts/{id}/idisks/{disk}/partitions", s.listPartitions)
	h("POST /v1/partitions", s.addPartition)
	h("GET /v1/partitions/{uuid}", s.getPartition)
	h("PATCH /v1/partitions/{uuid}", s.patchPartition)
	h("DELETE /v1/partitions/{uuid}", s.deleteBy(svc.DeletePartition))
	h("GET /v1/ihosts/{id}/ilvgs", hostList(s, "ilvgs", svc.ListLVGs, lvgOf))
	h("POST /v1/ilvgs", s.addLVG)
	h("GET /v1/ilvgs/{uuid}", s.getLVG)
	h("DELETE /v1/ilvgs/{uuid}", s.deleteBy(svc.DeleteLVG))
	h("GET /v1/ihosts/{id}/ipvs", hostList(s, "ipvs", svc.ListPVs, pvOf))
	h("POST /v1/ipvs", s.addPV)
	h("GET /v1/ipvs/{uuid}", s.getPV)
	h("DELETE /v1/ipvs/{uuid}", s.deleteBy(svc.DeletePV))
	h("GET /v1/ihosts/{id}/istors", hostList(s, "istors", svc.ListStors, storOf))
	h("POST /v1/istors", s.addStor)
	h("GET /v1/istors/{uuid}", s.getStor)
	h("DELETE /v1/istors/{uuid}", s.deleteBy(svc.DeleteStor))

	h("GET /v1/ihosts/{id}/ports", hostList(s, "ports", svc.ListPorts, portOf))
	h("GET /v1/ihosts/{id}/ethernet_ports", hostList(s, "ethernet_ports", svc.ListPorts, portOf))
	h("GET /v1/ports/{uuid}", s.getPort)
	h("GET /v1/ethernet_ports/{uuid}", s.getPort)
	h("GET /v1/ihosts/{id}/iinterfaces", hostList(s, "iinterfaces", svc.ListInterfaces, interfaceOf))
	h("POST /v1/iinterfaces", s.addInterface)
	h("GET /v1/iinterfaces/{uuid}", s.getInterface)
	h("PATCH /v1/iinterfaces/{uuid}", s.patchInterface)
	h("DELETE /v1/iinterfaces/{uuid}", s.deleteBy(svc.DeleteInterface))
	h("GET /v1/iinterfaces/{uuid}/ports", s.interfacePorts)
	h("GET /v1/iinterfaces/{uuid}/interface_networks", s.interfaceNetworksOfInterface)
	h("GET /v1/ihosts/{id}/interface_networks", s.listInterfaceNetworks)
	h("POST /v1/interface_networks", s.assignInterfaceNetwork)
	h("GET /v1/interface_networks/{uuid}", s.getInterfaceNetwork)
	h("DELETE /v1/interface_networks/{uuid}", s.deleteBy(svc.RemoveInterfaceNetwork))
	h("GET /v1/ihosts/{id}/addresses", hostList(s, "addresses", svc.ListAddresses, addressOf))
	h("GET /v1/ihosts/{id}/routes", hostList(s, "routes", svc.ListRoutes, routeOf))

	h("GET /v1/networks", s.listNetworks)
	h("POST /v1/networks", s.addNetwork)
	h("GET /v1/networks/{id}", s.getNetwork)
	h("DELETE /v1/networks/{id}", s.deleteBy(svc.DeleteNetwork))
	h("GET /v1/addrpools", s.listPools)
	h("POST /v1/addrpools", s.addPool)
	h("GET /v1/addrpools/{id}", s.getPool)
	h("PATCH /v1/addrpools/{id}", s.patchPool)
	h("DELETE /v1/addrpools/{id}", s.deleteBy(svc.DeleteAddressPool))
	h("GET /v1/datanetworks", s.listDataNetworks)
	h("POST /v1/datanetworks", s.addDataNetwork)
	h("GET /v1/datanetworks/{id}", s.getDataNetwork)
	h("DELETE /v1/datanetworks/{id}", s.deleteBy(svc.DeleteDataNetwork))

	h("GET /v1/ihosts/{id}/labels", hostList(s, "labels", svc.ListLabels, labelOf))
	h("POST /v1/labels/{id}", s.assignLabels)
	h("GET /v1/labels/{id}", s.getLabel)
	h("DELETE /v1/labels/{id}", s.deleteBy(svc.RemoveLabel))

	h("GET /v1/storage_backend", s.listBackends)
	h("POST /v1/storage_backend", s.addBackend)
	h("GET /v1/storage_backend/{uuid}", s.getBackend)
	h("DELETE /v1/storage_backend/{uuid}", s.deleteBy(svc.DeleteStorageBackend))

	h("GET /v1/service_parameter", s.listParameters)
	h("POST /v1/service_parameter", s.addParameters)
	h("GET /v1/service_parameter/{uuid}", s.getParameter)
	h("PATCH /v1/service_parameter/{uuid}", s.patchParameter)
	h("DELETE /v1/service_parameter/{uuid}", s.deleteBy(svc.DeleteServiceParameter))

	h("GET /v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		errTable.Write(w, r, nil, fmt.Errorf("%w: no resource %s %s", inventory.ErrNotFound, r.Method, r.URL.Path))
	})
	return httpx.WithRequestID(trimSlash(mux))
}

// trimSlash serves /v1/partitions/ as /v1/partitions: the system CLI
// posts partitions there.
func trimSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; len(p) > 4 && strings.HasSuffix(p, "/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = strings.TrimSuffix(p, "/"), strings.TrimSuffix(r.URL.RawPath, "/")
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	errTable.Write(w, r, s.log, err)
}

// reply writes v, or the error.
func (s *server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, v)
}

// decode reads the request body strictly into v.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	return errTable.DecodeJSON(w, r, s.maxBody, v)
}

// readPatch reads a JSON patch body.
func (s *server) readPatch(w http.ResponseWriter, r *http.Request) ([]patchOp, error) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		return nil, err
	}
	return decodePatch(data)
}

// writeList writes {"<key>":[items...]} item by item through
// encoding/json, so that a list of thousands of records is never one
// buffer.
func writeList(w http.ResponseWriter, status int, key string, n int, item func(i int) any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	_, _ = bw.WriteString(`{"` + key + `":[`)
	for i := range n {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if err := enc.Encode(item(i)); err != nil {
			return // the client went away; nothing can be said to it now
		}
	}
	_, _ = bw.WriteString("]}\n")
	_ = bw.Flush()
}

func writeSlice[T, W any](w http.ResponseWriter, key string, items []T, conv func(*T) W) {
	writeSliceStatus(w, http.StatusOK, key, items, conv)
}

func writeSliceStatus[T, W any](w http.ResponseWriter, status int, key string, items []T, conv func(*T) W) {
	writeList(w, status, key, len(items), func(i int) any { v := conv(&items[i]); return &v })
}

// hostList serves GET /v1/ihosts/{id}/<key>.
func hostList[T, W any](s *server, key string, fetch func(context.Context, string) ([]T, error), conv func(*T) W) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		items, err := fetch(r.Context(), r.PathValue("id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeSlice(w, key, items, conv)
	}
}

// deleteBy serves DELETE of one record by the path's one wildcard.
func (s *server) deleteBy(del func(context.Context, string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("uuid")
		if id == "" {
			id = r.PathValue("id")
		}
		if err := del(r.Context(), id); err != nil {
			s.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// findOnHosts looks a host's record up by uuid (or id, as sysinv
// takes either) over every host: the
// Service has no getter by uuid for these records.
func findOnHosts[T any](ctx context.Context, s *server, what, uuid string, fetch func(context.Context, string) ([]T, error), key func(*T) (string, int64)) (T, error) {
	var zero T
	hosts, err := s.svc.ListHosts(ctx)
	if err != nil {
		return zero, err
	}
	for _, h := range hosts {
		items, err := fetch(ctx, h.UUID)
		if errors.Is(err, inventory.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return zero, err
		}
		if v, ok := find(items, uuid, func(t *T) (string, string, int64) { u, id := key(t); return u, "", id }); ok {
			return *v, nil
		}
	}
	return zero, fmt.Errorf("%s %q: %w", what, uuid, inventory.ErrNotFound)
}

// find returns the item whose uuid, name (where it has one) or id is key.
func find[T any](items []T, key string, ids func(*T) (uuid, name string, id int64)) (*T, bool) {
	for i := range items {
		if u, name, id := ids(&items[i]); u == key || (name != "" && name == key) || strconv.FormatInt(id, 10) == key {
			return &items[i], true
		}
	}
	return nil, false
}

// getOnHosts serves GET of a host's record by uuid.
func getOnHosts[T, W any](s *server, what string, fetch func(context.Context, string) ([]T, error), id func(*T) (string, int64), conv func(*T) W) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := findOnHosts(r.Context(), s, what, r.PathValue("uuid"), fetch, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, conv(&v))
	}
}

// System.

func (s *server) listSystems(w http.ResponseWriter, r *http.Request) {
	sys, err := s.svc.GetSystem(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "isystems", []inventory.System{sys}, systemOf)
}

// system returns the system if uuid names it (its uuid, or its id).
func (s *server) system(ctx context.Context, uuid string) (inventory.System, error) {
	sys, err := s.svc.GetSystem(ctx)
	if err != nil {
		return sys, err
	}
	if uuid != sys.UUID && uuid != strconv.FormatInt(sys.ID, 10) {
		return sys, fmt.Errorf("system %q: %w", uuid, inventory.ErrNotFound)
	}
	return sys, nil
}

func (s *server) getSystem(w http.ResponseWriter, r *http.Request) {
	sys, err := s.system(r.Context(), r.PathValue("uuid"))
	s.reply(w, r, http.StatusOK, systemOf(&sys), err)
}

func (s *server) patchSystem(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sys, err := s.system(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := systemUpdate(ops, &sys)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sys, err = s.svc.UpdateSystem(r.Context(), u)
	s.reply(w, r, http.StatusOK, systemOf(&sys), err)
}

// Hosts.

func (s *server) listHosts(w http.ResponseWriter, r *http.Request) {
	hs, err := s.svc.ListHosts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "ihosts", hs, hostOf)
}

func (s *server) getHost(w http.ResponseWriter, r *http.Request) {
	h, err := s.svc.GetHost(r.Context(), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, hostOf(&h), err)
}

func (s *server) addHost(w http.ResponseWriter, r *http.Request) {
	var b hostBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.AddHost(r.Context(), spec)
	s.reply(w, r, http.StatusCreated, hostOf(&h), err)
}

// bulkAdd is POST /v1/ihosts/bulk_add. Flock's JSON form,
// {"ihosts": [host, ...]}, answers the hosts created; every host is
// checked before any is created.
func (s *server) bulkAdd(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		s.bulkAddXML(w, r)
		return
	}
	var b bulkBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.Hosts == nil {
		s.fail(w, r, inventory.Fieldf("ihosts", "is required"))
		return
	}
	specs := make([]inventory.HostSpec, 0, len(b.Hosts))
	for i := range b.Hosts {
		spec, err := b.Hosts[i].spec()
		if err != nil {
			var fe *inventory.FieldError
			if errors.As(err, &fe) {
				err = &inventory.FieldError{Field: fmt.Sprintf("ihosts[%d].%s", i, fe.Field), Reason: fe.Reason}
			}
			s.fail(w, r, err)
			return
		}
		specs = append(specs, spec)
	}
	hs, err := s.svc.AddHosts(r.Context(), specs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSliceStatus(w, http.StatusCreated, "ihosts", hs, hostOf)
}

// bulkAddXML is host-bulk-add's upload: a multipart body whose part
// "file" is StarlingX's bulk host XML. As sysinv, it answers 200 with
// {"success": "\n <hostname>" per host added, "error": why none was}:
// every host is checked before any is created, so the error is the
// whole answer.
func (s *server) bulkAddXML(w http.ResponseWriter, r *http.Request) {
	answer := func(success, errText string) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"success": success, "error": errText})
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	mr, err := r.MultipartReader()
	if err != nil {
		answer("", "No hosts have been added, invalid upload: "+err.Error())
		return
	}
	var specs []inventory.HostSpec
	found := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			answer("", "No hosts have been added, invalid upload: "+err.Error())
			return
		}
		if part.FormName() != "file" {
			continue
		}
		found = true
		if specs, err = inventory.ParseBulkXML(part); err != nil {
			answer("", "No hosts have been added, "+err.Error())
			return
		}
		break
	}
	if !found {
		answer("", "Error: No file uploaded")
		return
	}
	hs, err := s.svc.AddHosts(r.Context(), specs)
	if err != nil {
		if errors.Is(err, inventory.ErrUnavailable) || !isClientError(err) {
			s.fail(w, r, err)
			return
		}
		answer("", "No hosts have been added, "+err.Error())
		return
	}
	var ok strings.Builder
	for _, h := range hs {
		ok.WriteString("\n " + h.Hostname)
	}
	answer(ok.String(), "")
}

// isClientError reports whether err is the caller's to fix (bad input or
// a rule), which bulk add reports in its answer rather than as an error.
func isClientError(err error) bool {
	return errors.Is(err, inventory.ErrInvalid) || errors.Is(err, inventory.ErrConflict) ||
		errors.Is(err, inventory.ErrInvalidTransition) || errors.Is(err, inventory.ErrNotFound)
}

// bulkExport is GET /v1/ihosts/bulk_export.
func (s *server) bulkExport(w http.ResponseWriter, r *http.Request) {
	hs, err := s.svc.ListHosts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sys, err := s.svc.GetSystem(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := inventory.WriteBulkXML(&buf, hs, sys.SoftwareVersion); err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"content": buf.String()})
}

func (s *server) patchHost(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := hostUpdate(ops)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.UpdateHost(r.Context(), r.PathValue("id"), u)
	s.reply(w, r, http.StatusOK, hostOf(&h), err)
}

func (s *server) deleteHost(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteHost(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) setStatus(w http.ResponseWriter, r *http.Request) {
	var st inventory.HostStatus
	if err := s.decode(w, r, &st); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.SetHostStatus(r.Context(), r.PathValue("id"), st)
	s.reply(w, r, http.StatusOK, hostOf(&h), err)
}

func (s *server) checkUnlock(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.CheckUnlock(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) report(w http.ResponseWriter, r *http.Request) {
	var rep inventory.Report
	if err := s.decode(w, r, &rep); err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.MgmtMAC == "" {
		s.fail(w, r, inventory.Fieldf("mgmt_mac", "is required"))
		return
	}
	h, err := s.svc.ReportInventory(r.Context(), rep)
	s.reply(w, r, http.StatusOK, hostOf(&h), err)
}

func (s *server) hostConfig(w http.ResponseWriter, r *http.Request) {
	c, err := s.svc.HostConfig(r.Context(), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *server) configApplied(w http.ResponseWriter, r *http.Request) {
	var b configAppliedBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.ConfigUUID == "" {
		s.fail(w, r, inventory.Fieldf("config_uuid", "is required"))
		return
	}
	h, err := s.svc.ReportConfigApplied(r.Context(), r.PathValue("id"), b.ConfigUUID)
	s.reply(w, r, http.StatusOK, hostOf(&h), err)
}

func (s *server) snapshot(w http.ResponseWriter, r *http.Request) {
	snap, err := s.svc.Snapshot(r.Context())
	s.reply(w, r, http.StatusOK, snap, err)
}

func (s *server) hostSnapshot(w http.ResponseWriter, r *http.Request) {
	snap, err := s.svc.HostSnapshot(r.Context(), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, snap, err)
}

// CPUs and memory.

func (s *server) getCPU(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "cpu", s.svc.ListCPUs, func(c *inventory.CPU) (string, int64) { return c.UUID, c.ID }, cpuOf)(w, r)
}

func (s *server) modifyCPUs(w http.ResponseWriter, r *http.Request) {
	var b []cpuModifyBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := parseCPUModify(b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cpus, err := s.svc.ModifyCPUs(r.Context(), r.PathValue("id"), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "icpus", cpus, cpuOf)
}

// inodes maps a host's NUMA node numbers to their uuids.
func (s *server) inodes(ctx context.Context, host string) (map[int]string, error) {
	nodes, err := s.svc.ListNodes(ctx, host)
	if err != nil {
		return nil, err
	}
	m := make(map[int]string, len(nodes))
	for _, n := range nodes {
		m[n.NumaNode] = n.UUID
	}
	return m, nil
}

func (s *server) listMemory(w http.ResponseWriter, r *http.Request) {
	host := r.PathValue("id")
	mems, err := s.svc.ListMemory(r.Context(), host)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	nodes, err := s.inodes(r.Context(), host)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "imemorys", mems, func(m *inventory.Memory) memoryJSON { return memoryOf(m, nodes[m.NumaNode]) })
}

func (s *server) findMemory(ctx context.Context, uuid string) (inventory.Memory, map[int]string, error) {
	m, err := findOnHosts(ctx, s, "memory", uuid, s.svc.ListMemory, func(m *inventory.Memory) (string, int64) { return m.UUID, m.ID })
	if err != nil {
		return m, nil, err
	}
	nodes, err := s.inodes(ctx, m.HostUUID)
	return m, nodes, err
}

func (s *server) getMemory(w http.ResponseWriter, r *http.Request) {
	m, nodes, err := s.findMemory(r.Context(), r.PathValue("uuid"))
	s.reply(w, r, http.StatusOK, memoryOf(&m, nodes[m.NumaNode]), err)
}

func (s *server) patchMemory(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := memoryUpdate(ops)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, nodes, err := s.findMemory(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, err = s.svc.ModifyMemory(r.Context(), m.HostUUID, m.NumaNode, u)
	s.reply(w, r, http.StatusOK, memoryOf(&m, nodes[m.NumaNode]), err)
}

// Storage.

func (s *server) getDisk(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "disk", s.svc.ListDisks, func(d *inventory.Disk) (string, int64) { return d.UUID, d.ID }, diskOf)(w, r)
}

func (s *server) listPartitions(w http.ResponseWriter, r *http.Request) {
	ps, err := s.svc.ListPartitions(r.Context(), r.PathValue("id"), r.PathValue("disk"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "partitions", ps, partitionOf)
}

func (s *server) listAllPartitions(ctx context.Context, host string) ([]inventory.Partition, error) {
	return s.svc.ListPartitions(ctx, host, "")
}

func (s *server) getPartition(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "partition", s.listAllPartitions, func(p *inventory.Partition) (string, int64) { return p.UUID, p.ID }, partitionOf)(w, r)
}

func (s *server) addPartition(w http.ResponseWriter, r *http.Request) {
	var b partitionBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	host, spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.AddPartition(r.Context(), host, spec)
	s.reply(w, r, http.StatusCreated, partitionOf(&p), err)
}

func (s *server) patchPartition(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	size, err := partitionSize(ops)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.ModifyPartition(r.Context(), r.PathValue("uuid"), size)
	s.reply(w, r, http.StatusOK, partitionOf(&p), err)
}

func (s *server) addLVG(w http.ResponseWriter, r *http.Request) {
	var b lvgBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case b.HostUUID == "":
		s.fail(w, r, inventory.Fieldf("ihost_uuid", "is required"))
		return
	case b.LVMVGName == "":
		s.fail(w, r, inventory.Fieldf("lvm_vg_name", "is required"))
		return
	case len(b.Capabilities) > 0:
		s.fail(w, r, inventory.Fieldf("capabilities", "lvm_function and lvm_type are not supported by Flock's inventory"))
		return
	}
	l, err := s.svc.AddLVG(r.Context(), b.HostUUID, b.LVMVGName)
	s.reply(w, r, http.StatusCreated, lvgOf(&l), err)
}

func (s *server) getLVG(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "volume group", s.svc.ListLVGs, func(l *inventory.LVG) (string, int64) { return l.UUID, l.ID }, lvgOf)(w, r)
}

func (s *server) addPV(w http.ResponseWriter, r *http.Request) {
	var b pvBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case b.HostUUID == "":
		s.fail(w, r, inventory.Fieldf("ihost_uuid", "is required"))
		return
	case b.LVGUUID == "":
		s.fail(w, r, inventory.Fieldf("ilvg_uuid", "is required"))
		return
	case b.DiskOrPartUUID == "":
		s.fail(w, r, inventory.Fieldf("disk_or_part_uuid", "is required"))
		return
	case b.PVType != "" && b.PVType != string(inventory.PVDisk) && b.PVType != string(inventory.PVPartition):
		s.fail(w, r, inventory.Fieldf("pv_type", "must be disk or partition, not %q", truncate(b.PVType)))
		return
	}
	p, err := s.svc.AddPV(r.Context(), b.HostUUID, inventory.PVSpec{LVGUUID: b.LVGUUID, DiskOrPartUUID: b.DiskOrPartUUID})
	s.reply(w, r, http.StatusCreated, pvOf(&p), err)
}

func (s *server) getPV(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "physical volume", s.svc.ListPVs, func(p *inventory.PV) (string, int64) { return p.UUID, p.ID }, pvOf)(w, r)
}

func (s *server) addStor(w http.ResponseWriter, r *http.Request) {
	var b storBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case b.HostUUID == "":
		s.fail(w, r, inventory.Fieldf("ihost_uuid", "is required"))
		return
	case b.DiskUUID == "":
		s.fail(w, r, inventory.Fieldf("idisk_uuid", "is required"))
		return
	case b.Function != "" && b.Function != "osd" && b.Function != "journal":
		s.fail(w, r, inventory.Fieldf("function", "must be osd or journal, not %q", truncate(b.Function)))
		return
	case b.TierUUID != "":
		s.fail(w, r, inventory.Fieldf("tier_uuid", "name the tier (tier_name)"))
		return
	case b.JournalLocation != "":
		s.fail(w, r, unsupported("journal_location"))
		return
	case b.JournalSizeMiB.set:
		s.fail(w, r, unsupported("journal_size_mib"))
		return
	}
	st, err := s.svc.AddStor(r.Context(), b.HostUUID, inventory.StorSpec{Function: b.Function, DiskUUID: b.DiskUUID, TierName: b.TierName})
	s.reply(w, r, http.StatusCreated, storOf(&st), err)
}

func (s *server) getStor(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "stor", s.svc.ListStors, func(st *inventory.Stor) (string, int64) { return st.UUID, st.ID }, storOf)(w, r)
}

// Ports and interfaces.

func (s *server) getPort(w http.ResponseWriter, r *http.Request) {
	getOnHosts(s, "port", s.svc.ListPorts, func(p *inventory.Port) (string, int64) { return p.UUID, p.ID }, portOf)(w, r)
}

// interfacePorts is GET /v1/iinterfaces/{uuid}/ports: the ports under
// an ethernet interface.
func (s *server) interfacePorts(w http.ResponseWriter, r *http.Request) {
	i, err := s.svc.GetInterface(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ports, err := s.svc.ListPorts(r.Context(), i.HostUUID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mine := ports[:0]
	for _, p := range ports {
		if p.InterfaceUUID == i.UUID {
			mine = append(mine, p)
		}
	}
	writeSlice(w, "ports", mine, portOf)
}

func (s *server) addInterface(w http.ResponseWriter, r *http.Request) {
	var b interfaceBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	host, spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i, err := s.svc.AddInterface(r.Context(), host, spec)
	s.reply(w, r, http.StatusCreated, interfaceOf(&i), err)
}

func (s *server) getInterface(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	i, err := s.svc.GetInterface(r.Context(), id)
	if errors.Is(err, inventory.ErrNotFound) && isID(id) {
		// The CLI reloads a record it got from a POST or PATCH by its id.
		i, err = findOnHosts(r.Context(), s, "interface", id, s.svc.ListInterfaces,
			func(i *inventory.Interface) (string, int64) { return i.UUID, i.ID })
	}
	s.reply(w, r, http.StatusOK, interfaceOf(&i), err)
}

// isID reports whether s is a record's integer id.
func isID(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (s *server) patchInterface(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := interfaceUpdate(ops)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i, err := s.svc.UpdateInterface(r.Context(), r.PathValue("uuid"), u)
	s.reply(w, r, http.StatusOK, interfaceOf(&i), err)
}

// hostID returns the integer id of the host with uuid.
func (s *server) hostID(ctx context.Context, uuid string) (int64, error) {
	h, err := s.svc.GetHost(ctx, uuid)
	return h.ID, err
}

func (s *server) writeInterfaceNetworks(w http.ResponseWriter, r *http.Request, ins []inventory.InterfaceNetwork) {
	ids := map[string]int64{}
	for _, in := range ins {
		if _, ok := ids[in.HostUUID]; !ok {
			id, err := s.hostID(r.Context(), in.HostUUID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ids[in.HostUUID] = id
		}
	}
	writeSlice(w, "interface_networks", ins, func(in *inventory.InterfaceNetwork) interfaceNetworkJSON {
		return interfaceNetworkJSON{InterfaceNetwork: *in, ForIHostID: ids[in.HostUUID]}
	})
}

func (s *server) listInterfaceNetworks(w http.ResponseWriter, r *http.Request) {
	ins, err := s.svc.ListInterfaceNetworks(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeInterfaceNetworks(w, r, ins)
}

func (s *server) interfaceNetworksOfInterface(w http.ResponseWriter, r *http.Request) {
	i, err := s.svc.GetInterface(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ins, err := s.svc.ListInterfaceNetworks(r.Context(), i.HostUUID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mine := ins[:0]
	for _, in := range ins {
		if in.InterfaceUUID == i.UUID {
			mine = append(mine, in)
		}
	}
	s.writeInterfaceNetworks(w, r, mine)
}

func (s *server) interfaceNetworkJSON(ctx context.Context, in inventory.InterfaceNetwork) (interfaceNetworkJSON, error) {
	id, err := s.hostID(ctx, in.HostUUID)
	return interfaceNetworkJSON{InterfaceNetwork: in, ForIHostID: id}, err
}

func (s *server) assignInterfaceNetwork(w http.ResponseWriter, r *http.Request) {
	var b interfaceNetworkBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.InterfaceUUID == "" {
		s.fail(w, r, inventory.Fieldf("interface_uuid", "is required"))
		return
	}
	if b.NetworkUUID == "" {
		s.fail(w, r, inventory.Fieldf("network_uuid", "is required"))
		return
	}
	in, err := s.svc.AssignInterfaceNetwork(r.Context(), b.InterfaceUUID, b.NetworkUUID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.interfaceNetworkJSON(r.Context(), in)
	s.reply(w, r, http.StatusCreated, j, err)
}

func (s *server) getInterfaceNetwork(w http.ResponseWriter, r *http.Request) {
	in, err := findOnHosts(r.Context(), s, "interface network", r.PathValue("uuid"), s.svc.ListInterfaceNetworks,
		func(in *inventory.InterfaceNetwork) (string, int64) { return in.UUID, in.ID })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.interfaceNetworkJSON(r.Context(), in)
	s.reply(w, r, http.StatusOK, j, err)
}

// Networks, pools and data networks.

// families maps pool uuids to their address family.
func (s *server) families(ctx context.Context) (map[string]int, error) {
	pools, err := s.svc.ListAddressPools(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int, len(pools))
	for _, p := range pools {
		m[p.UUID] = p.Family
	}
	return m, nil
}

func (s *server) networkJSON(ctx context.Context, n inventory.Network) (networkJSON, error) {
	fam, err := s.families(ctx)
	return networkOf(&n, fam[n.PoolUUID]), err
}

func (s *server) listNetworks(w http.ResponseWriter, r *http.Request) {
	ns, err := s.svc.ListNetworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fam, err := s.families(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "networks", ns, func(n *inventory.Network) networkJSON { return networkOf(n, fam[n.PoolUUID]) })
}

func (s *server) getNetwork(w http.ResponseWriter, r *http.Request) {
	n, err := s.svc.GetNetwork(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.networkJSON(r.Context(), n)
	s.reply(w, r, http.StatusOK, j, err)
}

func (s *server) addNetwork(w http.ResponseWriter, r *http.Request) {
	var b networkBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := s.svc.AddNetwork(r.Context(), spec)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	j, err := s.networkJSON(r.Context(), n)
	s.reply(w, r, http.StatusCreated, j, err)
}

func (s *server) listPools(w http.ResponseWriter, r *http.Request) {
	ps, err := s.svc.ListAddressPools(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "addrpools", ps, poolOf)
}

func (s *server) getPool(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.GetAddressPool(r.Context(), r.PathValue("id"))
	s.reply(w, r, http.StatusOK, poolOf(&p), err)
}

func (s *server) addPool(w http.ResponseWriter, r *http.Request) {
	var b poolBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.AddAddressPool(r.Context(), spec)
	s.reply(w, r, http.StatusCreated, poolOf(&p), err)
}

func (s *server) patchPool(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.svc.GetAddressPool(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := poolUpdate(ops, &cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.UpdateAddressPool(r.Context(), cur.UUID, u)
	s.reply(w, r, http.StatusOK, poolOf(&p), err)
}

func (s *server) listDataNetworks(w http.ResponseWriter, r *http.Request) {
	ds, err := s.svc.ListDataNetworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "datanetworks", ds, dataNetworkOf)
}

func (s *server) getDataNetwork(w http.ResponseWriter, r *http.Request) {
	ds, err := s.svc.ListDataNetworks(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	d, ok := find(ds, id, func(d *inventory.DataNetwork) (string, string, int64) { return d.UUID, d.Name, d.ID })
	if !ok {
		s.fail(w, r, fmt.Errorf("data network %q: %w", id, inventory.ErrNotFound))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, dataNetworkOf(d))
}

func (s *server) addDataNetwork(w http.ResponseWriter, r *http.Request) {
	var b dataNetworkBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := b.dataNetwork()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err = s.svc.AddDataNetwork(r.Context(), d)
	s.reply(w, r, http.StatusCreated, dataNetworkOf(&d), err)
}

// Labels.

// assignLabels is POST /v1/labels/{host}?overwrite=True with a flat
// {"key": "value"} body; the answer is {"labels": [...]}.
func (s *server) assignLabels(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	overwrite, err := overwriteParam(v.Get("overwrite"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var body map[string]*string
	if err := s.decode(w, r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(body) == 0 {
		s.fail(w, r, inventory.Fieldf("body", "give at least one label (key=value)"))
		return
	}
	labels := make(map[string]string, len(body))
	for _, k := range sortedStrings(body) {
		if body[k] == nil {
			s.fail(w, r, inventory.Fieldf(k, "a label needs a value (key=value)"))
			return
		}
		labels[k] = *body[k]
	}
	ls, err := s.svc.AssignLabels(r.Context(), r.PathValue("id"), labels, overwrite)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "labels", ls, labelOf)
}

func (s *server) getLabel(w http.ResponseWriter, r *http.Request) {
	l, err := findOnHosts(r.Context(), s, "label", r.PathValue("id"), s.svc.ListLabels, func(l *inventory.Label) (string, int64) { return l.UUID, l.ID })
	s.reply(w, r, http.StatusOK, labelOf(&l), err)
}

// Storage backends.

func (s *server) listBackends(w http.ResponseWriter, r *http.Request) {
	bs, err := s.svc.ListStorageBackends(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "storage_backends", bs, backendOf)
}

func (s *server) getBackend(w http.ResponseWriter, r *http.Request) {
	bs, err := s.svc.ListStorageBackends(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("uuid")
	b, ok := find(bs, id, func(b *inventory.StorageBackend) (string, string, int64) { return b.UUID, b.Name, b.ID })
	if !ok {
		s.fail(w, r, fmt.Errorf("storage backend %q: %w", id, inventory.ErrNotFound))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, backendOf(b))
}

func (s *server) addBackend(w http.ResponseWriter, r *http.Request) {
	var b backendBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	spec, err := b.spec()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sb, err := s.svc.AddStorageBackend(r.Context(), spec)
	s.reply(w, r, http.StatusCreated, backendOf(&sb), err)
}

// Service parameters.

// query returns r's query parameters, refusing any that is not valid
// UTF-8 (url.ParseQuery keeps the bytes as they are).
func query(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, inventory.Fieldf("query", "%v", err)
	}
	for k, vals := range v {
		if k == "" || !utf8.ValidString(k) {
			k = "query"
		}
		for _, val := range vals {
			if !utf8.ValidString(val) {
				return nil, inventory.Fieldf(k, "is not valid UTF-8 text")
			}
		}
	}
	return v, nil
}

// parameterQuery reads StarlingX's q.field / q.op / q.value triples
// (q.type, which the CLI sends empty, is ignored) and plain
// service=, section=, name= parameters.
func parameterQuery(v url.Values) (inventory.ServiceParameterQuery, error) {
	var q inventory.ServiceParameterQuery
	fields, values, ops := v["q.field"], v["q.value"], v["q.op"]
	if len(fields) != len(values) {
		return q, inventory.Fieldf("q.value", "each q.field needs one q.value")
	}
	set := func(f, val string) error {
		switch f {
		case "service":
			q.Service = val
		case "section":
			q.Section = val
		case "name":
			q.Name = val
		default:
			return inventory.Fieldf("q.field", "cannot filter on %q (service, section or name)", truncate(f))
		}
		return nil
	}
	for i, f := range fields {
		if i < len(ops) && ops[i] != "" && ops[i] != "eq" {
			return q, inventory.Fieldf("q.op", "only eq is supported, not %q", truncate(ops[i]))
		}
		if err := set(f, values[i]); err != nil {
			return q, err
		}
	}
	for _, f := range []string{"service", "section", "name"} {
		if val := v.Get(f); val != "" {
			_ = set(f, val)
		}
	}
	return q, nil
}

func (s *server) listParameters(w http.ResponseWriter, r *http.Request) {
	v, err := query(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := parameterQuery(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ps, err := s.svc.ListServiceParameters(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSlice(w, "parameters", ps, parameterOf)
}

func (s *server) parameter(ctx context.Context, uuid string) (inventory.ServiceParameter, error) {
	ps, err := s.svc.ListServiceParameters(ctx, inventory.ServiceParameterQuery{})
	if err != nil {
		return inventory.ServiceParameter{}, err
	}
	for _, p := range ps {
		if p.UUID == uuid || strconv.FormatInt(p.ID, 10) == uuid {
			return p, nil
		}
	}
	return inventory.ServiceParameter{}, fmt.Errorf("service parameter %q: %w", uuid, inventory.ErrNotFound)
}

func (s *server) getParameter(w http.ResponseWriter, r *http.Request) {
	p, err := s.parameter(r.Context(), r.PathValue("uuid"))
	s.reply(w, r, http.StatusOK, parameterOf(&p), err)
}

func (s *server) addParameters(w http.ResponseWriter, r *http.Request) {
	var b parameterBody
	if err := s.decode(w, r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case b.Service == "":
		s.fail(w, r, inventory.Fieldf("service", "is required"))
		return
	case b.Section == "":
		s.fail(w, r, inventory.Fieldf("section", "is required"))
		return
	case len(b.Parameters) == 0:
		s.fail(w, r, inventory.Fieldf("parameters", "give at least one name=value"))
		return
	}
	params := make(map[string]string, len(b.Parameters))
	for _, k := range sortedStrings(b.Parameters) {
		if b.Parameters[k] == nil {
			s.fail(w, r, inventory.Fieldf(k, "a parameter needs a value (name=value)"))
			return
		}
		params[k] = *b.Parameters[k]
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	ps, err := s.svc.AddServiceParameters(r.Context(), b.Service, b.Section, params, deref(b.Personality), deref(b.Resource))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSliceStatus(w, http.StatusCreated, "parameters", ps, parameterOf)
}

func (s *server) patchParameter(w http.ResponseWriter, r *http.Request) {
	ops, err := s.readPatch(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := s.parameter(r.Context(), r.PathValue("uuid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	value, err := parameterValue(ops, &cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.svc.UpdateServiceParameter(r.Context(), cur.UUID, value)
	s.reply(w, r, http.StatusOK, parameterOf(&p), err)
}

func sortedStrings[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
