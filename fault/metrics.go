package fault

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	reg           prometheus.Registerer
	cs            []prometheus.Collector
	sets, clears  prometheus.Counter
	notified      prometheus.Counter
	notifyErrors  prometheus.Counter
	notifyDropped prometheus.Counter
	batch         prometheus.Histogram
	commit        prometheus.Histogram
}

func newMetrics(m *Manager, reg prometheus.Registerer) *metrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "flock", Subsystem: "fault", Name: name, Help: help})
	}
	mt := &metrics{
		reg:           reg,
		sets:          c("alarm_sets_total", "Alarms raised or updated."),
		clears:        c("alarm_clears_total", "Alarms cleared."),
		notified:      c("notifications_total", "Notifications delivered to a notifier."),
		notifyErrors:  c("notification_errors_total", "Notifications a notifier failed to deliver after retries."),
		notifyDropped: c("notifications_dropped_total", "Notifications dropped because the queue was full."),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "flock", Subsystem: "fault",
			Name: "commit_batch_writes", Help: "Writes committed together by one store commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10)}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "flock", Subsystem: "fault",
			Name: "commit_seconds", Help: "Time of one store commit: what a write waits for to be durable (a database transaction, made durable).",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16)}),
	}
	active := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "flock", Subsystem: "fault",
		Name: "active_alarms", Help: "Active alarms, masked and suppressed included."}, func() float64 {
		m.mu.RLock()
		defer m.mu.RUnlock()
		return float64(len(m.st.byUUID))
	})
	mt.cs = []prometheus.Collector{mt.sets, mt.clears, mt.notified, mt.notifyErrors, mt.notifyDropped, mt.batch, mt.commit, active}
	if reg != nil {
		for _, col := range mt.cs {
			_ = reg.Register(col) // a second manager on one registry keeps the first's metrics
		}
	}
	return mt
}

// observeCommit records a store commit of n writes that took d.
func (mt *metrics) observeCommit(n int, d time.Duration) {
	mt.batch.Observe(float64(n))
	mt.commit.Observe(d.Seconds())
}

func (mt *metrics) unregister() {
	if mt.reg == nil {
		return
	}
	for _, c := range mt.cs {
		mt.reg.Unregister(c)
	}
}
