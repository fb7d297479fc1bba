package redfishbmc

import (
	"context"
	"net"
	"slices"
	"strings"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/edgeflock/flock/hostmgmt"
)

// Info describes the system (Manufacturer, Model, SerialNumber,
// BiosVersion), its manager's FirmwareVersion and the MAC addresses of
// its EthernetInterfaces, lower-case and colon-separated.
func (b *BMC) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	var info hostmgmt.BMCInfo
	err := b.call(ctx, "info", func(c *gofish.APIClient) error {
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		info = hostmgmt.BMCInfo{
			Manufacturer:    sys.Manufacturer,
			Model:           sys.Model,
			SerialNumber:    sys.SerialNumber,
			FirmwareVersion: sys.BiosVersion,
		}
		managers, err := sys.ManagedBy()
		if err != nil {
			return err
		}
		if len(managers) == 0 {
			if managers, err = c.Service.Managers(); err != nil {
				return err
			}
		}
		for _, m := range managers {
			if m.FirmwareVersion != "" {
				info.BMCFirmwareVersion = m.FirmwareVersion
				break
			}
		}
		nics, err := sys.EthernetInterfaces()
		if err != nil {
			return err
		}
		for _, n := range nics {
			if mac := normalMAC(n.MACAddress, n.PermanentMACAddress); mac != "" && !slices.Contains(info.MACAddresses, mac) {
				info.MACAddresses = append(info.MACAddresses, mac)
			}
		}
		return nil
	})
	return info, err
}

// normalMAC returns the first of macs that is a 6-byte MAC address, as
// aa:bb:cc:dd:ee:ff, or "".
func normalMAC(macs ...string) string {
	for _, m := range macs {
		hw, err := net.ParseMAC(strings.TrimSpace(m))
		if err == nil && len(hw) == 6 {
			return hw.String()
		}
	}
	return ""
}

// Sensors reads the sensors of the system's chassis (every chassis when
// the system names none): the Thermal (temperatures, fans) and Power
// (voltages, PowerControl's consumed watts) resources when the chassis
// has them, else its Sensors collection. Status is the sensor's
// Status.Health when it has one, else its reading against its
// thresholds; unknown without a reading. Absent sensors are left out.
//
// The Thermal and Power resources found on the first call are read
// directly on later ones (two requests per chassis); a failure forgets
// them, so the next call looks again.
func (b *BMC) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	var out []hostmgmt.Sensor
	err := b.call(ctx, "sensors", func(c *gofish.APIClient) error {
		out = out[:0]
		if err := b.acquire(ctx); err != nil {
			return err
		}
		sources := b.sources
		b.release()
		if sources != nil {
			var err error
			if out, err = readSources(c, sources, out); err == nil {
				return nil
			}
			if err := b.acquire(ctx); err != nil {
				return err
			}
			b.sources = nil
			b.release()
			return err
		}
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		chassis, err := sys.Chassis()
		if err != nil {
			return err
		}
		if len(chassis) == 0 {
			if chassis, err = c.Service.Chassis(); err != nil {
				return err
			}
		}
		found := []sensorSource{}
		for _, ch := range chassis {
			thermal, err := ch.Thermal()
			if err != nil {
				return err
			}
			power, err := ch.Power()
			if err != nil {
				return err
			}
			if thermal != nil || power != nil {
				out = append(out, thermalSensors(thermal)...)
				out = append(out, powerSensors(power)...)
				var src sensorSource
				if thermal != nil {
					src.thermal = thermal.ODataID
				}
				if power != nil {
					src.power = power.ODataID
				}
				found = append(found, src)
				continue
			}
			found = nil // a Sensors collection: found again each time
			sensors, err := ch.Sensors()
			if err != nil {
				return err
			}
			for _, s := range sensors {
				if hs, ok := sensor(s); ok {
					out = append(out, hs)
				}
			}
		}
		if found != nil && len(found) == len(chassis) {
			if err := b.acquire(ctx); err != nil {
				return err
			}
			b.sources = found
			b.release()
		}
		return nil
	})
	return out, err
}

// readSources reads the sensors of known Thermal and Power resources.
func readSources(c *gofish.APIClient, sources []sensorSource, out []hostmgmt.Sensor) ([]hostmgmt.Sensor, error) {
	for _, src := range sources {
		if src.thermal != "" {
			t, err := schemas.GetObject[schemas.Thermal](c, src.thermal)
			if err != nil {
				return nil, err
			}
			out = append(out, thermalSensors(t)...)
		}
		if src.power != "" {
			p, err := schemas.GetObject[schemas.Power](c, src.power)
			if err != nil {
				return nil, err
			}
			out = append(out, powerSensors(p)...)
		}
	}
	return out, nil
}

type number interface{ ~int | ~float32 | ~float64 }

func f64[T number](p *T) *float64 {
	if p == nil {
		return nil
	}
	v := float64(*p)
	return &v
}

// reading builds a sensor from its parts; ok is false for an absent
// sensor.
func reading(name, id string, typ hostmgmt.SensorType, value *float64, units string, st schemas.Status, th hostmgmt.Thresholds) (hostmgmt.Sensor, bool) {
	if st.State == schemas.AbsentState {
		return hostmgmt.Sensor{}, false
	}
	if name == "" {
		name = id
	}
	s := hostmgmt.Sensor{Name: name, Type: typ, Units: units, Thresholds: th, Status: hostmgmt.SensorUnknown}
	if value == nil {
		return s, name != ""
	}
	s.Reading = *value
	switch st.Health {
	case schemas.OKHealth:
		s.Status = hostmgmt.SensorOK
	case schemas.WarningHealth:
		s.Status = hostmgmt.SensorWarning
	case schemas.CriticalHealth:
		s.Status = hostmgmt.SensorCritical
	default:
		s.Status = th.Status(s.Reading)
	}
	return s, name != ""
}

// thermalSensors returns the temperatures and fans of a Thermal
// resource (nil: none).
func thermalSensors(t *schemas.Thermal) []hostmgmt.Sensor {
	if t == nil {
		return nil
	}
	var out []hostmgmt.Sensor
	for i := range t.Temperatures {
		x := &t.Temperatures[i]
		th := hostmgmt.Thresholds{
			LowerCritical: f64(x.LowerThresholdCritical), LowerCaution: f64(x.LowerThresholdNonCritical),
			UpperCaution: f64(x.UpperThresholdNonCritical), UpperCritical: f64(x.UpperThresholdCritical),
		}
		if s, ok := reading(x.Name, x.MemberID, hostmgmt.SensorTemperature, f64(x.ReadingCelsius), "Cel", x.Status, th); ok {
			out = append(out, s)
		}
	}
	for i := range t.Fans {
		x := &t.Fans[i]
		th := hostmgmt.Thresholds{
			LowerCritical: f64(x.LowerThresholdCritical), LowerCaution: f64(x.LowerThresholdNonCritical),
			UpperCaution: f64(x.UpperThresholdNonCritical), UpperCritical: f64(x.UpperThresholdCritical),
		}
		units := "RPM"
		if x.ReadingUnits == schemas.PercentReadingUnits {
			units = "%"
		}
		name := x.Name
		if name == "" {
			//lint:ignore SA1019 BMCs older than Thermal v1.1.0 name their fans only here
			name = x.FanName
		}
		if s, ok := reading(name, x.MemberID, hostmgmt.SensorFan, f64(x.Reading), units, x.Status, th); ok {
			out = append(out, s)
		}
	}
	return out
}

// powerSensors returns the voltages and the consumed power of a Power
// resource (nil: none).
func powerSensors(p *schemas.Power) []hostmgmt.Sensor {
	if p == nil {
		return nil
	}
	var out []hostmgmt.Sensor
	for i := range p.Voltages {
		x := &p.Voltages[i]
		th := hostmgmt.Thresholds{
			LowerCritical: f64(x.LowerThresholdCritical), LowerCaution: f64(x.LowerThresholdNonCritical),
			UpperCaution: f64(x.UpperThresholdNonCritical), UpperCritical: f64(x.UpperThresholdCritical),
		}
		if s, ok := reading(x.Name, x.MemberID, hostmgmt.SensorVoltage, f64(x.ReadingVolts), "V", x.Status, th); ok {
			out = append(out, s)
		}
	}
	for i := range p.PowerControl {
		x := &p.PowerControl[i]
		if s, ok := reading(x.Name, x.MemberID, hostmgmt.SensorPower, f64(x.PowerConsumedWatts), "W", x.Status, hostmgmt.Thresholds{}); ok {
			out = append(out, s)
		}
	}
	return out
}

// sensorKinds maps a Sensor's ReadingType, or its ReadingUnits when it
// has no ReadingType, to a sensor type and its default units.
var sensorKinds = map[string]struct {
	typ   hostmgmt.SensorType
	units string
}{
	string(schemas.TemperatureReadingType): {hostmgmt.SensorTemperature, "Cel"},
	string(schemas.RotationalReadingType):  {hostmgmt.SensorFan, "RPM"},
	string(schemas.VoltageReadingType):     {hostmgmt.SensorVoltage, "V"},
	string(schemas.PowerReadingType):       {hostmgmt.SensorPower, "W"},
	"Cel":                                  {hostmgmt.SensorTemperature, "Cel"},
	"RPM":                                  {hostmgmt.SensorFan, "RPM"},
	"V":                                    {hostmgmt.SensorVoltage, "V"},
	"W":                                    {hostmgmt.SensorPower, "W"},
}

// sensor converts a Sensor resource; ok is false for what hostmgmt has
// no type for (current, energy, frequency...) and for absent sensors.
// A reading in percent is a fan's when the sensor's PhysicalContext is
// Fan or it also has a SpeedRPM.
func sensor(x *schemas.Sensor) (hostmgmt.Sensor, bool) {
	key := string(x.ReadingType)
	if key == "" {
		key = x.ReadingUnits
	}
	kind, ok := sensorKinds[key]
	if !ok && (x.PhysicalContext == schemas.FanPhysicalContext || x.SpeedRPM != nil) && (x.ReadingType == schemas.PercentReadingType || x.ReadingUnits == "%") {
		kind.typ, kind.units, ok = hostmgmt.SensorFan, "%", true
	}
	if !ok {
		return hostmgmt.Sensor{}, false
	}
	units := x.ReadingUnits
	if units == "" {
		units = kind.units
	}
	t := &x.Thresholds
	th := hostmgmt.Thresholds{
		LowerCritical: t.LowerCritical.Reading, LowerCaution: t.LowerCaution.Reading,
		UpperCaution: t.UpperCaution.Reading, UpperCritical: t.UpperCritical.Reading,
	}
	value := x.Reading
	if value == nil && kind.typ == hostmgmt.SensorFan {
		value = x.SpeedRPM
	}
	return reading(x.Name, x.ID, kind.typ, value, units, x.Status, th)
}
