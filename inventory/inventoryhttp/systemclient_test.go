package inventoryhttp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// systemCLI runs the system CLI against one controller.
type systemCLI struct {
	py, url, token, dir string
}

// run returns the CLI's stdout and stderr and whether it succeeded.
func (s systemCLI) run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), s.py, append([]string{"-m", "cgtsclient.shell", "--system-url", s.url, "--os-auth-token", s.token}, args...)...)
	// A wide terminal: host-port-list's column layout needs more than 155
	// columns; HOME empty so no keyring or config of the user's is read;
	// CLI_CONFIRMATIONS unset so delete verbs do not prompt.
	cmd.Env = append(os.Environ(), "COLUMNS=400", "HOME="+t.TempDir(), "CLI_CONFIRMATIONS=")
	cmd.Dir = s.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// ok runs a verb that must succeed and returns its stdout.
func (s systemCLI) ok(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := s.run(t, args...)
	require.NoError(t, err, "system %s:\n%s%s", strings.Join(args, " "), out, errOut)
	return out
}

// fails runs a verb that must fail (exit 1) and returns what it printed.
func (s systemCLI) fails(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := s.run(t, args...)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "system %s:\n%s%s", strings.Join(args, " "), out, errOut)
	assert.Equal(t, 1, exit.ExitCode())
	assert.NotContains(t, errOut, "Traceback", "a client crash, not an answer")
	return errOut + out
}

// sysTable parses the prettytable the system CLI prints. Its wrapping
// formatters break long headers and cells over several lines (the
// continuation lines have an empty first cell): the pieces are joined
// back without a space, which is exact for the values this test checks
// (names, uuids, addresses, numbers).
func sysTable(t *testing.T, out string) []map[string]string {
	t.Helper()
	var header []string
	var rows [][]string
	seps := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "+") {
			seps++
			if seps > 3 {
				break // a second table
			}
			continue
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case seps == 1 && header == nil:
			header = cells
		case seps == 1:
			require.Len(t, cells, len(header), "header %q", line)
			for i, c := range cells {
				header[i] += c
			}
		default:
			require.Len(t, cells, len(header), "row %q", line)
			if len(rows) > 0 && cells[0] == "" {
				last := rows[len(rows)-1]
				for i, c := range cells {
					last[i] += c
				}
				continue
			}
			rows = append(rows, cells)
		}
	}
	var res []map[string]string
	for _, r := range rows {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		res = append(res, m)
	}
	return res
}

// props parses a Property/Value table into a map.
func props(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, r := range sysTable(t, out) {
		m[r["Property"]] = r["Value"]
	}
	require.NotEmpty(t, m, "no Property/Value table in %q", out)
	return m
}

// col returns one column of rows.
func col(rows []map[string]string, name string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r[name])
	}
	return out
}

// rowWhere returns the row whose column name is value.
func rowWhere(t *testing.T, rows []map[string]string, name, value string) map[string]string {
	t.Helper()
	for _, r := range rows {
		if r[name] == value {
			return r
		}
	}
	require.Failf(t, "no such row", "no row with %s=%s in %v", name, value, rows)
	return nil
}

// TestSystemClient runs StarlingX's own system CLI (cgts-client),
// unchanged, against a real stx-controller: every inventory verb of
// issue 16, checking what it prints and, through the Go client, what the
// controller holds. The subtests share one controller and run in order.
func TestSystemClient(t *testing.T) {
	py := testenv.SystemClient(t).Python(t)
	ctl := testenv.StartController(t)
	sys := systemCLI{py: py, url: ctl.URL, token: ctl.Token, dir: t.TempDir()}
	c := inventoryhttp.NewClient(ctl.URL, &inventoryhttp.ClientOptions{Token: ctl.Token})
	ctx := t.Context()

	setAdmin := func(t *testing.T, host string, a inventory.AdminState) {
		t.Helper()
		h, err := c.SetHostStatus(ctx, host, inventory.HostStatus{Administrative: &a})
		require.NoError(t, err)
		require.Equal(t, a, h.Administrative)
	}

	t.Run("show", func(t *testing.T) {
		sysRec, err := c.GetSystem(ctx)
		require.NoError(t, err)
		p := props(t, sys.ok(t, "show"))
		assert.Equal(t, sysRec.UUID, p["uuid"])
		assert.Equal(t, sysRec.Name, p["name"])
		assert.Equal(t, "Standard", p["system_type"])
		assert.Equal(t, "duplex", p["system_mode"])
		assert.Equal(t, "UTC", p["timezone"])
		assert.Equal(t, "RegionOne", p["region_name"])
		assert.Regexp(t, `^\d{4}-\d{2}-\d{2}T`, p["created_at"])
	})

	t.Run("modify", func(t *testing.T) {
		p := props(t, sys.ok(t, "modify", "-n", "lab-system", "-d", "the lab", "-l", "rack 7",
			"-c", "ops@example.com", "-t", "Europe/Paris", "-la", "45.5", "-lo", "-73.6", "-v", "ovs-dpdk"))
		assert.Equal(t, "lab-system", p["name"])
		assert.Equal(t, "the lab", p["description"])
		assert.Equal(t, "rack 7", p["location"])
		assert.Equal(t, "ops@example.com", p["contact"])
		assert.Equal(t, "Europe/Paris", p["timezone"])
		assert.Equal(t, "45.5", p["latitude"])
		assert.Equal(t, "-73.6", p["longitude"])
		assert.Equal(t, "ovs-dpdk", p["vswitch_type"])
		s, err := c.GetSystem(ctx)
		require.NoError(t, err)
		assert.Equal(t, "lab-system", s.Name)
		assert.Equal(t, "Europe/Paris", s.Timezone)
		assert.Equal(t, "ovs-dpdk", s.Capabilities["vswitch_type"])

		// Bad input names the field and changes nothing.
		assert.Contains(t, sys.fails(t, "modify", "-t", "Not a zone", "-n", "other"), "timezone")
		assert.Contains(t, sys.fails(t, "modify", "-v", "bogus"), "vswitch_type")
		// The client's own check: system_mode only changes on All-in-one.
		assert.Contains(t, sys.fails(t, "modify", "-m", "duplex"), "system_mode can only be modified on an AIO system")
		s, err = c.GetSystem(ctx)
		require.NoError(t, err)
		assert.Equal(t, "lab-system", s.Name)
		assert.Equal(t, "Europe/Paris", s.Timezone)
		assert.Equal(t, "ovs-dpdk", s.Capabilities["vswitch_type"])
		assert.Equal(t, "Europe/Paris", props(t, sys.ok(t, "show"))["timezone"])
	})

	ctlMAC, cmpMAC := inventorytest.MAC("controller-0"), inventorytest.MAC("compute-0")
	const bmcPassword = "s3cret-bmc-pw"

	t.Run("host-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-add", "-n", "controller-0", "-p", "controller", "-m", ctlMAC, "-l", "lab1"))
		assert.Equal(t, "controller-0", p["hostname"])
		assert.Equal(t, "controller", p["personality"])
		assert.Equal(t, ctlMAC, p["mgmt_mac"])
		assert.Equal(t, "locked", p["administrative"])
		assert.Equal(t, "unprovisioned", p["invprovision"])
		assert.Equal(t, "{'locn': 'lab1'}", p["location"])
		assert.Regexp(t, `^[0-9a-f-]{36}$`, p["uuid"])

		out := sys.ok(t, "host-add", "-n", "compute-0", "-p", "worker", "-m", cmpMAC,
			"-I", "10.10.10.21", "-T", "ipmi", "-U", "admin", "-P", bmcPassword, "-b", "/dev/sda", "-c", "ttyS0,115200")
		assert.NotContains(t, out, bmcPassword, "the BMC password is never shown")
		p = props(t, out)
		assert.Equal(t, "compute-0", p["hostname"])
		assert.Equal(t, "worker", p["personality"])
		assert.Equal(t, "10.10.10.21", p["bm_ip"])
		assert.Equal(t, "ipmi", p["bm_type"])
		assert.Equal(t, "admin", p["bm_username"])
		assert.Equal(t, "ttyS0,115200", p["console"])
		h, err := c.GetHost(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, p["uuid"], h.UUID)
		assert.Equal(t, inventory.PersonalityWorker, h.Personality)
		assert.Equal(t, "admin", h.BMUsername)

		// Bad input names the field; a duplicate names the rule; nothing is added.
		assert.Contains(t, sys.fails(t, "host-add", "-n", "compute-9", "-p", "worker", "-m", "zz:zz"), "mgmt_mac")
		assert.Contains(t, sys.fails(t, "host-add", "-n", "compute-0", "-p", "worker", "-m", inventorytest.MAC("x")), "compute-0 is already in use")
		assert.Contains(t, sys.fails(t, "host-add", "-n", "compute-9", "-p", "worker", "-m", cmpMAC), cmpMAC)
		hosts, err := c.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, hosts, 2)

		// The agents report the hardware.
		for mac, name := range map[string]string{ctlMAC: "controller-0", cmpMAC: "compute-0"} {
			h, err := c.ReportInventory(ctx, inventorytest.ReportFor(mac, inventorytest.WithHostname(name)))
			require.NoError(t, err)
			require.Equal(t, name, h.Hostname)
		}
	})

	cmp, err := c.GetHost(ctx, "compute-0")
	require.NoError(t, err, "host-add failed")

	t.Run("host-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-list"))
		require.Len(t, rows, 2)
		assert.Equal(t, []string{"controller-0", "compute-0"}, col(rows, "hostname"))
		assert.Equal(t, []string{"controller", "worker"}, col(rows, "personality"))
		assert.Equal(t, []string{"locked", "locked"}, col(rows, "administrative"))
		assert.Equal(t, []string{"disabled", "disabled"}, col(rows, "operational"))
		assert.Equal(t, []string{"offline", "offline"}, col(rows, "availability"))
		assert.Equal(t, strconv.FormatInt(cmp.ID, 10), rows[1]["id"])
	})

	t.Run("host-show", func(t *testing.T) {
		byName := props(t, sys.ok(t, "host-show", "compute-0"))
		assert.Equal(t, cmp.UUID, byName["uuid"])
		assert.Equal(t, cmpMAC, byName["mgmt_mac"])
		assert.Equal(t, cmp.ConfigTarget, byName["config_target"])
		assert.Equal(t, byName, props(t, sys.ok(t, "host-show", strconv.FormatInt(cmp.ID, 10))), "by id")
		assert.Equal(t, byName, props(t, sys.ok(t, "host-show", cmp.UUID)), "by uuid")
		assert.Equal(t, "host not found: nosuch\n", sys.fails(t, "host-show", "nosuch"))
		assert.Equal(t, "host not found: 999\n", sys.fails(t, "host-show", "999"))
	})

	t.Run("host-update", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-update", "compute-0", "location=rack 2", "hw_settle=5"))
		assert.Equal(t, "{'locn': 'rack 2'}", p["location"])
		assert.Equal(t, "5", p["hw_settle"])
		h, err := c.GetHost(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"locn": "rack 2"}, h.Location)

		assert.Contains(t, sys.fails(t, "host-update", "compute-0", "hw_settle=abc"), "hw_settle")
		assert.Contains(t, sys.fails(t, "host-update", "compute-0", "administrative=unlocked"), "administrative")
		assert.Equal(t, "host not found: nosuch\n", sys.fails(t, "host-update", "nosuch", "location=x"))
		h, err = c.GetHost(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, "5", h.HWSettle)
		assert.Equal(t, inventory.AdminLocked, h.Administrative)
	})

	t.Run("host-cpu-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-cpu-list", "compute-0"))
		cpus, err := c.ListCPUs(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, rows, 16)
		require.Len(t, cpus, 16)
		for i, r := range rows {
			cpu := cpus[i]
			assert.Equal(t, cpu.UUID, r["uuid"])
			assert.Equal(t, strconv.Itoa(cpu.CPU), r["log_core"])
			assert.Equal(t, strconv.Itoa(cpu.NumaNode), r["processor"])
			assert.Equal(t, strconv.Itoa(cpu.Core), r["phy_core"])
			assert.Equal(t, strconv.Itoa(cpu.Thread), r["thread"])
			assert.Equal(t, "Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz", r["processor_model"])
		}
		// One platform core (both its threads) on processor 0, the rest
		// for applications.
		assert.Equal(t, "Platform", rowWhere(t, rows, "log_core", "0")["assigned_function"])
		assert.Equal(t, "Platform", rowWhere(t, rows, "log_core", "8")["assigned_function"])
		assert.Equal(t, "Application", rowWhere(t, rows, "log_core", "1")["assigned_function"])
		assert.Equal(t, "Application", rowWhere(t, rows, "log_core", "15")["assigned_function"])
		assert.Equal(t, "host not found: nosuch\n", sys.fails(t, "host-cpu-list", "nosuch"))
	})

	count := func(rows []map[string]string, function string) int {
		n := 0
		for _, r := range rows {
			if r["assigned_function"] == function {
				n++
			}
		}
		return n
	}

	t.Run("host-cpu-modify", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-cpu-modify", "compute-0", "-f", "vswitch", "-p0", "1", "-p1", "1"))
		require.Len(t, rows, 16, "every CPU of the host")
		assert.Equal(t, 4, count(rows, "vSwitch"), "one physical core, two threads, per processor")
		assert.Equal(t, 2, count(rows, "Platform"))
		assert.Equal(t, 10, count(rows, "Application"))
		cpus, err := c.ListCPUs(ctx, "compute-0")
		require.NoError(t, err)
		vs := map[int]int{}
		for _, cpu := range cpus {
			if cpu.AllocatedFunction == inventory.CPUVswitch {
				vs[cpu.NumaNode]++
			}
		}
		assert.Equal(t, map[int]int{0: 2, 1: 2}, vs)

		rows = sysTable(t, sys.ok(t, "host-cpu-modify", "compute-0", "-f", "platform", "-p0", "2"))
		assert.Equal(t, 4, count(rows, "Platform"))
		assert.Equal(t, 4, count(rows, "vSwitch"))
		assert.Equal(t, 8, count(rows, "Application"))

		// Rules and bad input: the message is printed, nothing changes.
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "platform", "-p0", "0"), "platform-core")
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "vswitch", "-p2", "1"), "no processor 2")
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "shared", "-p0", "-1"), "cores")
		// The client's own checks.
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "vswitch"), "Number of cores on Processor (Socket) not provided.")
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "vswitch", "-c", "1-2", "-p0", "1"), "Not allowed to specify both -c and -pX options.")
		assert.Equal(t, "host not found: nosuch\n", sys.fails(t, "host-cpu-modify", "nosuch", "-f", "vswitch", "-p0", "1"))
		rows = sysTable(t, sys.ok(t, "host-cpu-list", "compute-0"))
		assert.Equal(t, 4, count(rows, "Platform"))
		assert.Equal(t, 4, count(rows, "vSwitch"))
	})

	t.Run("host-cpu-modify cpulist", func(t *testing.T) {
		// sysinv's other form, by logical CPU list: cpus 7 and 15 are
		// the two threads of core 3 of processor 1.
		rows := sysTable(t, sys.ok(t, "host-cpu-modify", "compute-0", "-f", "shared", "-c", "7,15"))
		assert.Equal(t, "Shared", rowWhere(t, rows, "log_core", "7")["assigned_function"])
		assert.Equal(t, "Shared", rowWhere(t, rows, "log_core", "15")["assigned_function"])
		assert.Equal(t, 2, count(rows, "Shared"))
		cpus, err := c.ListCPUs(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, inventory.CPUShared, cpus[7].AllocatedFunction)
		// Bad input names the field.
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "shared", "-c", "7-x"), "cpulist")
		assert.Contains(t, sys.fails(t, "host-cpu-modify", "compute-0", "-f", "shared", "-c", "99"), "cpulist")
	})

	t.Run("host-memory-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-memory-list", "compute-0"))
		require.Len(t, rows, 2)
		n0, n1 := rowWhere(t, rows, "processor", "0"), rowWhere(t, rows, "processor", "1")
		assert.Equal(t, strconv.Itoa(32768-inventorytest.PlatformReservedNode0MiB), n0["mem_total(MiB)"])
		assert.Equal(t, strconv.Itoa(inventorytest.PlatformReservedNode0MiB), n0["mem_platform(MiB)"])
		assert.Equal(t, strconv.Itoa(32768-inventorytest.PlatformReservedMiB), n1["mem_total(MiB)"])
		assert.Equal(t, strconv.Itoa(inventorytest.PlatformReservedMiB), n1["mem_platform(MiB)"])
		assert.Equal(t, "True", n1["hugepages(hp)_configured"])
		assert.Equal(t, "1024", n1["vs_hp_size(MiB)"])
		assert.Equal(t, strconv.Itoa((32768-inventorytest.PlatformReservedMiB)/2), n1["app_hp_avail_2M"])
		assert.Equal(t, "None", n1["app_hp_pending_2M"])
		assert.Equal(t, "host not found: nosuch\n", sys.fails(t, "host-memory-list", "nosuch"))
	})

	t.Run("host-memory-modify", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-memory-modify", "compute-0", "1", "-m", "2500", "-2M", "100"))
		assert.Equal(t, "2500", p["Platform     (MiB)"])
		assert.Equal(t, "100", p["Total Pending"])
		assert.Equal(t, "False", p["Application  Huge Pages Pending As Percentage"])
		p = props(t, sys.ok(t, "host-memory-modify", "compute-0", "0", "-f", "vswitch", "-1G", "2"))
		assert.Equal(t, "2", p["Required"])
		assert.Equal(t, "1024", p["vSwitch Huge Pages: Size (MiB)"])
		mem, err := c.ListMemory(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, mem, 2)
		assert.Equal(t, 2500, mem[1].PlatformReservedMiB)
		require.NotNil(t, mem[1].VMHugepagesNr2MPending)
		assert.Equal(t, 100, *mem[1].VMHugepagesNr2MPending)
		require.NotNil(t, mem[0].VswitchHugepagesReqd)
		assert.Equal(t, 2, *mem[0].VswitchHugepagesReqd)
		rows := sysTable(t, sys.ok(t, "host-memory-list", "compute-0"))
		assert.Equal(t, "100", rowWhere(t, rows, "processor", "1")["app_hp_pending_2M"])
		assert.Equal(t, "2", rowWhere(t, rows, "processor", "0")["vs_hp_reqd"])

		assert.Contains(t, sys.fails(t, "host-memory-modify", "compute-0", "1", "-m", "abc"), "platform_reserved_mib")
		assert.Contains(t, sys.fails(t, "host-memory-modify", "compute-0", "1", "-2M", "99999999"), "hugepages-fit")
		assert.Contains(t, sys.fails(t, "host-memory-modify", "compute-0", "5", "-m", "2000"), "Processor not found: host compute-0 processor 5")
		mem, err = c.ListMemory(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, 2500, mem[1].PlatformReservedMiB)
		assert.Equal(t, 100, *mem[1].VMHugepagesNr2MPending)
	})

	disks, err := c.ListDisks(ctx, "compute-0")
	require.NoError(t, err)
	require.Len(t, disks, 2)
	sdb := disks[1]
	require.Equal(t, "/dev/sdb", sdb.DeviceNode)

	t.Run("host-disk-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-disk-list", "compute-0"))
		require.Len(t, rows, 2)
		sda := rowWhere(t, rows, "device_node", "/dev/sda")
		assert.Equal(t, disks[0].UUID, sda["uuid"])
		assert.Equal(t, "SSD", sda["device_type"])
		assert.Equal(t, "500.0", sda["size_gib"])        // 512000 MiB
		assert.Equal(t, "292.968", sda["available_gib"]) // 300000 MiB
		assert.Equal(t, "2048", sda["device_num"])
		assert.Equal(t, disks[0].DevicePath, sda["device_path"])
		b := rowWhere(t, rows, "device_node", "/dev/sdb")
		assert.Equal(t, sdb.UUID, b["uuid"])
		assert.Equal(t, "HDD", b["device_type"])
		assert.Equal(t, "1863.016", b["size_gib"])
		assert.Equal(t, "7200", b["rpm"])
		assert.Equal(t, sdb.SerialID, b["serial_id"])
	})

	var part1, part2 string
	t.Run("host-disk-partition-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-disk-partition-add", "compute-0", "/dev/sdb", "10"))
		part1 = p["uuid"]
		assert.Equal(t, "/dev/sdb1", p["device_node"])
		assert.Equal(t, sdb.DevicePath+"-part1", p["device_path"])
		assert.Equal(t, "10240", p["size_mib"])
		assert.Equal(t, sdb.UUID, p["idisk_uuid"])
		assert.Equal(t, cmp.UUID, p["ihost_uuid"])
		assert.Equal(t, "LVM Physical Volume", p["type_name"])
		assert.Equal(t, "Creating (on unlock)", p["status"])
		p = props(t, sys.ok(t, "host-disk-partition-add", "compute-0", sdb.UUID, "5", "-t", "lvm_phys_vol"))
		part2 = p["uuid"]
		assert.Equal(t, "/dev/sdb2", p["device_node"])
		assert.Equal(t, "5120", p["size_mib"])

		assert.Contains(t, sys.fails(t, "host-disk-partition-add", "compute-0", "/dev/sdb", "99999"), "partition-fit")
		assert.Contains(t, sys.fails(t, "host-disk-partition-add", "compute-0", "/dev/sdb", "--", "-5"), "size_mib")
		assert.Contains(t, sys.fails(t, "host-disk-partition-add", "compute-0", "/dev/sdb", "ten"), "Partition size must be an integer greater than 0: ten")
		assert.Contains(t, sys.fails(t, "host-disk-partition-add", "compute-0", "/dev/sdz", "1"), "Disk not found: /dev/sdz")
		parts, err := c.ListPartitions(ctx, "compute-0", "")
		require.NoError(t, err)
		assert.Len(t, parts, 2)
	})

	t.Run("host-disk-partition-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-disk-partition-list", "compute-0"))
		require.Len(t, rows, 2)
		assert.Equal(t, []string{part1, part2}, col(rows, "uuid"))
		assert.Equal(t, []string{"/dev/sdb1", "/dev/sdb2"}, col(rows, "device_node"))
		assert.Equal(t, []string{"10.0", "5.0"}, col(rows, "size_gib"))
		assert.Equal(t, []string{"Creating (on unlock)", "Creating (on unlock)"}, col(rows, "status"))
		assert.Equal(t, rows, sysTable(t, sys.ok(t, "host-disk-partition-list", "compute-0", "--disk", sdb.UUID)))
		assert.Empty(t, sysTable(t, sys.ok(t, "host-disk-partition-list", "compute-0", "--disk", disks[0].UUID)))
	})

	t.Run("host-disk-partition-modify", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-disk-partition-modify", "compute-0", sdb.DevicePath+"-part2", "-s", "8"))
		assert.Equal(t, part2, p["uuid"])
		assert.Equal(t, "8192", p["size_mib"])
		assert.Contains(t, sys.fails(t, "host-disk-partition-modify", "compute-0", part1, "-s", "20"), "only the last partition")
		assert.Contains(t, sys.fails(t, "host-disk-partition-modify", "compute-0", part2), "No update parameters specified, partition is unchanged.")
		assert.Contains(t, sys.fails(t, "host-disk-partition-modify", "compute-0", "/dev/sdb9", "-s", "8"),
			"Partition not found on host 'compute-0' by device path or uuid: /dev/sdb9")
		parts, err := c.ListPartitions(ctx, "compute-0", "")
		require.NoError(t, err)
		require.Len(t, parts, 2)
		assert.Equal(t, 10240, parts[0].SizeMiB)
		assert.Equal(t, 8192, parts[1].SizeMiB)
	})

	t.Run("host-disk-partition-delete", func(t *testing.T) {
		assert.Contains(t, sys.fails(t, "host-disk-partition-delete", "compute-0", part1), "only the last partition")
		assert.Empty(t, sys.ok(t, "host-disk-partition-delete", "compute-0", part2))
		rows := sysTable(t, sys.ok(t, "host-disk-partition-list", "compute-0"))
		assert.Equal(t, []string{part1}, col(rows, "uuid"))
		parts, err := c.ListPartitions(ctx, "compute-0", "")
		require.NoError(t, err)
		require.Len(t, parts, 1)
	})

	var lvg string
	t.Run("host-lvg-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-lvg-add", "compute-0", "nova-local"))
		lvg = p["uuid"]
		assert.Equal(t, "nova-local", p["lvm_vg_name"])
		assert.Equal(t, "adding", p["vg_state"])
		assert.Equal(t, cmp.UUID, p["ihost_uuid"])
		assert.Equal(t, "0.0", p["lvm_vg_size_gib"])
		assert.Contains(t, sys.fails(t, "host-lvg-add", "compute-0", "bogus"), "lvm_vg_name")
		lvgs, err := c.ListLVGs(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, lvgs, 1)
		assert.Equal(t, lvg, lvgs[0].UUID)
	})

	t.Run("host-lvg-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-lvg-list", "compute-0"))
		require.Len(t, rows, 1)
		assert.Equal(t, lvg, rows[0]["UUID"])
		assert.Equal(t, "nova-local", rows[0]["LVG Name"])
		assert.Equal(t, "adding (on unlock)", rows[0]["State"])
		assert.Equal(t, "0", rows[0]["Current PVs"])
	})

	var pv string
	t.Run("host-pv-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-pv-add", "compute-0", "nova-local", part1))
		pv = p["uuid"]
		assert.Equal(t, "partition", p["pv_type"])
		assert.Equal(t, part1, p["disk_or_part_uuid"])
		assert.Equal(t, "/dev/sdb1", p["disk_or_part_device_node"])
		assert.Equal(t, "nova-local", p["lvm_vg_name"])
		assert.Equal(t, "adding", p["pv_state"])
		assert.Contains(t, sys.fails(t, "host-pv-add", "compute-0", "nova-local", "/dev/sdz"),
			"No disk or partition found on host 'compute-0' by device path or uuid /dev/sdz")
		assert.Contains(t, sys.fails(t, "host-pv-add", "compute-0", "cgts-vg", part1), "Local volume group not found by name or uuid: cgts-vg")
	})

	t.Run("host-pv-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-pv-list", "compute-0"))
		require.Len(t, rows, 1)
		assert.Equal(t, pv, rows[0]["uuid"])
		assert.Equal(t, "/dev/sdb1", rows[0]["lvm_pv_name"])
		assert.Equal(t, "adding (on unlock)", rows[0]["pv_state"])
		assert.Equal(t, "nova-local", rows[0]["lvm_vg_name"])
		assert.Equal(t, cmp.UUID, rows[0]["ihost_uuid"])
		pvs, err := c.ListPVs(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, pvs, 1)
		assert.Equal(t, pv, pvs[0].UUID)
	})

	t.Run("host-lvg-delete and host-pv-delete", func(t *testing.T) {
		assert.Contains(t, sys.fails(t, "host-lvg-delete", "compute-0", "nova-local"), "in-use")
		assert.Empty(t, sys.ok(t, "host-pv-delete", pv))
		assert.Empty(t, sysTable(t, sys.ok(t, "host-pv-list", "compute-0")))
		assert.Contains(t, sys.fails(t, "host-pv-delete", pv), "Physical volume deletion failed.")
		assert.Empty(t, sys.ok(t, "host-lvg-delete", "compute-0", "nova-local"))
		assert.Empty(t, sysTable(t, sys.ok(t, "host-lvg-list", "compute-0")))
		assert.Contains(t, sys.fails(t, "host-lvg-delete", "compute-0", "nova-local"), "Local volume group not found by name or uuid: nova-local")
		lvgs, err := c.ListLVGs(ctx, "compute-0")
		require.NoError(t, err)
		assert.Empty(t, lvgs)
	})

	t.Run("host-port-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-port-list", "compute-0"))
		ports, err := c.ListPorts(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, rows, 2)
		for i, r := range rows {
			assert.Equal(t, ports[i].UUID, r["uuid"])
			assert.Equal(t, inventorytest.PortName(i), r["name"])
			assert.Equal(t, "ethernet", r["type"])
			assert.Equal(t, ports[i].PCIAddr, r["pci address"])
			assert.Equal(t, strconv.Itoa(i), r["processor"])
			assert.Equal(t, "True", r["accelerated"])
			assert.Equal(t, "Ethernet Controller X710 for 10GbE SFP+", r["device type"])
		}
		assert.Equal(t, "0000:18:00.0", rows[0]["pci address"])
	})

	t.Run("host-if-list", func(t *testing.T) {
		// The interfaces made for the reported ports have no class and
		// nothing uses them: listed only with --all, as in StarlingX.
		assert.Empty(t, sysTable(t, sys.ok(t, "host-if-list", "compute-0")))
		rows := sysTable(t, sys.ok(t, "host-if-list", "-a", "compute-0"))
		require.Len(t, rows, 2)
		eno1 := rowWhere(t, rows, "name", "eno1")
		assert.Equal(t, "None", eno1["class"])
		assert.Equal(t, "ethernet", eno1["type"])
		assert.Equal(t, "['eno1']", eno1["ports"])
		assert.Equal(t, "MTU=1500", eno1["attributes"])
		// host-if-list asks for /v1/ihosts/nosuch/iinterfaces first and
		// prints the server's answer.
		out := sys.fails(t, "host-if-list", "nosuch")
		assert.Contains(t, out, `host "nosuch"`)
		assert.Contains(t, out, "not found")
	})

	t.Run("host-if-modify", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-if-modify", "compute-0", "eno1", "-c", "platform", "-m", "9000"))
		assert.Equal(t, "eno1", p["ifname"])
		assert.Equal(t, "platform", p["ifclass"])
		assert.Equal(t, "9000", p["imtu"])
		assert.Equal(t, "['eno1']", p["ports"])
		p = props(t, sys.ok(t, "host-if-modify", "compute-0", "eno2", "-c", "data", "-n", "data0"))
		assert.Equal(t, "data0", p["ifname"])
		assert.Equal(t, "data", p["ifclass"])

		assert.Contains(t, sys.fails(t, "host-if-modify", "compute-0", "eno1", "-m", "100"), "imtu")
		assert.Contains(t, sys.fails(t, "host-if-modify", "compute-0", "eno1", "-c", "bogus"), "ifclass")
		assert.Contains(t, sys.fails(t, "host-if-modify", "compute-0", "eth9", "-m", "1500"), "Interface not found: host compute-0 if eth9")

		rows := sysTable(t, sys.ok(t, "host-if-list", "compute-0"))
		require.Len(t, rows, 2)
		assert.Equal(t, "MTU=9000", rowWhere(t, rows, "name", "eno1")["attributes"])
		assert.Equal(t, "MTU=1500,accelerated=True", rowWhere(t, rows, "name", "data0")["attributes"])
		ifs, err := c.ListInterfaces(ctx, "compute-0")
		require.NoError(t, err)
		for _, i := range ifs {
			if i.IfName == "eno1" {
				assert.Equal(t, 9000, i.IMTU)
				assert.Equal(t, inventory.IfClassPlatform, i.IfClass)
			}
		}
	})

	var vlan string
	t.Run("host-if-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "host-if-add", "compute-0", "-V", "10", "-c", "platform", "-m", "1500", "vlan10", "vlan", "eno1"))
		vlan = p["uuid"]
		assert.Equal(t, "vlan10", p["ifname"])
		assert.Equal(t, "vlan", p["iftype"])
		assert.Equal(t, "10", p["vlan_id"])
		assert.Equal(t, "['eno1']", p["uses"])
		assert.Equal(t, "platform", p["ifclass"])
		assert.Equal(t, cmp.UUID, p["ihost_uuid"])

		assert.Contains(t, sys.fails(t, "host-if-add", "compute-0", "-V", "5000", "vlan11", "vlan", "eno1"), "vlan_id")
		assert.Contains(t, sys.fails(t, "host-if-add", "compute-0", "-V", "11", "-m", "9100", "vlan11", "vlan", "eno1"), "rule")
		assert.Contains(t, sys.fails(t, "host-if-add", "compute-0", "-V", "12", "-m", "abc", "vlan12", "vlan", "eno1"), "imtu")

		rows := sysTable(t, sys.ok(t, "host-if-list", "compute-0"))
		require.Len(t, rows, 3)
		v := rowWhere(t, rows, "name", "vlan10")
		assert.Equal(t, vlan, v["uuid"])
		assert.Equal(t, "10", v["vlan id"])
		assert.Equal(t, "['eno1']", v["uses i/f"])
		assert.Equal(t, "['vlan10']", rowWhere(t, rows, "name", "eno1")["used by i/f"])
		got, err := c.GetInterface(ctx, vlan)
		require.NoError(t, err)
		assert.Equal(t, 10, got.VLANID)
		assert.Equal(t, []string{"eno1"}, got.Uses)
	})

	var pool, network, ifnet string
	t.Run("addrpool-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "addrpool-add", "mgmt-pool", "192.168.204.0", "24", "--ranges", "192.168.204.2-192.168.204.100",
			"--order", "sequential", "--floating-address", "192.168.204.2", "--gateway-address", "192.168.204.1"))
		pool = p["uuid"]
		assert.Equal(t, "mgmt-pool", p["name"])
		assert.Equal(t, "192.168.204.0", p["network"])
		assert.Equal(t, "24", p["prefix"])
		assert.Equal(t, "sequential", p["order"])
		assert.Equal(t, "['192.168.204.2-192.168.204.100']", p["ranges"])
		assert.Equal(t, "192.168.204.2", p["floating_address"])
		assert.Equal(t, "192.168.204.1", p["gateway_address"])

		assert.Contains(t, sys.fails(t, "addrpool-add", "bad", "10.0.0.1", "24"), "network")
		assert.Contains(t, sys.fails(t, "addrpool-add", "bad", "10.0.0.0", "abc"), "prefix")
		assert.Contains(t, sys.fails(t, "addrpool-add", "bad", "10.0.0.0", "24", "--ranges", "10.1.0.1-10.1.0.9"), "pool-range")
		pools, err := c.ListAddressPools(ctx)
		require.NoError(t, err)
		require.Len(t, pools, 1)
		assert.Equal(t, pool, pools[0].UUID)
	})

	t.Run("addrpool-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "addrpool-list"))
		require.Len(t, rows, 1)
		assert.Equal(t, map[string]string{"uuid": pool, "name": "mgmt-pool", "network": "192.168.204.0", "prefix": "24", "order": "sequential",
			"ranges": "['192.168.204.2-192.168.204.100']", "floating_address": "192.168.204.2", "controller0_address": "",
			"controller1_address": "", "gateway_address": "192.168.204.1"}, rows[0])
	})

	t.Run("network-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "network-add", "mgmt", "mgmt", "false", pool))
		network = p["uuid"]
		assert.Equal(t, "mgmt", p["name"])
		assert.Equal(t, "mgmt", p["type"])
		assert.Equal(t, "False", p["dynamic"])
		assert.Equal(t, pool, p["pool_uuid"])
		assert.Contains(t, sys.fails(t, "network-add", "x", "badtype", "false", pool), "type")
		nets, err := c.ListNetworks(ctx)
		require.NoError(t, err)
		require.Len(t, nets, 1)
		assert.Equal(t, network, nets[0].UUID)
	})

	t.Run("network-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "network-list"))
		require.Len(t, rows, 1)
		assert.Equal(t, network, rows[0]["uuid"])
		assert.Equal(t, "mgmt", rows[0]["name"])
		assert.Equal(t, "mgmt", rows[0]["type"])
		assert.Equal(t, pool, rows[0]["pool_uuid"])
		assert.Equal(t, "IPv4", rows[0]["primary_pool_family"])
	})

	t.Run("interface-network-assign", func(t *testing.T) {
		p := props(t, sys.ok(t, "interface-network-assign", "compute-0", "vlan10", "mgmt"))
		ifnet = p["uuid"]
		assert.Equal(t, map[string]string{"hostname": "compute-0", "uuid": ifnet, "ifname": "vlan10", "network_name": "mgmt"}, p)
		assert.Contains(t, sys.fails(t, "interface-network-assign", "compute-0", "eno1", network), "mgmt")
		assert.Contains(t, sys.fails(t, "interface-network-assign", "compute-0", "vlan10", "nosuch"), "network not found: nosuch")
		ins, err := c.ListInterfaceNetworks(ctx, "compute-0")
		require.NoError(t, err)
		require.Len(t, ins, 1)
		assert.Equal(t, ifnet, ins[0].UUID)

		// In use: neither the network nor its pool can go.
		assert.Contains(t, sys.fails(t, "network-delete", network), "in-use")
		assert.Contains(t, sys.fails(t, "addrpool-delete", pool), "in-use")
		assert.Contains(t, sys.fails(t, "host-if-delete", "compute-0", "eno1"), "in-use")
	})

	t.Run("interface-network-remove", func(t *testing.T) {
		assert.Equal(t, "Deleted Interface Network: "+ifnet+"\n", sys.ok(t, "interface-network-remove", ifnet))
		ins, err := c.ListInterfaceNetworks(ctx, "compute-0")
		require.NoError(t, err)
		assert.Empty(t, ins)
		assert.Contains(t, sys.fails(t, "interface-network-remove", ifnet), "not found")
	})

	t.Run("host-if-delete", func(t *testing.T) {
		assert.Equal(t, "Deleted interface: host compute-0 if vlan10\n", sys.ok(t, "host-if-delete", "compute-0", "vlan10"))
		rows := sysTable(t, sys.ok(t, "host-if-list", "compute-0"))
		assert.ElementsMatch(t, []string{"eno1", "data0"}, col(rows, "name"))
		assert.Equal(t, "[]", rowWhere(t, rows, "name", "eno1")["used by i/f"])
		assert.Contains(t, sys.fails(t, "host-if-delete", "compute-0", "vlan10"), "Interface not found")
		_, err := c.GetInterface(ctx, vlan)
		assert.ErrorIs(t, err, inventory.ErrNotFound)
	})

	t.Run("network-delete", func(t *testing.T) {
		assert.Equal(t, "Deleted Network: "+network+"\n", sys.ok(t, "network-delete", network))
		assert.Empty(t, sysTable(t, sys.ok(t, "network-list")))
		assert.Contains(t, sys.fails(t, "network-delete", network), "not found")
	})

	t.Run("addrpool-modify", func(t *testing.T) {
		p := props(t, sys.ok(t, "addrpool-modify", pool, "--name", "pool2",
			"--ranges", "192.168.204.10-192.168.204.20,192.168.204.30-192.168.204.40", "--controller0-address", "192.168.204.3"))
		assert.Equal(t, "pool2", p["name"])
		assert.Equal(t, "['192.168.204.10-192.168.204.20', '192.168.204.30-192.168.204.40']", p["ranges"])
		assert.Equal(t, "192.168.204.3", p["controller0_address"])
		assert.Contains(t, sys.fails(t, "addrpool-modify", pool, "--ranges", "10.0.0.1-10.0.0.5"), "pool-range")
		assert.Contains(t, sys.fails(t, "addrpool-modify", pool, "--order", "shuffled"), "order")
		got, err := c.GetAddressPool(ctx, pool)
		require.NoError(t, err)
		assert.Equal(t, "pool2", got.Name)
		assert.Len(t, got.Ranges, 2)
	})

	t.Run("addrpool-delete", func(t *testing.T) {
		assert.Equal(t, "Deleted address pool: "+pool+"\n", sys.ok(t, "addrpool-delete", pool))
		assert.Empty(t, sysTable(t, sys.ok(t, "addrpool-list")))
		assert.Contains(t, sys.fails(t, "addrpool-delete", pool), "not found")
	})

	t.Run("datanetwork-add", func(t *testing.T) {
		p := props(t, sys.ok(t, "datanetwork-add", "physnet0", "vlan", "-m", "9000", "-d", "tenant vlans"))
		assert.Equal(t, "physnet0", p["name"])
		assert.Equal(t, "vlan", p["network_type"])
		assert.Equal(t, "9000", p["mtu"])
		assert.Equal(t, "tenant vlans", p["description"])
		p = props(t, sys.ok(t, "datanetwork-add", "physnet1", "vxlan", "-g", "239.0.0.1", "-p", "4789", "-t", "5"))
		assert.Equal(t, "1500", p["mtu"])
		assert.Equal(t, "239.0.0.1", p["multicast_group"])
		assert.Equal(t, "4789", p["port_num"])
		assert.Equal(t, "5", p["ttl"])
		assert.Equal(t, "dynamic", p["mode"])

		assert.Contains(t, sys.fails(t, "datanetwork-add", "physnet2", "flat", "-m", "abc"), "mtu")
		assert.Contains(t, sys.fails(t, "datanetwork-add", "physnet0", "flat"), "physnet0")
		assert.Contains(t, sys.fails(t, "datanetwork-add", "physnet3", "vxlan", "-g", "10.0.0.1"), "multicast_group")
		dns, err := c.ListDataNetworks(ctx)
		require.NoError(t, err)
		assert.Len(t, dns, 2)
	})

	t.Run("datanetwork-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "datanetwork-list"))
		require.Len(t, rows, 2)
		assert.Equal(t, []string{"physnet0", "physnet1"}, col(rows, "name"))
		assert.Equal(t, []string{"vlan", "vxlan"}, col(rows, "network_type"))
		assert.Equal(t, []string{"9000", "1500"}, col(rows, "mtu"))
	})

	t.Run("host-label-assign", func(t *testing.T) {
		out := sys.ok(t, "host-label-assign", "compute-0", "sriov=enabled", "openstack-compute-node=enabled")
		assert.Equal(t, 2, strings.Count(out, "| label_key "), out)
		assert.Contains(t, out, "| sriov ")
		assert.Contains(t, out, cmp.UUID)
		assert.Contains(t, sys.fails(t, "host-label-assign", "compute-0", "sriov=disabled"), "sriov")
		p := props(t, sys.ok(t, "host-label-assign", "--overwrite", "compute-0", "sriov=disabled"))
		assert.Equal(t, "sriov", p["label_key"])
		assert.Equal(t, "disabled", p["label_value"])
		assert.Equal(t, cmp.UUID, p["host_uuid"])
		assert.Contains(t, sys.fails(t, "host-label-assign", "compute-0", "bad key=x"), "bad key")
	})

	t.Run("host-label-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "host-label-list", "compute-0"))
		assert.Equal(t, []map[string]string{
			{"hostname": "compute-0", "label key": "openstack-compute-node", "label value": "enabled"},
			{"hostname": "compute-0", "label key": "sriov", "label value": "disabled"},
		}, rows)
		labels, err := c.ListLabels(ctx, "compute-0")
		require.NoError(t, err)
		assert.Len(t, labels, 2)
	})

	t.Run("host-label-remove", func(t *testing.T) {
		out := sys.ok(t, "host-label-remove", "compute-0", "sriov", "nosuch")
		assert.Equal(t, "Deleted host label sriov for host compute-0\nHost label not found: host compute-0, label key nosuch \n", out)
		rows := sysTable(t, sys.ok(t, "host-label-list", "compute-0"))
		assert.Equal(t, []string{"openstack-compute-node"}, col(rows, "label key"))
	})

	var params []string
	t.Run("service-parameter-add", func(t *testing.T) {
		out := sys.ok(t, "service-parameter-add", "platform", "config", "sysinv_api_workers=4", "max_cpu_mhz_configured=2000")
		require.Equal(t, 2, strings.Count(out, "| uuid "), out)
		for _, block := range strings.SplitAfter(out, "+\n+") {
			if !strings.Contains(block, "| name ") {
				continue
			}
			p := props(t, "+"+block)
			params = append(params, p["uuid"])
			assert.Equal(t, "platform", p["service"])
			assert.Equal(t, "config", p["section"])
			assert.Contains(t, []string{"sysinv_api_workers", "max_cpu_mhz_configured"}, p["name"])
		}
		assert.Len(t, params, 2)
		assert.Contains(t, sys.fails(t, "service-parameter-add", "platform", "config", "sysinv_api_workers=5"), "sysinv_api_workers")
		got, err := c.ListServiceParameters(ctx, inventory.ServiceParameterQuery{})
		require.NoError(t, err)
		assert.Len(t, got, 2)
	})

	t.Run("service-parameter-list", func(t *testing.T) {
		rows := sysTable(t, sys.ok(t, "service-parameter-list"))
		require.Len(t, rows, 2)
		assert.ElementsMatch(t, params, col(rows, "uuid"))
		r := rowWhere(t, rows, "name", "sysinv_api_workers")
		assert.Equal(t, map[string]string{"uuid": r["uuid"], "service": "platform", "section": "config", "name": "sysinv_api_workers",
			"value": "4", "personality": "None", "resource": "None"}, r)
		assert.Len(t, sysTable(t, sys.ok(t, "service-parameter-list", "--service", "platform")), 2)
		assert.Equal(t, []string{"sysinv_api_workers"}, col(sysTable(t, sys.ok(t, "service-parameter-list", "--name", "sysinv_api_workers")), "name"))
		assert.Empty(t, sysTable(t, sys.ok(t, "service-parameter-list", "--section", "nosuch")))
	})

	t.Run("service-parameter-modify", func(t *testing.T) {
		// Two at once: the CLI sends the second PATCH with the first's
		// operations still in front.
		out := sys.ok(t, "service-parameter-modify", "platform", "config", "sysinv_api_workers=8", "max_cpu_mhz_configured=2100")
		assert.Contains(t, out, "| 8 ")
		assert.Contains(t, out, "| 2100 ")
		rows := sysTable(t, sys.ok(t, "service-parameter-list"))
		assert.Equal(t, "8", rowWhere(t, rows, "name", "sysinv_api_workers")["value"])
		assert.Equal(t, "2100", rowWhere(t, rows, "name", "max_cpu_mhz_configured")["value"])
		assert.Contains(t, sys.fails(t, "service-parameter-modify", "platform", "config", "nosuch=1"),
			"Service Parameter not found: service platform, section config, name nosuch")
	})

	t.Run("service-parameter-delete", func(t *testing.T) {
		assert.Equal(t, "Deleted service parameter: "+params[0]+"\n", sys.ok(t, "service-parameter-delete", params[0]))
		assert.Equal(t, params[1:], col(sysTable(t, sys.ok(t, "service-parameter-list")), "uuid"))
		assert.Contains(t, sys.fails(t, "service-parameter-delete", params[0]), "Failed to delete service parameters")
	})

	t.Run("unlocked host", func(t *testing.T) {
		// The changes that need a locked host print the rule and change
		// nothing.
		setAdmin(t, "compute-0", inventory.AdminUnlocked)
		defer setAdmin(t, "compute-0", inventory.AdminLocked)
		before := sysTable(t, sys.ok(t, "host-cpu-list", "compute-0"))
		out := sys.fails(t, "host-cpu-modify", "compute-0", "-f", "vswitch", "-p0", "2")
		assert.Contains(t, out, "only be changed while it is locked")
		assert.Contains(t, out, "host-locked")
		assert.Equal(t, before, sysTable(t, sys.ok(t, "host-cpu-list", "compute-0")))
		assert.Contains(t, sys.fails(t, "host-memory-modify", "compute-0", "0", "-m", "9000"), "host-locked")
		assert.Contains(t, sys.fails(t, "host-if-modify", "compute-0", "eno1", "-m", "1600"), "host-locked")
		assert.Contains(t, sys.fails(t, "host-lvg-add", "compute-0", "nova-local"), "host-locked")
		assert.Contains(t, sys.fails(t, "host-delete", "compute-0"), "host-locked")
		mem, err := c.ListMemory(ctx, "compute-0")
		require.NoError(t, err)
		assert.Equal(t, inventorytest.PlatformReservedNode0MiB, mem[0].PlatformReservedMiB)
		_, err = c.GetHost(ctx, "compute-0")
		require.NoError(t, err)
	})

	bulk, err := filepath.Abs(filepath.Join("..", "testdata", "bulkxml", "starlingx-export-workers.xml"))
	require.NoError(t, err)

	t.Run("host-bulk-add", func(t *testing.T) {
		// A file StarlingX exported imports unchanged.
		out := sys.ok(t, "host-bulk-add", bulk)
		assert.Equal(t, "Success: \n worker-0\n worker-1\n\n", out)
		rows := sysTable(t, sys.ok(t, "host-list"))
		assert.Equal(t, []string{"controller-0", "compute-0", "worker-0", "worker-1"}, col(rows, "hostname"))
		h, err := c.GetHost(ctx, "worker-1")
		require.NoError(t, err)
		assert.Equal(t, "worker,lowlatency", h.Subfunctions)

		// The same file again names hosts that exist: it only updates
		// their BMC fields, and adds none.
		out = sys.ok(t, "host-bulk-add", bulk)
		assert.Equal(t, "Success: \n worker-0\n worker-1\n\n", out)
		hosts, err := c.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, hosts, 4)

		// All or nothing: a file whose hostname is taken by another
		// host adds none; the CLI prints the error (and exits 0, as it
		// does for sysinv).
		data, err := os.ReadFile(bulk)
		require.NoError(t, err)
		taken := filepath.Join(t.TempDir(), "taken.xml")
		// worker-0 with another MAC.
		conflict := strings.Replace(string(data), "08:00:27:3a:10:04", "02:00:27:3a:10:99", 1)
		require.NotEqual(t, string(data), conflict)
		require.NoError(t, os.WriteFile(taken, []byte(conflict), 0o644))
		out = sys.ok(t, "host-bulk-add", taken)
		assert.Contains(t, out, "Error:\nNo hosts have been added")
		assert.Contains(t, out, "worker-0 is already in use")
		bad := filepath.Join(t.TempDir(), "bad.xml")
		require.NoError(t, os.WriteFile(bad, []byte("<hosts><host>"), 0o644))
		out = sys.ok(t, "host-bulk-add", bad)
		assert.Contains(t, out, "Error:\nNo hosts have been added")
		assert.Contains(t, out, "XML")
		hosts, err = c.ListHosts(ctx)
		require.NoError(t, err)
		assert.Len(t, hosts, 4)
	})

	t.Run("host-bulk-export", func(t *testing.T) {
		// cgts-client writes the str it got into a file opened "wb",
		// which Python 3 refuses: the verb always fails after the GET.
		file := filepath.Join(sys.dir, "export.xml")
		out := sys.fails(t, "host-bulk-export", "--filename", file)
		assert.Equal(t, "a bytes-like object is required, not 'str'\n", out)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Empty(t, data)

		// What the server answered.
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ctl.URL+"/v1/ihosts/bulk_export", nil)
		require.NoError(t, err)
		req.Header.Set("X-Auth-Token", ctl.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var body struct{ Content string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		for _, name := range []string{"controller-0", "compute-0", "worker-0", "worker-1"} {
			assert.Contains(t, body.Content, "<hostname>"+name+"</hostname>")
		}
		assert.NotContains(t, body.Content, bmcPassword)
	})

	t.Run("host-delete", func(t *testing.T) {
		w0, err := c.GetHost(ctx, "worker-0")
		require.NoError(t, err)
		assert.Equal(t, "Deleted host worker-1\n", sys.ok(t, "host-delete", "worker-1"))
		assert.Equal(t, "Deleted host "+strconv.FormatInt(w0.ID, 10)+"\n", sys.ok(t, "host-delete", strconv.FormatInt(w0.ID, 10)))
		assert.Equal(t, "Deleted host "+cmp.UUID+"\n", sys.ok(t, "host-delete", cmp.UUID))
		assert.Contains(t, sys.fails(t, "host-delete", "compute-0"), "host not found: compute-0")
		assert.Contains(t, sys.fails(t, "host-delete", "nosuch"), "host not found: nosuch")
		rows := sysTable(t, sys.ok(t, "host-list"))
		assert.Equal(t, []string{"controller-0"}, col(rows, "hostname"))
		_, err = c.GetHost(ctx, "compute-0")
		assert.ErrorIs(t, err, inventory.ErrNotFound)
		assert.Equal(t, "host not found: compute-0\n", sys.fails(t, "host-show", "compute-0"))
	})
}
