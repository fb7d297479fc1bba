package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/stx"
)

type cli struct {
	t     *testing.T
	url   string
	token string
}

func (c cli) run(args ...string) (string, error) {
	var out bytes.Buffer
	root := newRoot(&out)
	root.SetArgs(append([]string{"--url", c.url, "--token", c.token}, args...))
	err := root.ExecuteContext(c.t.Context())
	return out.String(), err
}

func (c cli) must(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	require.NoError(c.t, err, "stx %s", strings.Join(args, " "))
	return out
}

func TestCLI(t *testing.T) {
	sys, err := stx.Open(t.Context(), stx.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer sys.Close(t.Context())
	srv := httptest.NewServer(sys.Handler())
	defer srv.Close()
	c := cli{t: t, url: srv.URL, token: sys.AdminToken}

	u := strings.TrimSpace(c.must("alarm-raise", "--alarm-id", "100.101", "--eid", "host=controller-0", "--severity", "critical"))
	assert.Len(t, u, 36)
	c.must("alarm-raise", "--alarm-id", "200.001", "--eid", "host=compute-1")
	out := c.must("alarm-list", "--uuid")
	assert.Contains(t, out, u)
	assert.Contains(t, out, "host=compute-1")
	assert.Contains(t, out, "Alarm ID")

	var as []fault.Alarm
	require.NoError(t, json.Unmarshal([]byte(c.must("alarm-list", "--format", "json", "-q", "alarm_id=100.101")), &as))
	require.Len(t, as, 1)
	assert.Equal(t, fault.SeverityCritical, as[0].Severity)
	assert.Equal(t, fault.AlarmTypeOperationalViolation, as[0].AlarmType, "filled in from the catalog")

	assert.Contains(t, c.must("alarm-list", "--format", "yaml"), "alarm_id: \"100.101\"")
	assert.Contains(t, c.must("alarm-show", u), "threshold-crossed")
	assert.Contains(t, c.must("alarm-ack", u, "--by", "alice"), "alice")
	assert.Contains(t, c.must("alarm-summary"), "critical")
	assert.Contains(t, c.must("alarm-list", "--mgmt-affecting"), "100.101")

	c.must("event-suppress", "--alarm-id", "100.101")
	assert.NotContains(t, c.must("alarm-list"), "100.101")
	assert.Contains(t, c.must("alarm-list", "--include-suppress"), "100.101")
	assert.Contains(t, c.must("event-suppress-list"), "100.101")
	c.must("event-unsuppress-all")
	assert.NotContains(t, c.must("event-suppress-list"), "100.101")
	c.must("event-suppress", "--alarm-id", "200.001")
	c.must("event-unsuppress", "--alarm-id", "200.001")

	c.must("alarm-raise", "--alarm-id", "200.021", "--eid", "host=compute-1.command=lock", "--state", "log")
	logs := c.must("event-list", "--logs")
	assert.Contains(t, logs, "200.021")
	assert.NotContains(t, logs, "100.101")
	var es []fault.Event
	require.NoError(t, json.Unmarshal([]byte(c.must("event-list", "--format", "json", "-l", "1")), &es))
	require.Len(t, es, 1)
	assert.Contains(t, c.must("event-show", es[0].UUID), "200.021")
	// start and end as fm's help writes them.
	assert.Contains(t, c.must("event-list", "-q", "start=20160131 10:23:45"), "200.021")
	assert.NotContains(t, c.must("event-list", "-q", "start=20160131 10:23:45;end=20171225"), "200.021")
	_, err = c.run("event-list", "-q", "end=yesterday")
	assert.Error(t, err)

	c.must("alarm-clear", "--alarm-id", "200.001", "--eid", "host=compute-1")
	c.must("alarm-delete", u)
	assert.NotContains(t, c.must("alarm-list"), "host=")

	// Failures are errors (main prints them on one line and exits 1).
	_, err = c.run("alarm-show", "00000000-0000-4000-8000-000000000000")
	assert.ErrorIs(t, err, fault.ErrNotFound)
	_, err = c.run("alarm-raise", "--alarm-id", "100.101", "--eid", "host=a", "--severity", "warning")
	assert.ErrorIs(t, err, fault.ErrInvalid)
	_, err = c.run("alarm-list", "-q", "colour=red")
	assert.Error(t, err)
	_, err = c.run("alarm-list", "--format", "xml")
	assert.Error(t, err)
	_, err = cli{t: t, url: srv.URL, token: "bad"}.run("alarm-list")
	assert.ErrorContains(t, err, "unauthenticated")
}
