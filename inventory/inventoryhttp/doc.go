// Package inventoryhttp is the REST transport of the inventory: NewHandler
// serves any inventory.Service on StarlingX's sysinv paths (/v1/isystems,
// /v1/ihosts and their sub-resources, /v1/networks, /v1/addrpools,
// /v1/datanetworks, /v1/labels, /v1/storage_backend,
// /v1/service_parameter ...), and Client is an inventory.Service over that
// API, so calling code does not change between an embedded and a remote
// inventory.
//
// The bodies are sysinv's, so StarlingX's own system CLI (cgts-client)
// works unchanged: lists are {"ihosts": [...]}, {"icpus": [...]} ...;
// every member the CLI reads is present, null where Flock keeps no such
// field; timestamps are Python's isoformat ("2024-05-01T10:23:45.123456+00:00");
// updates are JSON patches ([{"op":"replace","path":"/hostname","value":"worker-1"}]),
// whose values may be strings where the Go field is a number, as the CLI
// sends them; host-cpu-modify is PUT /v1/ihosts/{id}/state/host_cpus_modify
// with [{"function": "vswitch", "sockets": [{"0": 2}]}]. Hosts are named by
// hostname, uuid or id in every path.
//
// Requests are decoded strictly (one JSON value, members exactly as
// documented, valid UTF-8 text) and every field is checked before the
// service is called: a bad one is a 400 naming it, with nothing written.
// A patch path that is not a field of the record, or one owned by another
// service (administrative, task, ... are host maintenance's), is refused
// the same way. sysinv's members Flock does not keep (ptp_role,
// ipv4_mode, vsc_controllers ...) are accepted with their neutral value
// only.
//
// Errors survive the round trip: the server answers
// {"error":{"code","message","field","rule","request_id"},
// "error_message":"{\"faultstring\": ...}"} with the status of the
// sentinel (error_message is what cgts-client prints), and the client
// returns an error for which errors.Is(err, inventory.ErrNotFound)
// (ErrInvalid, ErrConflict, ErrInvalidTransition ...) holds as
// in-process; a 400 comes back as a *inventory.FieldError naming the
// field, a refused change as a *inventory.RuleError naming the rule. A
// 5xx tells the client only what kind of failure it was and the request
// id; the error itself goes to HandlerOptions.Logger under that id.
//
// The round trip through Client keeps every field of the Go types but
// the BMC password, which no answer carries, with one exception: the
// collections the CLI iterates (a system's or a volume group's
// capabilities, an interface's uses and used_by) are written empty when
// nil, and Client returns nil for an empty one.
//
// Flock's additions to sysinv's API serve the Service methods that
// StarlingX runs over RPC: PUT /v1/ihosts/{id}/status (host
// maintenance's fields), GET /v1/ihosts/{id}/check_unlock, POST
// /v1/ihosts/inventory_report (the agent's report), GET
// /v1/ihosts/{id}/config and PUT /v1/ihosts/{id}/config_applied, GET
// /v1/snapshot, the JSON form of POST /v1/ihosts/bulk_add, and the
// OpenAPI 3 document at /v1/openapi.json. NewHandler does no
// authentication; the stx package wraps it with internal/httpx's tokens
// (Authorization: Bearer or X-Auth-Token, as the system CLI sends it).
package inventoryhttp
