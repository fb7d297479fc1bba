package faultwal

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the journal's Prometheus metrics (Options.Registerer).
type metrics struct {
	reg         prometheus.Registerer
	cs          []prometheus.Collector
	apply       prometheus.Histogram
	applyErrors prometheus.Counter
	resets      prometheus.Counter
}

func newMetrics(s *Store, reg prometheus.Registerer) *metrics {
	const ns, sub = "flock", "fault_journal"
	mt := &metrics{
		reg: reg,
		apply: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub,
			Name: "apply_seconds", Help: "Time of one write of journaled ops to the store behind the journal.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 12)}),
		applyErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "apply_errors_total", Help: "Failed writes to the store behind the journal (each is retried)."}),
		resets: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub,
			Name: "resets_total", Help: "Times the journal filled to half its size and started again once the store held every op."}),
	}
	behind := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub,
		Name: "unapplied_commits", Help: "Commits that are in the journal and not yet all in the store behind it."}, func() float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return float64(s.written - s.applied)
	})
	mt.cs = []prometheus.Collector{mt.apply, mt.applyErrors, mt.resets, behind}
	if reg != nil {
		for _, c := range mt.cs {
			_ = reg.Register(c) // a second journal on one registry keeps the first's metrics
		}
	}
	return mt
}

// observeApply records a write to the inner store that took d.
func (mt *metrics) observeApply(d time.Duration, err error) {
	mt.apply.Observe(d.Seconds())
	if err != nil {
		mt.applyErrors.Inc()
	}
}

func (mt *metrics) unregister() {
	if mt.reg == nil {
		return
	}
	for _, c := range mt.cs {
		mt.reg.Unregister(c)
	}
}
