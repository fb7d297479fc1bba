package snmptrap_test

import (
	"github.com/gosnmp/gosnmp"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/snmptrap"
	"github.com/edgeflock/flock/internal/testenv"
)

// TestTrapsReachSnmptrapd raises, clears, clears-all, logs and suppresses
// through a manager whose notifier sends to a real snmptrapd, and checks
// the trap OIDs and varbinds it received.
func TestTrapsReachSnmptrapd(t *testing.T) {
	trapd := testenv.StartSnmptrapd(t, "flock")
	n, err := snmptrap.New(snmptrap.Options{Target: trapd.Addr, Community: "flock", System: "edge-1"})
	require.NoError(t, err)
	defer n.Close()
	ctx := t.Context()
	m, err := fault.Open(ctx, fault.NewMemoryStore(), &fault.Options{
		Notifiers: []fault.Notifier{n}, SuppressionNotifyDelay: 50 * time.Millisecond})
	require.NoError(t, err)

	u, err := m.SetAlarm(ctx, faulttest.CPUAlarm("controller-0", fault.SeverityCritical))
	require.NoError(t, err)
	traps := trapd.WaitTraps(t, 1)
	tr := traps[0]
	assert.Equal(t, "."+snmptrap.TrapCritical, tr.OID)
	assert.Equal(t, u, tr.Vars["."+snmptrap.Column(snmptrap.ColUUID)])
	assert.Equal(t, "100.101", tr.Vars["."+snmptrap.Column(snmptrap.ColAlarmID)])
	assert.Equal(t, "system=edge-1.host=controller-0", tr.Vars["."+snmptrap.Column(snmptrap.ColEntityInstanceID)])
	assert.Equal(t, "4", tr.Vars["."+snmptrap.Column(snmptrap.ColSeverity)])
	assert.Equal(t, "7", tr.Vars["."+snmptrap.Column(snmptrap.ColEventType)], "operational-violation")
	assert.Equal(t, "50", tr.Vars["."+snmptrap.Column(snmptrap.ColProbableCause)], "threshold-crossed")
	assert.Equal(t, "Platform CPU threshold exceeded", tr.Vars["."+snmptrap.Column(snmptrap.ColReasonText)])
	assert.Equal(t, "0", tr.Vars["."+snmptrap.Column(snmptrap.ColServiceAffecting)])
	assert.Equal(t, "1", tr.Vars["."+snmptrap.Column(snmptrap.ColSuppression)])
	assert.Contains(t, tr.Vars, "."+snmptrap.Column(snmptrap.ColDateAndTime))

	_, err = m.SetAlarm(ctx, faulttest.HeartbeatAlarm("compute-1", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.ClearAlarm(ctx, "100.101", "host=controller-0"))
	_, err = m.ClearAll(ctx, "host=compute-1")
	require.NoError(t, err)
	_, err = m.Log(ctx, fault.Alarm{AlarmID: "200.021", State: fault.StateMsg, EntityTypeID: "host",
		EntityInstanceID: "host=controller-0.command=lock", Severity: fault.SeverityWarning, ReasonText: "lock requested"})
	require.NoError(t, err)
	// A suppressed id raises no trap; two suppression changes give one warmStart.
	_, err = m.SetSuppression(ctx, "100.101", fault.Suppressed)
	require.NoError(t, err)
	_, err = m.SetAlarm(ctx, faulttest.CPUAlarm("controller-1", fault.SeverityMajor))
	require.NoError(t, err)
	_, err = m.SetSuppression(ctx, "200.005", fault.Suppressed)
	require.NoError(t, err)
	require.NoError(t, m.Close(ctx)) // delivers what is queued, the warmStart batch too

	traps = trapd.WaitTraps(t, 6)
	var oids []string
	for _, tr := range traps {
		oids = append(oids, strings.TrimPrefix(tr.OID, "."))
	}
	assert.Equal(t, []string{snmptrap.TrapCritical, snmptrap.TrapMajor, snmptrap.TrapClear,
		snmptrap.TrapHierarchicalClear, snmptrap.TrapMessage, snmptrap.TrapWarmStart}, oids)
	clr := traps[2]
	assert.Equal(t, "100.101", clr.Vars["."+snmptrap.Column(snmptrap.ColAlarmID)])
	hc := traps[3]
	assert.Equal(t, "system=edge-1.host=compute-1", hc.Vars["."+snmptrap.Column(snmptrap.ColEntityInstanceID)])
	assert.Equal(t, fault.HierarchicalClearReason, hc.Vars["."+snmptrap.Column(snmptrap.ColReasonText)])
}

// TestMIBPassesSmilint checks the shipped MIB with libsmi's smilint.
func TestMIBPassesSmilint(t *testing.T) {
	bin, err := exec.LookPath("smilint")
	if err != nil {
		testenv.Missing(t, "smilint", "apt-get install -y smitools", err)
	}
	cmd := exec.Command(bin, "-l", "4", "-s", "mibs/FLOCK-ALARM-MIB")
	cmd.Env = append(cmd.Environ(), "SMIPATH=testdata/ietf")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "smilint reports problems")
	// A broken MIB is reported, so the check above can fail.
	bad := exec.Command(bin, "-l", "4", "-s", "testdata/BROKEN-MIB")
	bad.Env = cmd.Env
	badOut, _ := bad.CombinedOutput()
	assert.NotEmpty(t, strings.TrimSpace(string(badOut)))
}

func TestDateAndTime(t *testing.T) {
	d := snmptrap.DateAndTime(time.Date(2026, 11, 21, 17, 4, 5, 300_000_000, time.UTC))
	assert.Equal(t, []byte{0x07, 0xea, 11, 21, 17, 4, 5, 3, '+', 0, 0}, []byte(d))
}

func TestNewRejectsBadTarget(t *testing.T) {
	_, err := snmptrap.New(snmptrap.Options{})
	assert.ErrorIs(t, err, fault.ErrInvalid)
	_, err = snmptrap.New(snmptrap.Options{Target: "host:notaport"})
	assert.ErrorIs(t, err, fault.ErrInvalid)
}

func TestAs(t *testing.T) {
	n, err := snmptrap.New(snmptrap.Options{Target: "127.0.0.1:1162"})
	require.NoError(t, err)
	var g *gosnmp.GoSNMP
	require.True(t, n.As(&g))
	assert.Equal(t, uint16(1162), g.Port)
	var s string
	assert.False(t, n.As(&s))
}
