package inventory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/inventory"
)

func TestCheckBMAddress(t *testing.T) {
	for in, want := range map[string]string{
		"10.10.10.50":                          "10.10.10.50",
		"::ffff:10.0.0.1":                      "10.0.0.1",
		"fd00::1":                              "fd00::1",
		"redfish://10.0.0.5":                   "redfish://10.0.0.5",
		"redfish+http://127.0.0.1:8000":        "redfish+http://127.0.0.1:8000",
		"redfish://bmc.example:8443/":          "redfish://bmc.example:8443/",
		"ipmi://127.0.0.1:9001":                "ipmi://127.0.0.1:9001",
		"qemu+unix:///run/vm/qmp.sock":         "qemu+unix:///run/vm/qmp.sock",
		"libvirt:///vm1?uri=qemu:///system":    "libvirt:///vm1?uri=qemu:///system",
		"redfish://10.0.0.5?insecure=true":     "redfish://10.0.0.5?insecure=true",
		"redfish://[fd00::5]:443":              "redfish://[fd00::5]:443",
		"ipmi://bmc-7.rack2.example.net":       "ipmi://bmc-7.rack2.example.net",
		"qemu+unix:///var/lib/flock/w0.qmp":    "qemu+unix:///var/lib/flock/w0.qmp",
		"libvirt:///worker-0":                  "libvirt:///worker-0",
		"redfish+http://localhost:8000":        "redfish+http://localhost:8000",
		"ipmi://[::1]:623":                     "ipmi://[::1]:623",
		"redfish://10.0.0.5:443?insecure=1":    "redfish://10.0.0.5:443?insecure=1",
		"libvirt:///w1?uri=test:///default":    "libvirt:///w1?uri=test:///default",
		"qemu+unix:///tmp/a%20b.sock":          "qemu+unix:///tmp/a%20b.sock",
		"redfish+http://127.0.0.1:8000?x=1":    "redfish+http://127.0.0.1:8000?x=1",
		"ipmi://10.0.0.9":                      "ipmi://10.0.0.9",
		"redfish://bmc":                        "redfish://bmc",
		"libvirt:///dom?uri=qemu%3A%2F%2F%2Fs": "libvirt:///dom?uri=qemu%3A%2F%2F%2Fs",
	} {
		got, err := inventory.CheckBMAddress(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for in, reason := range map[string]string{
		"10.0.0":                        "neither an IP address nor a BMC URL",
		"fe80::1%eth0":                  "neither an IP address",
		"http://10.0.0.5":               `scheme "http" is not one of`,
		"redfish://admin:pw@10.0.0.5":   "bm_username and bm_password",
		"redfish://":                    "needs a host",
		"redfish://10.0.0.5/redfish/v1": "has a path",
		"qemu+unix://host/sock":         "needs a path and no host",
		"libvirt://":                    "needs a path",
		"ipmi://%zz":                    "not a URL",
	} {
		_, err := inventory.CheckBMAddress(in)
		require.ErrorIs(t, err, inventory.ErrInvalid, in)
		assert.ErrorContains(t, err, "bm_ip", in)
		assert.ErrorContains(t, err, reason, in)
	}
}

func FuzzCheckBMAddress(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "redfish://h:1", "qemu+unix:///a", "libvirt:///d?uri=x", "ipmi://%zz", "x://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := inventory.CheckBMAddress(s)
		if err != nil {
			require.ErrorIs(t, err, inventory.ErrInvalid)
			return
		}
		again, err := inventory.CheckBMAddress(out)
		require.NoError(t, err, "the normalised form %q is accepted", out)
		assert.Equal(t, out, again, "normalising is idempotent")
	})
}
