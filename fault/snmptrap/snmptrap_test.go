package snmptrap_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/snmptrap"
	"github.com/edgeflock/flock/internal/testenv"
)

// stxMIBs holds StarlingX's own WRS-ALARM-MIB and WRS-ENTERPRISE-REG-MIB,
// unchanged; ietfMIBs the parts of the IETF modules they import.
const (
	stxMIBs  = "testdata/starlingx"
	ietfMIBs = "testdata/ietf"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// The varbind names a manager with StarlingX's MIB sees.
const (
	upTime   = "SNMPv2-MIB::sysUpTime.0"
	trapOID  = "SNMPv2-MIB::snmpTrapOID.0"
	vUUID    = "WRS-ALARM-MIB::wrsAlarmActiveUuid.0"
	vID      = "WRS-ALARM-MIB::wrsAlarmActiveAlarmId.0"
	vEID     = "WRS-ALARM-MIB::wrsAlarmActiveEntityInstanceId.0"
	vTime    = "WRS-ALARM-MIB::wrsAlarmActiveDateAndTime.0"
	vSev     = "WRS-ALARM-MIB::wrsAlarmActiveAlarmSeverity.0"
	vReason  = "WRS-ALARM-MIB::wrsAlarmActiveReasonText.0"
	vType    = "WRS-ALARM-MIB::wrsAlarmActiveEventType.0"
	vCause   = "WRS-ALARM-MIB::wrsAlarmActiveProbableCause.0"
	vRepair  = "WRS-ALARM-MIB::wrsAlarmActiveProposedRepairAction.0"
	vSvc     = "WRS-ALARM-MIB::wrsAlarmActiveServiceAffecting.0"
	vSuppOK  = "WRS-ALARM-MIB::wrsAlarmActiveSuppressionAllowed.0"
	stxClock = "2026-11-21,17:04:05.0,+0:0" // what StarlingX sends for the clock below
)

var (
	setNames   = []string{upTime, trapOID, vUUID, vID, vEID, vTime, vSev, vReason, vType, vCause, vRepair, vSvc, vSuppOK}
	clearNames = []string{upTime, trapOID, vUUID, vID, vEID, vTime, vReason}
	hclrNames  = []string{upTime, trapOID, vUUID, vEID, vTime, vReason}
	clock      = time.Date(2026, 11, 21, 17, 4, 5, 300_000_000, time.UTC)
)

// TestTrapsDecodeWithStarlingXMIB raises, clears, clears-all, logs and
// suppresses through a manager whose notifier sends to a real snmptrapd
// that has StarlingX's own MIB loaded, and checks what it decodes: the
// names, order and values a manager integrated with StarlingX sees.
func TestTrapsDecodeWithStarlingXMIB(t *testing.T) {
	trapd := testenv.StartSnmptrapdMIBs(t, "flock", ietfMIBs, stxMIBs)
	n, err := snmptrap.New(trapd.Addr, &snmptrap.Options{Community: "flock", System: "edge-1"})
	require.NoError(t, err)
	defer n.Close()
	ctx := t.Context()
	m, err := fault.Open(ctx, faultstore.NewMemoryStore(), &fault.Options{
		Notifiers: []fault.Notifier{n}, SuppressionNotifyDelay: 50 * time.Millisecond,
		Now: func() time.Time { return clock }})
	require.NoError(t, err)

	cpu := faulttest.CPUAlarm("controller-0", fault.SeverityCritical)
	cpu.ProposedRepairAction = "Reduce the load"
	setUUID, err := m.SetAlarm(ctx, cpu)
	require.NoError(t, err)
	_, err = m.SetAlarm(ctx, faulttest.HeartbeatAlarm("compute-1", fault.SeverityMajor))
	require.NoError(t, err)
	require.NoError(t, m.ClearAlarm(ctx, "100.101", "host=controller-0"))
	_, err = m.ClearAll(ctx, "host=compute-1")
	require.NoError(t, err)
	logUUID, err := m.Log(ctx, fault.Alarm{AlarmID: "200.021", State: fault.StateMsg, EntityTypeID: "host",
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

	// Last, the time varbind as StarlingX's trap agent builds it (its text
	// in an OCTET STRING), to see how snmptrapd renders those octets.
	ref := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: udpPort(t, trapd.Addr), Community: "flock",
		Version: gosnmp.Version2c, Timeout: 2 * time.Second, Context: ctx}
	require.NoError(t, ref.Connect())
	defer ref.Conn.Close()
	_, err = ref.SendTrap(gosnmp.SnmpTrap{Variables: []gosnmp.SnmpPDU{
		{Name: "1.3.6.1.2.1.1.3.0", Type: gosnmp.TimeTicks, Value: uint32(1)},
		{Name: "1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: snmptrap.TrapClear},
		{Name: snmptrap.Column(snmptrap.ColDateAndTime), Type: gosnmp.OctetString, Value: stxClock},
	}})
	require.NoError(t, err)

	traps := trapd.WaitTraps(t, 7)
	require.Len(t, traps, 7)
	stxTime := traps[6].Vars[vTime]
	require.NotEmpty(t, stxTime)
	var oids []string
	for _, tr := range traps[:6] {
		oids = append(oids, tr.OID)
	}
	assert.Equal(t, []string{"WRS-ALARM-MIB::wrsAlarmCritical", "WRS-ALARM-MIB::wrsAlarmMajor",
		"WRS-ALARM-MIB::wrsAlarmClear", "WRS-ALARM-MIB::wrsAlarmHierarchicalClear",
		"WRS-ALARM-MIB::wrsAlarmMessage", "SNMPv2-MIB::warmStart"}, oids)

	set := traps[0]
	assert.Equal(t, setNames, set.Names, "uuid first, then StarlingX's order")
	assert.Equal(t, map[string]string{
		upTime: set.Vars[upTime], trapOID: "WRS-ALARM-MIB::wrsAlarmCritical",
		vUUID: setUUID, vID: "100.101", vEID: "system=edge-1.host=controller-0", vTime: stxTime,
		vSev: "critical", vReason: "Platform CPU threshold exceeded", vType: "operationalViolation",
		vCause: "threshold-crossed", vRepair: "Reduce the load", vSvc: "false", vSuppOK: "true",
	}, set.Vars)

	clr := traps[2]
	assert.Equal(t, clearNames, clr.Names)
	assert.Regexp(t, uuidRE, clr.Vars[vUUID])
	assert.Equal(t, "100.101", clr.Vars[vID])
	assert.Equal(t, "system=edge-1.host=controller-0", clr.Vars[vEID])
	assert.Equal(t, stxTime, clr.Vars[vTime])

	hc := traps[3]
	assert.Equal(t, hclrNames, hc.Names)
	assert.Regexp(t, uuidRE, hc.Vars[vUUID])
	assert.Equal(t, "system=edge-1.host=compute-1", hc.Vars[vEID])
	assert.Equal(t, stxTime, hc.Vars[vTime])
	assert.Equal(t, fault.HierarchicalClearReason, hc.Vars[vReason])

	lg := traps[4]
	assert.Equal(t, setNames, lg.Names)
	assert.Equal(t, logUUID, lg.Vars[vUUID])
	assert.Equal(t, "200.021", lg.Vars[vID])
	assert.Equal(t, "system=edge-1.host=controller-0.command=lock", lg.Vars[vEID])
	assert.Equal(t, stxTime, lg.Vars[vTime])
	assert.Equal(t, "warning", lg.Vars[vSev])
	assert.Equal(t, "lock requested", lg.Vars[vReason])
	assert.Equal(t, "N/A", lg.Vars[vRepair], "a log has no repair action")
	assert.Equal(t, "false", lg.Vars[vSuppOK], "a log is never suppressible")

	warm := traps[5]
	assert.Equal(t, []string{upTime, trapOID}, warm.Names, "warmStart carries no varbinds")
}

// udpPort returns the port of host:port.
func udpPort(t *testing.T, addr string) uint16 {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	port, err := strconv.ParseUint(p, 10, 16)
	require.NoError(t, err)
	return uint16(port)
}

// TestTrapVarbinds checks each kind of trap without a receiver: uuid
// first after sysUpTime and snmpTrapOID, the time in StarlingX's text.
func TestTrapVarbinds(t *testing.T) {
	n, err := snmptrap.New("127.0.0.1", nil)
	require.NoError(t, err)
	a := fault.Alarm{UUID: "0f0e0d0c-0b0a-4908-8706-050403020100", AlarmID: "100.101", EntityInstanceID: "host=a",
		Timestamp: clock, Severity: fault.SeverityMinor, ReasonText: "r", ProbableCause: 77}
	for _, tc := range []struct {
		name  string
		kind  fault.NotificationKind
		alarm fault.Alarm
		oid   string
		cols  []int
	}{
		{"set", fault.NotifySet, a, snmptrap.TrapMinor, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"log", fault.NotifyLog, a, snmptrap.TrapMessage, []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"clear", fault.NotifyClear, a, snmptrap.TrapClear, []int{2, 3, 4, 5, 7}},
		{"hierarchical clear", fault.NotifyHierarchicalClear,
			fault.Alarm{EntityInstanceID: "host=a", Timestamp: clock}, snmptrap.TrapHierarchicalClear, []int{2, 4, 5, 7}},
		{"suppression changed", fault.NotifySuppressionChanged, fault.Alarm{}, snmptrap.TrapWarmStart, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trap, err := n.Trap(fault.Notification{Kind: tc.kind, Alarm: tc.alarm})
			require.NoError(t, err)
			vars := trap.Variables
			require.Len(t, vars, 2+len(tc.cols))
			assert.Equal(t, "1.3.6.1.2.1.1.3.0", vars[0].Name)
			assert.Equal(t, gosnmp.TimeTicks, vars[0].Type)
			assert.Equal(t, "1.3.6.1.6.3.1.1.4.1.0", vars[1].Name)
			assert.Equal(t, tc.oid, vars[1].Value)
			for i, col := range tc.cols {
				v := vars[2+i]
				assert.Equal(t, snmptrap.Column(col), v.Name)
				switch col {
				case snmptrap.ColUUID:
					assert.Regexp(t, uuidRE, v.Value)
				case snmptrap.ColDateAndTime:
					assert.Equal(t, gosnmp.OctetString, v.Type)
					assert.Equal(t, stxClock, v.Value)
				case snmptrap.ColProbableCause:
					assert.Equal(t, 77, v.Value, "causes past the MIB's 74 travel as numbers")
				}
			}
		})
	}
	_, err = n.Trap(fault.Notification{Kind: 99})
	assert.ErrorIs(t, err, fault.ErrInvalid)
}

func TestTrapTime(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{clock, "2026-11-21,17:04:05.0,+0:0"},
		{time.Date(2027, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("X", 5*3600)), "2027-01-01,22:04:05.0,+0:0"},
		{time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), "2026-12-31,23:59:59.0,+0:0"},
	} {
		assert.Equal(t, tc.want, snmptrap.TrapTime(tc.in))
	}
	assert.Regexp(t, `^\d{4}-\d\d-\d\d,\d\d:\d\d:\d\d\.0,\+0:0$`, snmptrap.TrapTime(time.Time{}), "zero means now")
}

func TestNewRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		target string
		opts   *snmptrap.Options
		field  string
	}{
		{"", nil, "target"},
		{"host:notaport", nil, "target"},
		{"host:0", nil, "target"},
		{":162", nil, "target"},
		{"host:70000", nil, "target"},
		{"host", &snmptrap.Options{Timeout: -time.Second}, "timeout"},
	} {
		_, err := snmptrap.New(tc.target, tc.opts)
		require.ErrorIs(t, err, fault.ErrInvalid, tc.target)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, tc.field, fe.Field)
	}
}

func TestNewDefaults(t *testing.T) {
	for _, opts := range []*snmptrap.Options{nil, {}} {
		n, err := snmptrap.New("nms.example.net", opts)
		require.NoError(t, err)
		var g *gosnmp.GoSNMP
		require.True(t, n.As(&g))
		assert.Equal(t, "nms.example.net", g.Target)
		assert.Equal(t, uint16(162), g.Port)
		assert.Equal(t, "public", g.Community)
		assert.Equal(t, 2*time.Second, g.Timeout)
		assert.Nil(t, g.Conn, "New opens no socket")
	}
}

func TestNotifyHonoursContext(t *testing.T) {
	n, err := snmptrap.New("127.0.0.1:1", nil)
	require.NoError(t, err)
	defer n.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = n.Notify(ctx, fault.Notification{Kind: fault.NotifySuppressionChanged})
	assert.ErrorIs(t, err, context.Canceled)
	var g *gosnmp.GoSNMP
	require.True(t, n.As(&g))
	assert.Nil(t, g.Conn, "nothing was opened for a cancelled call")
}

func TestAs(t *testing.T) {
	n, err := snmptrap.New("127.0.0.1:1162", nil)
	require.NoError(t, err)
	var g *gosnmp.GoSNMP
	require.True(t, n.As(&g))
	assert.Equal(t, uint16(1162), g.Port)
	var s string
	assert.False(t, n.As(&s))
}

// smiTool runs a libsmi tool with SMIPATH set; it skips (or fails under
// CI) when smitools is missing.
func smiTool(t *testing.T, smipath []string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(args[0])
	if err != nil {
		testenv.Missing(t, args[0], "apt-get install -y smitools", err)
	}
	cmd := exec.CommandContext(t.Context(), bin, args[1:]...)
	cmd.Env = append(cmd.Environ(), "SMIPATH="+strings.Join(smipath, ":"))
	out, _ := cmd.CombinedOutput() // both tools exit non-zero on warnings
	return string(out)
}

// TestMIBPassesSmilint checks Flock's modules with libsmi's smilint. Two
// kinds of warning are ignored because StarlingX's names force them: the
// hyphens in its enumeration labels (not-applicable, threshold-crossed ...)
// and the event table's columns, which are in no conformance group.
func TestMIBPassesSmilint(t *testing.T) {
	path := []string{ietfMIBs, "mibs"}
	lint := []string{"smilint", "-l", "4", "-s", "-m", "-i", "hyphen-in-label", "-i", "group-membership"}
	for _, f := range []string{"mibs/WRS-ENTERPRISE-REG-MIB", "mibs/WRS-ALARM-MIB"} {
		assert.Empty(t, strings.TrimSpace(smiTool(t, path, append(lint, f)...)), "smilint reports problems in %s", f)
	}
	// A broken module is reported, so the check above can fail.
	assert.NotEmpty(t, strings.TrimSpace(smiTool(t, path, append(lint, "testdata/BROKEN-MIB")...)))
}

// TestMIBMatchesStarlingX compares Flock's modules with StarlingX's using
// libsmi's smidiff: only texts (descriptions, organisation, revisions,
// references) may differ, and the notifications may list
// wrsAlarmActiveUuid, which both systems send first. Any other difference
// -- a name, an OID, a syntax, an enumeration, an access -- fails.
func TestMIBMatchesStarlingX(t *testing.T) {
	stx := t.TempDir() // StarlingX's files under their module names, for SMIPATH
	for file, module := range map[string]string{
		"wrsAlarmMib.mib.txt": "WRS-ALARM-MIB", "wrsEnterpriseReg.mib.txt": "WRS-ENTERPRISE-REG-MIB"} {
		b, err := os.ReadFile(filepath.Join(stxMIBs, file))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(stx, module), b, 0o600))
	}
	textOnly := map[string]bool{
		"description-changed": true, "organization-changed": true, "contact-changed": true,
		"revision-added": true, "revision-removed": true, "ref-added": true, "ref-removed": true,
		"ref-changed": true, "previous-definition": true,
	}
	notifications := map[string]bool{"wrsAlarmCritical": true, "wrsAlarmMajor": true, "wrsAlarmMinor": true,
		"wrsAlarmWarning": true, "wrsAlarmMessage": true, "wrsAlarmClear": true, "wrsAlarmHierarchicalClear": true}
	tagRE := regexp.MustCompile(`\{([a-z-]+)\}.*?` + "`" + `([^']*)'`)
	diff := func(t *testing.T, module, flock string) []string {
		t.Helper()
		out := smiTool(t, []string{ietfMIBs, stx}, "smidiff", "-m", "-s", "-l", "6",
			filepath.Join(stx, module), flock)
		var bad []string
		for _, line := range strings.Split(out, "\n") {
			m := tagRE.FindStringSubmatch(line)
			if m == nil {
				continue // smilint's warnings about either module, not differences
			}
			if textOnly[m[1]] || (m[1] == "object-added" && notifications[m[2]]) {
				continue
			}
			bad = append(bad, line)
		}
		return bad
	}
	for _, module := range []string{"WRS-ENTERPRISE-REG-MIB", "WRS-ALARM-MIB"} {
		assert.Empty(t, diff(t, module, filepath.Join("mibs", module)), "%s differs from StarlingX's", module)
	}

	// A changed enumeration, OID or syntax is reported, so the check above
	// can fail.
	flock, err := os.ReadFile("mibs/WRS-ALARM-MIB")
	require.NoError(t, err)
	for _, change := range [][2]string{
		{"critical(4)", "critical(5)"},
		{"::= { wrsTrapPrefix 99 }", "::= { wrsTrapPrefix 98 }"},
		{"SYNTAX      WrsAlarmSeverity\n", "SYNTAX      Unsigned32\n"},
	} {
		mutated := strings.Replace(string(flock), change[0], change[1], 1)
		require.NotEqual(t, string(flock), mutated, change[0])
		f := filepath.Join(t.TempDir(), "WRS-ALARM-MIB")
		require.NoError(t, os.WriteFile(f, []byte(mutated), 0o600))
		assert.NotEmpty(t, diff(t, "WRS-ALARM-MIB", f), "smidiff misses %q", change[1])
	}
}
