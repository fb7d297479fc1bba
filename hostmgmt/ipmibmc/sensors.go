package ipmibmc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bougou/go-ipmi"

	"github.com/edgeflock/flock/hostmgmt"
)

// maxRecords bounds the SDR walk: a repository holds at most 0xfffe
// records, real ones a few hundred; a BMC whose "next record" chain
// loops must not keep the walk going.
const maxRecords = 4096

// Sensors walks the SDR repository and reads every analog threshold
// sensor (temperature, fan, voltage, power).
func (b *BMC) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	var out []hostmgmt.Sensor
	err := b.do(ctx, "sensors", func(ctx context.Context, c *ipmi.Client) error {
		out = out[:0]
		seen := map[uint16]bool{}
		for id := uint16(0); id != 0xffff; {
			if seen[id] || len(seen) >= maxRecords {
				return fmt.Errorf("get sdr: the record chain loops at record 0x%04x", id)
			}
			seen[id] = true
			data, next, err := readRecord(ctx, c, id)
			if err != nil {
				return fmt.Errorf("get sdr 0x%04x: %w", id, err)
			}
			id = next
			rec, ok, err := parseRecord(data)
			if err != nil || !ok {
				continue // a record this engine does not read, or a broken one
			}
			s, err := readSensor(ctx, c, rec)
			if err != nil {
				return fmt.Errorf("sensor %q: %w", rec.name, err)
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readRecord reads one whole SDR (header and body). It asks for the
// whole record first; a BMC that cannot send that much in one answer
// (completion code 0xca) is read 16 bytes at a time under a reservation.
func readRecord(ctx context.Context, c *ipmi.Client, id uint16) ([]byte, uint16, error) {
	res := &ipmi.GetSDRResponse{}
	err := c.Exchange(ctx, &ipmi.GetSDRRequest{RecordID: id, ReadBytes: 0xff}, res)
	if err == nil {
		return res.RecordData, res.NextRecordID, nil
	}
	var re *ipmi.ResponseError
	if !errors.As(err, &re) || re.CompletionCode() != ipmi.CompletionCodeCannotReturnRequestedDataBytes {
		return nil, 0, err
	}
	rsv, err := c.ReserveSDRRepo(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("reserve sdr repository: %w", err)
	}
	var data []byte
	var next uint16
	want := 5 // the header, then the length it gives
	for len(data) < want {
		n := min(16, want-len(data))
		res := &ipmi.GetSDRResponse{}
		req := &ipmi.GetSDRRequest{ReservationID: rsv.ReservationID, RecordID: id, ReadOffset: uint8(len(data)), ReadBytes: uint8(n)}
		if err := c.Exchange(ctx, req, res); err != nil {
			return nil, 0, err
		}
		var done bool
		data, want, done = appendChunk(data, want, res.RecordData)
		if done {
			return nil, 0, fmt.Errorf("the bmc sent no record bytes at offset %d", len(data))
		}
		next = res.NextRecordID
	}
	return data, next, nil
}

// appendChunk adds a partial read to data and returns how long the
// record is (known once its 5-byte header is in). done reports a chunk
// that adds nothing (the walk would never end).
func appendChunk(data []byte, want int, chunk []byte) ([]byte, int, bool) {
	if len(chunk) == 0 {
		return data, want, true
	}
	if room := 5 + 255 - len(data); len(chunk) > room {
		chunk = chunk[:room]
	}
	had := len(data)
	data = append(data, chunk...)
	if had < 5 && len(data) >= 5 {
		want = 5 + int(data[4])
	}
	if len(data) > want {
		data = data[:want]
	}
	return data, want, false
}

// record is what the engine takes from a full sensor record.
type record struct {
	name   string
	number uint8
	owner  uint8 // sensor owner's slave address
	lun    uint8
	typ    hostmgmt.SensorType
	units  string
	full   *ipmi.SDRFull
}

// parseRecord decodes an SDR. ok is false for a record the engine does
// not read: not a full sensor record, not a threshold sensor, no analog
// reading, non-linear, or units that are no temperature, fan speed,
// voltage or power.
func parseRecord(data []byte) (r record, ok bool, err error) {
	if len(data) < 5 {
		return r, false, fmt.Errorf("sdr: %d bytes, shorter than a header", len(data))
	}
	if ipmi.SDRRecordType(data[3]) != ipmi.SDRRecordTypeFullSensor {
		return r, false, nil
	}
	if len(data) < 5+int(data[4]) {
		return r, false, fmt.Errorf("sdr: %d bytes, the header says %d", len(data), 5+int(data[4]))
	}
	data = data[:5+int(data[4])]
	if len(data) < 48 {
		return r, false, fmt.Errorf("sdr: full sensor record of %d bytes, shorter than 48", len(data))
	}
	sdr, err := ipmi.ParseSDR(data, 0)
	if err != nil {
		return r, false, fmt.Errorf("sdr: %w", err)
	}
	f := sdr.Full
	// Sensor Units 1 (byte 21 of the record, 20 from 0), read here:
	// go-ipmi v0.8.3 shifts the rate and modifier fields wrongly, and
	// takes every threshold sensor for analog.
	units1 := data[20]
	analog := units1>>6 != 3
	rate, modifier, percent := (units1>>3)&0x07, (units1>>1)&0x03, units1&0x01 != 0
	if f == nil || f.SensorEventReadingType != ipmi.EventReadingTypeThreshold || !analog || f.LinearizationFunc.IsNonLinear() {
		return r, false, nil
	}
	r = record{
		name:   strings.TrimSpace(strings.ToValidUTF8(string(f.IDStringBytes), "?")),
		number: uint8(f.SensorNumber),
		owner:  data[5],
		lun:    data[6] & 0x03,
		full:   f,
	}
	if r.name == "" {
		r.name = fmt.Sprintf("sensor 0x%02x", r.number)
	}
	u := f.SensorUnit
	if rate != 0 || modifier != 0 {
		return r, false, nil // a rate or a ratio of units: not one of ours
	}
	switch {
	case percent && f.SensorType == ipmi.SensorTypeFan:
		r.typ, r.units = hostmgmt.SensorFan, "percent"
	case u.BaseUnit == ipmi.SensorUnitType_DegreesC, u.BaseUnit == ipmi.SensorUnitType_DegreesF, u.BaseUnit == ipmi.SensorUnitType_DegreesK:
		r.typ, r.units = hostmgmt.SensorTemperature, "degrees C"
	case u.BaseUnit == ipmi.SensorUnitType_Volts:
		r.typ, r.units = hostmgmt.SensorVoltage, "volts"
	case u.BaseUnit == ipmi.SensorUnitType_Watts:
		r.typ, r.units = hostmgmt.SensorPower, "watts"
	case u.BaseUnit == ipmi.SensorUnitType_RPM:
		r.typ, r.units = hostmgmt.SensorFan, "RPM"
	default:
		return r, false, nil
	}
	if percent && r.units != "percent" {
		return r, false, nil // a percentage of volts or watts
	}
	return r, true, nil
}

// convert turns a raw value (reading or threshold) into the sensor's
// units, temperatures in Celsius.
func (r record) convert(raw uint8) float64 {
	v := r.full.ConvertReading(raw)
	switch r.full.SensorUnit.BaseUnit {
	case ipmi.SensorUnitType_DegreesF:
		v = (v - 32) * 5 / 9
	case ipmi.SensorUnitType_DegreesK:
		v -= 273.15
	}
	// Round off the float noise of the 10^exponent factors.
	return math.Round(v*1e6) / 1e6
}

// rawThresholds are a sensor's threshold bytes and which are there.
type rawThresholds struct {
	lnc, lcr, lnr, unc, ucr, unr                   uint8
	hasLNC, hasLCR, hasLNR, hasUNC, hasUCR, hasUNR bool
}

// thresholds converts raw thresholds; a critical limit missing is the
// non-recoverable one.
func (r record) thresholds(t rawThresholds) hostmgmt.Thresholds {
	var h hostmgmt.Thresholds
	val := func(raw uint8) *float64 { v := r.convert(raw); return &v }
	if t.hasLNC {
		h.LowerCaution = val(t.lnc)
	}
	if t.hasLCR {
		h.LowerCritical = val(t.lcr)
	} else if t.hasLNR {
		h.LowerCritical = val(t.lnr)
	}
	if t.hasUNC {
		h.UpperCaution = val(t.unc)
	}
	if t.hasUCR {
		h.UpperCritical = val(t.ucr)
	} else if t.hasUNR {
		h.UpperCritical = val(t.unr)
	}
	return h
}

// sdrThresholds are the thresholds the record itself holds.
func (r record) sdrThresholds() rawThresholds {
	m := r.full.Mask.Threshold
	f := r.full
	return rawThresholds{
		lnc: f.LNC_Raw, lcr: f.LCR_Raw, lnr: f.LNR_Raw, unc: f.UNC_Raw, ucr: f.UCR_Raw, unr: f.UNR_Raw,
		hasLNC: m.LNC.Readable, hasLCR: m.LCR.Readable, hasLNR: m.LNR.Readable,
		hasUNC: m.UNC.Readable, hasUCR: m.UCR.Readable, hasUNR: m.UNR.Readable,
	}
}

// reading is a Get Sensor Reading answer as the engine uses it.
type reading struct {
	raw         uint8
	unavailable bool // scanning disabled or reading not yet there
	// threshold bits: at or past
	unc, ucr, unr, lnc, lcr, lnr bool
}

// sensor builds the reading of r.
func (r record) sensor(rd reading, t rawThresholds) hostmgmt.Sensor {
	s := hostmgmt.Sensor{Name: r.name, Type: r.typ, Units: r.units, Thresholds: r.thresholds(t), Status: hostmgmt.SensorUnknown}
	if rd.unavailable {
		return s
	}
	s.Reading = r.convert(rd.raw)
	s.Status = s.Thresholds.Status(s.Reading)
	switch {
	case rd.ucr || rd.unr || rd.lcr || rd.lnr:
		s.Status = hostmgmt.SensorCritical
	case (rd.unc || rd.lnc) && s.Status == hostmgmt.SensorOK:
		s.Status = hostmgmt.SensorWarning
	}
	return s
}

// readSensor reads r's value and thresholds from its owner.
func readSensor(ctx context.Context, c *ipmi.Client, r record) (hostmgmt.Sensor, error) {
	if r.owner != ipmi.BMC_SA || r.lun != 0 {
		cc := &ipmi.CommandContext{}
		cc.WithResponderAddr(r.owner).WithResponderLUN(r.lun)
		ctx = ipmi.WithCommandContext(ctx, cc)
	}
	var rd reading
	res, err := c.GetSensorReading(ctx, r.number)
	switch {
	case err == nil:
		rd = reading{raw: res.Reading, unavailable: res.ReadingUnavailable || res.SensorScanningDisabled,
			unc: res.Above_UNC, ucr: res.Above_UCR, unr: res.Above_UNR, lnc: res.Below_LNC, lcr: res.Below_LCR, lnr: res.Below_LNR}
	case isCompletion(err):
		rd.unavailable = true // e.g. sensor not present
	default:
		return hostmgmt.Sensor{}, fmt.Errorf("get sensor reading: %w", err)
	}
	t := r.sdrThresholds()
	if a := r.full.SensorCapabilities.ThresholdAccess; a == ipmi.SensorThresholdAccess_Readable || a == ipmi.SensorThresholdAccess_ReadableSettable {
		th, err := c.GetSensorThresholds(ctx, r.number)
		switch {
		case err == nil:
			t = rawThresholds{lnc: th.LNC_Raw, lcr: th.LCR_Raw, lnr: th.LNR_Raw, unc: th.UNC_Raw, ucr: th.UCR_Raw, unr: th.UNR_Raw,
				hasLNC: th.LNC_Readable, hasLCR: th.LCR_Readable, hasLNR: th.LNR_Readable,
				hasUNC: th.UNC_Readable, hasUCR: th.UCR_Readable, hasUNR: th.UNR_Readable}
		case isCompletion(err):
			// keep the record's own
		default:
			return hostmgmt.Sensor{}, fmt.Errorf("get sensor thresholds: %w", err)
		}
	}
	return r.sensor(rd, t), nil
}
