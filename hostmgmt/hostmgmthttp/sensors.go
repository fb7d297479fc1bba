package hostmgmthttp

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"sort"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/internal/httpx"
)

// isensor is one sensor as sysinv's isensor resource shows it (the
// fields StarlingX's system host-sensor-list and host-sensor-show read),
// with the reading Flock adds.
type isensor struct {
	UUID       string   `json:"uuid"`
	HostUUID   string   `json:"host_uuid"`
	SensorName string   `json:"sensorname"`
	SensorType string   `json:"sensortype"`
	DataType   string   `json:"datatype"`
	Path       string   `json:"path"`
	State      string   `json:"state"`
	Status     string   `json:"status"`
	Reading    *float64 `json:"reading"`
	UnitBase   string   `json:"unit_base"`
	// Thresholds: sysinv's minor/major/critical; a BMC's caution limit
	// is major, its critical limit critical (200.007's severities).
	TMajorLower    *float64 `json:"t_major_lower"`
	TMajorUpper    *float64 `json:"t_major_upper"`
	TCriticalLower *float64 `json:"t_critical_lower"`
	TCriticalUpper *float64 `json:"t_critical_upper"`
	UpdatedAt      string   `json:"updated_at,omitempty"`
}

// sensorStatus maps a reading's status to sysinv's words.
var sensorStatus = map[hostmgmt.SensorStatus]string{
	hostmgmt.SensorOK: "ok", hostmgmt.SensorWarning: "major", hostmgmt.SensorCritical: "critical", hostmgmt.SensorUnknown: "offline",
}

// sensorUUID is a stable name-based (version 5 layout) UUID for a
// host's sensor, so the same sensor keeps its id across reads.
func sensorUUID(host, name string) string {
	sum := sha1.Sum([]byte("flock-sensor\x00" + host + "\x00" + name))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// sensors serves GET /v1/ihosts/{id}/isensors: the readings of the last
// BMC audit, in sysinv's isensor shape; a host without a BMC or not yet
// audited has none. When the last audit could not read the BMC, every
// sensor is offline (updated_at says when it was last read).
func (h *handler) sensors(w http.ResponseWriter, r *http.Request, id string) {
	st, err := h.svc.GetHostState(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := []isensor{}
	if st.BMC != nil {
		for _, s := range st.BMC.Sensors {
			is := isensor{UUID: sensorUUID(st.UUID, s.Name), HostUUID: st.UUID, SensorName: s.Name, SensorType: string(s.Type),
				DataType: "analog", Path: "bmc", State: "enabled", Status: sensorStatus[s.Status], UnitBase: s.Units,
				TMajorLower: s.Thresholds.LowerCaution, TMajorUpper: s.Thresholds.UpperCaution,
				TCriticalLower: s.Thresholds.LowerCritical, TCriticalUpper: s.Thresholds.UpperCritical,
				UpdatedAt: st.BMC.ReadAt.Format("2006-01-02T15:04:05.000000+00:00")}
			if s.Status != hostmgmt.SensorUnknown {
				is.Reading = &s.Reading
			}
			if is.Status == "" || st.BMC.Error != "" {
				// Unknown, or not read by the last audit: sysinv's offline.
				is.Status, is.Reading = "offline", nil
			}
			out = append(out, is)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SensorName < out[j].SensorName })
	httpx.WriteJSON(w, http.StatusOK, struct {
		ISensors []isensor `json:"isensors"`
	}{out})
}
