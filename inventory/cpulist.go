package inventory

import (
	"strconv"
	"strings"
)

// maxCPUList bounds the CPUs one cpulist may name.
const maxCPUList = 4096

// ParseCPUList parses sysinv's CPU list (CPUModify.CPUs as the system
// CLI's -c takes it): numbers and ranges separated by
// commas ("0-3,8,10-11").
func ParseCPUList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, Fieldf("cpulist", "%q is not a CPU number or range", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, Fieldf("cpulist", "%q is not a CPU number or range", part)
			}
		}
		if b-a >= maxCPUList || len(out)+b-a+1 > maxCPUList {
			return nil, Fieldf("cpulist", "names more than %d CPUs", maxCPUList)
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out, nil
}
