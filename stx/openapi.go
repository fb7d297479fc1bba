package stx

import (
	"encoding/json"
	"fmt"
	"maps"
)

// mergeOpenAPI joins the services' OpenAPI documents into one: the
// first document's header, and every document's paths and components.
// Two documents that define the same path or component differently are
// an error.
func mergeOpenAPI(docs ...[]byte) ([]byte, error) {
	var out map[string]any
	for i, d := range docs {
		var doc map[string]any
		if err := json.Unmarshal(d, &doc); err != nil {
			return nil, fmt.Errorf("openapi document %d: %w", i, err)
		}
		if out == nil {
			out = doc
			continue
		}
		if err := mergeMember(out, doc, "paths"); err != nil {
			return nil, err
		}
		comps, _ := doc["components"].(map[string]any)
		if out["components"] == nil {
			out["components"] = map[string]any{}
		}
		into, _ := out["components"].(map[string]any)
		for kind := range comps {
			if err := mergeMember(into, comps, kind); err != nil {
				return nil, fmt.Errorf("components: %w", err)
			}
		}
	}
	return json.Marshal(out)
}

// mergeMember adds the entries of from[key] (an object) to into[key].
func mergeMember(into, from map[string]any, key string) error {
	src, _ := from[key].(map[string]any)
	if src == nil {
		return nil
	}
	dst, _ := into[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
		into[key] = dst
	}
	for k, v := range src {
		if old, ok := dst[k]; ok {
			a, _ := json.Marshal(old)
			b, _ := json.Marshal(v)
			if string(a) != string(b) {
				return fmt.Errorf("%s %q is defined twice, differently", key, k)
			}
		}
	}
	maps.Copy(dst, src)
	return nil
}

// agentOpenAPI documents the controller's own path: the agent tokens.
const agentOpenAPI = `{"paths": {"/v1/ihosts/{id}/agent_token": {"post": {
  "summary": "Issue the host's agent token (Flock): shown once, a new one replaces the old",
  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "hostname, uuid or id"}],
  "responses": {
    "201": {"description": "the token", "content": {"application/json": {"schema": {"type": "object",
      "required": ["host_uuid", "hostname", "token"],
      "properties": {"host_uuid": {"type": "string"}, "hostname": {"type": "string"}, "token": {"type": "string"}}}}}},
    "default": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}}}`

// mtceLinkOpenAPI documents GET /v1/ihosts/{id}/mtce_link.
const mtceLinkOpenAPI = `{"paths": {"/v1/ihosts/{id}/mtce_link": {"get": {
  "summary": "The host's maintenance link (Flock): its heartbeat key and the controller's heartbeat endpoints, for its agent",
  "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "hostname, uuid or id"}],
  "responses": {
    "200": {"description": "the link", "content": {"application/json": {"schema": {"type": "object",
      "required": ["host_uuid", "key", "heartbeat_period_ms", "controller"],
      "properties": {"host_uuid": {"type": "string"}, "key": {"type": "string", "format": "byte"},
        "heartbeat_period_ms": {"type": "integer"},
        "controller": {"type": "object", "additionalProperties": {"type": "string"}, "description": "ip:port per network (mgmt, cluster-host)"}}}}}},
    "default": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}}}`
