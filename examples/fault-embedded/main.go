// Command fault-embedded is a tiny vendor daemon that embeds Flock's fault
// manager: it watches a file system, raises or clears alarm 100.104 as its
// use crosses 80% / 90%, and serves the StarlingX-compatible REST API so
// that `stx alarm-list --url http://127.0.0.1:18002` shows the alarm.
//
//	go run ./examples/fault-embedded -path / -listen 127.0.0.1:18002
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultsql"
)

func main() {
	path := flag.String("path", "/", "file system to watch")
	listen := flag.String("listen", "127.0.0.1:18002", "REST address")
	data := flag.String("data", filepath.Join(os.TempDir(), "fault-embedded"), "data directory")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	store, err := faultsql.Open(ctx, "sqlite://"+filepath.Join(*data, "alarms.db"))
	if err != nil {
		log.Error("store", "err", err)
		os.Exit(1)
	}
	m, err := fault.Open(ctx, store, &fault.Options{Logger: log})
	if err != nil {
		log.Error("fault", "err", err)
		os.Exit(1)
	}
	defer m.Close(context.Background())
	srv := &http.Server{Addr: *listen, Handler: faulthttp.NewHandler(m, nil), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
	log.Info("serving", "addr", *listen)

	host, _ := os.Hostname()
	eid := fault.Entity("host", host, "filesystem", *path)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		check(ctx, m, log, *path, eid)
		select {
		case <-ctx.Done():
			_ = srv.Shutdown(context.Background())
			return
		case <-tick.C:
		}
	}
}

// check raises 100.104 at the severity the file system's use calls for,
// or clears it.
func check(ctx context.Context, m *fault.Manager, log *slog.Logger, path, eid string) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		log.Warn("statfs", "err", err)
		return
	}
	used := 100 * float64(st.Blocks-st.Bfree) / float64(st.Blocks)
	sev := fault.SeverityClear
	switch {
	case used >= 90:
		sev = fault.SeverityCritical
	case used >= 80:
		sev = fault.SeverityMajor
	}
	if sev == fault.SeverityClear {
		_ = m.ClearAlarm(ctx, "100.104", eid) // ErrNotFound when none is raised
		return
	}
	_, err := m.SetAlarm(ctx, fault.Alarm{AlarmID: "100.104", State: fault.StateSet, EntityTypeID: "host.filesystem",
		EntityInstanceID: eid, Severity: sev, ReasonText: "File system " + path + " is filling up",
		AlarmType: fault.AlarmTypeOperationalViolation, ProbableCause: fault.CauseThresholdCrossed,
		ProposedRepairAction: "Remove unneeded files or grow the file system", Suppression: true})
	if err != nil {
		log.Warn("set alarm", "err", err)
	}
}
