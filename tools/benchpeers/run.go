//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// report is everything one run measured; table.go prints it.
type report struct {
	cfg       config
	date      time.Time
	host      string // kernel, cores
	flockRev  string // git revision of the controller's source
	amVersion string

	steal, worstSteal float64 // over the whole run; the worst load run
	worstPhase        string
	worstOthers       float64 // other processes' share of the CPU, the worst POST run

	populate [2]loadResult // flock, alertmanager

	fullList, filteredList [2]listTimes
	rss                    [2]memory // after populating and listing
	rssRestart             memory    // stx-controller restarted on its data
	startup                time.Duration

	syncs  []time.Duration // one per round
	notes  []string        // what went wrong without spoiling the figures
	rates  []rateRuns      // one per client count
	killed killResult
}

// listTimes are the durations of repeated GETs, sorted.
type listTimes struct {
	runs  []time.Duration
	items int // alarms in the last answer
	pages int // GETs per list (more than 1 if the server pages)
}

// rateRuns are the POST runs of one client count, one per round.
type rateRuns struct {
	clients int
	flock   []loadResult
	am      []loadResult
	commits []commitStat // flock's commits during each of its runs
}

// commitStat is what flock_fault_commit_seconds said about one run.
type commitStat struct {
	ok      bool
	commits float64
	seconds float64
}

// killResult is the kill -9 check.
type killResult struct {
	acked, missing, wrongUUID int
	errors                    int64
	example                   string // one missing alarm, if any
	restart                   time.Duration
}

// run ties the processes of one run together.
type run struct {
	cfg        config
	dir        string // work directory (data, logs)
	data       string // stx-controller's data directory
	ctl, am    *process
	flock, amT target
	errOut     io.Writer
	nextRate   [2]int64 // next alarm number of the rate runs, per target
}

func runMain(ctx context.Context, args []string, out, errOut io.Writer) error {
	cfg, err := parseRunFlags(args, errOut)
	if err != nil {
		return err
	}
	r := &run{cfg: cfg, errOut: errOut}
	rep, err := r.all(ctx)
	if r.dir != "" {
		if err == nil && !cfg.keep {
			_ = os.RemoveAll(r.dir)
		} else {
			fmt.Fprintf(errOut, "benchpeers: data and logs kept in %s\n", r.dir)
		}
	}
	if err != nil {
		return err
	}
	writeTable(out, rep)
	return nil
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.errOut, "benchpeers: "+format+"\n", args...)
}

// all runs every step and stops the servers at the end.
func (r *run) all(ctx context.Context) (rep *report, err error) {
	rep = &report{cfg: r.cfg, date: time.Now().UTC(), host: hostInfo(), flockRev: gitRevision()}
	if err := r.setUp(ctx, rep); err != nil {
		return nil, err
	}
	cpu0 := readMachineCPU()
	defer func() {
		// A server that does not stop cleanly is reported, but does not
		// throw the figures away.
		for _, p := range []*process{r.ctl, r.am} {
			if serr := p.stop(30 * time.Second); serr != nil {
				r.logf("%v", serr)
				if rep != nil {
					rep.notes = append(rep.notes, fmt.Sprintf("at the end, %v", serr))
				}
			}
		}
	}()
	for _, step := range []func(context.Context, *report) error{r.populate, r.lists, r.restart, r.rateRounds, r.kill9} {
		if err := step(ctx, rep); err != nil {
			return nil, err
		}
	}
	rep.steal = stealPercent(cpu0, readMachineCPU())
	return rep, nil
}

// setUp builds stx-controller if needed and starts both servers.
func (r *run) setUp(ctx context.Context, rep *report) (err error) {
	abs, err := filepath.Abs(r.cfg.workdir)
	if err != nil {
		return err
	}
	rep.cfg.workdir = abs
	if r.dir, err = os.MkdirTemp(abs, ".benchpeers-"); err != nil {
		return err
	}
	r.data = filepath.Join(r.dir, "data")
	controller := r.cfg.controller
	if controller == "" {
		controller = filepath.Join(r.dir, "stx-controller")
		r.logf("building %s", controller)
		gobin := os.Getenv("GO")
		if gobin == "" {
			gobin = "go"
		}
		cmd := exec.CommandContext(ctx, gobin, "build", "-o", controller, "./cmd/stx-controller")
		cmd.Stdout, cmd.Stderr = r.errOut, r.errOut
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/stx-controller (run from the repository root, or pass -controller): %w", err)
		}
	}
	am := r.cfg.alertmanager
	if am == "" {
		for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
			if p, err := exec.LookPath(name); err == nil {
				am = p
				break
			}
		}
		if am == "" {
			return errors.New("no Alertmanager on PATH: install Debian's prometheus-alertmanager (make bench-deps) or pass -alertmanager")
		}
	}
	if v, err := exec.Command(am, "--version").CombinedOutput(); err == nil {
		rep.amVersion, _, _ = strings.Cut(strings.TrimSpace(string(v)), "\n")
	}

	ctlAddr, err := freeAddr()
	if err != nil {
		return err
	}
	r.ctl = &process{name: "stx-controller", log: filepath.Join(r.dir, "stx-controller.log"),
		argv:  []string{controller, "--listen", ctlAddr, "--data-dir", r.data, "--log-level", "warn"},
		ready: "http://" + ctlAddr + "/healthz"}

	amDir, err := os.MkdirTemp("", "benchpeers-alertmanager-")
	if err != nil {
		return err
	}
	defer func() { // Alertmanager only reads its files at start
		if err != nil {
			os.RemoveAll(amDir)
		}
	}()
	amConfig := filepath.Join(amDir, "alertmanager.yml")
	if err := os.WriteFile(amConfig, []byte("route:\n  receiver: discard\nreceivers:\n  - name: discard\n"), 0o600); err != nil {
		return err
	}
	amAddr, err := freeAddr()
	if err != nil {
		return err
	}
	r.am = &process{name: "alertmanager", log: filepath.Join(r.dir, "alertmanager.log"),
		argv: []string{am, "--config.file=" + amConfig, "--storage.path=" + filepath.Join(amDir, "data"),
			"--web.listen-address=" + amAddr, "--cluster.listen-address=", "--log.level=warn"},
		ready: "http://" + amAddr + "/-/ready"}

	r.logf("starting stx-controller on %s (data %s) and %s on %s", ctlAddr, r.data, filepath.Base(am), amAddr)
	if _, err := r.ctl.start(ctx); err != nil {
		return err
	}
	if _, err := r.am.start(ctx); err != nil {
		return errors.Join(err, r.ctl.stop(30*time.Second))
	}
	go func() { <-r.am.done; os.RemoveAll(amDir) }()
	tok, err := readToken(r.data)
	if err != nil {
		return errors.Join(err, r.ctl.stop(30*time.Second), r.am.stop(30*time.Second))
	}
	r.flock = flockTarget("http://"+ctlAddr, tok)
	r.amT = alertmanagerTarget("http://" + amAddr)
	return nil
}

// readToken reads the admin token stx-controller keeps in its data
// directory.
func readToken(dataDir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dataDir, "admin.token"))
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	tok := strings.TrimSpace(string(data))
	if tok == "" {
		return "", fmt.Errorf("admin token: %s is empty", filepath.Join(dataDir, "admin.token"))
	}
	return tok, nil
}

// populate gives both servers cfg.alarms alarms from 64 clients.
func (r *run) populate(ctx context.Context, rep *report) error {
	for k, t := range []target{r.flock, r.amT} {
		r.logf("populating %s with %d alarms", t.name, r.cfg.alarms)
		res := runLoad(ctx, t, loadConfig{clients: 64, count: int64(r.cfg.alarms), prefix: "pop"})
		if err := ctx.Err(); err != nil {
			return err
		}
		if res.errors > 0 {
			return fmt.Errorf("populating %s: %d errors, the first: %s", t.name, res.errors, res.firstErr)
		}
		rep.populate[k] = res
	}
	return nil
}

// lists times the full and the filtered list on both servers, then reads
// their resident memory.
func (r *run) lists(ctx context.Context, rep *report) error {
	one := "host=pop-" + strconv.Itoa(r.cfg.alarms/2)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 5 * time.Minute}
	defer client.CloseIdleConnections()
	amFilter := r.amT.base + "/api/v2/alerts?" + url.Values{"filter": {`instance="` + one + `"`}}.Encode()
	flockFilter := r.flock.base + "/v1/alarms?" + url.Values{"q.field": {"entity_instance_id"}, "q.value": {one}}.Encode()
	for _, c := range []struct {
		name   string
		k      int
		url    string
		runs   int
		want   int
		out    *[2]listTimes
		decode func([]byte) (int, string, error)
	}{
		{"stx-controller full list", 0, r.flock.base + "/v1/alarms", r.cfg.fullRuns, r.cfg.alarms, &rep.fullList, decodeAlarmCount},
		{"alertmanager full list", 1, r.amT.base + "/api/v2/alerts", r.cfg.fullRuns, r.cfg.alarms, &rep.fullList, decodeAlertCount},
		{"stx-controller filtered list", 0, flockFilter, r.cfg.filterRuns, 1, &rep.filteredList, decodeAlarmCount},
		{"alertmanager filtered list", 1, amFilter, r.cfg.filterRuns, 1, &rep.filteredList, decodeAlertCount},
	} {
		r.logf("timing the %s (%d times)", c.name, c.runs)
		var lt listTimes
		for range c.runs {
			d, items, pages, err := timedList(ctx, client, c.url, r.tokenFor(c.k), c.decode)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if items != c.want {
				return fmt.Errorf("%s: %d alarms, want %d", c.name, items, c.want)
			}
			lt.runs = append(lt.runs, d)
			lt.items, lt.pages = items, pages
		}
		slices.Sort(lt.runs)
		c.out[c.k] = lt
	}
	for k, p := range []*process{r.ctl, r.am} {
		m, err := processMemory(p.pid())
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		rep.rss[k] = m
	}
	return nil
}

func (r *run) tokenFor(k int) string {
	if k == 0 {
		return r.flock.token
	}
	return ""
}

// timedList GETs u, following the answer's next link while there is one,
// and returns the time spent in the GETs (to the last byte of each
// answer; decoding is not counted), the items and the pages.
func timedList(ctx context.Context, client *http.Client, u, token string, decode func([]byte) (int, string, error)) (time.Duration, int, int, error) {
	var took time.Duration
	var items, pages int
	var body bytes.Buffer
	for u != "" {
		if pages++; pages > 10_000 {
			return 0, 0, 0, errors.New("more than 10,000 pages")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return 0, 0, 0, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		body.Reset()
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, 0, err
		}
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		took += time.Since(start)
		if err != nil {
			return 0, 0, 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, 0, 0, fmt.Errorf("GET %s: status %d: %s", u, resp.StatusCode, bytes.TrimSpace(body.Bytes()))
		}
		n, next, err := decode(body.Bytes())
		if err != nil {
			return 0, 0, 0, fmt.Errorf("GET %s: %w", u, err)
		}
		items += n
		u, err = nextURL(u, next)
		if err != nil {
			return 0, 0, 0, err
		}
	}
	return took, items, pages, nil
}

// nextURL resolves a list answer's next field: "" (no more), a URL, or a
// marker for the current URL's marker parameter.
func nextURL(cur, next string) (string, error) {
	if next == "" {
		return "", nil
	}
	base, err := url.Parse(cur)
	if err != nil {
		return "", err
	}
	if strings.Contains(next, "/") {
		n, err := base.Parse(next)
		if err != nil {
			return "", fmt.Errorf("next link %q: %w", next, err)
		}
		return n.String(), nil
	}
	q := base.Query()
	q.Set("marker", next)
	base.RawQuery = q.Encode()
	return base.String(), nil
}

// flockAlarm is what the checks read of an alarm in a list.
type flockAlarm struct {
	UUID             string `json:"uuid"`
	EntityInstanceID string `json:"entity_instance_id"`
}

// alarmList is an answer of GET /v1/alarms.
type alarmList struct {
	Alarms []flockAlarm `json:"alarms"`
	Next   string       `json:"next"`
}

func decodeAlarmCount(body []byte) (int, string, error) {
	var l alarmList
	if err := json.Unmarshal(body, &l); err != nil {
		return 0, "", fmt.Errorf("alarm list: %w", err)
	}
	return len(l.Alarms), l.Next, nil
}

func decodeAlertCount(body []byte) (int, string, error) {
	var l []json.RawMessage
	if err := json.Unmarshal(body, &l); err != nil {
		return 0, "", fmt.Errorf("alert list: %w", err)
	}
	return len(l), "", nil
}

// restart stops stx-controller gracefully and starts it again on its data:
// start-up time and resident memory with the alarms loaded from disk.
func (r *run) restart(ctx context.Context, rep *report) error {
	r.logf("restarting stx-controller (SIGTERM)")
	if err := r.ctl.stop(time.Minute); err != nil {
		return err
	}
	d, err := r.ctl.start(ctx)
	if err != nil {
		return err
	}
	rep.startup = d
	rep.rssRestart, err = processMemory(r.ctl.pid())
	return err
}

// rateRounds runs the interleaved POST runs and measures the disk's sync
// time at the start of each round.
func (r *run) rateRounds(ctx context.Context, rep *report) error {
	rep.rates = make([]rateRuns, len(r.cfg.clients))
	for i, c := range r.cfg.clients {
		rep.rates[i].clients = c
	}
	for round := range r.cfg.rounds {
		d, err := syncTime(r.data, r.cfg.syncWrites)
		if err != nil {
			return fmt.Errorf("sync time: %w", err)
		}
		rep.syncs = append(rep.syncs, d)
		r.logf("round %d/%d: 4 KiB O_DSYNC write %s", round+1, r.cfg.rounds, us(d))
		for i, c := range r.cfg.clients {
			for k, t := range []target{r.flock, r.amT} {
				var before commitStat
				if k == 0 {
					before = r.commitStat(ctx)
				}
				res := runLoad(ctx, t, loadConfig{clients: c, duration: r.cfg.duration, prefix: "rate", first: r.nextRate[k],
					pids: []int{r.ctl.pid(), r.am.pid()}})
				if err := ctx.Err(); err != nil {
					return err
				}
				r.nextRate[k] = res.next
				if !r.ctl.running() || !r.am.running() {
					return fmt.Errorf("a server exited during the POST runs; logs in %s", r.dir)
				}
				r.logf("  %s, %d clients: %.0f POST/s, p50 %s, p99 %s, %d errors, steal %s, other processes %s",
					t.name, c, res.rate(), ms(percentile(res.latency, 0.5)), ms(percentile(res.latency, 0.99)), res.errors,
					pct(res.steal), pct(res.others))
				if res.others > rep.worstOthers {
					rep.worstOthers = res.others
				}
				if res.steal > rep.worstSteal {
					rep.worstSteal, rep.worstPhase = res.steal, fmt.Sprintf("%s, %d clients, round %d", t.name, c, round+1)
				}
				rr := &rep.rates[i]
				if k == 0 {
					rr.flock = append(rr.flock, res)
					after := r.commitStat(ctx)
					rr.commits = append(rr.commits, commitStat{ok: before.ok && after.ok,
						commits: after.commits - before.commits, seconds: after.seconds - before.seconds})
				} else {
					rr.am = append(rr.am, res)
				}
			}
		}
	}
	return nil
}

// commitStat reads flock_fault_commit_seconds from stx-controller's
// /metrics; ok is false when it does not export it.
func (r *run) commitStat(ctx context.Context) commitStat {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.flock.base+"/metrics", nil)
	if err != nil {
		return commitStat{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return commitStat{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return commitStat{}
	}
	n, s, ok := metricSum(string(body), "flock_fault_commit_seconds")
	return commitStat{ok: ok, commits: n, seconds: s}
}

// kill9 posts from cfg.killClients clients, kills stx-controller with
// SIGKILL meanwhile, restarts it and looks for every alarm it had
// acknowledged.
func (r *run) kill9(ctx context.Context, rep *report) error {
	r.logf("kill -9: posting from %d clients, SIGKILL after %v", r.cfg.killClients, r.cfg.killAfter)
	acked := make([]map[int64]string, r.cfg.killClients)
	for i := range acked {
		acked[i] = map[int64]string{}
	}
	var bad sync.Map
	onAck := func(c int, i int64, body []byte) {
		var a struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal(body, &a); err != nil || a.UUID == "" {
			bad.Store(i, string(body))
		}
		acked[c][i] = a.UUID
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var killErr error
	timer := time.AfterFunc(r.cfg.killAfter, func() {
		killErr = r.ctl.kill()
		cancel()
	})
	res := runLoad(lctx, r.flock, loadConfig{clients: r.cfg.killClients, duration: 10 * r.cfg.killAfter, prefix: "kill", onAck: onAck})
	if !timer.Stop() {
		<-lctx.Done() // the kill has happened
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if killErr != nil {
		return fmt.Errorf("SIGKILL: %w", killErr)
	}
	if r.ctl.running() {
		return errors.New("stx-controller was not killed: the load ended before -kill-after (raise it less, or check the load's errors)")
	}
	var badErr error
	bad.Range(func(k, v any) bool {
		badErr = fmt.Errorf("alarm %d was acknowledged with an answer without a uuid: %q", k, v)
		return false
	})
	if badErr != nil {
		return badErr
	}
	r.logf("kill -9: %d acknowledged, %d failed or cut; restarting", res.requests, res.errors)
	d, err := r.ctl.start(ctx)
	if err != nil {
		return fmt.Errorf("restart after SIGKILL: %w", err)
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	defer client.CloseIdleConnections()
	found := map[string]string{}
	u := r.flock.base + "/v1/alarms"
	for u != "" {
		// timedList's decoding, keeping the alarms this time
		var l alarmList
		_, _, _, err := timedList(ctx, client, u, r.flock.token, func(b []byte) (int, string, error) {
			l = alarmList{}
			err := json.Unmarshal(b, &l)
			return len(l.Alarms), "", err
		})
		if err != nil {
			return fmt.Errorf("listing after the restart: %w", err)
		}
		for _, a := range l.Alarms {
			found[a.EntityInstanceID] = a.UUID
		}
		if u, err = nextURL(u, l.Next); err != nil {
			return err
		}
	}
	k := lostAlarms(acked, found)
	k.errors, k.restart = res.errors, d
	if k.acked != int(res.requests) {
		return fmt.Errorf("kill -9: %d acknowledgements recorded of %d", k.acked, res.requests)
	}
	rep.killed = k
	return nil
}

// lostAlarms compares the acknowledged alarms (per client: alarm number
// to uuid) with those listed after the restart (entity id to uuid).
func lostAlarms(acked []map[int64]string, found map[string]string) killResult {
	var k killResult
	for _, m := range acked {
		for i, id := range m {
			k.acked++
			eid := "host=kill-" + strconv.FormatInt(i, 10)
			got, ok := found[eid]
			switch {
			case !ok:
				k.missing++
				k.example = eid + " (uuid " + id + ")"
			case got != id:
				k.wrongUUID++
				k.example = fmt.Sprintf("%s: acknowledged as %s, listed as %s", eid, id, got)
			}
		}
	}
	return k
}

// hostInfo names the kernel and the cores.
func hostInfo() string {
	rel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("Linux %s, %d CPUs, %s", strings.TrimSpace(string(rel)), runtime.NumCPU(), runtime.Version())
}

// gitRevision returns the checkout's commit, with "+dirty" for local
// changes; "" outside a git checkout.
func gitRevision() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		rev += "+dirty"
	}
	return rev
}
