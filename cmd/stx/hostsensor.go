package main

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// hostSensorListCommand is host-sensor-list: the sensors of a host's BMC
// as host maintenance's last audit read them (the system CLI's columns,
// with the reading, its units and the limits).
func hostSensorListCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "host-sensor-list HOST",
		Short: "List the sensors of a host's board management controller (by hostname, uuid or id)",
		Args:  cobra.ExactArgs(1),
		RunE: g.withHostMgmt(func(cmd *cobra.Command, args []string, m hostmgmt.Service, _ inventory.Service) error {
			st, err := m.GetHostState(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			var sensors []hostmgmt.Sensor
			if st.BMC != nil {
				sensors = st.BMC.Sensors
			}
			t := table{header: []string{"name", "sensortype", "status", "reading", "units", "lower_critical", "lower_caution", "upper_caution", "upper_critical"}}
			for _, s := range sensors {
				reading := num(&s.Reading)
				if s.Status == hostmgmt.SensorUnknown {
					reading = ""
				}
				t.rows = append(t.rows, []string{s.Name, string(s.Type), string(s.Status), reading, s.Units,
					num(s.Thresholds.LowerCritical), num(s.Thresholds.LowerCaution), num(s.Thresholds.UpperCaution), num(s.Thresholds.UpperCritical)})
			}
			if sensors == nil {
				sensors = []hostmgmt.Sensor{}
			}
			return g.print(sensors, t)
		}),
	}
}

// num formats an optional number; nil is empty.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
