package redfishbmc

import (
	"encoding/json"
	"testing"

	"github.com/stmcginnis/gofish/schemas"

	"github.com/edgeflock/flock/hostmgmt"
)

// FuzzParseRoot: any service root gives a version of MAJOR.MINOR[.ERRATA]
// digits or an error, never a panic.
func FuzzParseRoot(f *testing.F) {
	f.Add([]byte(`{"RedfishVersion": "1.15.0"}`))
	f.Add([]byte(`{"RedfishVersion": "1.0"}`))
	f.Add([]byte(`{"RedfishVersion": "v1"}`))
	f.Add([]byte(`{"RedfishVersion": 1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := parseRoot(body)
		if err != nil {
			if v != "" {
				t.Fatalf("version %q with error %v", v, err)
			}
			return
		}
		if !validVersion(v) {
			t.Fatalf("accepted version %q", v)
		}
	})
}

// FuzzSensors: any Thermal, Power or Sensor body the BMC sends converts
// to sensors of valid types and statuses, each named, or to none.
func FuzzSensors(f *testing.F) {
	f.Add([]byte(`{"Temperatures":[{"Name":"CPU","ReadingCelsius":41,"UpperThresholdCritical":45,"Status":{"Health":"OK"}}],"Fans":[{"FanName":"F1","Reading":2100,"ReadingUnits":"RPM"}]}`))
	f.Add([]byte(`{"Voltages":[{"Name":"12V","ReadingVolts":12.1,"LowerThresholdCritical":11}],"PowerControl":[{"Name":"In","PowerConsumedWatts":344}]}`))
	f.Add([]byte(`{"Id":"CPU1Temp","Reading":44,"ReadingUnits":"Cel","Thresholds":{"UpperCaution":{"Reading":42}},"Status":{"Health":"Warning"}}`))
	f.Add([]byte(`{"Id":"Fan","Reading":45,"SpeedRPM":1490,"ReadingType":"Percent","ReadingUnits":"%","Status":{"State":"Absent"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var out []hostmgmt.Sensor
		var th schemas.Thermal
		if json.Unmarshal(body, &th) == nil {
			out = append(out, thermalSensors(&th)...)
		}
		var p schemas.Power
		if json.Unmarshal(body, &p) == nil {
			out = append(out, powerSensors(&p)...)
		}
		var s schemas.Sensor
		if json.Unmarshal(body, &s) == nil {
			if hs, ok := sensor(&s); ok {
				out = append(out, hs)
			}
		}
		for _, s := range out {
			if s.Name == "" || !s.Type.Valid() || !s.Status.Valid() || s.Units == "" {
				t.Fatalf("bad sensor %+v from %s", s, body)
			}
		}
	})
}
