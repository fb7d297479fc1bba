package inventorysql

import (
	"encoding/json"
	"errors"
	"net/netip"
	"regexp"
	"testing"

	"github.com/edgeflock/flock/inventory"
)

// isInputErr: the error a caller's bad input may get.
func isInputErr(err error) bool {
	var fe *inventory.FieldError
	var re *inventory.RuleError
	return errors.As(err, &fe) || errors.As(err, &re)
}

// FuzzAddressPool: a pool checkPool accepts has its ranges and addresses
// inside its subnet; any other is refused with a field or rule error.
func FuzzAddressPool(f *testing.F) {
	f.Add("192.168.204.0", 24, "192.168.204.2", "192.168.204.254", "192.168.204.1")
	f.Add("fd00::", 64, "fd00::10", "fd00::ff", "")
	f.Add("10.0.0.0", 31, "", "", "")
	f.Add("::ffff:10.0.0.0", 120, "10.0.0.1", "10.0.0.2", "10.0.0.3")
	f.Fuzz(func(t *testing.T, network string, prefix int, start, end, gw string) {
		p := inventory.AddressPool{Name: "p", Network: network, Prefix: prefix, GatewayAddress: gw}
		if start != "" || end != "" {
			p.Ranges = []inventory.AddressRange{{Start: start, End: end}}
		}
		subnet, err := checkPool(&p)
		if err != nil {
			if !isInputErr(err) {
				t.Fatalf("%v is neither a field nor a rule error", err)
			}
			return
		}
		for _, r := range p.Ranges {
			s, e := netip.MustParseAddr(r.Start), netip.MustParseAddr(r.End)
			if !subnet.Contains(s) || !subnet.Contains(e) || e.Less(s) {
				t.Fatalf("accepted range %v outside %v", r, subnet)
			}
		}
		if p.GatewayAddress != "" && !subnet.Contains(netip.MustParseAddr(p.GatewayAddress)) {
			t.Fatalf("accepted gateway %s outside %v", p.GatewayAddress, subnet)
		}
	})
}

var rfc1123 = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// FuzzHostSpec: an accepted host has an RFC 1123 hostname and a MAC in
// canonical form.
func FuzzHostSpec(f *testing.F) {
	f.Add("controller-0", "controller", "08:00:27:AA:bb:01", "192.168.204.3")
	f.Add("worker_1", "worker", "0800.27aa.bb01", "::1")
	f.Add("", "", "08-00-27-aa-bb-01", "")
	f.Fuzz(func(t *testing.T, hostname, personality, mac, ip string) {
		s, err := checkSpec(inventory.HostSpec{Hostname: hostname, Personality: inventory.Personality(personality), MgmtMAC: mac, MgmtIP: ip})
		if err != nil {
			if !isInputErr(err) {
				t.Fatalf("%v is not a field error", err)
			}
			return
		}
		if s.Hostname != "" && (!rfc1123.MatchString(s.Hostname) || len(s.Hostname) > 253) {
			t.Fatalf("accepted hostname %q", s.Hostname)
		}
		if s.MgmtMAC != "" {
			if again, err := normMAC("mgmt_mac", s.MgmtMAC); err != nil || again != s.MgmtMAC {
				t.Fatalf("MAC %q not canonical", s.MgmtMAC)
			}
		}
		if s.MgmtIP != "" {
			if _, err := netip.ParseAddr(s.MgmtIP); err != nil {
				t.Fatalf("accepted IP %q", s.MgmtIP)
			}
		}
	})
}

// FuzzReport: whatever an agent sends, ReportInventory records it or
// refuses it with a field or rule error; it never fails otherwise.
func FuzzReport(f *testing.F) {
	f.Add([]byte(`{"mgmt_mac":"08:00:27:00:00:01","inodes":[{"numa_node":0}],"icpus":[{"cpu":0,"core":0},{"cpu":1,"core":0,"thread":1}],` +
		`"imemorys":[{"numa_node":0,"memtotal_mib":1000}],"idisks":[{"device_node":"/dev/sda","size_mib":10,"available_mib":5}],` +
		`"ethernet_ports":[{"name":"eth0","mac":"08:00:27:00:00:02","mtu":1500}],"partitions":[{"device_path":"/dev/sda1","size_mib":5}],` +
		`"ilvgs":[{"lvm_vg_name":"cgts-vg"}],"ipvs":[{"lvm_vg_name":"cgts-vg","disk_or_part_device_path":"/dev/sda1"}]}`))
	f.Add([]byte(`{"mgmt_mac":"08:00:27:00:00:03","hostname":"a","icpus":[{"cpu":5,"numa_node":3,"allocated_function":"Platform"}]}`))
	m, err := OpenMemory(f.Context(), nil)
	if err != nil {
		f.Fatal(err)
	}
	defer m.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		var r inventory.Report
		if json.Unmarshal(b, &r) != nil {
			return
		}
		if _, err := m.ReportInventory(t.Context(), r); err != nil && !isInputErr(err) {
			t.Fatalf("%v is neither a field nor a rule error", err)
		}
	})
}
