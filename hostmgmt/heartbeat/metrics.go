package heartbeat

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Drop reasons, the values of flock_heartbeat_dropped_total's label.
const (
	dropForged      = "forged"
	dropReplayed    = "replayed"
	dropMalformed   = "malformed"
	dropUnknownHost = "unknown_host"
)

// metrics are the controller's; every counter is resolved once, so that
// counting does not allocate.
type metrics struct {
	forged, replayed, malformed, unknownHost prometheus.Counter
	monitored                                prometheus.Gauge
	pulses, responses                        [numNets]prometheus.Counter
	mnfa                                     [numNets]prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "flock", Subsystem: "heartbeat",
		Name: "dropped_total", Help: "Packets the heartbeat controller dropped, by reason (forged, replayed, malformed, unknown_host)."},
		[]string{"reason"})
	pulses := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "flock", Subsystem: "heartbeat",
		Name: "pulses_total", Help: "Heartbeat pulses sent, by network."}, []string{"network"})
	responses := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "flock", Subsystem: "heartbeat",
		Name: "responses_total", Help: "Authenticated heartbeat pulse answers received, by network."}, []string{"network"})
	mnfa := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "flock", Subsystem: "heartbeat",
		Name: "mnfa", Help: "1 while the network is in multi-node failure avoidance, else 0."}, []string{"network"})
	monitored := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "flock", Subsystem: "heartbeat",
		Name: "monitored_hosts", Help: "Hosts whose heartbeat is monitored."})
	if reg != nil {
		for _, c := range []prometheus.Collector{dropped, pulses, responses, mnfa, monitored} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("heartbeat: metrics: %w", err)
			}
		}
	}
	m := &metrics{
		forged:      dropped.WithLabelValues(dropForged),
		replayed:    dropped.WithLabelValues(dropReplayed),
		malformed:   dropped.WithLabelValues(dropMalformed),
		unknownHost: dropped.WithLabelValues(dropUnknownHost),
		monitored:   monitored,
	}
	for i, n := range netNames {
		m.pulses[i] = pulses.WithLabelValues(string(n))
		m.responses[i] = responses.WithLabelValues(string(n))
		m.mnfa[i] = mnfa.WithLabelValues(string(n))
	}
	return m, nil
}
