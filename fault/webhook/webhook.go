// Package webhook is a fault.Notifier that POSTs each notification as
// JSON to a URL:
//
//	{"kind":"set","alarm":{...fault.Alarm...}}
//
// kind is set, clear, hierarchical-clear, log or suppression-changed. Any
// answer but 2xx (a redirect included) is an error; see Notifier.Notify
// for which errors are worth a retry. The manager retries failed
// notifications with backoff (fault.Options.NotifyRetries), so a receiver
// should accept the same notification twice (the alarm's uuid and
// timestamp tell). The answer's body is read, up to
// 64 KiB, only to reuse the connection and to quote its start in errors.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/edgeflock/flock/fault"
)

// maxAnswer bounds how much of an answer's body is read.
const maxAnswer = 64 << 10

// quoted is how much of an error answer's body an error message quotes.
const quoted = 200

// Options configure a Notifier. The zero value, like nil, means the
// defaults.
type Options struct {
	// Headers are added to every request (for example Authorization).
	Headers map[string]string `yaml:"headers" json:"headers"`
	// Timeout bounds each POST, answer included (default 5 s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Client, if set, sends the requests (for TLS settings or a proxy);
	// Timeout still bounds each POST. The default client follows no
	// redirects.
	Client *http.Client `yaml:"-" json:"-"`
}

// Notifier posts notifications to a webhook. It is safe for concurrent
// use.
type Notifier struct {
	url     string
	shown   string // url without credentials or query, for errors
	headers http.Header
	timeout time.Duration
	hc      *http.Client
}

var _ fault.Notifier = (*Notifier)(nil)

// Body is what the webhook receives.
type Body struct {
	Kind  string      `json:"kind"`
	Alarm fault.Alarm `json:"alarm"`
}

// New returns a notifier that posts to rawURL, an http or https URL. It
// starts nothing and opens no connection.
func New(rawURL string, opts *Options) (*Notifier, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &fault.FieldError{Field: "url", Reason: fmt.Sprintf("%q is not an http or https URL", shown(u, rawURL))}
	}
	if o.Timeout < 0 {
		return nil, &fault.FieldError{Field: "timeout", Reason: "must not be negative"}
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	h := http.Header{}
	for k, v := range o.Headers {
		if !validName(k) {
			return nil, &fault.FieldError{Field: "headers", Reason: fmt.Sprintf("%q is not a header name", k)}
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return nil, &fault.FieldError{Field: "headers", Reason: fmt.Sprintf("the value of %s holds a line break or NUL", k)}
		}
		h.Set(k, v)
	}
	hc := o.Client
	if hc == nil {
		hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Notifier{url: rawURL, shown: shown(u, rawURL), headers: h, timeout: o.Timeout, hc: hc}, nil
}

// shown is u for messages: scheme, host and path, without user
// information or query, which may hold secrets.
func shown(u *url.URL, raw string) string {
	if u == nil {
		s := raw
		if i := strings.IndexByte(s, '?'); i >= 0 {
			s = s[:i] + "?..."
		}
		if i, j := strings.LastIndexByte(s, '@'), strings.Index(s, "://"); j >= 0 && i > j {
			s = s[:j+3] + "...@" + s[i+1:]
		}
		return s
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// validName reports whether k is an HTTP header name (an RFC 9110 token).
func validName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range []byte(k) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// Notify POSTs note. It fails with fault.ErrUnavailable when the webhook
// cannot be reached, does not answer within the timeout, or answers 5xx,
// 408, 425 or 429: sending again may help. It fails with fault.ErrInvalid
// when the webhook refuses the notification (another 4xx, or a redirect
// with the default client): sending it again will not help.
func (n *Notifier) Notify(ctx context.Context, note fault.Notification) error {
	data, err := json.Marshal(Body{Kind: note.Kind.String(), Alarm: note.Alarm})
	if err != nil {
		return fmt.Errorf("webhook: encode the %s notification: %w", note.Kind, err)
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("webhook: post to %s: %w", n.shown, err)
	}
	for k, v := range n.headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "flock-fault-webhook")
	resp, err := n.hc.Do(req)
	if err != nil {
		// The client's error repeats the whole URL, query and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: post to %s: %w: %w", n.shown, fault.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	if len(answer) > quoted {
		answer = answer[:quoted]
	}
	kind := fault.ErrUnavailable
	if refused(resp.StatusCode) {
		kind = fault.ErrInvalid
	}
	return fmt.Errorf("webhook: post to %s: %w: status %d: %q", n.shown, kind, resp.StatusCode, answer)
}

// refused reports whether status says that sending the same request again
// will not help: a 4xx other than 408, 425 and 429, or a redirect.
func refused(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return status/100 == 4 || status/100 == 3
}

// As reaches the native client: target must be a **http.Client.
func (n *Notifier) As(target any) bool {
	if p, ok := target.(**http.Client); ok {
		*p = n.hc
		return true
	}
	return false
}
