package hawitness

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// serverMetrics are the witness's metrics:
//
//   - flock_ha_witness_grants_total: acquires granted (renewals included);
//   - flock_ha_witness_refusals_total: acquires refused (another holds);
//   - flock_ha_witness_releases_total: releases answered;
//   - flock_ha_witness_queries_total: queries answered;
//   - flock_ha_witness_rejected_total{code}: requests rejected;
//   - flock_ha_witness_duplicates_total: resent requests answered again
//     from the cache, changing nothing;
//   - flock_ha_witness_dropped_total{reason}: datagrams dropped;
//   - flock_ha_witness_persist_errors_total: state writes that failed
//     (the request stays unanswered).
type serverMetrics struct {
	grants, refusals, releases, queries, duplicates, persistErrors prometheus.Counter
	rejected                                                       *prometheus.CounterVec
	dropped                                                        [numDropReasons]prometheus.Counter
}

func newServerMetrics(reg prometheus.Registerer) (*serverMetrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "flock", Subsystem: "ha_witness", Name: name, Help: help})
	}
	m := &serverMetrics{
		grants:        counter("grants_total", "Lease acquires granted, renewals included."),
		refusals:      counter("refusals_total", "Lease acquires refused because another node holds the lease."),
		releases:      counter("releases_total", "Lease releases answered."),
		queries:       counter("queries_total", "Lease queries answered."),
		duplicates:    counter("duplicates_total", "Resent requests answered again from the cache."),
		persistErrors: counter("persist_errors_total", "State writes that failed; their requests stay unanswered."),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "flock", Subsystem: "ha_witness", Name: "rejected_total",
			Help: "Requests rejected, by code (unknown_domain, node_not_allowed, bad_duration, full)."}, []string{"code"}),
	}
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "flock", Subsystem: "ha_witness", Name: "dropped_total",
		Help: "Datagrams dropped, by reason (oversize, truncated, version, malformed, forged, unexpected, replayed)."}, []string{"reason"})
	for _, r := range DropReasons() {
		m.dropped[r] = dropped.WithLabelValues(r.String())
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.grants, m.refusals, m.releases, m.queries, m.duplicates, m.persistErrors, m.rejected, dropped} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("hawitness: metrics: %w", err)
			}
		}
	}
	return m, nil
}

// clientMetrics are a Client's metrics:
//
//   - flock_ha_witness_client_dropped_total{reason}: datagrams dropped;
//   - flock_ha_witness_client_resent_total: requests sent again after
//     Retry without an answer;
//   - flock_ha_witness_client_unavailable_total: calls that got no
//     answer in time.
type clientMetrics struct {
	dropped             [numDropReasons]prometheus.Counter
	resent, unavailable prometheus.Counter
}

func newClientMetrics(reg prometheus.Registerer) (*clientMetrics, error) {
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: "flock", Subsystem: "ha_witness_client", Name: name, Help: help}
	}
	dropped := prometheus.NewCounterVec(opts("dropped_total",
		"Datagrams dropped by the witness client, by reason (oversize, truncated, version, malformed, forged, unexpected, replayed)."), []string{"reason"})
	m := &clientMetrics{
		resent:      prometheus.NewCounter(opts("resent_total", "Requests sent again after the retry interval without an answer.")),
		unavailable: prometheus.NewCounter(opts("unavailable_total", "Witness calls that got no answer in time.")),
	}
	for _, r := range DropReasons() {
		m.dropped[r] = dropped.WithLabelValues(r.String())
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{dropped, m.resent, m.unavailable} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("hawitness: client metrics: %w", err)
			}
		}
	}
	return m, nil
}
