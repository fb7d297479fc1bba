package hwdiscovery

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parsers take whatever a file holds: none may panic, and what they
// return must hold together.

func FuzzParseCPUInfo(f *testing.F) {
	f.Add("processor\t: 0\nmodel name\t: X\nflags\t: vmx\n\nprocessor\t: 1\n")
	f.Add("processor: -1\n\n:\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parseCPUInfo(s) {
			require.GreaterOrEqual(t, c.Processor, 0)
		}
	})
}

func FuzzParseMeminfo(f *testing.F) {
	f.Add("MemTotal: 123 kB\nHugePages_Total: 4\n")
	f.Add("Node 0 MemTotal:  1 kB\nNode 1 MemFree: x kB\n")
	f.Fuzz(func(t *testing.T, s string) {
		for k, v := range parseMeminfo(s) {
			require.GreaterOrEqual(t, v, int64(0), k)
		}
	})
}

func FuzzParseList(f *testing.F) {
	f.Add("0-3,8,10-11")
	f.Add("0-4000000000")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := parseList(s)
		if err != nil {
			return
		}
		require.LessOrEqual(t, len(l), maxCPUListLen)
		for i := 1; i < len(l); i++ {
			require.LessOrEqual(t, l[i-1], l[i])
		}
	})
}

func FuzzParseUdevData(f *testing.F) {
	f.Add("S:disk/by-id/x\nE:ID_WWN=0x5\nE:=\nW:1\n")
	f.Add("E:ID_PART_ENTRY_TYPE=c12a7328-f81f-11d2-ba4b-00a0c93ec93b")
	f.Fuzz(func(t *testing.T, s string) {
		r := parseUdevData(s)
		for k := range r.Props {
			require.NotEmpty(t, k)
		}
		byPath, byID := pickLinks(r.Links)
		if byPath != "" {
			require.True(t, strings.HasPrefix(byPath, "/dev/disk/by-path/"))
		}
		if byID != "" {
			require.True(t, strings.HasPrefix(byID, "/dev/disk/by-id/"))
		}
	})
}

func FuzzParsePCIIDs(f *testing.F) {
	f.Add("8086  Intel Corporation\n\t1572  X710\n\t\t8086 0001  X710-4\nC 02  Network controller\n\t00  Ethernet controller\n")
	f.Add("\t\t8086 0001  orphan\nC zz  bad\n1af4 x\n")
	f.Fuzz(func(t *testing.T, s string) {
		db := ParsePCIIDs(s)
		for v, n := range db.vendors {
			assert.Equal(t, n, db.Vendor(v))
			require.NotEmpty(t, n)
		}
		_ = db.Class(0x020000)
		_ = db.Subsystem(0x8086, 0x1572, 0x8086, 0x1572)
	})
}

func FuzzParseRouteMountsCmdline(f *testing.F) {
	f.Add("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n",
		"22 1 8:3 / / rw shared:1 - ext4 /dev/sda3 rw\n", "BOOTIF=01-aa-bb-cc-dd-ee-ff -- x")
	f.Fuzz(func(t *testing.T, route, mounts, cmdline string) {
		_ = defaultRouteIface(route)
		for p, m := range parseMountinfo(mounts) {
			require.Equal(t, p, m.MountPoint)
		}
		_ = parseCmdline(cmdline)
		_, _ = parseSizeKiB(cmdline)
		_, _, _ = splitMajMin(cmdline)
	})
}

func FuzzParseLVMBackup(f *testing.F) {
	f.Add("vg { id = \"x\"\nextent_size = 8192\nstatus = [\"READ\", \"WRITE\"]\nphysical_volumes { pv0 { device = \"/dev/sda4\" # hint\n pe_count = 10 } }\nlogical_volumes { lv { status = [\"VISIBLE\"]\n segment1 { extent_count = 4\n stripes = [\"pv0\", 0] } } } }")
	f.Add("a { b { c { } } }\nx = [1, \"2\"")
	f.Fuzz(func(t *testing.T, s string) {
		vg, pvs, err := parseLVMBackup(s)
		if err != nil {
			return
		}
		require.Equal(t, len(pvs), vg.PVs)
		for _, pv := range pvs {
			require.Equal(t, vg.Name, pv.VG)
		}
	})
}
