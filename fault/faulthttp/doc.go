// Package faulthttp is the REST transport of fault management: NewHandler
// serves any fault.Service on StarlingX's fm-api paths (/v1/alarms,
// /v1/event_log, /v1/event_suppression), and Client is a fault.Service
// over that API, so calling code does not change between an embedded and a
// remote service.
//
// The bodies are StarlingX's, so its own fm CLI and Python client work
// unchanged (fmclient_test.go runs every fm verb against stx-controller):
// an alarm's mgmt_affecting and degrade_affecting are the strings
// "True"/"False"; timestamps are naive UTC with six fractional digits
// ("2024-05-01T10:23:45.123456"); the event log's start and end filters
// take ISO 8601 dates and times ("20160131 10:23:45", "20171225",
// "2016-01-31T10:23:45+02:00"; without a zone, UTC); a full page's
// "next" is the URL of the next one; suppression entries carry their
// links; a JSON patch may repeat its operation (they apply in order).
// The Go types stay fault's: Client converts.
//
// Requests are decoded with encoding/json and checked strictly: one JSON
// value, member names exactly as documented, valid UTF-8 text (no lone
// surrogate escape), each failure a 400 naming the field, with nothing
// written.
//
// Errors survive the round trip: the server answers
// {"error":{"code","message","field","request_id"}} with the status of the
// sentinel, and the client returns an error for which
// errors.Is(err, fault.ErrNotFound) (ErrInvalid, ErrConflict,
// ErrUnavailable ...) holds as in-process; a 400 comes back as a
// *fault.FieldError naming the field. A 5xx tells the client only what
// kind of failure it was and the request id (also in the X-Request-Id and
// X-Openstack-Request-Id headers of every answer); the error itself goes
// to HandlerOptions.Logger under that id.
//
// Flock's additions to StarlingX's API: POST /v1/alarms/{uuid}/ack,
// POST /v1/alarms/clear_all, include_masked, the ack member of alarms, the
// thresholds of suppression entries, and the OpenAPI 3 document at
// /v1/openapi.json. NewHandler does no authentication; the stx package
// wraps it with internal/httpx's tokens (Authorization: Bearer or
// X-Auth-Token).
package faulthttp
