package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/ha/hahttp"
	"github.com/edgeflock/flock/internal/testenv"
)

// TestControllerEmbedsHA: stx-controller --ha-config runs service
// management in its own process with the controller's Go plugins: its
// sm-api answers on the controller's port, and alone (its peer silent,
// no fence nor witness) it keeps the N + M group standby, the N group
// active, and raises 400.002 in its own fault management.
func TestControllerEmbedsHA(t *testing.T) {
	bin := buildController(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	model := write("model.yaml", `
domains:
  - name: controller
    members:
      - {service_group_name: controller-services, redundancy_model: N + M, n_active: 1, m_standby: 1}
      - {service_group_name: directory-services, redundancy_model: N, n_active: 2, m_standby: 0}
service_groups:
  - name: controller-services
    services: [{service_name: stx-controller-api, service_failure_impact: critical}]
  - name: directory-services
    services: [{service_name: data-dir, service_failure_impact: critical}]
services:
  - name: stx-controller-api
    actions:
      - {action: go-active, plugin_type: go, plugin_name: stx-controller.serve, timeout: 5s}
      - {action: go-standby, plugin_type: go, plugin_name: stx-controller.stop, timeout: 5s}
      - {action: audit-enabled, plugin_type: go, plugin_name: stx-controller.health, timeout: 5s, interval: 1s}
  - name: data-dir
    actions:
      - {action: enable, plugin_type: go, plugin_name: data-dir.check, timeout: 5s}
      - {action: audit-enabled, plugin_type: go, plugin_name: data-dir.check, timeout: 5s, interval: 1s}
`)
	key := write("ha.key", strings.Repeat("k", 40))
	local, peer := testenv.FreeUDPPort(t), testenv.FreeUDPPort(t)
	haCfg := write("ha.yaml", "node: controller-0\npeer: controller-1\nkey_file: "+key+"\nstate_dir: "+filepath.Join(dir, "ha")+
		"\nmodel_file: "+model+"\nfailover: {wait_interval: 300ms}\npaths:\n  - {name: mgmt, local: '127.0.0.1:"+itoa(local)+"', peer: '127.0.0.1:"+itoa(peer)+"'}\n")
	cmd, _ := start(t, bin, "--listen", addr, "--data-dir", dir, "--no-auth", "--ha-config", haCfg)
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()

	sm := hahttp.NewClient("http://"+addr, nil)
	fm := faulthttp.NewClient("http://"+addr, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var states map[string]ha.GroupState
	var raised bool
	for ctx.Err() == nil {
		sda, err := sm.ListServiceGroups(ctx)
		require.NoError(t, err)
		states = map[string]ha.GroupState{}
		for _, a := range sda {
			states[a.NodeName+"/"+a.ServiceGroupName] = a.State
		}
		alarms, err := fm.ListAlarms(ctx, fault.AlarmQuery{})
		require.NoError(t, err)
		raised = false
		for _, a := range alarms {
			raised = raised || a.AlarmID == "400.002"
		}
		if raised && states["controller-0/directory-services"] == ha.GroupActive {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	assert.Equal(t, map[string]ha.GroupState{"controller-0/controller-services": ha.GroupStandby,
		"controller-0/directory-services": ha.GroupActive}, states)
	assert.True(t, raised, "400.002 raised in the controller's own fault management")
}

func itoa(i int) string { return strconv.Itoa(i) }
