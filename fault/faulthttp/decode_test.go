package faulthttp

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
)

// stdRequest is the oracle: AlarmRequest plus the read-only fields, for
// encoding/json's strict decoding.
type stdRequest struct {
	AlarmRequest
	Timestamp         json.RawMessage `json:"timestamp"`
	Masked            json.RawMessage `json:"masked"`
	MgmtAffecting     json.RawMessage `json:"mgmt_affecting"`
	DegradeAffecting  json.RawMessage `json:"degrade_affecting"`
	SuppressionStatus json.RawMessage `json:"suppression_status"`
	Ack               json.RawMessage `json:"ack"`
}

// viaStd decodes with encoding/json, strictly, as httpx.DecodeJSON does.
func viaStd(data []byte) (AlarmRequest, error) {
	var r stdRequest
	err := errTable.Unmarshal(data, &r)
	return r.AlarmRequest, err
}

// TestReadOnlyFieldsMatchOracle: the decoder's read-only list is the
// oracle's.
func TestReadOnlyFieldsMatchOracle(t *testing.T) {
	for _, k := range []string{"timestamp", "masked", "mgmt_affecting", "degrade_affecting", "suppression_status", "ack"} {
		assert.True(t, readOnly[k], k)
	}
	assert.Len(t, readOnly, 6)
}

func TestDecodeAlarmRequest(t *testing.T) {
	ok := []string{
		`{}`,
		` {"alarm_id":"100.101","alarm_state":"set","service_affecting":"True","suppression":true,"keep_existing":null} `,
		`{"reason_text":"tab\there \"q\" \u00e9 \ud83d\ude00 \ud800x","timestamp":"2026","ack":{"by":"a","at":[1,2.5e3,-0.1,{}]},"masked":false}`,
		`{"uuid":null,"inhibit_alarms":"FALSE"}`,
		"{\"reason_text\":\"bad \xff utf8\"}",
	}
	for _, in := range ok {
		got, err := decodeAlarmRequest([]byte(in))
		require.NoError(t, err, in)
		want, err := viaStd([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	bad := map[string]string{
		``: "body", `[]`: "body", `{"alarm_id":1}`: "alarm_id", `{"colour":"red"}`: "colour", `{"":1}`: "body",
		`{"suppression":2}`: "suppression", `{"alarm_id":"x"} x`: "body", `{"alarm_id":"x",}`: "body",
		`{"masked":tru}`: "body", `{"masked":01}`: "body", `{"alarm_id":"a\qb"}`: "body", "{\"alarm_id\":\"a\x01\"}": "body",
		`{"ack":{"by"}}`: "body", `{"alarm_id":"x"`: "body",
	}
	for in, field := range bad {
		_, err := decodeAlarmRequest([]byte(in))
		var fe *fault.FieldError
		require.True(t, errors.As(err, &fe), "%q: %v", in, err)
		assert.Equal(t, field, fe.Field, in)
		assert.ErrorIs(t, err, fault.ErrInvalid)
	}
}

// FuzzDecodeAlarmRequest: what the fast decoder accepts, encoding/json
// accepts with the same result; what it refuses is a field error.
func FuzzDecodeAlarmRequest(f *testing.F) {
	seed, _ := json.Marshal(AlarmRequest{AlarmID: "100.101", AlarmState: "set", ReasonText: "x\"y\u2028", ServiceAffecting: true})
	f.Add(seed)
	f.Add([]byte(`{"alarm_id":"100.101","ack":{"by":"x","at":"t"},"service_affecting":"True"}`))
	f.Add([]byte(`{"reason_text":"\ud83d\ude00\udc00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeAlarmRequest(data)
		if err != nil {
			var fe *fault.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.NotEmpty(t, fe.Field)
			return
		}
		want, err := viaStd(data)
		require.NoError(t, err, "encoding/json refuses what the fast decoder took: %q", data)
		require.Equal(t, want, got, "%q", data)
	})
}

// TestFieldsTableCoversEveryMember: the allocation-free name lookup knows
// every member the decoder accepts, and only those.
func TestFieldsTableCoversEveryMember(t *testing.T) {
	var r AlarmRequest
	for name := range fields {
		known := r.stringField(name) != nil || r.boolField(name) != nil || readOnly[name]
		if !known {
			t.Errorf("fields has %q, which the decoder does not accept", name)
		}
	}
	for _, name := range []string{"uuid", "alarm_id", "alarm_state", "entity_type_id", "entity_instance_id",
		"severity", "reason_text", "alarm_type", "probable_cause", "proposed_repair_action",
		"service_affecting", "suppression", "inhibit_alarms", "keep_existing"} {
		if _, ok := fields[name]; !ok {
			t.Errorf("fields lacks %q", name)
		}
	}
	for name := range readOnly {
		if _, ok := fields[name]; !ok {
			t.Errorf("fields lacks read-only %q", name)
		}
	}
}
