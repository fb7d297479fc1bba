package fault_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
)

func TestEntityHelpers(t *testing.T) {
	assert.Equal(t, "host=controller-0.network=mgmt", fault.Entity("host", "controller-0", "network", "mgmt"))
	ps, err := fault.ParseEntity("host=h.sensor=PSU=1")
	require.NoError(t, err)
	assert.Equal(t, []fault.EntityPair{{"host", "h"}, {"sensor", "PSU=1"}}, ps)
	for _, bad := range []string{"", "host", "=x", "host=a..b", "ho st=a", "host=a\x01"} {
		_, err := fault.ParseEntity(bad)
		assert.ErrorIs(t, err, fault.ErrInvalid, "%q", bad)
	}
	// Whole components, deliberately unlike StarlingX's plain prefix.
	assert.True(t, fault.MatchEntity("host=controller-1", "host=controller-1"))
	assert.True(t, fault.MatchEntity("host=controller-1", "host=controller-1.network=mgmt"))
	assert.False(t, fault.MatchEntity("host=controller-1", "host=controller-10"))
	assert.False(t, fault.MatchEntity("host=controller-1.network=mgmt", "host=controller-1"))
	assert.True(t, fault.MatchEntity("", "anything=x"))
}

func FuzzParseEntity(f *testing.F) {
	for _, s := range []string{"host=controller-0", "host=a.network=mgmt", "x", "a=b=c", "a=.b=c", "=", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := fault.ParseEntity(s)
		if err != nil {
			var fe *fault.FieldError
			require.True(t, errors.As(err, &fe), "error names a field: %v", err)
			require.Equal(t, "entity_instance_id", fe.Field)
			return
		}
		// A parsed id is rebuilt exactly from its pairs, and matches itself.
		var kv []string
		for _, p := range ps {
			kv = append(kv, p.Key, p.Value)
		}
		require.Equal(t, s, fault.Entity(kv...))
		require.True(t, fault.MatchEntity(s, s))
		require.True(t, fault.MatchEntity(ps[0].Key+"="+ps[0].Value, s))
	})
}

func FuzzParseCatalog(f *testing.F) {
	f.Add([]byte("100.101:\n  type: alarm\n  description: x\n  severity: major\n  alarm_type: other\n  probable_cause: unknown\n"))
	f.Add([]byte("100.101: {type: log, description: d, severity: [warning], alarm_type: qos, probable_cause: key-expired}"))
	f.Add([]byte("[1, 2]"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := fault.ParseCatalog(data)
		if err != nil {
			require.ErrorIs(t, err, fault.ErrInvalid)
			return
		}
		for _, id := range c.IDs() {
			d, ok := c.Lookup(id)
			require.True(t, ok)
			require.NotEmpty(t, d.Severities)
			for _, s := range d.Severities {
				require.True(t, s.Valid() && s != fault.SeverityClear)
			}
			require.True(t, d.AlarmType.Valid())
			require.True(t, d.ProbableCause.Valid())
		}
	})
}

func TestDefaultCatalog(t *testing.T) {
	c := fault.DefaultCatalog()
	// Every id the StarlingX reference names for Flock's services, by group.
	for _, id := range []string{"100.101", "100.104", "200.001", "200.004", "200.005", "200.009", "200.010",
		"200.011", "200.020", "250.001", "280.001", "280.002", "400.001", "400.002", "400.005", "750.001",
		"750.002", "750.003", "750.004", "750.005", "750.006", "800.001", "850.001", "900.001", "900.002",
		"900.003", "900.020", "900.021", "900.022", "900.023", "900.024", "900.701"} {
		_, ok := c.Lookup(id)
		assert.True(t, ok, id)
	}
	d, _ := c.Lookup("200.001")
	assert.True(t, d.InhibitAlarms)
	assert.Equal(t, fault.KindAlarm, d.Kind)
	d, _ = c.Lookup("200.020")
	assert.Equal(t, fault.KindLog, d.Kind)
	_, err := fault.ParseCatalog([]byte("100.101:\n  type: alarm\n  description: x\n  severity: major\n  alarm_type: other\n  probable_cause: unknown\n  colour: red\n"))
	assert.ErrorContains(t, err, "colour")
	_, err = fault.ParseCatalog([]byte("100.101:\n  type: alarm\n  description: x\n  severity: major\n  alarm_type: other\n  probable_cause: unknown\n100.101:\n  type: log\n"))
	assert.ErrorIs(t, err, fault.ErrInvalid)
}

func TestEnums(t *testing.T) {
	for i := 0; i <= 77; i++ {
		c := fault.ProbableCause(i)
		got, err := fault.ParseProbableCause(c.String())
		require.NoError(t, err)
		assert.Equal(t, c, got)
	}
	assert.Equal(t, "certificate-expiration", fault.ProbableCause(77).String())
	assert.Equal(t, "out-of-hours-activity", fault.ProbableCause(74).String())
	assert.False(t, fault.ProbableCause(78).Valid())
	for i := 0; i <= 10; i++ {
		a := fault.AlarmType(i)
		got, err := fault.ParseAlarmType(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	assert.False(t, fault.AlarmType(11).Valid())
	_, err := fault.ParseSeverity("none")
	assert.Error(t, err, "none is only a threshold")
	var s fault.Severity
	assert.ErrorIs(t, s.UnmarshalText([]byte("fatal")), fault.ErrInvalid)
	b, err := fault.SeverityMajor.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "major", string(b))
	_, err = fault.Severity(9).MarshalText()
	assert.Error(t, err)
	assert.True(t, strings.HasPrefix(fault.Severity(9).String(), "severity("))
}
