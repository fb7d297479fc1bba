package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Caller sends JSON requests to one service's REST API and decodes its
// answers: what every service's HTTP client does, in one place.
type Caller struct {
	// Name prefixes errors ("faulthttp").
	Name string
	// Base is the API's URL, without a trailing slash.
	Base string
	// Token, if set, is sent as "Authorization: Bearer <token>".
	Token string
	// HTTP sends the requests.
	HTTP *http.Client
	// Timeout bounds a request whose context has no deadline.
	Timeout time.Duration
	// Errors decodes error answers into the service's sentinels.
	Errors *Errors
	// Unavailable is the service's sentinel for a server that could not
	// be reached or answered nonsense.
	Unavailable error
}

// NewCaller returns a Caller of the API at baseURL with a 30 s default
// timeout and, if hc is nil, an HTTP client tuned for many concurrent
// requests to one server.
func NewCaller(name, baseURL, token string, hc *http.Client, timeout time.Duration, errs *Errors, unavailable error) *Caller {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	return &Caller{Name: name, Base: strings.TrimRight(baseURL, "/"), Token: token, HTTP: hc, Timeout: timeout,
		Errors: errs, Unavailable: unavailable}
}

// Do sends a request with in (unless nil) as its JSON body and decodes
// a JSON answer into out (unless nil). An error answer comes back as
// Errors decodes it; a server that cannot be reached, or whose answer
// does not decode, wraps Unavailable.
func (c *Caller) Do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	u := c.Base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode: %w", c.Name, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("%s: %w", c.Name, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %s %s: %w", c.Name, method, path, ctx.Err())
		}
		return fmt.Errorf("%s: %s %s: %w: %v", c.Name, method, path, c.Unavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s %s: %w", c.Name, method, path, c.Errors.Decode(resp))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	// Decoded as it arrives: the answer's size is what was sent, never
	// what a header announced.
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s: %s %s: decode answer: %w: %s", c.Name, method, path, c.Unavailable, answerError(err))
	}
	return nil
}

// answerError words a decoding error in the answer's terms, without the
// Go types that encoding/json names.
func answerError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
		if field == "" {
			return "the answer is a JSON " + te.Value + " where an object was expected"
		}
		return "member " + field + " has an unexpected " + te.Value + " value"
	}
	return err.Error()
}
