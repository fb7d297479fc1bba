//go:build linux

// Command benchpeers measures the real stx-controller process against a
// peer, Prometheus Alertmanager, with a load generator in its own process
// (this one), and prints one markdown table of the figures beside their
// targets and the disk's bound. It is what `make bench-peers` runs; it is
// not part of `make test`.
//
// Reproduce (Debian; the make target installs prometheus-alertmanager
// through apt and builds stx-controller first):
//
//	make bench-peers
//	make bench-peers BENCH_PEERS_FLAGS='-alarms 10000 -duration 3s -rounds 1'   # a quick check
//
// or by hand, from the repository root:
//
//	go build -o bin/ ./cmd/...
//	go run ./tools/benchpeers -controller bin/stx-controller
//
// One run does, in this order:
//
//  1. starts stx-controller on a fresh data directory created under
//     -workdir (default: the current directory, so the database is on the
//     project's disk; SQLite, the default) and Alertmanager (in memory,
//     its own --storage.path in a temporary directory, clustering off), each
//     on a free loopback port;
//  2. populates each with -alarms distinct alarms (default 100,000) from
//     64 clients;
//  3. times the full alarm list (GET /v1/alarms; Alertmanager: GET
//     /api/v2/alerts) and a filtered list that matches one alarm
//     (q.field=entity_instance_id&q.value=host=pop-N; Alertmanager:
//     filter=instance="host=pop-N"), to the last byte of the answer;
//  4. reads the resident memory (VmRSS of /proc/PID/status) of both
//     processes, then restarts stx-controller (SIGTERM) and reads it again
//     with the alarms loaded from disk;
//  5. for each of -rounds rounds: measures the disk's sync time (the mean
//     of -sync-writes 4 KiB O_DSYNC writes into a file in the data
//     directory), then, for each client count of -clients (default 8 and
//     64), posts for -duration to stx-controller and then to Alertmanager
//     (interleaved: Flock, Alertmanager, Flock, Alertmanager ...). Every
//     request carries one new alarm (a distinct entity id, or a distinct
//     instance label); clients are keep-alive HTTP/1.1 connections from
//     net/http's client;
//  6. posts to stx-controller from -kill-clients clients, kills it with
//     SIGKILL after -kill-after, restarts it, and counts the alarms it had
//     acknowledged (answered 2xx) that are missing or carry another uuid:
//     the target is 0;
//  7. prints the table: POST/s as the median of the rounds, with the
//     bound clients ÷ sync time (a client waiting for a durable commit
//     cannot post faster than one commit per sync), Flock's rate as a
//     fraction of that bound (goal ≥ 80 % at 8 clients) and against
//     Alertmanager's (goal at 64 clients: at least Alertmanager's), the
//     list times, the resident memory, the kill -9 survivors, and the
//     host's steal time (/proc/stat) over the run and in its worst POST
//     run, and the share of the machine's CPU that processes other than
//     the three took during the POST runs, so that a reader can tell a run
//     on a noisy host (some hypervisors report no steal). Where the controller
//     exports flock_fault_commit_seconds, the rows of stx-controller also
//     show how many POSTs one commit carried.
//
// Progress goes to standard error, the table to standard output. The data
// directory is removed at the end unless -keep is given. `benchpeers load`
// runs only the load generator against a server that is already running
// (benchpeers load -h).
//
// The load generator, the controller and Alertmanager share the machine's
// cores: the figures are those of one machine, as a user who runs the three
// on it would see them; compare runs from the same host and hour only.
package main
