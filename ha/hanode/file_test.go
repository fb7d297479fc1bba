package hanode

import (
	"errors"
	"testing"

	"github.com/edgeflock/flock/ha"
)

const goodConfig = `
node: controller-0
peer: controller-1
key_file: /etc/flock/ha.key
state_dir: /var/lib/flock/ha
paths:
  - {name: mgmt, local: '10.0.0.10:2112', peer: '10.0.0.11:2112'}
  - {name: oam, local: '10.10.10.10:2112', peer: '10.10.10.11:2112'}
period: 50ms
dead_interval: 200ms
addresses:
  oam: {address: 10.10.10.2/24, interface: eth1}
failover: {wait_interval: 5s}
fence: {command: [/usr/sbin/fence_ipmilan, --action=off], timeout: 10s}
witness: {server: '10.0.0.5:7001', key_file: /etc/flock/witness.key, lease: 2s}
api_listen: '127.0.0.1:7777'
`

// TestParseFile: a good file parses; each bad one is refused with an
// error naming the field.
func TestParseFile(t *testing.T) {
	c, err := ParseFile([]byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if c.Node != "controller-0" || len(c.Paths) != 2 || c.Fence.Command[1] != "--action=off" || c.Witness.Lease.Seconds() != 2 {
		t.Fatalf("parsed %+v", c)
	}
	for _, tc := range []struct{ text, field string }{
		{"node: a\npeer: a\nkey_file: k\nstate_dir: s\npaths: [{name: mgmt, local: '1.2.3.4:1', peer: '1.2.3.5:1'}]\n", "peer"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\npaths: []\n", "paths"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\npaths: [{name: mgmt, local: 'nowhere', peer: '1.2.3.5:1'}]\n", "paths[0].local"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\nperiod: fast\npaths: [{name: mgmt, local: '1.2.3.4:1', peer: '1.2.3.5:1'}]\n", "period"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\nfence: {redfish: {}}\npaths: [{name: mgmt, local: '1.2.3.4:1', peer: '1.2.3.5:1'}]\n", "fence.redfish.url"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\nwitness: {server: x}\npaths: [{name: mgmt, local: '1.2.3.4:1', peer: '1.2.3.5:1'}]\n", "witness.key_file"},
		{"node: a\npeer: b\nkey_file: k\nstate_dir: s\nbogus: 1\npaths: [{name: mgmt, local: '1.2.3.4:1', peer: '1.2.3.5:1'}]\n", "bogus"},
	} {
		_, err := ParseFile([]byte(tc.text))
		var fe *ha.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%q: %v, want a field error", tc.field, err)
			continue
		}
		if fe.Field != tc.field {
			t.Errorf("field %q, want %q (%v)", fe.Field, tc.field, err)
		}
	}
}

// FuzzParseFile: any file is parsed or refused with a field error,
// never a panic; a parsed one has what the daemon needs.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(goodConfig))
	f.Add([]byte("node: a\npeer: b\n"))
	f.Add([]byte("paths: [{name: x}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseFile(b)
		if err != nil {
			var fe *ha.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("not a field error: %v", err)
			}
			return
		}
		if c.Node == "" || c.Peer == "" || c.Node == c.Peer || c.KeyFile == "" || c.StateDir == "" || len(c.Paths) == 0 {
			t.Fatalf("accepted %+v", c)
		}
	})
}
