//go:build linux

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readMachineCPU returns the counters of /proc/stat's first line (user,
// nice, system, idle, iowait, irq, softirq, steal ...), nil when the file is
// missing or not understood.
func readMachineCPU() []uint64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	ticks, _ := parseCPULine(string(data))
	return ticks
}

// parseCPULine parses the aggregate "cpu" line at the start of /proc/stat.
func parseCPULine(stat string) ([]uint64, error) {
	line, _, _ := strings.Cut(stat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return nil, errors.New("/proc/stat: no cpu line with a steal counter")
	}
	ticks := make([]uint64, 0, len(fields)-1)
	for _, f := range fields[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("/proc/stat: cpu counter %q is not a number", f)
		}
		ticks = append(ticks, n)
	}
	return ticks, nil
}

// stealPercent returns the share of the machine's CPU time between two
// readings of /proc/stat that the hypervisor gave to other guests, -1 when
// unknown. The guest counters after steal are already part of user and
// nice, so the total is user to steal.
func stealPercent(before, after []uint64) float64 {
	const steal = 7
	if len(before) <= steal || len(after) <= steal {
		return -1
	}
	var total uint64
	for i := range steal + 1 {
		if after[i] < before[i] {
			return -1
		}
		total += after[i] - before[i]
	}
	if total == 0 {
		return -1
	}
	return 100 * float64(after[steal]-before[steal]) / float64(total)
}

// otherPercent returns the share of the machine's CPU time between two
// readings of /proc/stat that went to processes other than this one and
// the servers (ownTicks: their CPU time in the same interval, in clock
// ticks), -1 when unknown: above a few percent, something else on the
// host competed with the benchmark.
func otherPercent(before, after []uint64, ownTicks uint64) float64 {
	const idle, iowait, steal = 3, 4, 7
	if len(before) <= steal || len(after) <= steal {
		return -1
	}
	var total, busy uint64
	for i := range steal + 1 {
		if after[i] < before[i] {
			return -1
		}
		d := after[i] - before[i]
		total += d
		if i != idle && i != iowait && i != steal {
			busy += d
		}
	}
	if total == 0 {
		return -1
	}
	if ownTicks > busy {
		return 0
	}
	return 100 * float64(busy-ownTicks) / float64(total)
}

// clockTick is USER_HZ, the unit of /proc's CPU counters on every Linux
// architecture Go supports.
const clockTick = 10 * time.Millisecond

// cpuTicks returns the CPU time (user and system) of this process and of
// the processes pids, in clock ticks.
func cpuTicks(pids ...int) uint64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	n := uint64((time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())) / clockTick)
	for _, pid := range pids {
		if pid <= 0 {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if t, err := parseProcStat(string(data)); err == nil {
			n += t
		}
	}
	return n
}

// parseProcStat returns utime + stime from the text of /proc/PID/stat.
func parseProcStat(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, errors.New("/proc stat: too few fields")
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: utime and stime: %w", err)
	}
	return u + s, nil
}

// memory is a process's resident memory, in bytes.
type memory struct {
	rss, peak int64 // VmRSS, VmHWM
}

// processMemory reads the resident memory of process pid.
func processMemory(pid int) (memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	return parseStatus(string(data))
}

// parseStatus reads VmRSS and VmHWM from the text of /proc/PID/status.
func parseStatus(status string) (memory, error) {
	var m memory
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch key {
		case "VmRSS":
			dst = &m.rss
		case "VmHWM":
			dst = &m.peak
		}
		if !ok || dst == nil {
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		kb, err := strconv.ParseInt(num, 10, 64)
		if err != nil || unit != "kB" || kb < 0 || kb > 1<<40 {
			return memory{}, fmt.Errorf("/proc status: %s %q is not a size in kB", key, strings.TrimSpace(val))
		}
		*dst = kb << 10
		seen[key] = true
	}
	if !seen["VmRSS"] || !seen["VmHWM"] {
		return memory{}, errors.New("/proc status: no VmRSS and VmHWM lines")
	}
	return m, nil
}

// syncTime returns the mean time of one 4 KiB write with O_DSYNC into a
// file in dir, over n writes into blocks written beforehand (as SQLite
// writes its WAL once it has been checkpointed): the time the disk takes to
// make one small write durable, which bounds how often a client waiting
// for a durable commit can be answered.
func syncTime(dir string, n int) (time.Duration, error) {
	const block = 4096
	path := filepath.Join(dir, "benchpeers-sync.tmp")
	defer os.Remove(path)
	buf := make([]byte, block)
	for i := range buf {
		buf[i] = byte(i)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	for range n {
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return 0, err
		}
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return 0, err
	}
	f, err = os.OpenFile(path, os.O_WRONLY|syscall.O_DSYNC, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	for i := range n {
		if _, err := f.WriteAt(buf, int64(i)*block); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(max(n, 1)), nil
}

// metricSum returns the _count and _sum of histogram name in a Prometheus
// text exposition, ok false when it is not there.
func metricSum(text, name string) (count, sum float64, ok bool) {
	var seen int
	for line := range strings.Lines(text) {
		key, val, found := strings.Cut(strings.TrimSpace(line), " ")
		if !found {
			continue
		}
		var dst *float64
		switch key {
		case name + "_count":
			dst = &count
		case name + "_sum":
			dst = &sum
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return 0, 0, false
		}
		*dst = v
		seen++
	}
	return count, sum, seen == 2
}
