// Package hostmgmthttp is the REST transport of host maintenance:
// NewHandler serves any hostmgmt.Service on StarlingX's form of the admin
// actions, and Client is a hostmgmt.Service over that API, so calling
// code does not change between an embedded and a remote host
// maintenance.
//
// # The actions
//
// StarlingX has no path of its own for lock, unlock and the other admin
// actions: its system CLI (cgts-client's host-lock, host-unlock,
// host-reboot, host-reset, host-reinstall, host-power-on, host-power-off,
// host-swact) sends sysinv's host update with an "action" member,
//
//	PATCH /v1/ihosts/{id}
//	[{"op": "replace", "path": "/action", "value": "unlock"}]
//
// and prints the host of the answer. So NewHandler is a middleware in
// front of the inventory's handler (inventoryhttp.NewHandler), which
// serves the rest of /v1/ihosts: a PATCH whose patch holds the /action
// operation is host maintenance's; every other request goes to the
// inventory untouched. The action's values are sysinv's: lock,
// force-lock, unlock, force-unlock, reboot, reset, reinstall, power-on,
// power-off, swact and force-swact. The host is named by hostname, uuid
// or id, as everywhere in sysinv's API.
//
// The other operations of the same patch (host-update's attributes) are
// the inventory's: they are sent to it first, as a PATCH without the
// action, and the action runs only if the inventory took them. The answer
// is the host as GET /v1/ihosts/{id} shows it after the action was
// accepted (the inventory's JSON, which the system CLI prints). An
// action refused after the inventory took the other operations leaves
// them applied, as sysinv does.
//
// Flock's additions, for the Service's reads:
//
//	GET /v1/ihosts/{id}/mtce   hostmgmt.HostState
//	GET /v1/mtce/hosts         {"hosts": [HostState, ...]}
//
// OpenAPI returns their OpenAPI 3 document, for the controller to merge
// with the inventory's (which documents PATCH /v1/ihosts/{id}).
//
// Requests are decoded strictly (one JSON value, members exactly op,
// path and value, valid UTF-8 text) and at most HandlerOptions.MaxBody
// bytes (1 MiB); the action is checked before anything is sent to the
// inventory, so a bad one changes nothing.
//
// # Errors
//
// Answers use the inventory's error body, so the system CLI prints them
// and a client decodes them back:
// {"error":{"code","message","field","rule","request_id"},
// "error_message":"{\"faultstring\": ..., \"debuginfo\": null}"}. The
// system CLI prints only the faultstring; field and rule are Flock's.
//
//   - An action refused by a rule (*hostmgmt.RuleError, wrapping
//     hostmgmt.ErrInvalidTransition) is a 409 whose message and
//     faultstring are the rule's reason in StarlingX's words ("Can not
//     lock an active controller"), and whose rule member names the rule.
//   - hostmgmt.ErrNotFound is a 404; hostmgmt.ErrNoBMC a 409.
//   - Bad input (hostmgmt.ErrInvalid) is a 400 whose field member names
//     the field: "action" for an unknown or unsupported action, "op" for
//     an operation other than replace, the member's name for an unknown
//     member.
//   - The inventory's errors that a service passes on are answered as
//     the inventory's handler answers them (inventory.ErrNotFound a 404,
//     an *inventory.RuleError a 409 with its rule and reason ...).
//   - hostmgmt.ErrUnavailable is a 503. A 5xx tells the client only what
//     kind of failure it was and the request id; the error itself goes
//     to HandlerOptions.Logger under that id.
//
// Client turns them back: errors.Is(err, hostmgmt.ErrInvalidTransition)
// holds for a refusal and errors.As finds the *hostmgmt.RuleError with
// its Rule and Reason; a 400 is a *hostmgmt.FieldError naming the field;
// ErrNotFound and ErrUnavailable hold as in-process. The inventory's
// errors come back as hostmgmt's sentinels of the same code.
//
// NewHandler does no authentication: the stx package wraps it with
// internal/httpx's tokens, as the inventory's.
package hostmgmthttp
