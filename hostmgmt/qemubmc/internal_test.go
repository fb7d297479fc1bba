package qemubmc

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// TestPowerState: QEMU's run states, normalised.
func TestPowerState(t *testing.T) {
	for status, want := range map[string]hostmgmt.PowerState{
		"running": hostmgmt.PowerOn, "suspended": hostmgmt.PowerOn,
		"prelaunch": hostmgmt.PowerOff, "paused": hostmgmt.PowerOff, "shutdown": hostmgmt.PowerOff,
		"guest-panicked": hostmgmt.PowerOff, "inmigrate": hostmgmt.PowerOff, "internal-error": hostmgmt.PowerOff,
		"": hostmgmt.PowerUnknown, "levitating": hostmgmt.PowerUnknown,
	} {
		assert.Equal(t, want, powerState(status), "status %q", status)
	}
}

// TestBootOrder: the chosen kind first, in its own relative order; the
// others after in theirs; devices without an index keep none.
func TestBootOrder(t *testing.T) {
	devs := []device{
		{path: "/disk", kind: hostmgmt.BootDisk, index: 1},
		{path: "/cd", kind: hostmgmt.BootCD, index: 2},
		{path: "/nic1", kind: hostmgmt.BootPXE, index: -1},
		{path: "/nic0", kind: hostmgmt.BootPXE, index: 3},
		{path: "/vfio", kind: "", index: -1},
	}
	own := map[string]int{"/disk": 1, "/cd": 2, "/nic1": -1, "/nic0": 3, "/vfio": -1}
	for name, tc := range map[string]struct {
		kind hostmgmt.BootDevice
		want map[string]int
	}{
		"pxe":  {hostmgmt.BootPXE, map[string]int{"/nic0": 0, "/nic1": 1, "/disk": 2, "/cd": 3, "/vfio": -1}},
		"cd":   {hostmgmt.BootCD, map[string]int{"/cd": 0, "/disk": 1, "/nic0": 2, "/nic1": -1, "/vfio": -1}},
		"disk": {hostmgmt.BootDisk, map[string]int{"/disk": 0, "/cd": 1, "/nic0": 2, "/nic1": -1, "/vfio": -1}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, bootOrder(devs, own, tc.kind))
		})
	}
	// A second choice orders by the VM's own order, not the first
	// choice's.
	chosen := []device{
		{path: "/disk", kind: hostmgmt.BootDisk, index: 2},
		{path: "/cd", kind: hostmgmt.BootCD, index: 0},
		{path: "/nic0", kind: hostmgmt.BootPXE, index: 3},
	}
	assert.Equal(t, map[string]int{"/nic0": 0, "/disk": 1, "/cd": 2},
		bootOrder(chosen, map[string]int{"/disk": 1, "/cd": 2, "/nic0": 3}, hostmgmt.BootPXE))
}

// TestKindOf: NICs are PXE, CD drives CD, other drives disk.
func TestKindOf(t *testing.T) {
	props := func(names ...string) map[string]bool {
		m := map[string]bool{"bootindex": true}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	assert.Equal(t, hostmgmt.BootPXE, kindOf("e1000", props("mac", "netdev")))
	assert.Equal(t, hostmgmt.BootPXE, kindOf("virtio-net-pci", props("mac")))
	assert.Equal(t, hostmgmt.BootCD, kindOf("ide-cd", props("drive")))
	assert.Equal(t, hostmgmt.BootCD, kindOf("scsi-cd", props("drive")))
	assert.Equal(t, hostmgmt.BootDisk, kindOf("ide-hd", props("drive")))
	assert.Equal(t, hostmgmt.BootDisk, kindOf("virtio-blk-pci", props("drive")))
	assert.Equal(t, hostmgmt.BootDevice(""), kindOf("vfio-pci", props("host")))
}

// TestAnswer: QMP answers, refusals and events.
func TestAnswer(t *testing.T) {
	line, err := answer([]byte(`{"return": {"status": "running"}}`))
	require.NoError(t, err)
	var st struct{ Status string }
	require.NoError(t, decodeReturn(line, &st))
	assert.Equal(t, "running", st.Status)

	_, err = answer([]byte(`{"error": {"class": "GenericError", "desc": "The bootindex 1 has already been used"}}`))
	var qe *qmpError
	require.True(t, errors.As(err, &qe))
	assert.Equal(t, "GenericError", qe.Class)

	_, err = answer([]byte(`{"event": "RESET", "data": {"guest": false}}`))
	require.ErrorIs(t, err, errEvent)
	_, err = answer([]byte(`{}`))
	require.Error(t, err)
	_, err = answer([]byte(`not json`))
	require.Error(t, err)
}

// TestNormaliseMAC: lower case, colons, two digits a byte.
func TestNormaliseMAC(t *testing.T) {
	for in, want := range map[string]string{
		"52:54:00:12:34:56": "52:54:00:12:34:56",
		"52-54-00-AB-CD-EF": "52:54:00:ab:cd:ef",
		"2:4:0:a:b:c":       "02:04:00:0a:0b:0c",
	} {
		got, ok := normaliseMAC(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "52:54:00:12:34", "52:54:00:12:34:5g", "525400123456", "52:54:00:12:34:567"} {
		_, ok := normaliseMAC(bad)
		assert.False(t, ok, bad)
	}
}

// FuzzAnswer: whatever QEMU (or a peer posing as QEMU) sends, decoding
// neither panics nor yields an answer without a return member, and the
// decoders of the values the engine reads stay within their types.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{
		`{"return": {"status": "running", "singlestep": false, "running": true}}`,
		`{"return": [{"name": "nic0", "type": "child<e1000>"}]}`,
		`{"return": "52:54:00:12:34:56"}`,
		`{"error": {"class": "GenericError", "desc": "x"}}`,
		`{"event": "RESET"}`, `{"return": null}`, `[]`, `{"QMP": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		raw, err := answer(line)
		if err != nil {
			return
		}
		var st struct{ Status string }
		if decodeReturn(raw, &st) == nil {
			assert.True(t, powerState(st.Status).Valid())
		}
		var props []qomProp
		if decodeReturn(raw, &props) == nil {
			for _, p := range props {
				if typ, ok := childType(p.Type); ok {
					_ = kindOf(typ, map[string]bool{p.Name: true})
				}
			}
		}
		var mac string
		if decodeReturn(raw, &mac) == nil {
			if m, ok := normaliseMAC(mac); ok {
				assert.Regexp(t, `^([0-9a-f]{2}:){5}[0-9a-f]{2}$`, m)
			}
		}
	})
}
