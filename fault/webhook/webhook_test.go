package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/webhook"
)

func TestWebhookDeliversWithRetries(t *testing.T) {
	var mu sync.Mutex
	var got []webhook.Body
	fails := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var b webhook.Body
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&b))
		got = append(got, b)
	}))
	defer srv.Close()
	n, err := webhook.New(srv.URL, &webhook.Options{Headers: map[string]string{"Authorization": "Bearer s3cret"}})
	require.NoError(t, err)
	ctx := t.Context()
	m, err := fault.Open(ctx, faultstore.NewMemoryStore(), &fault.Options{Notifiers: []fault.Notifier{n}})
	require.NoError(t, err)
	u, err := m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.ClearAlarm(ctx, "100.101", "host=controller-0"))
	require.NoError(t, m.Close(ctx))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2, "both notifications arrive, the first after two failures")
	assert.Equal(t, "set", got[0].Kind)
	assert.Equal(t, u, got[0].Alarm.UUID)
	assert.True(t, got[0].Alarm.MgmtAffecting, "derived fields are filled in")
	assert.Equal(t, "clear", got[1].Kind)
	assert.Zero(t, fails)
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		opts      *webhook.Options
		field     string
	}{
		{"empty url", "", nil, "url"},
		{"other scheme", "ftp://x", nil, "url"},
		{"not a url", "not a url", nil, "url"},
		{"no host", "http://", nil, "url"},
		{"unparsable, with a secret", "http://user:s3cret@[::1/x", nil, "url"},
		{"negative timeout", "http://x", &webhook.Options{Timeout: -time.Second}, "timeout"},
		{"header name", "http://x", &webhook.Options{Headers: map[string]string{"Bad Name": "v"}}, "headers"},
		{"empty header name", "http://x", &webhook.Options{Headers: map[string]string{"": "v"}}, "headers"},
		{"header value", "http://x", &webhook.Options{Headers: map[string]string{"X-A": "v\r\nX-B: w"}}, "headers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.New(tc.url, tc.opts)
			require.ErrorIs(t, err, fault.ErrInvalid)
			var fe *fault.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestNewDefaults(t *testing.T) {
	for _, opts := range []*webhook.Options{nil, {}} {
		n, err := webhook.New("https://ops.example.net/hook", opts)
		require.NoError(t, err)
		var hc *http.Client
		require.True(t, n.As(&hc))
		assert.NotNil(t, hc.CheckRedirect, "the default client follows no redirect")
	}
}

// TestNotifyErrors checks what each failure says: whether a retry may
// help, the status and the start of the answer, and never the URL's
// secrets.
func TestNotifyErrors(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"server error", http.StatusInternalServerError, "database down", fault.ErrUnavailable},
		{"unavailable", http.StatusServiceUnavailable, "busy", fault.ErrUnavailable},
		{"too many requests", http.StatusTooManyRequests, "slow down", fault.ErrUnavailable},
		{"refused", http.StatusUnauthorized, "bad token", fault.ErrInvalid},
		{"not found", http.StatusNotFound, "no such hook", fault.ErrInvalid},
		{"redirect", http.StatusFound, "elsewhere", fault.ErrInvalid},
		{"long answer", http.StatusBadGateway, long, fault.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status/100 == 3 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1) + "/hook?token=t0ken"
			n, err := webhook.New(u, nil)
			require.NoError(t, err)
			err = n.Notify(t.Context(), fault.Notification{Kind: fault.NotifySet})
			require.ErrorIs(t, err, tc.want)
			msg := err.Error()
			assert.Contains(t, msg, "status "+strconv.Itoa(tc.status))
			assert.Contains(t, msg, tc.body[:min(len(tc.body), 8)])
			assert.Contains(t, msg, "/hook")
			assert.NotContains(t, msg, "s3cret")
			assert.NotContains(t, msg, "t0ken")
			assert.Less(t, len(msg), 1024, "the answer is quoted, not copied")
		})
	}
}

func TestNotifyUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hook?token=t0ken"
	srv.Close() // nothing listens there now
	n, err := webhook.New(u, nil)
	require.NoError(t, err)
	err = n.Notify(t.Context(), fault.Notification{Kind: fault.NotifySet})
	require.ErrorIs(t, err, fault.ErrUnavailable)
	assert.NotContains(t, err.Error(), "t0ken")
}

func TestNotifyTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // answers only when the test ends
	}))
	defer srv.Close()
	defer close(release)
	n, err := webhook.New(srv.URL, &webhook.Options{Timeout: 50 * time.Millisecond})
	require.NoError(t, err)
	err = n.Notify(t.Context(), fault.Notification{Kind: fault.NotifySet})
	require.ErrorIs(t, err, fault.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestNotifyHonoursContext(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer srv.Close()
	n, err := webhook.New(srv.URL, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = n.Notify(ctx, fault.Notification{Kind: fault.NotifySet})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, calls)
}

func TestAs(t *testing.T) {
	hc := &http.Client{}
	n, err := webhook.New("http://127.0.0.1:1/", &webhook.Options{Client: hc})
	require.NoError(t, err)
	var got *http.Client
	require.True(t, n.As(&got))
	assert.Same(t, hc, got)
	assert.False(t, n.As(new(int)))
}
