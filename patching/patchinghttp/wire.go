package patchinghttp

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/edgeflock/flock/patching"
)

// Release is a release on the wire: patching.ReleaseInfo with USM's
// release_id beside id.
type Release struct {
	ReleaseID string `json:"release_id"`
	patching.ReleaseInfo
}

func releaseOf(i patching.ReleaseInfo) Release { return Release{ReleaseID: i.ID, ReleaseInfo: i} }

// Messages are USM's info, warning and error texts, which
// software-client prints.
type Messages struct {
	Info    string `json:"info"`
	Warning string `json:"warning"`
	Error   string `json:"error"`
}

// UploadAnswer is POST /v1/upload's answer: USM's messages and the
// uploaded releases.
type UploadAnswer struct {
	Messages
	UploadInfo []Release `json:"upload_info"`
}

// PrecheckAnswer is a precheck's answer: the Precheck with USM's
// messages (info lists the checks, one a line).
type PrecheckAnswer struct {
	patching.Precheck
	Messages
}

func precheckAnswer(pc patching.Precheck) PrecheckAnswer {
	a := PrecheckAnswer{Precheck: pc}
	if a.Checks == nil {
		a.Checks = []patching.PrecheckLine{}
	}
	for _, l := range pc.Checks {
		ok := "[OK]"
		if !l.OK {
			ok = "[Fail]"
		}
		line := l.Check + ": " + ok
		if l.Detail != "" {
			line += " " + l.Detail
		}
		if l.OK {
			a.Info += line + "\n"
		} else {
			a.Error += line + "\n"
		}
	}
	return a
}

type deployAnswer struct {
	patching.Deploy
	Messages
}

type hostAnswer struct {
	patching.HostDeploy
	Messages
}

// DeployRequest is the body of POST /v1/deploy/precheck and
// /v1/deploy/start as software-client sends it: releases (one id, or a
// list of one) and force ("true" or a boolean).
type DeployRequest struct {
	Releases json.RawMessage `json:"releases,omitempty"`
	Force    json.RawMessage `json:"force,omitempty"`
}

// ParseDeployRequest returns the release id and force of a precheck or
// start: pathID if not empty (and then the body may be empty), else the
// body's releases. A bad member is a *patching.FieldError naming it.
func ParseDeployRequest(pathID string, body []byte) (id string, force bool, err error) {
	var req DeployRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := errTable.Unmarshal(body, &req); err != nil {
			return "", false, err
		}
	}
	if len(req.Force) > 0 {
		var b bool
		var s string
		switch {
		case json.Unmarshal(req.Force, &b) == nil:
			force = b
		case json.Unmarshal(req.Force, &s) == nil && (s == "true" || s == "false"):
			force = s == "true"
		default:
			return "", false, &patching.FieldError{Field: "force", Reason: "must be true, false, \"true\" or \"false\""}
		}
	}
	id = pathID
	if len(req.Releases) > 0 && string(req.Releases) != "null" {
		var one string
		var list []string
		switch {
		case json.Unmarshal(req.Releases, &one) == nil:
		case json.Unmarshal(req.Releases, &list) == nil && len(list) == 1:
			one = list[0]
		default:
			return "", false, &patching.FieldError{Field: "releases", Reason: "must be one release id, or a list of one"}
		}
		if id != "" && one != id {
			return "", false, &patching.FieldError{Field: "releases", Reason: "is not the release of the path"}
		}
		id = one
	}
	if id == "" {
		return "", false, &patching.FieldError{Field: "releases", Reason: "is required"}
	}
	if err := patching.CheckID("releases", id); err != nil {
		return "", false, err
	}
	return id, force, nil
}

// ParseListQuery parses GET /v1/release's query: show, a release state
// (USM's filter), and release (a sw_version: accepted, not filtered
// on). Another parameter, or a bad state, is a *patching.FieldError.
func ParseListQuery(q url.Values) (patching.ReleaseState, error) {
	for k := range q {
		if k != "show" && k != "release" {
			return "", &patching.FieldError{Field: k, Reason: "unknown query parameter"}
		}
	}
	if len(q["show"]) > 1 {
		return "", &patching.FieldError{Field: "show", Reason: "given more than once"}
	}
	s := q.Get("show")
	if s == "" {
		return "", nil
	}
	st, err := patching.ParseReleaseState(s)
	if err != nil {
		return "", &patching.FieldError{Field: "show", Reason: err.(*patching.FieldError).Reason}
	}
	return st, nil
}

// ParseHostStatus decodes a host agent's report (POST
// /v1/deploy_host/{host}/status), strictly: unknown members, wrong
// types and bad enum values are a *patching.FieldError naming the
// member.
func ParseHostStatus(data []byte) (patching.HostStatus, error) {
	var st patching.HostStatus
	if err := errTable.Unmarshal(data, &st); err != nil {
		return patching.HostStatus{}, err
	}
	if _, err := patching.ParseAgentState(string(st.State)); err != nil {
		return patching.HostStatus{}, err
	}
	return st, nil
}

func multipartReader(r io.Reader, boundary string) *multipart.Reader {
	return multipart.NewReader(r, boundary)
}
