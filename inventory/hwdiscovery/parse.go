package hwdiscovery

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file holds the parsers of file contents: pure functions of a
// string, each with a fuzz target.

// cpuinfoCPU is one processor's block of /proc/cpuinfo.
type cpuinfoCPU struct {
	Processor int
	Fields    map[string]string
}

// parseCPUInfo splits /proc/cpuinfo into its processor blocks. A block
// without a valid "processor" line is skipped.
func parseCPUInfo(s string) []cpuinfoCPU {
	var out []cpuinfoCPU
	for _, block := range strings.Split(s, "\n\n") {
		fields := map[string]string{}
		for _, ln := range strings.Split(block, "\n") {
			k, v, ok := strings.Cut(ln, ":")
			if !ok {
				continue
			}
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		p, err := strconv.Atoi(fields["processor"])
		if err != nil || p < 0 {
			continue
		}
		out = append(out, cpuinfoCPU{Processor: p, Fields: fields})
	}
	return out
}

// parseMeminfo parses /proc/meminfo or a NUMA node's meminfo ("Node 0
// MemTotal: 123 kB") into sizes in KiB (or counts, for the HugePages_*
// lines, which have no unit).
func parseMeminfo(s string) map[string]int64 {
	out := map[string]int64{}
	for _, ln := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(ln, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if strings.HasPrefix(k, "Node ") {
			if f := strings.Fields(k); len(f) == 3 {
				k = f[2]
			}
		}
		f := strings.Fields(v)
		if len(f) == 0 || len(f) > 2 || (len(f) == 2 && f[1] != "kB") {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			continue
		}
		out[k] = n
	}
	return out
}

// maxCPUListLen bounds a parsed CPU list, so that a corrupt "0-4000000000"
// cannot make discovery allocate without bound.
const maxCPUListLen = 1 << 16

// parseList parses a kernel list ("0-3,8,10-11") into sorted numbers.
func parseList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("list %q: %q is not a number", s, lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("list %q: bad range %q", s, part)
			}
		}
		if b-a >= maxCPUListLen || len(out)+b-a+1 > maxCPUListLen {
			return nil, fmt.Errorf("list %q: too long", s)
		}
		for i := a; i <= b; i++ {
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out, nil
}

// udevRecord is a device's udev database entry (/run/udev/data/...).
type udevRecord struct {
	Props map[string]string // E: lines
	Links []string          // S: lines, relative to /dev
}

// parseUdevData parses a udev database entry: "E:KEY=VALUE" properties
// and "S:disk/by-id/..." symlinks; other lines are ignored.
func parseUdevData(s string) udevRecord {
	r := udevRecord{Props: map[string]string{}}
	for _, ln := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(ln, "E:"):
			if k, v, ok := strings.Cut(ln[2:], "="); ok && k != "" {
				r.Props[k] = v
			}
		case strings.HasPrefix(ln, "S:"):
			if l := strings.TrimSpace(ln[2:]); l != "" {
				r.Links = append(r.Links, l)
			}
		}
	}
	sort.Strings(r.Links)
	return r
}

// parseHex parses a sysfs hexadecimal value ("0x8086").
func parseHex(s string, bits int) (uint64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	return strconv.ParseUint(s, 16, bits)
}

// defaultRouteIface returns the interface of the IPv4 default route in
// /proc/net/route (the one with the lowest metric), or "".
func defaultRouteIface(s string) string {
	best, bestMetric := "", int64(-1)
	for i, ln := range strings.Split(s, "\n") {
		f := strings.Fields(ln)
		if i == 0 || len(f) < 8 {
			continue
		}
		if f[1] != "00000000" || f[7] != "00000000" {
			continue
		}
		flags, err := strconv.ParseUint(f[3], 16, 16)
		if err != nil || flags&1 == 0 { // RTF_UP
			continue
		}
		m, err := strconv.ParseInt(f[6], 10, 64)
		if err != nil {
			continue
		}
		if bestMetric < 0 || m < bestMetric {
			best, bestMetric = f[0], m
		}
	}
	return best
}

// mountInfo is a line of /proc/self/mountinfo.
type mountInfo struct {
	MajMin     string
	MountPoint string
	Source     string
}

// parseMountinfo returns the mounts of /proc/self/mountinfo; a later
// mount on the same point hides an earlier one.
func parseMountinfo(s string) map[string]mountInfo {
	out := map[string]mountInfo{}
	for _, ln := range strings.Split(s, "\n") {
		f := strings.Fields(ln)
		if len(f) < 10 {
			continue
		}
		sep := -1
		for i := 6; i < len(f); i++ {
			if f[i] == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+2 >= len(f) {
			continue
		}
		out[unescapeMount(f[4])] = mountInfo{MajMin: f[2], MountPoint: unescapeMount(f[4]), Source: unescapeMount(f[sep+2])}
	}
	return out
}

// unescapeMount undoes the octal escapes (\040 for a space) of
// mountinfo fields.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseCmdline splits /proc/cmdline into its key=value parameters (the
// first occurrence of a key wins; a bare word maps to "").
func parseCmdline(s string) map[string]string {
	out := map[string]string{}
	for _, w := range strings.Fields(s) {
		if w == "--" {
			break
		}
		k, v, _ := strings.Cut(w, "=")
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// parseSizeKiB parses a cache size ("32K", "1024K", "16M").
func parseSizeKiB(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		s, mult = s[:len(s)-1], 1024
	case strings.HasSuffix(s, "G"):
		s, mult = s[:len(s)-1], 1024*1024
	default:
		return 0, fmt.Errorf("size %q has no K, M or G unit", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<30/mult {
		return 0, fmt.Errorf("size %q is not a size", s)
	}
	return n * mult, nil
}
