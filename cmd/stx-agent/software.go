package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/hostagent"
	"github.com/edgeflock/flock/patching/installer"
	"github.com/edgeflock/flock/patching/patchinghttp"
)

// softwareAgent builds software management's host side: the installer
// under software_root, the keyring of software_keys, the controller's
// host link and its content store, with the host's agent token.
func softwareAgent(cfg Config, token string, log *slog.Logger) (*hostagent.Agent, error) {
	keys, err := patching.LoadKeyring(cfg.SoftwareKeys)
	if err != nil {
		return nil, err
	}
	inst, err := installer.New(installer.Config{Root: filepath.Join(cfg.SoftwareRoot, "sw")}, &installer.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	host := cfg.Agent.Hostname
	if host == "" {
		if host, err = os.Hostname(); err != nil {
			return nil, err
		}
	}
	base := strings.TrimRight(cfg.ControllerURL, "/")
	link := patchinghttp.NewClient(base, &patchinghttp.ClientOptions{Token: token})
	// Downloads are bounded by their context, not by a client timeout:
	// a large release on a slow link takes its time, and resumes.
	ctrl, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: bearer{token: token, rt: http.DefaultTransport},
		// The token goes to the controller only.
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if r.URL.Host != ctrl.Host || r.URL.Scheme != ctrl.Scheme {
				return fmt.Errorf("redirect to %s refused: the agent token is for %s only", r.URL.Host, ctrl.Host)
			}
			return nil
		}}
	fetch := func(ctx context.Context, path, digest, dst string) error {
		if !strings.HasPrefix(path, "/v1/content/") || strings.Contains(path, "..") {
			return fmt.Errorf("content path %q is not under /v1/content/", path)
		}
		u, err := url.JoinPath(base, path)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		return content.Fetch(ctx, hc, u, digest, dst)
	}
	return hostagent.New(hostagent.Config{Host: host, DownloadDir: filepath.Join(cfg.SoftwareRoot, "downloads"), Interval: cfg.SoftwareInterval},
		link, fetch, keys, inst, log)
}

// bearer adds the agent token to every request.
type bearer struct {
	token string
	rt    http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.rt.RoundTrip(r)
}
