#!/usr/bin/env python3
"""Writes fault/faulthttp/openapi.json, taking the enum names from
fault/enums.go so the document and the code agree. Run after changing
either: python3 scripts/gen-openapi.py"""
import json, re, os

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = open(os.path.join(root, "fault/enums.go")).read()

def names(var):
    m = re.search(var + r" = (?:\[\.\.\.\]|\[\])string\{(.*?)\n\}", src, re.S)
    return re.findall(r'"([^"]+)"', m.group(1))

sev = names("severityNames")[:5]
states = names("stateNames")
types = names("alarmTypeNames")
causes = names("causeNames")

S = lambda **kw: dict(kw)
string = {"type": "string"}
boolean = {"type": "boolean"}
# StarlingX's timestamps: naive UTC, six fractional digits.
ts = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}$",
      "example": "2024-05-01T10:23:45.123456"}
pybool = {"type": "string", "enum": ["True", "False"]}
next_url = {"type": "string", "format": "uri", "description": "URL of the next page (same query, limit and marker last)"}
uuid = {"type": "string", "pattern": "^[0-9a-fA-F-]{36}$"}
alarm_id = {"type": "string", "pattern": "^[0-9]{3}\\.[0-9]{3}$"}
ref = lambda n: {"$ref": "#/components/schemas/" + n}

short_props = {
    "uuid": uuid, "alarm_id": alarm_id, "entity_instance_id": string,
    "severity": ref("Severity"), "timestamp": ts, "reason_text": string,
    "mgmt_affecting": pybool, "degrade_affecting": pybool,
    "suppression_status": ref("SuppressionStatus"), "ack": ref("Ack"),
}
full_props = dict(short_props, **{
    "alarm_state": ref("State"), "entity_type_id": string, "alarm_type": ref("AlarmType"),
    "probable_cause": ref("ProbableCause"), "proposed_repair_action": string,
    "service_affecting": boolean, "suppression": boolean, "inhibit_alarms": boolean, "masked": boolean,
})
short_req = list(k for k in short_props if k != "ack")
full_req = list(k for k in full_props if k != "ack")

schemas = {
    "Severity": {"type": "string", "enum": sev},
    "Threshold": {"type": "string", "enum": sev + ["none"]},
    "State": {"type": "string", "enum": states},
    "AlarmType": {"type": "string", "enum": types},
    "ProbableCause": {"type": "string", "enum": causes},
    "SuppressionStatus": {"type": "string", "enum": ["suppressed", "unsuppressed"]},
    "Ack": {"type": "object", "required": ["by", "at"], "additionalProperties": False,
            "properties": {"by": string, "at": ts}},
    "AlarmShort": {"type": "object", "required": short_req, "additionalProperties": False, "properties": short_props},
    "Alarm": {"type": "object", "required": full_req, "additionalProperties": False, "properties": full_props},
    "AlarmList": {"type": "object", "required": ["alarms"], "additionalProperties": False, "properties": {
        "alarms": {"type": "array", "items": {"oneOf": [ref("Alarm"), ref("AlarmShort")]}}, "next": next_url}},
    "AlarmRequest": {"type": "object", "required": ["alarm_state"], "properties": {
        "uuid": uuid, "alarm_id": alarm_id, "alarm_state": ref("State"), "entity_type_id": string,
        "entity_instance_id": string, "severity": ref("Severity"), "reason_text": string,
        "alarm_type": ref("AlarmType"), "probable_cause": ref("ProbableCause"),
        "proposed_repair_action": string, "service_affecting": {}, "suppression": {},
        "inhibit_alarms": {}, "keep_existing": {}}},
    "UUIDAnswer": {"type": "object", "required": ["uuid"], "additionalProperties": False, "properties": {"uuid": string}},
    "Summary": {"type": "object", "required": ["critical", "major", "minor", "warnings", "status"],
                "additionalProperties": False, "properties": {
        "critical": {"type": "integer"}, "major": {"type": "integer"}, "minor": {"type": "integer"},
        "warnings": {"type": "integer"}, "status": {"type": "string", "enum": ["critical", "degraded", "OK"]}}},
    "Event": {"type": "object", "additionalProperties": False,
              "required": ["uuid", "seq", "event_log_id", "state", "entity_type_id", "entity_instance_id", "timestamp",
                           "severity", "reason_text", "event_log_type", "probable_cause", "proposed_repair_action",
                           "service_affecting", "suppression", "suppression_status"],
              "properties": {
        "uuid": uuid, "seq": {"type": "integer"}, "event_log_id": string, "state": ref("State"),
        "entity_type_id": string, "entity_instance_id": string, "timestamp": ts, "severity": ref("Severity"),
        "reason_text": string, "event_log_type": ref("AlarmType"), "probable_cause": ref("ProbableCause"),
        "proposed_repair_action": string, "service_affecting": boolean, "suppression": boolean,
        "suppression_status": ref("SuppressionStatus"), "alarm_uuid": string}},
    "EventList": {"type": "object", "required": ["event_log"], "additionalProperties": False, "properties": {
        "event_log": {"type": "array", "items": ref("Event")}, "next": next_url}},
    "Suppression": {"type": "object", "additionalProperties": False,
                    "required": ["uuid", "alarm_id", "description", "suppression_status", "mgmt_affecting", "degrade_affecting"],
                    "properties": {"uuid": uuid, "alarm_id": alarm_id, "description": string,
                                   "suppression_status": ref("SuppressionStatus"), "mgmt_affecting": ref("Threshold"),
                                   "degrade_affecting": ref("Threshold"),
                                   "links": {"type": "array", "items": ref("Link")}}},
    "Link": {"type": "object", "required": ["href", "rel"], "additionalProperties": False,
             "properties": {"href": {"type": "string", "format": "uri"}, "rel": {"type": "string", "enum": ["self", "bookmark"]}}},
    "SuppressionList": {"type": "object", "required": ["event_suppression"], "additionalProperties": False,
                        "properties": {"event_suppression": {"type": "array", "items": ref("Suppression")}, "next": next_url}},
    "PatchOp": {"type": "object", "required": ["op", "path", "value"], "properties": {
        "op": {"type": "string", "enum": ["replace", "add"]}, "path": {"type": "string", "enum": ["/suppression_status"]},
        "value": ref("SuppressionStatus")}},
    "AckRequest": {"type": "object", "required": ["by"], "properties": {"by": string}},
    "ClearAllRequest": {"type": "object", "required": ["entity_instance_id"], "properties": {"entity_instance_id": string}},
    "ClearAllAnswer": {"type": "object", "required": ["cleared"], "additionalProperties": False,
                       "properties": {"cleared": {"type": "integer"}}},
    # The error envelope every Flock service answers with (the same in
    # inventory's document, so stx serves one document for both).
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string", "description": "not_found, invalid, invalid_transition, conflict, unavailable, unimplemented, closed, timeout, unauthenticated, forbidden, too_large, bad_request, internal"}, "message": {"type": "string"}, "field": {"type": "string", "description": "the invalid field (400)"}, "rule": {"type": "string", "description": "the rule the change broke (409)"}, "request_id": {"type": "string", "description": "also in the X-Request-Id header; the server logs a 5xx's detail under it"}}}, "error_message": {"type": "string", "description": "OpenStack's envelope, a JSON text: {\"faultstring\": ..., \"debuginfo\": null}; what StarlingX's system CLI prints"}}},
}

def answer(desc, schema):
    return {"description": desc, "content": {"application/json": {"schema": schema}}}

errors = {code: answer(desc, ref("Error")) for code, desc in [
    ("400", "Invalid input; error.field names the field"), ("401", "No valid bearer token"),
    ("403", "The token's role may not write"), ("404", "Not found"), ("409", "Conflict"),
    ("413", "Body too large"), ("500", "Internal error: the message says only that, with the request id"),
    ("503", "The service or its store is unavailable")]}

def op(summary, ok_code, ok, params=None, body=None):
    o = {"summary": summary, "responses": dict({ok_code: ok}, **errors)}
    if params:
        o["parameters"] = params
    if body:
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return o

def q(name, schema=string, desc=""):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}

def pathp(name):
    return {"name": name, "in": "path", "required": True, "schema": string}

filters = [q("q.field", {"type": "array", "items": string}, "field to filter on, with q.op and q.value"),
           q("q.op", {"type": "array", "items": string}), q("q.value", {"type": "array", "items": string})]
flag = {"type": "boolean"}
alarm_params = filters + [q("marker", string), q("limit", {"type": "integer", "minimum": 0}),
    q("sort_key", {"type": "string", "enum": ["id", "timestamp", "severity", "alarm_id", "entity_instance_id", "uuid"]}),
    q("sort_dir", {"type": "string", "enum": ["asc", "desc"]}), q("include_suppress", flag),
    q("include_masked", flag), q("mgmt_affecting", flag), q("degrade_affecting", flag), q("expand", flag)]
event_params = filters + [q("start", string, "ISO 8601 (20160131 10:23:45, 20171225, 2016-01-31T10:23:45Z ...); "
                                            "also as q.field=start; without a zone, UTC"),
                          q("end", string, "as start"), q("alarms", flag), q("logs", flag), q("include_suppress", flag), q("marker", string),
                          q("limit", {"type": "integer", "minimum": 0})]

doc = {
    "openapi": "3.0.3",
    "info": {"title": "Flock fault management", "version": "1",
             "description": "StarlingX fm-api compatible alarms, event log and suppression, with Flock's "
                            "acknowledgement and hierarchical clear. Generated by scripts/gen-openapi.py."},
    "security": [{"bearer": []}, {"token": []}],
    "paths": {
        "/v1/alarms": {
            "get": op("List active alarms (short form unless expand=true)", "200", answer("Alarms", ref("AlarmList")), alarm_params),
            "post": op("Raise (set), clear, or log (log, msg) an alarm", "201", answer("Raised or logged", ref("UUIDAnswer")),
                       body=ref("AlarmRequest"))},
        "/v1/alarms/detail": {"get": op("List active alarms, every field", "200", answer("Alarms", ref("AlarmList")), alarm_params)},
        "/v1/alarms/summary": {"get": op("Count active alarms by severity", "200", answer("Summary", ref("Summary")),
                                         [q("include_suppress", flag)])},
        "/v1/alarms/clear_all": {"post": op("Clear every alarm at or below an entity", "200",
                                            answer("Cleared", ref("ClearAllAnswer")), body=ref("ClearAllRequest"))},
        "/v1/alarms/{uuid}": {
            "parameters": [pathp("uuid")],
            "get": op("Show an alarm", "200", answer("The alarm", ref("Alarm"))),
            "delete": op("Clear an alarm", "204", {"description": "Cleared"})},
        "/v1/alarms/{uuid}/ack": {"parameters": [pathp("uuid")],
                                  "post": op("Acknowledge an alarm", "200", answer("The alarm", ref("Alarm")), body=ref("AckRequest"))},
        "/v1/event_log": {"get": op("List the event log, newest first", "200", answer("Events", ref("EventList")), event_params)},
        "/v1/event_log/{uuid}": {"parameters": [pathp("uuid")],
                                 "get": op("Show an event", "200", answer("The event", ref("Event")))},
        "/v1/event_suppression": {"get": op("List the suppression table", "200", answer("Entries", ref("SuppressionList")),
                                            filters + [q("suppression_status", ref("SuppressionStatus")), q("alarm_id", string)])},
        "/v1/event_suppression/{id}": {"parameters": [pathp("id")],
            "get": op("Show one entry (by uuid or alarm id)", "200", answer("The entry", ref("Suppression"))),
            "patch": op("Suppress or unsuppress an alarm id (JSON patch)", "200", answer("The entry", ref("Suppression")),
                        body={"type": "array", "minItems": 1, "items": ref("PatchOp")})},
    },
    "components": {"schemas": schemas,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                       "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
}
doc["paths"]["/v1/alarms"]["post"]["responses"]["200"] = answer("Cleared", ref("UUIDAnswer"))
for path in ("/v1/alarms", "/v1/alarms/detail"):
    doc["paths"][path]["get"]["responses"]["200"]["headers"] = {
        "X-Total-Count": {"description": "Number of alarms in this answer", "schema": {"type": "integer"}}}
rid = {"description": "Request id (also X-Openstack-Request-Id)", "schema": {"type": "string"}}
for item in doc["paths"].values():
    for o in item.values():
        if isinstance(o, dict) and "responses" in o:
            for r in o["responses"].values():
                r.setdefault("headers", {})["X-Request-Id"] = rid
with open(os.path.join(root, "fault/faulthttp/openapi.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
