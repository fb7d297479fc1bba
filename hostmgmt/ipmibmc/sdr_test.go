package ipmibmc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// Full sensor records as ipmi_sim serves them (internal/testenv builds
// them; ipmitool decodes them to the values below), and variants.
var (
	// CPU Temp: degrees C, M = 1; UNC 70, UCR 90, UNR 100.
	sdrCPUTemp = []byte{0x00, 0x00, 0x51, 0x01, 0x33,
		0x20, 0x00, 0x01, 0x03, 0x01, 0x7f, 0x68, 0x01, 0x01, 0x00, 0x00, 0x00, 0x30, 0x38, 0x38,
		0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00,
		0x64, 0x5a, 0x46, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0xc8,
		'C', 'P', 'U', ' ', 'T', 'e', 'm', 'p'}
	// 12V: volts, M = 7, R exp -2; LNC 154, LCR 146, UNC 189, UCR 197.
	sdr12V = []byte{0x00, 0x00, 0x51, 0x01, 0x2e,
		0x20, 0x00, 0x03, 0x07, 0x01, 0x7f, 0x68, 0x02, 0x01, 0x00, 0x30, 0x00, 0x10, 0x1b, 0x1b,
		0x00, 0x04, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00,
		0x00, 0xc5, 0xbd, 0x00, 0x92, 0x9a, 0x02, 0x02, 0x00, 0x00, 0x00, 0xc3,
		'1', '2', 'V'}
	// PSU1 Power: watts, M = 4, B = 2, B exp 1; UCR 200.
	sdrPower = []byte{0x00, 0x00, 0x51, 0x01, 0x35,
		0x20, 0x00, 0x05, 0x0a, 0x01, 0x7f, 0x68, 0x08, 0x01, 0x00, 0x00, 0x00, 0x10, 0x10, 0x10,
		0x00, 0x06, 0x00, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00,
		0x00, 0xc8, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0xca,
		'P', 'S', 'U', '1', ' ', 'P', 'o', 'w', 'e', 'r'}
)

// with returns a copy of rec with byte i (offset in the record) set.
func with(rec []byte, set map[int]byte) []byte {
	out := append([]byte(nil), rec...)
	for i, v := range set {
		out[i] = v
	}
	return out
}

func ptr(v float64) *float64 { return &v }

func TestParseAndConvert(t *testing.T) {
	type want struct {
		typ     hostmgmt.SensorType
		units   string
		reading float64
		status  hostmgmt.SensorStatus
		th      hostmgmt.Thresholds
	}
	for name, tc := range map[string]struct {
		rec  []byte
		raw  reading
		skip bool
		want want
	}{
		"temperature": {rec: sdrCPUTemp, raw: reading{raw: 45},
			want: want{hostmgmt.SensorTemperature, "degrees C", 45, hostmgmt.SensorOK, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"temperature past caution": {rec: sdrCPUTemp, raw: reading{raw: 75},
			want: want{hostmgmt.SensorTemperature, "degrees C", 75, hostmgmt.SensorWarning, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"the reading's critical bit wins": {rec: sdrCPUTemp, raw: reading{raw: 45, ucr: true},
			want: want{hostmgmt.SensorTemperature, "degrees C", 45, hostmgmt.SensorCritical, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"no reading": {rec: sdrCPUTemp, raw: reading{raw: 45, unavailable: true},
			want: want{hostmgmt.SensorTemperature, "degrees C", 0, hostmgmt.SensorUnknown, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"voltage": {rec: sdr12V, raw: reading{raw: 171},
			want: want{hostmgmt.SensorVoltage, "volts", 11.97, hostmgmt.SensorOK,
				hostmgmt.Thresholds{LowerCritical: ptr(10.22), LowerCaution: ptr(10.78), UpperCaution: ptr(13.23), UpperCritical: ptr(13.79)}}},
		"voltage under critical": {rec: sdr12V, raw: reading{raw: 140},
			want: want{hostmgmt.SensorVoltage, "volts", 9.8, hostmgmt.SensorCritical,
				hostmgmt.Thresholds{LowerCritical: ptr(10.22), LowerCaution: ptr(10.78), UpperCaution: ptr(13.23), UpperCritical: ptr(13.79)}}},
		"power with an offset": {rec: sdrPower, raw: reading{raw: 60},
			want: want{hostmgmt.SensorPower, "watts", 260, hostmgmt.SensorOK, hostmgmt.Thresholds{UpperCritical: ptr(820)}}},
		"fahrenheit in celsius": {rec: with(sdrCPUTemp, map[int]byte{21: 0x02}), raw: reading{raw: 212},
			want: want{hostmgmt.SensorTemperature, "degrees C", 100, hostmgmt.SensorCritical,
				hostmgmt.Thresholds{UpperCaution: ptr(21.111111), UpperCritical: ptr(32.222222)}}},
		"two's complement": {rec: with(sdrCPUTemp, map[int]byte{20: 0x80}), raw: reading{raw: 0xf6},
			want: want{hostmgmt.SensorTemperature, "degrees C", -10, hostmgmt.SensorOK, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"fan in RPM": {rec: with(sdrCPUTemp, map[int]byte{12: 0x04, 21: 18, 24: 100}), raw: reading{raw: 54},
			want: want{hostmgmt.SensorFan, "RPM", 5400, hostmgmt.SensorOK, hostmgmt.Thresholds{UpperCaution: ptr(7000), UpperCritical: ptr(9000)}}},
		"fan in percent": {rec: with(sdrCPUTemp, map[int]byte{12: 0x04, 20: 0x01}), raw: reading{raw: 40},
			want: want{hostmgmt.SensorFan, "percent", 40, hostmgmt.SensorOK, hostmgmt.Thresholds{UpperCaution: ptr(70), UpperCritical: ptr(90)}}},
		"discrete sensor":   {rec: with(sdrCPUTemp, map[int]byte{13: 0x6f}), skip: true},
		"no analog reading": {rec: with(sdrCPUTemp, map[int]byte{20: 0xc0}), skip: true},
		"amps":              {rec: with(sdrCPUTemp, map[int]byte{21: 5}), skip: true},
		"non-linear":        {rec: with(sdrCPUTemp, map[int]byte{23: 0x70}), skip: true},
		"compact record":    {rec: with(sdrCPUTemp, map[int]byte{3: 0x02}), skip: true},
		"rate (per second)": {rec: with(sdrCPUTemp, map[int]byte{20: 0x08}), skip: true},
	} {
		t.Run(name, func(t *testing.T) {
			r, ok, err := parseRecord(tc.rec)
			require.NoError(t, err)
			if tc.skip {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			s := r.sensor(tc.raw, r.sdrThresholds())
			assert.NotEmpty(t, s.Name)
			assert.Equal(t, tc.want.typ, s.Type)
			assert.Equal(t, tc.want.units, s.Units)
			assert.InDelta(t, tc.want.reading, s.Reading, 1e-6)
			assert.Equal(t, tc.want.status, s.Status)
			for name, pair := range map[string][2]*float64{
				"lower critical": {tc.want.th.LowerCritical, s.Thresholds.LowerCritical},
				"lower caution":  {tc.want.th.LowerCaution, s.Thresholds.LowerCaution},
				"upper caution":  {tc.want.th.UpperCaution, s.Thresholds.UpperCaution},
				"upper critical": {tc.want.th.UpperCritical, s.Thresholds.UpperCritical},
			} {
				if pair[0] == nil {
					assert.Nil(t, pair[1], name)
				} else if assert.NotNil(t, pair[1], name) {
					assert.InDelta(t, *pair[0], *pair[1], 1e-6, name)
				}
			}
		})
	}
}

func TestParseRecordRefusesShortRecords(t *testing.T) {
	for name, rec := range map[string][]byte{
		"no header":             {0x00, 0x00, 0x51},
		"shorter than said":     sdr12V[:40],
		"full record too short": {0x00, 0x00, 0x51, 0x01, 0x03, 0x20, 0x00, 0x01},
	} {
		_, ok, err := parseRecord(rec)
		assert.False(t, ok, name)
		assert.Error(t, err, name)
	}
}

func TestAppendChunk(t *testing.T) {
	var data []byte
	want := 5
	var done bool
	for _, chunk := range [][]byte{sdr12V[:3], sdr12V[3:19], sdr12V[19:35], append(append([]byte(nil), sdr12V[35:]...), 0xee, 0xee)} {
		data, want, done = appendChunk(data, want, chunk)
		require.False(t, done)
	}
	assert.Equal(t, sdr12V, data, "the record, without the excess")
	assert.Equal(t, len(sdr12V), want)
	_, _, done = appendChunk(data, want, nil)
	assert.True(t, done, "an empty chunk ends the read")
}

func TestInfoSpelling(t *testing.T) {
	assert.Equal(t, "MontaVista", manufacturer(4753))
	assert.Equal(t, "Dell", manufacturer(674))
	assert.Equal(t, "IANA 99999", manufacturer(99999))
	assert.Equal(t, "00112233-4455-6677-8899-aabbccddeeff",
		guidString([16]byte{0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}))
	assert.Empty(t, guidString([16]byte{}))
}
