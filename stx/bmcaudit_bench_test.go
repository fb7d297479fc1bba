package stx

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
)

// BenchmarkBMCAudit1000 is one round of host maintenance's BMC audit
// (each host's power state and sensors) over 1,000 hosts whose BMCs are
// the systems of one stx-bmcsim process (Redfish over HTTP, sessions,
// the mockup's 46 sensors each): what stx-controller does every
// bmc_audit_interval (30 s). The emulator runs in its own process, so
// this process's CPU time (getrusage) is the controller side's alone;
// core-%@30s is that time per round over 30 s.
func BenchmarkBMCAudit1000(b *testing.B) {
	const hosts = 1000
	ctx := b.Context()
	bin := filepath.Join(b.TempDir(), "stx-bmcsim")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/edgeflock/flock/cmd/stx-bmcsim").CombinedOutput()
	require.NoError(b, err, "%s", out)
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(b))
	args := []string{"--listen", addr, "--password", "bmc-pw", "--log-level", "error"}
	for i := range hosts {
		args = append(args, "--system", fmt.Sprintf("h%04d", i))
	}
	p, err := testenv.Start(b, "stx-bmcsim", nil, bin, args...)
	require.NoError(b, err)
	require.NoError(b, testenv.WaitFor(p, 60*time.Second, func() error {
		resp, err := http.Get("http://" + addr + "/redfish/v1/")
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}))

	sys, err := Open(ctx, Config{DataDir: b.TempDir(), HostMgmt: HostMgmtConfig{BMCAuditInterval: -1}})
	require.NoError(b, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = sys.Run(runCtx) }()
	b.Cleanup(func() { cancel(); <-done; _ = sys.Close(context.Background()) })
	t0 := time.Now()
	for i := range hosts {
		name := fmt.Sprintf("h%04d", i)
		h, err := sys.Inventory.AddHost(ctx, inventory.HostSpec{Hostname: name, Personality: inventory.PersonalityWorker,
			MgmtMAC: fmt.Sprintf("08:00:27:00:%02x:%02x", i/256, i%256), BMType: "redfish",
			BMIP: "redfish+http://" + addr + "?system=" + name, BMUsername: "admin", BMPassword: "bmc-pw"})
		require.NoError(b, err)
		_, err = sys.hm.m.GetHostState(ctx, h.UUID)
		require.NoError(b, err)
	}
	m := sys.hm.m
	b.Logf("hosts added in %v", time.Since(t0))
	t0 = time.Now()
	m.AuditBMCs(ctx) // log in everywhere once
	b.Logf("first round in %v", time.Since(t0))
	as, err := sys.Fault.ListAlarms(ctx, fault.AlarmQuery{AlarmID: "200.007"})
	require.NoError(b, err)
	b.Logf("%d sensor alarms", len(as))
	sts, err := m.ListHostStates(ctx)
	require.NoError(b, err)
	read := 0
	for _, st := range sts {
		if st.BMC != nil && st.BMC.Error == "" && len(st.BMC.Sensors) > 0 {
			read++
		}
	}
	if read != hosts {
		for _, st := range sts {
			if st.BMC == nil || st.BMC.Error != "" {
				b.Logf("%s: %+v", st.Hostname, st.BMC)
				break
			}
		}
	}
	require.Equal(b, hosts, read, "every BMC read, with its sensors")

	cpu := func() time.Duration {
		var ru syscall.Rusage
		require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := cpu()
	for b.Loop() {
		m.AuditBMCs(ctx)
	}
	used := cpu() - start
	perRound := used / time.Duration(b.N)
	b.ReportMetric(float64(perRound.Microseconds())/1000, "cpu-ms/round")
	b.ReportMetric(100*perRound.Seconds()/30, "core-%@30s")
}
