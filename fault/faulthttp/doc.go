// Package faulthttp is the REST transport of fault management: NewHandler
// serves any fault.Service on StarlingX's fm-api paths (/v1/alarms,
// /v1/event_log, /v1/event_suppression), and Client is a fault.Service
// over that API, so calling code does not change between an embedded and a
// remote service.
//
// Errors survive the round trip: the server answers
// {"error":{"code","message","field"}} with the status of the sentinel, and
// the client returns an error for which errors.Is(err, fault.ErrNotFound)
// (ErrInvalid, ErrConflict, ErrUnavailable ...) holds as in-process; a 400
// comes back as a *fault.FieldError naming the field.
//
// Flock's additions to StarlingX's API: POST /v1/alarms/{uuid}/ack,
// POST /v1/alarms/clear_all, include_masked, and the OpenAPI 3 document at
// /v1/openapi.json. NewHandler does no authentication; the stx package
// wraps it with bearer tokens.
package faulthttp
