package bmcsim

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/testenv"
)

// These tests drive the emulator with Redfish clients nobody here wrote:
// DMTF's redfishtool and OpenStack's sushy (Ironic's Redfish library).

// bootRecorder is a memory host that records the boot devices set.
type bootRecorder struct {
	*MemoryHost
	mu    sync.Mutex
	boots []hostmgmt.BootDevice
}

func (b *bootRecorder) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	b.mu.Lock()
	b.boots = append(b.boots, d)
	b.mu.Unlock()
	return b.MemoryHost.SetBootDevice(ctx, d)
}

func (b *bootRecorder) Boots() []hostmgmt.BootDevice {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]hostmgmt.BootDevice(nil), b.boots...)
}

// clientRig serves two systems, web1 and web2 (the one driven, with
// info of its own), on a loopback port.
func clientRig(t *testing.T) (log *logBuffer, host string, web2 *bootRecorder) {
	t.Helper()
	log = &logBuffer{}
	srv, err := New(&Options{Username: testUser, Password: testPass, Logger: slog.New(slog.NewTextHandler(log, nil))})
	require.NoError(t, err)
	require.NoError(t, srv.AddSystem("web1", NewMemoryHost(nil)))
	web2 = &bootRecorder{MemoryHost: NewMemoryHost(&MemoryOptions{Info: hostmgmt.BMCInfo{
		Manufacturer: "Flock Labs", Model: "VM-2", SerialNumber: "SN-web2", FirmwareVersion: "uefi-9", BMCFirmwareVersion: "bmcsim-1",
	}})}
	require.NoError(t, srv.AddSystem("web2", web2))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return log, strings.TrimPrefix(ts.URL, "http://"), web2
}

func TestRedfishtool(t *testing.T) {
	bin := testenv.LookPath(t, "DMTF's redfishtool", "apt-get install -y redfishtool", "redfishtool")
	log, host, web2 := clientRig(t)
	rft := func(auth string, args ...string) (string, error) {
		base := []string{"-r", host, "-u", testUser, "-p", testPass, "-S", "Never", "-A", auth, "-T", "20"}
		out, err := exec.CommandContext(t.Context(), bin, append(base, args...)...).CombinedOutput()
		return string(out), err
	}
	must := func(auth string, args ...string) string {
		t.Helper()
		out, err := rft(auth, args...)
		require.NoError(t, err, "redfishtool %v: %s", args, out)
		return out
	}
	prop := func(auth, id, name string) any {
		t.Helper()
		var m map[string]any
		out := must(auth, "Systems", "-I", id, "-P", name)
		require.NoError(t, json.Unmarshal([]byte(out), &m), out)
		return m[name]
	}

	for _, auth := range []string{"Basic", "Session"} {
		t.Run(auth, func(t *testing.T) {
			assert.Equal(t, "On", prop(auth, "web2", "PowerState"))
			must(auth, "Systems", "-I", "web2", "reset", "ForceOff")
			state, err := web2.PowerState(t.Context())
			require.NoError(t, err)
			assert.Equal(t, hostmgmt.PowerOff, state, "the backend was powered off")
			assert.Equal(t, "Off", prop(auth, "web2", "PowerState"))

			must(auth, "Systems", "-I", "web2", "setBootOverride", "Once", "Pxe")
			assert.Equal(t, hostmgmt.BootPXE, web2.NextBoot())
			boot := prop(auth, "web2", "Boot").(map[string]any)
			assert.Equal(t, "Pxe", boot["BootSourceOverrideTarget"])
			assert.Equal(t, "Once", boot["BootSourceOverrideEnabled"])

			must(auth, "Systems", "-I", "web2", "reset", "On")
			assert.Equal(t, "On", prop(auth, "web2", "PowerState"))
			boot = prop(auth, "web2", "Boot").(map[string]any)
			assert.Equal(t, "Disabled", boot["BootSourceOverrideEnabled"], "the once override was used")

			must(auth, "Systems", "-I", "web2", "reset", "ForceRestart")
			must(auth, "Systems", "-I", "web2", "reset", "GracefulRestart")
			must(auth, "Systems", "-I", "web2", "reset", "PowerCycle")
			assert.Equal(t, "On", prop(auth, "web1", "PowerState"), "web1 was not touched")
			assert.Equal(t, auth == "Session", log.count("bmcsim: session created") > 0, "redfishtool logged in")
		})
	}
	assert.Equal(t, []hostmgmt.PowerOp{
		hostmgmt.OpPowerOff, hostmgmt.OpPowerOn, hostmgmt.OpReset, hostmgmt.OpGracefulRestart, hostmgmt.OpCycle,
		hostmgmt.OpPowerOff, hostmgmt.OpPowerOn, hostmgmt.OpReset, hostmgmt.OpGracefulRestart, hostmgmt.OpCycle,
	}, web2.Ops())
	assert.Equal(t, []hostmgmt.BootDevice{hostmgmt.BootPXE, hostmgmt.BootPXE}, web2.Boots())

	var sys map[string]any
	out := must("Basic", "Systems", "-I", "web2")
	require.NoError(t, json.Unmarshal([]byte(out), &sys), out)
	assert.Equal(t, "Flock Labs", sys["Manufacturer"])
	assert.Equal(t, "VM-2", sys["Model"])
	assert.Equal(t, "SN-web2", sys["SerialNumber"])
	assert.Equal(t, "uefi-9", sys["BiosVersion"])
	out = must("Basic", "Systems", "list")
	assert.Contains(t, out, "/redfish/v1/Systems/web1")
	assert.Contains(t, out, "/redfish/v1/Systems/web2")

	// What redfishtool itself would not send: the emulator refuses it.
	out, err := rft("Basic", "-s", "raw", "POST", "/redfish/v1/Systems/web2/Actions/ComputerSystem.Reset", "-d", `{"ResetType":"Explode"}`)
	require.Error(t, err, out)
	assert.Contains(t, out, "status_code: 400")
	out, err = rft("Basic", "-s", "raw", "GET", "/redfish/v1/Systems/web9")
	require.Error(t, err, out)
	assert.Contains(t, out, "status_code: 404")
	base := []string{"-r", host, "-u", testUser, "-p", "wrong", "-S", "Never", "Systems", "-I", "web2", "reset", "ForceOff"}
	out2, err := exec.CommandContext(t.Context(), bin, base...).CombinedOutput()
	require.Error(t, err, "wrong password: %s", out2)
	assert.Contains(t, string(out2), "401")
	assert.Len(t, web2.Ops(), 10, "refused requests did nothing")
}

// sushyStep is one line of testdata/sushy_client.py's report.
type sushyStep struct {
	Step          string   `json:"step"`
	Power         string   `json:"power"`
	BootTarget    string   `json:"boot_target"`
	BootEnabled   string   `json:"boot_enabled"`
	Manufacturer  string   `json:"manufacturer"`
	Serial        string   `json:"serial"`
	Bios          string   `json:"bios"`
	AllowedResets []string `json:"allowed_resets"`
	AllowedBoot   []string `json:"allowed_boot"`
	Error         string   `json:"error"`
	Status        int      `json:"status"`
	Code          string   `json:"code"`
	Manager       string   `json:"manager"`
	Chassis       string   `json:"chassis"`
	Firmware      string   `json:"firmware"`
}

func TestSushy(t *testing.T) {
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import sushy").CombinedOutput(); err != nil {
		testenv.Missing(t, "OpenStack's sushy", "apt-get install -y python3-sushy", err)
		_ = out
	}
	log, host, web2 := clientRig(t)
	out, err := exec.CommandContext(t.Context(), python, "testdata/sushy_client.py",
		"http://"+host, testUser, testPass, "/redfish/v1/Systems/web2").CombinedOutput()
	require.NoError(t, err, "sushy: %s", out)
	var steps []sushyStep
	require.NoError(t, json.Unmarshal(out, &steps), "%s", out)
	byName := map[string]sushyStep{}
	for _, s := range steps {
		byName[s.Step] = s
	}
	info := byName["info"]
	assert.Equal(t, "On", info.Power)
	assert.Equal(t, "Flock Labs", info.Manufacturer)
	assert.Equal(t, "SN-web2", info.Serial)
	assert.Equal(t, "uefi-9", info.Bios)
	assert.Equal(t, []string{"ForceOff", "ForceOn", "ForceRestart", "GracefulRestart", "GracefulShutdown", "Nmi", "On", "PowerCycle", "PushPowerButton"}, info.AllowedResets)
	assert.Equal(t, []string{"Cd", "Hdd", "None", "Pxe"}, info.AllowedBoot)
	assert.Equal(t, "Off", byName["force-off"].Power)
	assert.Equal(t, sushyStep{Step: "boot-pxe-once", Power: "Off", BootTarget: "Pxe", BootEnabled: "Once"}, byName["boot-pxe-once"])
	assert.Equal(t, sushyStep{Step: "on", Power: "On", BootTarget: "None", BootEnabled: "Disabled"}, byName["on"], "the boot used the once override")
	assert.Equal(t, "On", byName["force-restart"].Power)
	assert.Equal(t, "BadRequestError", byName["bad-reset-sent"].Error)
	assert.Equal(t, 400, byName["bad-reset-sent"].Status)
	assert.Equal(t, baseRegistry+"ActionParameterValueNotInList", byName["bad-reset-sent"].Code)
	assert.Equal(t, "Off", byName["graceful-shutdown"].Power)
	assert.Equal(t, "/redfish/v1/Managers/web2", byName["links"].Manager)
	assert.Equal(t, "/redfish/v1/Chassis/web2", byName["links"].Chassis)
	assert.Equal(t, "bmcsim-1", byName["links"].Firmware)

	assert.Equal(t, []hostmgmt.PowerOp{hostmgmt.OpPowerOff, hostmgmt.OpPowerOn, hostmgmt.OpReset, hostmgmt.OpGraceful}, web2.Ops())
	assert.Equal(t, []hostmgmt.BootDevice{hostmgmt.BootPXE}, web2.Boots())
	assert.Equal(t, 1, log.count("bmcsim: session created"), "sushy logged in")
	assert.Equal(t, 1, log.count("bmcsim: session deleted"), "sushy logged out")
}

// logBuffer keeps a server's log.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// count is how many records have message msg.
func (l *logBuffer) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), "msg=\""+msg+"\"")
}
