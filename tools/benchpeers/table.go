//go:build linux

package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The goals of issue 15 for the real process.
const (
	boundGoal  = 0.80 // Flock's POST rate as a share of clients ÷ sync time
	boundGoalN = 8    // ... at this many clients
	peerGoalN  = 64   // at this many, at least Alertmanager's rate
	fullGoal   = 500 * time.Millisecond
	filterGoal = 2 * time.Millisecond
	rssGoal    = 150 << 20
)

// writeTable prints the report as one markdown table, with the run's
// conditions above it and the rounds' raw figures below.
func writeTable(w io.Writer, rep *report) {
	cfg := rep.cfg
	fmt.Fprintf(w, "## stx-controller and Alertmanager, as processes (`make bench-peers`)\n\n")
	fmt.Fprintf(w, "%s · %s · stx-controller %s (SQLite, data directory on the disk of %s) · %s · %s alarms · rounds: %d, %v per POST run · host steal %s over the run",
		rep.date.Format("2006-01-02 15:04 UTC"), rep.host, orDash(rep.flockRev), cfg.workdir, orDash(rep.amVersion),
		thousands(float64(cfg.alarms)), cfg.rounds, cfg.duration, pct(rep.steal))
	if rep.worstPhase != "" {
		fmt.Fprintf(w, " (worst POST run %s: %s)", pct(rep.worstSteal), rep.worstPhase)
	}
	fmt.Fprintf(w, " · other processes took up to %s of the CPU during a POST run", pct(rep.worstOthers))
	fmt.Fprintf(w, "\n\n")

	sync := mean(rep.syncs)
	row := func(cells ...string) { fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | ")) }
	row("figure", "stx-controller", "Alertmanager", "bound", "target", "met")
	row("---", "---:", "---:", "---:", "---", "---")
	row(fmt.Sprintf("disk sync: one 4 KiB O_DSYNC write in the data directory (mean of %d×%d)", len(rep.syncs), cfg.syncWrites),
		"", "", us(sync), "", "")
	var errs [2]int64
	for _, rr := range rep.rates {
		f, a := rates(rr.flock), rates(rr.am)
		for k, runs := range [][]loadResult{rr.flock, rr.am} {
			for _, r := range runs {
				errs[k] += r.errors
			}
		}
		bound := 0.0
		if sync > 0 {
			bound = float64(rr.clients) / sync.Seconds()
		}
		share, ratio := median(f)/bound, median(f)/median(a)
		target, met := "", fmt.Sprintf("%.0f %% of bound; %.2f× Alertmanager", 100*share, ratio)
		switch rr.clients {
		case boundGoalN:
			target = fmt.Sprintf("≥ %.0f %% of bound", 100*boundGoal)
			met = yesNo(share >= boundGoal) + ": " + met
		case peerGoalN:
			target = "≥ Alertmanager's"
			met = yesNo(ratio >= 1) + ": " + met
		}
		row(fmt.Sprintf("POST/s, %d clients, one new alarm each (median of %d; min–max)", rr.clients, len(f)),
			rateCell(f), rateCell(a), fmt.Sprintf("%s (%d ÷ sync)", thousands(bound), rr.clients), target, met)
		row(fmt.Sprintf("POST latency p50 / p99, %d clients (the median run's)", rr.clients),
			latencyCell(medianRun(rr.flock)), latencyCell(medianRun(rr.am)), "", "", "")
		if c := commitCell(rr); c != "" {
			row(fmt.Sprintf("POSTs per commit, %d clients (flock_fault_commit_seconds)", rr.clients), c, "", "", "", "")
		}
	}
	row("POST errors, all runs", thousands(float64(errs[0])), thousands(float64(errs[1])), "", "0", yesNo(errs[0] == 0))
	row(fmt.Sprintf("full list of %s (GET to last byte, median of %d)", thousands(float64(cfg.alarms)), cfg.fullRuns),
		listCell(rep.fullList[0]), listCell(rep.fullList[1]), "", "< "+ms(fullGoal), yesNo(medianDur(rep.fullList[0].runs) < fullGoal))
	row(fmt.Sprintf("filtered list, 1 of %s (entity_instance_id; Alertmanager: instance label; median of %d)", thousands(float64(cfg.alarms)), cfg.filterRuns),
		listCell(rep.filteredList[0]), listCell(rep.filteredList[1]), "", "< "+ms(filterGoal), yesNo(medianDur(rep.filteredList[0].runs) < filterGoal))
	row(fmt.Sprintf("resident memory with %s active alarms, after populating and listing (VmRSS; peak VmHWM)", thousands(float64(cfg.alarms))),
		memCell(rep.rss[0]), memCell(rep.rss[1]), "", fmt.Sprintf("< %d MiB", rssGoal>>20), yesNo(rep.rss[0].rss < rssGoal))
	row(fmt.Sprintf("resident memory after a restart on %s alarms (VmRSS)", thousands(float64(cfg.alarms))),
		mib(rep.rssRestart.rss), "", "", fmt.Sprintf("< %d MiB", rssGoal>>20), yesNo(rep.rssRestart.rss < rssGoal))
	row(fmt.Sprintf("start-up on %s alarms (exec to /healthz 200)", thousands(float64(cfg.alarms))), rep.startup.Round(time.Millisecond).String(), "", "", "", "")
	k := rep.killed
	killCell := fmt.Sprintf("%d missing, %d with another uuid, of %s acknowledged", k.missing, k.wrongUUID, thousands(float64(k.acked)))
	row(fmt.Sprintf("kill -9 under %d posting clients after %v, restart: acknowledged alarms lost", cfg.killClients, cfg.killAfter),
		killCell, "", "", "0", yesNo(k.missing == 0 && k.wrongUUID == 0 && k.acked > 0))
	row("populating, 64 clients (POST/s)", thousands(rep.populate[0].rate()), thousands(rep.populate[1].rate()), "", "", "")

	fmt.Fprintf(w, "\nRounds (POST/s; during the run: host steal, CPU of other processes):\n\n")
	for i, d := range rep.syncs {
		fmt.Fprintf(w, "- round %d: sync %s", i+1, us(d))
		for _, rr := range rep.rates {
			if i < len(rr.flock) && i < len(rr.am) {
				fmt.Fprintf(w, "; %d clients: stx-controller %s (%s, %s), Alertmanager %s (%s, %s)", rr.clients,
					thousands(rr.flock[i].rate()), pct(rr.flock[i].steal), pct(rr.flock[i].others),
					thousands(rr.am[i].rate()), pct(rr.am[i].steal), pct(rr.am[i].others))
			}
		}
		fmt.Fprintln(w)
	}
	if k.example != "" {
		fmt.Fprintf(w, "\nkill -9: for example %s\n", k.example)
	}
	for _, n := range rep.notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	fmt.Fprintf(w, "\nkill -9: %d requests failed or were cut by the kill (not acknowledged, not counted); restart took %v\n",
		k.errors, k.restart.Round(time.Millisecond))
}

func rates(runs []loadResult) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r.rate()
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianDur(ds []time.Duration) time.Duration {
	fs := make([]float64, len(ds))
	for i, d := range ds {
		fs[i] = float64(d)
	}
	return time.Duration(median(fs))
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// medianRun returns the run with the median rate (the lower middle one of
// an even count).
func medianRun(runs []loadResult) loadResult {
	if len(runs) == 0 {
		return loadResult{}
	}
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b loadResult) int {
		switch ra, rb := a.rate(), b.rate(); {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return 0
	})
	return s[(len(s)-1)/2]
}

func rateCell(rs []float64) string {
	if len(rs) == 0 {
		return "—"
	}
	if len(rs) == 1 {
		return thousands(rs[0])
	}
	return fmt.Sprintf("%s (%s–%s)", thousands(median(rs)), thousands(slices.Min(rs)), thousands(slices.Max(rs)))
}

func latencyCell(r loadResult) string {
	if len(r.latency) == 0 {
		return "—"
	}
	return ms(percentile(r.latency, 0.5)) + " / " + ms(percentile(r.latency, 0.99))
}

func commitCell(rr rateRuns) string {
	var posts, commits, secs float64
	for i, c := range rr.commits {
		if !c.ok || c.commits <= 0 {
			return ""
		}
		posts += float64(rr.flock[i].requests)
		commits += c.commits
		secs += c.seconds
	}
	if commits == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f (commit %s)", posts/commits, us(time.Duration(secs/commits*float64(time.Second))))
}

func listCell(l listTimes) string {
	if len(l.runs) == 0 {
		return "—"
	}
	s := ms(medianDur(l.runs))
	if l.pages > 1 {
		s += fmt.Sprintf(" (%d pages)", l.pages)
	}
	return s
}

func memCell(m memory) string {
	return fmt.Sprintf("%s (peak %s)", mib(m.rss), mib(m.peak))
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// thousands formats x rounded to an integer with comma separators.
func thousands(x float64) string {
	if math.IsNaN(x) || math.Abs(x) > 1e18 { // no rate
		return "—"
	}
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func mib(b int64) string {
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

func pct(p float64) string {
	if p < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f %%", p)
}
