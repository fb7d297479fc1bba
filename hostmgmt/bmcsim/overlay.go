package bmcsim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
)

// overlay is what a rendering takes live from a system's backend.
type overlay struct {
	power   *hostmgmt.PowerState
	info    *hostmgmt.BMCInfo
	sensors []hostmgmt.Sensor // nil: the backend has none, the mockup's are served
}

// fetch asks sys's backend for what the resource at p shows.
func (ov *overlay) fetch(ctx context.Context, sys *system, p string) *apiError {
	needPower := p == sys.path || p == sys.chassis
	needInfo := p == sys.path || p == sys.manager || strings.HasPrefix(p, sys.path+"/EthernetInterfaces/")
	needSensors := p == sys.chassis+"/Thermal" || p == sys.chassis+"/Power" || under(p, sys.chassis+"/Sensors")
	if needPower {
		st, err := sys.backend.PowerState(ctx)
		if err != nil {
			return backendError("PowerState", err)
		}
		ov.power = &st
	}
	if needInfo {
		info, err := sys.backend.Info(ctx)
		switch {
		case errors.Is(err, hostmgmt.ErrUnimplemented):
		case err != nil:
			return backendError("Info", err)
		default:
			ov.info = &info
		}
	}
	if needSensors {
		l, err := sys.backend.Sensors(ctx)
		switch {
		case errors.Is(err, hostmgmt.ErrUnimplemented):
		case err != nil:
			return backendError("Sensors", err)
		case len(l) > 0:
			ov.sensors = l
		}
	}
	return nil
}

// redfishPower is the Redfish PowerState of a backend's.
func redfishPower(st hostmgmt.PowerState) any {
	switch st {
	case hostmgmt.PowerOn:
		return "On"
	case hostmgmt.PowerOff:
		return "Off"
	}
	return nil
}

// apply sets the live values in body, the stored resource at p (nil if
// none); nics are the paths of the system's Ethernet interfaces. It
// returns false when nothing is at p.
func (ov *overlay) apply(sys *system, p string, body map[string]any, nics []string) (map[string]any, bool) {
	if sys == nil {
		return body, body != nil
	}
	if ov.power != nil && body != nil {
		body["PowerState"] = redfishPower(*ov.power)
	}
	if info := ov.info; info != nil && body != nil {
		switch p {
		case sys.path:
			setIf(body, "Manufacturer", info.Manufacturer)
			setIf(body, "Model", info.Model)
			setIf(body, "SerialNumber", info.SerialNumber)
			setIf(body, "BiosVersion", info.FirmwareVersion)
		case sys.manager:
			setIf(body, "FirmwareVersion", info.BMCFirmwareVersion)
		default:
			for i, nic := range nics {
				if nic == p && i < len(info.MACAddresses) {
					body["MACAddress"] = strings.ToUpper(info.MACAddresses[i])
					if _, ok := body["PermanentMACAddress"]; ok {
						body["PermanentMACAddress"] = strings.ToUpper(info.MACAddresses[i])
					}
				}
			}
		}
	}
	if ov.sensors == nil {
		return body, body != nil
	}
	ids := sensorIDs(ov.sensors)
	switch {
	case p == sys.chassis+"/Sensors":
		var members []any
		for _, id := range ids {
			members = append(members, map[string]any{"@odata.id": p + "/" + id})
		}
		if body == nil {
			body = map[string]any{"@odata.type": "#SensorCollection.SensorCollection", "@odata.id": p, "Name": "Sensors"}
		}
		setMembers(body, members)
		return body, true
	case strings.HasPrefix(p, sys.chassis+"/Sensors/"):
		id := strings.TrimPrefix(p, sys.chassis+"/Sensors/")
		for i, sid := range ids {
			if sid == id {
				return sensorResource(p, id, ov.sensors[i]), true
			}
		}
		return nil, false
	case p == sys.chassis+"/Thermal" && body != nil:
		body["Temperatures"] = legacySensors(p, "Temperatures", hostmgmt.SensorTemperature, ov.sensors)
		body["Fans"] = legacySensors(p, "Fans", hostmgmt.SensorFan, ov.sensors)
	case p == sys.chassis+"/Power" && body != nil:
		body["Voltages"] = legacySensors(p, "Voltages", hostmgmt.SensorVoltage, ov.sensors)
		body["PowerControl"] = legacySensors(p, "PowerControl", hostmgmt.SensorPower, ov.sensors)
	}
	return body, body != nil
}

func setIf(body map[string]any, key, v string) {
	if v != "" {
		body[key] = v
	}
}

var notIDChar = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// sensorIDs are the resource ids of sensors: their names without the
// characters a path segment should not hold, made unique.
func sensorIDs(sensors []hostmgmt.Sensor) []string {
	seen := map[string]bool{}
	ids := make([]string, len(sensors))
	for i, s := range sensors {
		id := notIDChar.ReplaceAllString(s.Name, "")
		if id == "" {
			id = "Sensor" + strconv.Itoa(i)
		}
		for base, n := id, 2; seen[id]; n++ {
			id = base + strconv.Itoa(n)
		}
		seen[id] = true
		ids[i] = id
	}
	return ids
}

// health is the Redfish Status of a sensor.
func health(st hostmgmt.SensorStatus) map[string]any {
	switch st {
	case hostmgmt.SensorOK:
		return map[string]any{"State": "Enabled", "Health": "OK"}
	case hostmgmt.SensorWarning:
		return map[string]any{"State": "Enabled", "Health": "Warning"}
	case hostmgmt.SensorCritical:
		return map[string]any{"State": "Enabled", "Health": "Critical"}
	}
	return map[string]any{"State": "UnavailableOffline"}
}

// units are the Redfish reading type and UCUM units of a sensor.
func units(s hostmgmt.Sensor) (readingType, unit string) {
	switch s.Type {
	case hostmgmt.SensorTemperature:
		return "Temperature", "Cel"
	case hostmgmt.SensorFan:
		if u := strings.ToLower(s.Units); u == "%" || u == "percent" {
			return "Percent", "%"
		}
		return "Rotational", "RPM"
	case hostmgmt.SensorVoltage:
		return "Voltage", "V"
	case hostmgmt.SensorPower:
		return "Power", "W"
	}
	return "", s.Units
}

// reading is a sensor's reading, null when unknown.
func reading(s hostmgmt.Sensor) any {
	if s.Status == hostmgmt.SensorUnknown {
		return nil
	}
	return s.Reading
}

// sensorResource is a Sensor resource of the Sensors collection.
func sensorResource(p, id string, s hostmgmt.Sensor) map[string]any {
	rt, unit := units(s)
	th := map[string]any{}
	for name, v := range map[string]*float64{
		"LowerCritical": s.Thresholds.LowerCritical, "LowerCaution": s.Thresholds.LowerCaution,
		"UpperCaution": s.Thresholds.UpperCaution, "UpperCritical": s.Thresholds.UpperCritical,
	} {
		if v != nil {
			th[name] = map[string]any{"Reading": *v}
		}
	}
	return map[string]any{
		"@odata.type": "#Sensor.v1_7_0.Sensor", "@odata.id": p, "Id": id, "Name": s.Name,
		"ReadingType": rt, "Reading": reading(s), "ReadingUnits": unit,
		"Status": health(s.Status), "Thresholds": th,
	}
}

// legacySensors are the members of a Thermal or Power array (the
// deprecated schemas many clients still read) for the sensors of type t.
func legacySensors(p, array string, t hostmgmt.SensorType, sensors []hostmgmt.Sensor) []any {
	l := []any{}
	for _, s := range sensors {
		if s.Type != t {
			continue
		}
		i := strconv.Itoa(len(l))
		m := map[string]any{
			"@odata.id": fmt.Sprintf("%s#/%s/%s", p, array, i), "MemberId": i,
			"Name": s.Name, "Status": health(s.Status),
		}
		switch t {
		case hostmgmt.SensorTemperature:
			m["ReadingCelsius"] = reading(s)
		case hostmgmt.SensorFan:
			_, unit := units(s)
			m["Reading"] = reading(s)
			m["ReadingUnits"] = map[string]string{"RPM": "RPM", "%": "Percent"}[unit]
		case hostmgmt.SensorVoltage:
			m["ReadingVolts"] = reading(s)
		case hostmgmt.SensorPower:
			m["PowerConsumedWatts"] = reading(s)
		}
		if t != hostmgmt.SensorPower {
			for name, v := range map[string]*float64{
				"LowerThresholdCritical": s.Thresholds.LowerCritical, "LowerThresholdNonCritical": s.Thresholds.LowerCaution,
				"UpperThresholdNonCritical": s.Thresholds.UpperCaution, "UpperThresholdCritical": s.Thresholds.UpperCritical,
			} {
				if v != nil {
					m[name] = *v
				}
			}
		}
		l = append(l, m)
	}
	return l
}
