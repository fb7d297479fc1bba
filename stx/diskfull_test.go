package stx_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/stx"
)

// TestDiskFull: with the controller's data directory on a file system
// that fills up, writes answer 503 with a clear error, reads go on,
// /healthz reports the store's error, and once space returns writes
// succeed again, without a restart.
func TestDiskFull(t *testing.T) {
	dir := testenv.MountTmpfs(t, "8m")
	sys, srv := openSystem(t, stx.Config{DataDir: dir})
	tok := sys.AdminToken
	post := func(host string) (int, string) {
		body, err := json.Marshal(faulthttp.RequestOf(faulttest.CPUAlarm(host, fault.SeverityMajor)))
		require.NoError(t, err)
		code, resp, _ := do(t, "POST", srv.URL+"/v1/alarms", tok, string(body))
		return code, resp
	}
	code, body := post("before")
	require.Equal(t, http.StatusCreated, code, body)

	filler, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	chunk := make([]byte, 64<<10)
	for err == nil {
		_, err = filler.Write(chunk)
	}
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.NoError(t, filler.Close())

	// The WAL may still have room for a few commits; it runs out soon.
	refused := false
	for i := range 2000 {
		code, body = post(fmt.Sprint("during-", i))
		if code != http.StatusCreated {
			refused = true
			break
		}
	}
	require.True(t, refused, "no write was refused on a full disk")
	assert.Equal(t, http.StatusServiceUnavailable, code, body)
	assert.Contains(t, body, "unavailable", body)
	t.Logf("a write on a full disk: %d %s", code, body)

	code, body, _ = do(t, "GET", srv.URL+"/healthz", "", "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "full", "healthz says why")

	code, body, _ = do(t, "GET", srv.URL+"/v1/alarms?q.field=entity_instance_id&q.value=host=before", tok, "")
	require.Equal(t, http.StatusOK, code, "reads go on: %s", body)
	assert.Contains(t, body, "host=before")

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	// The next write goes through: the manager reloaded the store's state
	// after the failure and commits again.
	code, body = post("after")
	require.Equal(t, http.StatusCreated, code, body)
	code, body, _ = do(t, "GET", srv.URL+"/healthz", "", "")
	assert.Equal(t, http.StatusOK, code, body)
	as, err := sys.Fault.ListAlarms(t.Context(), fault.AlarmQuery{EntityPrefix: "host=after"})
	require.NoError(t, err)
	assert.Len(t, as, 1)
}
