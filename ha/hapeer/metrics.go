package hapeer

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the peer protocol's Prometheus metrics:
//
//   - flock_ha_peer_dropped_total{path,reason}: messages dropped, by the
//     path they arrived on and the DropReason;
//   - flock_ha_peer_received_total{path}: messages accepted;
//   - flock_ha_peer_sent_total{path}: messages sent;
//   - flock_ha_peer_path_alive{path}: 1 while the path is alive;
//   - flock_ha_peer_alive: 1 while the peer is alive on some path.
type Metrics struct {
	dropped   *prometheus.CounterVec
	received  *prometheus.CounterVec
	sent      *prometheus.CounterVec
	pathAlive *prometheus.GaugeVec
	peerAlive prometheus.Gauge
}

// NewMetrics creates the metrics and registers them on reg (nil: created
// but not registered). It fails if reg already has them.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	opts := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "flock", Subsystem: "ha_peer", Name: name, Help: help}
	}
	m := &Metrics{
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts(opts("dropped_total",
			"Peer messages dropped, by path and reason (oversize, truncated, version, malformed, forged, wrong_path, unexpected_node, replayed).")),
			[]string{"path", "reason"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts(opts("received_total",
			"Peer messages accepted, by path.")), []string{"path"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts(opts("sent_total",
			"Peer messages sent, by path.")), []string{"path"}),
		pathAlive: prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("path_alive",
			"1 while the peer is heard on the path within the dead interval, else 0.")), []string{"path"}),
		peerAlive: prometheus.NewGauge(prometheus.GaugeOpts(opts("alive",
			"1 while the peer is alive on at least one path, else 0."))),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.dropped, m.received, m.sent, m.pathAlive, m.peerAlive} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("hapeer: metrics: %w", err)
			}
		}
	}
	return m, nil
}

// forPath resolves a decoder's counters once, so that counting does not
// allocate.
func (m *Metrics) forPath(path string) (drops [numDropReasons]counter, ok counter) {
	for r := DropOversize; r <= DropReplayed; r++ {
		drops[r] = counter{m.dropped.WithLabelValues(path, r.String())}
	}
	return drops, counter{m.received.WithLabelValues(path)}
}

// counter is a counter that may be absent.
type counter struct{ c prometheus.Counter }

func (c counter) inc() {
	if c.c != nil {
		c.c.Inc()
	}
}

// gauge is a gauge that may be absent.
type gauge struct{ g prometheus.Gauge }

func (g gauge) set(v bool) {
	if g.g != nil {
		if v {
			g.g.Set(1)
		} else {
			g.g.Set(0)
		}
	}
}
