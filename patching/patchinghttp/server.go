// Package patchinghttp serves any patching.Service over HTTP on USM's
// REST paths (StarlingX's `software` API, port 5493), and Client is a
// patching.Service over that API.
//
//	GET    /v1/release[?show=<state>]          [release, ...]
//	GET    /v1/release/{id}                    release
//	DELETE /v1/release/{id}                    {"info", "warning", "error"}
//	POST   /v1/upload, POST /v1/release        multipart/form-data (one part per file, as
//	                                           software-client sends them) or the raw file
//	                                           (application/octet-stream);
//	                                           {"info", "warning", "error", "upload_info": [release, ...]}
//	POST   /v1/deploy/{id}/precheck            precheck with info, warning, error
//	POST   /v1/deploy/precheck                 the same, body {"releases": id or [id], "force"}
//	POST   /v1/deploy/{id}/start               deploy with info, warning, error
//	POST   /v1/deploy/start                    the same, body {"releases": id or [id], "force"}
//	GET    /v1/deploy                          [] or [deploy]
//	DELETE /v1/deploy                          {"info", "warning", "error"}
//	POST   /v1/deploy/activate|activate_rollback|complete|abort   deploy
//	GET    /v1/deploy_host                     [host, ...]
//	POST   /v1/deploy_host/{host}[/force]      host
//	POST   /v1/deploy_host/{host}/rollback[/force]   host
//
// and Flock's host link, what a host's agent asks and tells:
//
//	GET    /v1/deploy_host/{host}/assignment   assignment
//	POST   /v1/deploy_host/{host}/status       host status → 204
//
// A release is patching.ReleaseInfo's members with USM's release_id
// beside id; a host row is USM's (hostname, software_release,
// target_release, reboot_required, host_state). Uploads are streamed to
// the Service: the handler holds no file in memory.
//
// # Errors
//
// Flock's JSON envelope {"error": {"code", "message", "field", "rule",
// "request_id"}}: not_found (404), unsigned, tampered and untrusted (422,
// a release file refused, saying which), invalid (400, naming the field),
// invalid_transition (409, naming the rule), conflict (409), too_large
// (413). Client turns them back into patching's errors, so
// errors.Is(err, patching.ErrTampered) and errors.AsType[*patching.RuleError]
// hold as in-process.
package patchinghttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/edgeflock/flock/internal/httpx"
	"github.com/edgeflock/flock/patching"
)

// errTable maps patching's sentinels to HTTP. The refused-file
// sentinels come before ErrInvalid, which they wrap.
var errTable = &httpx.Errors{
	Mappings: []httpx.Mapping{
		{Err: patching.ErrNotFound, Code: "not_found", Status: http.StatusNotFound},
		{Err: patching.ErrUnsigned, Code: "unsigned", Status: http.StatusUnprocessableEntity},
		{Err: patching.ErrTampered, Code: "tampered", Status: http.StatusUnprocessableEntity},
		{Err: patching.ErrUntrusted, Code: "untrusted", Status: http.StatusUnprocessableEntity},
		{Err: patching.ErrInvalid, Code: "invalid", Status: http.StatusBadRequest},
		{Err: patching.ErrInvalidTransition, Code: "invalid_transition", Status: http.StatusConflict},
		{Err: patching.ErrConflict, Code: "conflict", Status: http.StatusConflict},
		{Err: context.DeadlineExceeded, Code: "timeout", Status: http.StatusGatewayTimeout,
			Message: "the request took too long"},
	},
	Invalid: patching.ErrInvalid,
	NewFieldError: func(field, reason string) error {
		return &patching.FieldError{Field: field, Reason: reason}
	},
	RuleOf: func(err error) (string, string, bool) {
		re, ok := errors.AsType[*patching.RuleError](err)
		if !ok {
			return "", "", false
		}
		return re.Rule, re.Reason, true
	},
	NewRuleError: func(rule, reason string, _ error) error {
		return &patching.RuleError{Rule: rule, Reason: reason}
	},
}

// DefaultMaxUpload bounds an upload request: the largest release file
// (a content.tar of patching.MaxContentSize and its metadata and
// scripts).
const DefaultMaxUpload = patching.MaxContentSize + 64<<20

// HandlerOptions configure NewHandler.
type HandlerOptions struct {
	// MaxUpload caps an upload request's body (default
	// DefaultMaxUpload).
	MaxUpload int64
	// MaxBody caps other request bodies (default 64 KiB).
	MaxBody int64
	// Logger receives the detail of every request answered with a 5xx.
	// nil discards.
	Logger *slog.Logger
}

type server struct {
	svc       patching.Service
	maxUpload int64
	maxBody   int64
	log       *slog.Logger
}

// NewHandler returns the REST API of svc (see the package comment for
// the paths). It does no authentication: wrap it.
func NewHandler(svc patching.Service, opts *HandlerOptions) http.Handler {
	s := &server{svc: svc, maxUpload: DefaultMaxUpload, maxBody: 64 << 10, log: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.MaxUpload > 0 {
			s.maxUpload = opts.MaxUpload
		}
		if opts.MaxBody > 0 {
			s.maxBody = opts.MaxBody
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/release", s.listReleases)
	mux.HandleFunc("GET /v1/release/{id}", s.getRelease)
	mux.HandleFunc("DELETE /v1/release/{id}", s.deleteRelease)
	mux.HandleFunc("POST /v1/release", s.upload)
	mux.HandleFunc("POST /v1/upload", s.upload)
	mux.HandleFunc("POST /v1/deploy/{id}/precheck", s.precheck)
	mux.HandleFunc("POST /v1/deploy/precheck", s.precheck)
	mux.HandleFunc("POST /v1/deploy/{id}/start", s.start)
	mux.HandleFunc("POST /v1/deploy/start", s.start)
	mux.HandleFunc("GET /v1/deploy", s.showDeploy)
	mux.HandleFunc("DELETE /v1/deploy", s.deleteDeploy)
	for verb, fn := range map[string]func(patching.Service, context.Context) (patching.Deploy, error){
		"activate":          patching.Service.DeployActivate,
		"activate_rollback": patching.Service.DeployActivateRollback,
		"complete":          patching.Service.DeployComplete,
		"abort":             patching.Service.DeployAbort,
	} {
		mux.HandleFunc("POST /v1/deploy/"+verb, func(w http.ResponseWriter, r *http.Request) {
			d, err := fn(s.svc, r.Context())
			s.reply(w, r, deployAnswer{Deploy: d}, err)
		})
	}
	mux.HandleFunc("GET /v1/deploy_host", s.listHosts)
	mux.HandleFunc("POST /v1/deploy_host/{host}", s.deployHost(false, false))
	mux.HandleFunc("POST /v1/deploy_host/{host}/force", s.deployHost(false, true))
	mux.HandleFunc("POST /v1/deploy_host/{host}/rollback", s.deployHost(true, false))
	mux.HandleFunc("POST /v1/deploy_host/{host}/rollback/force", s.deployHost(true, true))
	mux.HandleFunc("GET /v1/deploy_host/{host}/assignment", s.assignment)
	mux.HandleFunc("POST /v1/deploy_host/{host}/status", s.status)
	return httpx.WithRequestID(mux)
}

// Paths returns the path prefixes NewHandler serves, for a server that
// mounts it beside other APIs on one mux (each as "/v1/x" and "/v1/x/").
func Paths() []string {
	return []string{"/v1/release", "/v1/upload", "/v1/deploy", "/v1/deploy_host"}
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	errTable.Write(w, r, s.log, err)
}

func (s *server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

func (s *server) listReleases(w http.ResponseWriter, r *http.Request) {
	state, err := ParseListQuery(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.svc.ListReleases(r.Context(), state)
	out := make([]Release, 0, len(list))
	for _, x := range list {
		out = append(out, releaseOf(x))
	}
	s.reply(w, r, out, err)
}

func (s *server) getRelease(w http.ResponseWriter, r *http.Request) {
	v, err := s.svc.GetRelease(r.Context(), r.PathValue("id"))
	s.reply(w, r, releaseOf(v), err)
}

func (s *server) deleteRelease(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.svc.DeleteRelease(r.Context(), id)
	s.reply(w, r, Messages{Info: id + " has been deleted\n"}, err)
}

// upload streams each file of the request to the Service, in order.
// The first refused file ends the request with its error; the files
// before it stay uploaded.
func (s *server) upload(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.maxUpload {
		s.fail(w, r, fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload))
		return
	}
	body := http.MaxBytesReader(w, r.Body, s.maxUpload)
	ans := UploadAnswer{UploadInfo: []Release{}}
	one := func(name string, rd io.Reader) error {
		info, err := s.svc.Upload(r.Context(), rd)
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload)
			}
			if name != "" {
				return fmt.Errorf("%s: %w", name, err)
			}
			return err
		}
		ans.Info += info.ID + " is now uploaded\n"
		ans.UploadInfo = append(ans.UploadInfo, releaseOf(info))
		return nil
	}
	mt, params, err := ParseUploadType(r.Header.Get("Content-Type"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if mt != "multipart/form-data" {
		if err := one("", body); err != nil {
			s.fail(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, ans)
		return
	}
	mr := multipartReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				err = fmt.Errorf("%w: limit is %d bytes", httpx.ErrTooLarge, s.maxUpload)
			} else {
				err = &patching.FieldError{Field: "body", Reason: "malformed multipart body: " + err.Error()}
			}
			s.fail(w, r, err)
			return
		}
		if part.FileName() == "" {
			// A form field, not a file: software-client sends none.
			_ = part.Close()
			continue
		}
		err = one(part.FileName(), part)
		_ = part.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if len(ans.UploadInfo) == 0 {
		s.fail(w, r, &patching.FieldError{Field: "body", Reason: "no file uploaded"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ans)
}

// ParseUploadType parses an upload's Content-Type: multipart/form-data
// with a boundary, or a raw file (application/octet-stream,
// application/x-tar, or none). Another type is a *patching.FieldError
// for field "Content-Type".
func ParseUploadType(ct string) (string, map[string]string, error) {
	if strings.TrimSpace(ct) == "" {
		return "application/octet-stream", nil, nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, &patching.FieldError{Field: "Content-Type", Reason: err.Error()}
	}
	switch mt {
	case "multipart/form-data":
		if params["boundary"] == "" {
			return "", nil, &patching.FieldError{Field: "Content-Type", Reason: "multipart/form-data without a boundary"}
		}
	case "application/octet-stream", "application/x-tar":
	default:
		return "", nil, &patching.FieldError{Field: "Content-Type",
			Reason: fmt.Sprintf("%q is not multipart/form-data or application/octet-stream", mt)}
	}
	return mt, params, nil
}

// releaseID returns the release a precheck or start names: the path's
// {id}, or the body's releases.
func (s *server) releaseID(w http.ResponseWriter, r *http.Request) (string, bool, error) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		return "", false, err
	}
	id, force, err := ParseDeployRequest(r.PathValue("id"), data)
	return id, force, err
}

func (s *server) precheck(w http.ResponseWriter, r *http.Request) {
	id, _, err := s.releaseID(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pc, err := s.svc.Precheck(r.Context(), id)
	s.reply(w, r, precheckAnswer(pc), err)
}

func (s *server) start(w http.ResponseWriter, r *http.Request) {
	id, force, err := s.releaseID(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.svc.DeployStart(r.Context(), id, force)
	s.reply(w, r, deployAnswer{Deploy: d, Messages: Messages{Info: "Deployment for " + id + " started\n"}}, err)
}

func (s *server) showDeploy(w http.ResponseWriter, r *http.Request) {
	d, err := s.svc.ShowDeploy(r.Context())
	if errors.Is(err, patching.ErrNotFound) {
		// USM answers an empty list when there is no deployment.
		httpx.WriteJSON(w, http.StatusOK, []patching.Deploy{})
		return
	}
	s.reply(w, r, []patching.Deploy{d}, err)
}

func (s *server) deleteDeploy(w http.ResponseWriter, r *http.Request) {
	err := s.svc.DeployDelete(r.Context())
	s.reply(w, r, Messages{Info: "Deploy deleted with success\n"}, err)
}

func (s *server) listHosts(w http.ResponseWriter, r *http.Request) {
	list, err := s.svc.ListDeployHosts(r.Context())
	if list == nil {
		list = []patching.HostDeploy{}
	}
	s.reply(w, r, list, err)
}

func (s *server) deployHost(rollback, force bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host := r.PathValue("host")
		var hd patching.HostDeploy
		var err error
		if rollback {
			// Flock's rollback has no force: a reboot-required release
			// still needs the host locked.
			hd, err = s.svc.DeployHostRollback(r.Context(), host)
		} else {
			hd, err = s.svc.DeployHost(r.Context(), host, force)
		}
		s.reply(w, r, hostAnswer{HostDeploy: hd}, err)
	}
}

func (s *server) assignment(w http.ResponseWriter, r *http.Request) {
	a, err := s.svc.Assignment(r.Context(), r.PathValue("host"))
	s.reply(w, r, a, err)
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	data, err := httpx.ReadBody(w, r, s.maxBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := ParseHostStatus(data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.ReportHost(r.Context(), r.PathValue("host"), st); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
