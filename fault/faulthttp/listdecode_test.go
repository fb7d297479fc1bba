package faulthttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// sampleList is a list answer as the server writes it: every field set,
// an ack, and a second alarm with the short form's zero values.
func sampleList() []byte {
	a := fault.Alarm{UUID: "0b0f6c1e-8f0a-4d7e-9d7a-2f5a3c9e1b11", AlarmID: "100.101", State: fault.StateSet,
		EntityTypeID: "host", EntityInstanceID: "host=compute-1", Timestamp: time.Date(2026, 11, 21, 10, 0, 0, 123456000, time.UTC),
		Severity: fault.SeverityMajor, ReasonText: "CPU \"hot\" é", AlarmType: fault.AlarmTypeQoS,
		ProbableCause: fault.CauseThresholdCrossed, ProposedRepairAction: "cool it", ServiceAffecting: true,
		Suppression: true, InhibitAlarms: true, Masked: true, MgmtAffecting: true, DegradeAffecting: true,
		SuppressionStatus: fault.Suppressed, Ack: &fault.Ack{By: "alice", At: time.Date(2026, 11, 21, 10, 0, 1, 0, time.UTC)}}
	b := []byte(`{"alarms":[`)
	b = wire.AppendAlarm(b, &a, wire.Full)
	b = append(b, ',')
	b = wire.AppendAlarm(b, &fault.Alarm{AlarmID: "200.001", Timestamp: time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)}, wire.Short)
	return append(b, `],"next":"0b0f6c1e"}`...)
}

// chunks is a reader that returns at most n bytes a call, as a network
// connection may.
type chunks struct {
	data []byte
	n    int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[k:]
	return k, nil
}

// FuzzDecodeAlarmList: whatever the fast list decoder accepts, read in
// chunks of any size, it decodes exactly as encoding/json does; what it
// leaves to the general decoder, it hands over whole; it never panics.
func FuzzDecodeAlarmList(f *testing.F) {
	f.Add(sampleList(), uint8(7))
	f.Add(sampleList(), uint8(200))
	f.Add([]byte(`{"alarms":null}`), uint8(1))
	f.Add([]byte(`{"alarms":[]}`), uint8(0))
	f.Add([]byte(`{"alarms":[ {"uuid":null,"ack":null,"timestamp":"2026-01-02T03:04:05+01:00"} ] , "next" : null }`), uint8(3))
	f.Add([]byte(`{"alarms":[{"timestamp":"2026-02-30T00:00:00Z"}]}`), uint8(5))
	f.Add([]byte(`{"alarms":[{"severity":"bogus"}]}`), uint8(2))
	f.Add([]byte(`{"alarms":[],"alarms":[{}]}`), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		var fast AlarmList
		got, err := readAlarmList(&chunks{data: data, n: int(chunk) + 1}, nil, &fast)
		require.Equal(t, string(data), string(got), "everything read is handed back")
		if err != nil {
			require.ErrorIs(t, err, errSlowPath)
			return
		}
		var std AlarmList
		require.NoError(t, json.Unmarshal(data, &std), "the fast decoder accepted %q", data)
		require.Equal(t, std, fast, "%q", data)
	})
}

// TestServerListsTakeTheFastPath: what the server writes is decoded by the
// fast decoder, not left to the general one.
func TestServerListsTakeTheFastPath(t *testing.T) {
	var l AlarmList
	_, err := readAlarmList(bytes.NewReader(sampleList()), nil, &l)
	require.NoError(t, err)
	require.Len(t, l.Alarms, 2)
	assert.Equal(t, "alice", l.Alarms[0].Ack.By)
	assert.Equal(t, fault.CauseThresholdCrossed, l.Alarms[0].ProbableCause)
	assert.Equal(t, "0b0f6c1e", l.Next)

	m, err := fault.Open(t.Context(), fault.NewMemoryStore(), nil)
	require.NoError(t, err)
	defer m.Close(t.Context())
	for i := range 3 {
		_, err := m.SetAlarm(t.Context(), fault.Alarm{AlarmID: "100.101", State: fault.StateSet, EntityTypeID: "host",
			EntityInstanceID: fmt.Sprintf("host=compute-%d", i), Severity: fault.SeverityMajor, ReasonText: "r",
			AlarmType: fault.AlarmTypeOperationalViolation, ProbableCause: fault.CauseThresholdCrossed})
		require.NoError(t, err)
	}
	all, err := m.ListAlarms(t.Context(), fault.AlarmQuery{})
	require.NoError(t, err)
	_, err = m.AckAlarm(t.Context(), all[0].UUID, "bob")
	require.NoError(t, err)
	srv := httptest.NewServer(NewHandler(m, nil))
	defer srv.Close()
	for _, path := range []string{"/v1/alarms", "/v1/alarms/detail"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		var fast, std AlarmList
		_, err = readAlarmList(bytes.NewReader(body), nil, &fast)
		require.NoError(t, err, path)
		require.NoError(t, json.Unmarshal(body, &std))
		assert.Equal(t, std, fast, path)
		assert.Len(t, fast.Alarms, 3)
	}
}
