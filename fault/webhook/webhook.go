// Package webhook is a fault.Notifier that POSTs each notification as
// JSON to a URL:
//
//	{"kind":"set","alarm":{...fault.Alarm...}}
//
// kind is set, clear, hierarchical-clear, log or suppression-changed. Any
// answer but 2xx is an error, and the manager retries the notification
// with backoff (fault.Options.NotifyRetries); a receiver should therefore
// accept the same notification twice (the alarm's uuid and timestamp tell).
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/edgeflock/flock/fault"
)

// Options configure a Notifier.
type Options struct {
	// URL receives the POSTs.
	URL string `yaml:"url" json:"url"`
	// Headers are added to every request (e.g. Authorization).
	Headers map[string]string `yaml:"headers" json:"headers"`
	// Timeout bounds each POST (default 5 s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Client, if set, sends the requests.
	Client *http.Client `yaml:"-" json:"-"`
}

// Notifier posts notifications to a webhook.
type Notifier struct {
	opts Options
	hc   *http.Client
}

var _ fault.Notifier = (*Notifier)(nil)

// Body is what the webhook receives.
type Body struct {
	Kind  string      `json:"kind"`
	Alarm fault.Alarm `json:"alarm"`
}

// New returns a notifier for opts.URL.
func New(opts Options) (*Notifier, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &fault.FieldError{Field: "url", Reason: fmt.Sprintf("%q is not an http(s) URL", opts.URL)}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	hc := opts.Client
	if hc == nil {
		hc = &http.Client{Timeout: opts.Timeout}
	}
	return &Notifier{opts: opts, hc: hc}, nil
}

// Notify POSTs note.
func (n *Notifier) Notify(ctx context.Context, note fault.Notification) error {
	data, err := json.Marshal(Body{Kind: note.Kind.String(), Alarm: note.Alarm})
	if err != nil {
		return fmt.Errorf("webhook: encode: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.opts.URL, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "flock-fault-webhook")
	for k, v := range n.opts.Headers {
		req.Header.Set(k, v)
	}
	resp, err := n.hc.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: post %s: %w: %w", n.opts.URL, fault.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: post %s: %w: status %s", n.opts.URL, fault.ErrUnavailable, resp.Status)
	}
	return nil
}

// As reaches the native client: target must be a **http.Client.
func (n *Notifier) As(target any) bool {
	if p, ok := target.(**http.Client); ok {
		*p = n.hc
		return true
	}
	return false
}
