package webhook_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
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
	n, err := webhook.New(webhook.Options{URL: srv.URL, Headers: map[string]string{"Authorization": "Bearer s3cret"}})
	require.NoError(t, err)
	ctx := t.Context()
	m, err := fault.Open(ctx, fault.NewMemoryStore(), &fault.Options{Notifiers: []fault.Notifier{n}})
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

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "not a url", "http://"} {
		_, err := webhook.New(webhook.Options{URL: u})
		assert.ErrorIs(t, err, fault.ErrInvalid, u)
	}
}

func TestAs(t *testing.T) {
	hc := &http.Client{}
	n, err := webhook.New(webhook.Options{URL: "http://127.0.0.1:1/", Client: hc})
	require.NoError(t, err)
	var got *http.Client
	require.True(t, n.As(&got))
	assert.Same(t, hc, got)
	assert.False(t, n.As(new(int)))
}
