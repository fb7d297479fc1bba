package hostmgmt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

func TestRetry(t *testing.T) {
	refused := fmt.Errorf("%w: connection refused", hostmgmt.ErrNotSent)
	t.Run("unsent-calls-are-tried-again", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			calls := 0
			err := hostmgmt.Retry(t.Context(), func(context.Context) error {
				calls++
				if calls < 4 {
					return refused
				}
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, 4, calls)
		})
	})
	t.Run("a-maybe-sent-call-is-not-repeated", func(t *testing.T) {
		calls := 0
		lost := errors.New("read: connection reset by peer")
		err := hostmgmt.Retry(t.Context(), func(context.Context) error { calls++; return lost })
		require.ErrorIs(t, err, lost)
		assert.Equal(t, 1, calls)
	})
	t.Run("the-deadline-ends-it-with-the-last-error", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			calls := 0
			err := hostmgmt.Retry(ctx, func(context.Context) error { calls++; return refused })
			require.ErrorIs(t, err, hostmgmt.ErrNotSent)
			// 0.1 + 0.2 + 0.4 + 0.8 + 1.6 + 2 = 5.1 s: six calls fit in 5 s.
			assert.Equal(t, 6, calls)
		})
	})
}

func TestThresholdsStatus(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	th := hostmgmt.Thresholds{LowerCritical: f(5), LowerCaution: f(10), UpperCaution: f(80), UpperCritical: f(90)}
	for reading, want := range map[float64]hostmgmt.SensorStatus{
		4: hostmgmt.SensorCritical, 5: hostmgmt.SensorCritical, 9: hostmgmt.SensorWarning, 40: hostmgmt.SensorOK,
		85: hostmgmt.SensorWarning, 90: hostmgmt.SensorCritical, 120: hostmgmt.SensorCritical,
	} {
		assert.Equal(t, want, th.Status(reading), "reading %v", reading)
	}
	assert.Equal(t, hostmgmt.SensorOK, hostmgmt.Thresholds{}.Status(1e9), "no limits")
	assert.Equal(t, hostmgmt.SensorUnknown, th.Status(math.NaN()), "not a number")
	assert.Equal(t, hostmgmt.SensorUnknown, th.Status(math.Inf(1)))
}

func TestBMCEnumsJSON(t *testing.T) {
	var s hostmgmt.Sensor
	require.NoError(t, json.Unmarshal([]byte(`{"name":"Fan","type":"fan","status":"warning"}`), &s))
	assert.Equal(t, hostmgmt.SensorFan, s.Type)
	err := json.Unmarshal([]byte(`{"name":"Fan","type":"smell","status":"ok"}`), &s)
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "type", fe.Field)
	var op hostmgmt.PowerOp
	require.Error(t, json.Unmarshal([]byte(`"explode"`), &op))
	require.NoError(t, json.Unmarshal([]byte(`"cycle"`), &op))
	assert.Equal(t, "cycle", op.String())
	var st hostmgmt.BMCStatus
	require.Error(t, json.Unmarshal([]byte(`{"power":"sideways"}`), &st), "a power state is one of on, off, unknown")
}
