#!/usr/bin/env python3
"""Writes inventory/inventoryhttp/openapi.json from inventory/types.go and
inventory/enums.go (the records' members and enum values), plus the
members inventoryhttp/wire.go adds for cgts-client, so the document and
the code agree. Run after changing either:
python3 scripts/gen-inventory-openapi.py"""
import json, os, re

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
types_go = open(os.path.join(root, "inventory/types.go")).read()
enums_go = open(os.path.join(root, "inventory/enums.go")).read()

consts = dict(re.findall(r'^\s*(\w+)\s+\w+\s*=\s*"([^"]*)"', enums_go, re.M))
enums = {}
for typ, body in re.findall(r'enumValues\[(\w+)\]\{"\w+", \[\]\w+\{([^}]*)\}\}', enums_go):
    enums[typ] = [consts[n.strip()] for n in body.split(",") if n.strip()]
# Enums without a strict parser.
enums["LVGState"] = ["adding", "removing", "provisioned"]
enums["PVType"] = ["disk", "partition"]
enums["BackendState"] = ["configured", "configuring", "configuration-failed", "configuring-on-unlock"]

ref = lambda n: {"$ref": "#/components/schemas/" + n}
string = {"type": "string"}
integer = {"type": "integer"}
boolean = {"type": "boolean"}
obj = {"type": "object"}
anyv = {}
null = {"nullable": True, "description": "sysinv's member; Flock keeps no such field (always null)"}
ts = {"type": "string", "format": "date-time", "nullable": True,
      "description": "Python's isoformat in UTC (2024-05-01T10:23:45.123456+00:00), RFC 3339 with nanoseconds when finer; null when unset"}
nstring = {"type": "string", "nullable": True}
flex_int = {"description": "an integer, as a JSON number or a decimal string (the system CLI sends \"10\")", "nullable": True}
flex_bool = {"description": "true/false, or their strings in any case (\"True\", \"false\")", "nullable": True}


def go_schema(t):
    if t.startswith("*"):
        s = dict(go_schema(t[1:]))
        s["nullable"] = True
        return s
    if t in ("string",):
        return string
    if t in ("int", "int64"):
        return integer
    if t == "bool":
        return boolean
    if t == "time.Time":
        return ts
    if t.startswith("map["):
        return obj
    if t == "[]string":
        return {"type": "array", "items": string, "nullable": True}
    if t == "PartitionStatus":
        return {"type": "integer", "description": "StarlingX's code: 0 Ready, 1 In-Use, 2 Creating, 3 Creating (on unlock), 4 Deleting, 5 Modifying, 6 Deleted, 10 Error"}
    if t in enums:
        return ref(t)
    if t.startswith("[]"):
        return {"type": "array", "items": go_schema(t[2:]), "nullable": True}
    if t in ("AddressRange",):
        return ref(t)
    raise SystemExit("no schema for Go type " + t)


def struct(name):
    m = re.search(r"^type " + name + r" struct \{\n(.*?)^\}", types_go, re.S | re.M)
    props, req = {}, []
    for line in m.group(1).splitlines():
        f = re.match(r'\s*\w+\s+(\S+)\s+`json:"([^",]+)(,omitempty)?"', line)
        if f:
            props[f.group(2)] = go_schema(f.group(1))
            if not f.group(3):
                req.append(f.group(2))
    return props, req


def record(name, extra=None, override=None, drop=()):
    props, req = struct(name)
    for k in drop:
        props.pop(k, None)
        req = [r for r in req if r != k]
    props.update(override or {})
    props.update(extra or {})
    if "created_at" in props and "updated_at" not in props:
        extra = dict(extra or {}, updated_at={"nullable": True, "description": "sysinv's; Flock does not keep it (null)"})
        props["updated_at"] = extra["updated_at"]
    for k in list(override or {}) + list(extra or {}):
        if k not in req:
            req.append(k)
    return {"type": "object", "required": req, "properties": props}


def enum(values, nullable=False):
    s = {"type": "string", "enum": values + [""]}
    if nullable:
        s["nullable"] = True
        s["enum"] = s["enum"] + [None]
    return s


schemas = {k: enum(v) for k, v in enums.items()}
schemas["AddressRange"] = {"type": "object", "properties": {"start": string, "end": string}}
schemas["System"] = record("System", {"service_project_name": null, "security_feature": null}, {"capabilities": obj})
host_nulls = ["peers", "install_state", "install_state_info", "reserved", "tboot", "vim_progress_status", "inv_state",
              "clock_synchronization", "device_image_update", "max_cpu_mhz_configured", "min_cpu_mhz_allowed",
              "max_cpu_mhz_allowed", "cstates_available", "apparmor", "iscsi_initiator_name", "nvme_host_id", "nvme_host_nqn"]
schemas["Host"] = record("Host", dict({"sw_version": string, "subfunction_oper": string, "subfunction_avail": string},
                                      **{k: null for k in host_nulls}),
                         {"personality": enum(enums["Personality"], True)})
schemas["Node"] = record("Node")
schemas["CPU"] = record("CPU", {"capabilities": obj})
schemas["Memory"] = record("Memory", {"inode_uuid": nstring, "vm_pending_as_percentage": {"type": "string", "enum": ["True", "False"]}})
schemas["Disk"] = record("Disk")
schemas["Partition"] = record("Partition")
schemas["LVG"] = record("LVG", {"lvm_vg_avail_size": {"type": "integer", "description": "bytes in the free extents"}}, {"capabilities": obj})
schemas["PV"] = record("PV", {"capabilities": obj})
schemas["Stor"] = record("Stor")
schemas["Port"] = record("Port", {"type": {"type": "string", "enum": ["ethernet"]}, "dev_id": integer, "namedisplay": string,
                                  "capabilities": obj})
schemas["Interface"] = record("Interface", dict({"ptp_role": string}, **{k: null for k in [
    "primary_reselect", "max_tx_rate", "max_rx_rate", "channels", "sriov_vf_channels", "schedpolicy", "ovs_access"]}),
    {"ifclass": enum(enums["IfClass"], True), "vlan_id": {"type": "integer", "nullable": True},
     "aemode": nstring, "txhashpolicy": nstring, "sriov_vf_driver": nstring,
     "uses": {"type": "array", "items": string, "description": "names of the interfaces (or the port) under this one"},
     "used_by": {"type": "array", "items": string}})
schemas["InterfaceNetwork"] = record("InterfaceNetwork", {"forihostid": {"type": "integer", "description": "the host's id"}})
schemas["Address"] = record("Address")
schemas["Route"] = record("Route")
schemas["Network"] = record("Network", {"primary_pool_family": enum(["IPv4", "IPv6"], True)})
schemas["AddressPool"] = record("AddressPool", None, {"ranges": {"type": "array", "items": {
    "type": "array", "items": string, "minItems": 2, "maxItems": 2}, "description": "[start, end] pairs"}})
schemas["DataNetwork"] = record("DataNetwork")
schemas["Label"] = record("Label")
schemas["StorageBackend"] = record("StorageBackend", None, {"services": {"type": "string", "description": "comma-separated"}})
schemas["ServiceParameter"] = record("ServiceParameter", None, {"personality": nstring, "resource": nstring})
schemas["HostConfig"] = {"type": "object", "required": ["config_uuid", "hostname"],
                         "description": "The rendered configuration document of a host (Flock)"}
schemas["Snapshot"] = {"type": "object", "required": ["system", "hosts"], "description": "The whole inventory at one instant (Flock)"}
# The error envelope every Flock service answers with (the same in
# fault's document, so stx can serve one document for both).
schemas["Error"] = {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string", "description": "not_found, invalid, invalid_transition, conflict, unavailable, unimplemented, closed, timeout, unauthenticated, forbidden, too_large, bad_request, internal"}, "message": {"type": "string"}, "field": {"type": "string", "description": "the invalid field (400)"}, "rule": {"type": "string", "description": "the rule the change broke (409)"}, "request_id": {"type": "string", "description": "also in the X-Request-Id header; the server logs a 5xx's detail under it"}}}, "error_message": {"type": "string", "description": "OpenStack's envelope, a JSON text: {\"faultstring\": ..., \"debuginfo\": null}; what StarlingX's system CLI prints"}}}
schemas["Patch"] = {"type": "array", "description": "A JSON patch as sysinv takes it; operations apply in order",
                    "items": {"type": "object", "required": ["op", "path"], "additionalProperties": False, "properties": {
                        "op": {"type": "string", "enum": ["replace", "add"]},
                        "path": {"type": "string", "pattern": "^/[^/]+$"}, "value": anyv}}}


def body(props, required=()):
    return {"type": "object", "additionalProperties": False, "required": list(required), "properties": props}


hostb = {k: string for k in ["hostname", "personality", "subfunctions", "mgmt_mac", "mgmt_ip", "bm_ip", "bm_type", "bm_username",
                              "bm_password", "boot_device", "rootfs_device", "install_output", "console", "vsc_controllers",
                              "clock_synchronization"]}
hostb.update({"hw_settle": {"description": "string or number"}, "location": {"description": "an object ({\"locn\": ...}) or a string"},
              "power_on": flex_bool, "ttys_dcd": flex_bool})
schemas["HostRequest"] = body(hostb)
schemas["BulkRequest"] = body({"ihosts": {"type": "array", "items": ref("HostRequest")}}, ["ihosts"])
schemas["CPUModifyRequest"] = {"type": "array", "minItems": 1, "maxItems": 1, "items": body({
    "function": string, "sockets": {"type": "array", "items": {"type": "object", "additionalProperties": integer}},
    "cpulist": string}, ["function"])}
schemas["PartitionRequest"] = body({"ihost_uuid": string, "idisk_uuid": string, "size_mib": flex_int, "type_guid": string},
                                   ["ihost_uuid", "idisk_uuid", "size_mib"])
schemas["LVGRequest"] = body({"ihost_uuid": string, "lvm_vg_name": string, "capabilities": obj}, ["ihost_uuid", "lvm_vg_name"])
schemas["PVRequest"] = body({"ihost_uuid": string, "ilvg_uuid": string, "disk_or_part_uuid": string, "pv_type": string},
                            ["ihost_uuid", "ilvg_uuid", "disk_or_part_uuid"])
schemas["StorRequest"] = body({"ihost_uuid": string, "idisk_uuid": string, "function": string, "tier_name": string,
                               "tier_uuid": string, "journal_location": string, "journal_size_mib": flex_int},
                              ["ihost_uuid", "idisk_uuid"])
schemas["InterfaceRequest"] = body(dict({k: string for k in ["ihost_uuid", "ifname", "iftype", "ifclass", "aemode", "txhashpolicy",
                                                             "sriov_vf_driver", "ipv4_mode", "ipv6_mode", "ipv4_pool", "ipv6_pool",
                                                             "ptp_role", "primary_reselect", "ovs_access"]},
                                        imtu=flex_int, vlan_id=flex_int, sriov_numvfs=flex_int, max_tx_rate=flex_int, max_rx_rate=flex_int,
                                        uses={"type": "array", "items": string, "nullable": True},
                                        ports={"type": "array", "items": string, "nullable": True},
                                        datanetworks={"type": "array", "items": string}), ["ihost_uuid", "ifname", "iftype"])
schemas["InterfaceNetworkRequest"] = body({"interface_uuid": string, "network_uuid": string}, ["interface_uuid", "network_uuid"])
schemas["NetworkRequest"] = body({"name": string, "type": string, "dynamic": flex_bool, "pool_uuid": string}, ["type"])
schemas["AddressPoolRequest"] = body(dict({k: string for k in ["name", "network", "order", "floating_address", "controller0_address",
                                                               "controller1_address", "gateway_address"]},
                                          prefix=flex_int, ranges={"type": "array", "items": {"type": "array", "items": string}}),
                                     ["prefix"])
schemas["DataNetworkRequest"] = body({"name": string, "network_type": string, "mtu": flex_int, "description": string,
                                      "multicast_group": string, "port_num": flex_int, "ttl": flex_int, "mode": string},
                                     ["network_type"])
schemas["StorageBackendRequest"] = body({"backend": string, "name": string, "services": {"description": "a list or a comma-separated string"},
                                         "capabilities": obj, "confirmed": flex_bool}, ["backend"])
schemas["ServiceParameterRequest"] = body({"service": string, "section": string, "personality": nstring, "resource": nstring,
                                           "parameters": {"type": "object", "additionalProperties": nstring}},
                                          ["service", "section", "parameters"])
schemas["HostStatusRequest"] = body({"administrative": ref("AdminState"), "operational": ref("OperState"),
                                     "availability": ref("Availability"), "task": string, "action": string, "uptime": integer})
schemas["ConfigAppliedRequest"] = body({"config_uuid": string}, ["config_uuid"])
schemas["Report"] = {"type": "object", "required": ["mgmt_mac"], "description": "An agent's inventory report (inventory.Report)"}
schemas["Labels"] = {"type": "object", "additionalProperties": nstring, "description": "{\"key\": \"value\", ...}"}


def lst(key, item):
    n = key.title().replace("_", "") + "List"
    schemas[n] = {"type": "object", "required": [key], "additionalProperties": False,
                  "properties": {key: {"type": "array", "items": ref(item)}}}
    return n


def content(s):
    return {"application/json": {"schema": s if "$ref" in s or "type" in s else s}}


def op(summary, ok, schema=None, req=None, params=(), query=()):
    o = {"summary": summary, "responses": {"default": {"description": "An error; error.field names a bad field, error.rule a broken rule",
                                                       "content": content(ref("Error"))}}}
    if ok == "204":
        o["responses"]["204"] = {"description": "Done"}
    else:
        o["responses"][ok] = {"description": "OK", "content": content(ref(schema))}
    if req:
        o["requestBody"] = {"required": True, "content": content(ref(req))}
    ps = [{"name": p, "in": "path", "required": True, "schema": string} for p in params]
    ps += [{"name": q, "in": "query", "required": False, "allowEmptyValue": True, "schema": string} for q in query]
    if ps:
        o["parameters"] = ps
    return o


paths = {}


def add(path, method, o):
    paths.setdefault(path, {})[method] = o


def params(path):
    return re.findall(r"\{(\w+)\}", path)


add("/v1/isystems", "get", op("The system, as a one-element list", "200", lst("isystems", "System")))
add("/v1/isystems/{uuid}", "get", op("The system", "200", "System", params=["uuid"]))
add("/v1/isystems/{uuid}", "patch", op("Change the system (modify)", "200", "System", "Patch", ["uuid"]))
add("/v1/ihosts", "get", op("Every host (host-list)", "200", lst("ihosts", "Host")))
add("/v1/ihosts", "post", op("Add a host (host-add)", "201", "Host", "HostRequest"))
add("/v1/ihosts/bulk_add", "post", op("Add hosts all or none (Flock's JSON form; the XML upload is not wired yet)", "201", "IhostsList", "BulkRequest"))
add("/v1/ihosts/inventory_report", "post", op("An agent's inventory report (Flock)", "200", "Host", "Report"))
for m, s, ok, req in [("get", "A host by hostname, uuid or id (host-show)", "200", None),
                      ("patch", "Change a host (host-update)", "200", "Patch"), ("delete", "Delete a locked host (host-delete)", "204", None)]:
    add("/v1/ihosts/{id}", m, op(s, ok, "Host" if ok == "200" else None, req, ["id"]))
add("/v1/ihosts/{id}/status", "put", op("Host maintenance's fields (Flock)", "200", "Host", "HostStatusRequest", ["id"]))
add("/v1/ihosts/{id}/check_unlock", "get", op("Whether the host may be unlocked (Flock): 204, or 409 naming the rule", "204", params=["id"]))
add("/v1/ihosts/{id}/config", "get", op("The host's rendered configuration (Flock)", "200", "HostConfig", params=["id"]))
add("/v1/ihosts/{id}/config_applied", "put", op("The config the host applied (Flock)", "200", "Host", "ConfigAppliedRequest", ["id"]))
add("/v1/ihosts/{id}/state/host_cpus_modify", "put", op("Reassign cores (host-cpu-modify)", "200", lst("icpus", "CPU"), "CPUModifyRequest", ["id"]))
add("/v1/snapshot", "get", op("The whole inventory (Flock)", "200", "Snapshot"))
add("/v1/ihosts/{id}/snapshot", "get", op("One host's whole inventory, with the system-wide records (Flock)", "200", "Snapshot", params=["id"]))
for key, item in [("inodes", "Node"), ("icpus", "CPU"), ("imemorys", "Memory"), ("idisks", "Disk"), ("partitions", "Partition"),
                  ("ilvgs", "LVG"), ("ipvs", "PV"), ("istors", "Stor"), ("ports", "Port"), ("ethernet_ports", "Port"),
                  ("iinterfaces", "Interface"), ("interface_networks", "InterfaceNetwork"), ("addresses", "Address"),
                  ("routes", "Route"), ("labels", "Label")]:
    add("/v1/ihosts/{id}/" + key, "get", op("A host's " + key, "200", lst(key, item), params=["id"]))
add("/v1/ihosts/{id}/idisks/{disk}/partitions", "get", op("One disk's partitions", "200", "PartitionsList", params=["id", "disk"]))
for coll, item in [("icpus", "CPU"), ("imemorys", "Memory"), ("idisks", "Disk"), ("partitions", "Partition"), ("ilvgs", "LVG"),
                   ("ipvs", "PV"), ("istors", "Stor"), ("ports", "Port"), ("ethernet_ports", "Port"), ("iinterfaces", "Interface"),
                   ("interface_networks", "InterfaceNetwork"), ("storage_backend", "StorageBackend"),
                   ("service_parameter", "ServiceParameter")]:
    add("/v1/%s/{uuid}" % coll, "get", op("One record by uuid", "200", item, params=["uuid"]))
for coll in ["partitions", "ilvgs", "ipvs", "istors", "iinterfaces", "interface_networks", "storage_backend", "service_parameter"]:
    add("/v1/%s/{uuid}" % coll, "delete", op("Delete one record", "204", params=["uuid"]))
for coll, item, req in [("partitions", "Partition", "PartitionRequest"), ("ilvgs", "LVG", "LVGRequest"), ("ipvs", "PV", "PVRequest"),
                        ("istors", "Stor", "StorRequest"), ("iinterfaces", "Interface", "InterfaceRequest"),
                        ("interface_networks", "InterfaceNetwork", "InterfaceNetworkRequest"), ("networks", "Network", "NetworkRequest"),
                        ("addrpools", "AddressPool", "AddressPoolRequest"), ("datanetworks", "DataNetwork", "DataNetworkRequest"),
                        ("storage_backend", "StorageBackend", "StorageBackendRequest")]:
    add("/v1/" + coll, "post", op("Create one record", "201", item, req))
for coll, item in [("imemorys", "Memory"), ("partitions", "Partition"), ("iinterfaces", "Interface"),
                   ("service_parameter", "ServiceParameter")]:
    add("/v1/%s/{uuid}" % coll, "patch", op("Change one record (JSON patch)", "200", item, "Patch", ["uuid"]))
add("/v1/iinterfaces/{uuid}/ports", "get", op("The ports under an interface", "200", "PortsList", params=["uuid"]))
add("/v1/iinterfaces/{uuid}/interface_networks", "get", op("An interface's networks", "200", "InterfaceNetworksList", params=["uuid"]))
add("/v1/networks", "get", op("The platform networks", "200", lst("networks", "Network")))
add("/v1/networks/{id}", "get", op("A network by name, uuid or id", "200", "Network", params=["id"]))
add("/v1/networks/{id}", "delete", op("Delete a network", "204", params=["id"]))
add("/v1/addrpools", "get", op("The address pools", "200", lst("addrpools", "AddressPool")))
add("/v1/addrpools/{id}", "get", op("A pool by name, uuid or id", "200", "AddressPool", params=["id"]))
add("/v1/addrpools/{id}", "patch", op("Change a pool (addrpool-modify)", "200", "AddressPool", "Patch", ["id"]))
add("/v1/addrpools/{id}", "delete", op("Delete a pool", "204", params=["id"]))
add("/v1/datanetworks", "get", op("The data networks", "200", lst("datanetworks", "DataNetwork")))
add("/v1/datanetworks/{id}", "get", op("A data network by name, uuid or id", "200", "DataNetwork", params=["id"]))
add("/v1/datanetworks/{id}", "delete", op("Delete a data network", "204", params=["id"]))
add("/v1/labels/{id}", "post", op("Assign labels to the host {id} (host-label-assign)", "200", "LabelsList", "Labels", ["id"], ["overwrite"]))
add("/v1/labels/{id}", "get", op("A label by uuid", "200", "Label", params=["id"]))
add("/v1/labels/{id}", "delete", op("Remove a label by uuid", "204", params=["id"]))
add("/v1/storage_backend", "get", op("The storage backends", "200", lst("storage_backends", "StorageBackend")))
add("/v1/service_parameter", "get", op("Service parameters; filter with q.field/q.op/q.value (service, section, name)", "200",
                                       lst("parameters", "ServiceParameter"),
                                       query=["q.field", "q.op", "q.type", "q.value", "service", "section", "name"]))
add("/v1/service_parameter", "post", op("Add parameters (service-parameter-add)", "201", "ParametersList", "ServiceParameterRequest"))
# The query parameters of repeated triples are documented once; the
# validator takes the first of each.
paths["/v1/openapi.json"] = {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3",
                                                                                      "content": {"application/json": {"schema": obj}}}}}}

doc = {
    "openapi": "3.0.3",
    "info": {"title": "Flock inventory", "version": "1",
             "description": "StarlingX sysinv compatible inventory: the system, hosts and their hardware, interfaces, networks and storage. "
                            "Generated by scripts/gen-inventory-openapi.py."},
    "security": [{"bearer": []}, {"token": []}],
    "paths": dict(sorted(paths.items())),
    "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
}
with open(os.path.join(root, "inventory/inventoryhttp/openapi.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
