// Package cephtestenv starts a Ceph 16.2 "pacific" cluster for tests: one
// monitor, one OSD on memstore and one manager as child processes on
// 127.0.0.1, without authentication, stopped in t.Cleanup (see
// internal/testenv). It lives in the engines/ceph module so that only the
// tests which need Ceph link go-ceph (cgo, build tags ceph,pacific).
package cephtestenv

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// Ceph is a running Ceph cluster of one monitor, one OSD (memstore: the
// data is in memory) and one manager, without authentication.
type Ceph struct {
	// Conf is the path of the cluster's ceph.conf, for librados
	// (conn.ReadConfigFile) and the ceph CLI (CEPH_CONF).
	Conf string
	// MonAddr is the monitor's address.
	MonAddr string
	// FSID is the cluster's id.
	FSID string
}

const cephInstall = "apt-get install -y ceph-mon ceph-osd ceph-mgr ceph-common librados-dev librbd-dev"

// Start deploys a cluster the manual way (monitor map by mkfs, OSD
// created and placed in the CRUSH map by hand) and returns once the OSD
// is up, about 5 s.
func Start(t testing.TB) *Ceph {
	t.Helper()
	mon := testenv.LookPath(t, "Ceph monitor", cephInstall, "ceph-mon")
	osd := testenv.LookPath(t, "Ceph OSD", cephInstall, "ceph-osd")
	mgr := testenv.LookPath(t, "Ceph manager", cephInstall, "ceph-mgr")
	testenv.LookPath(t, "ceph CLI", cephInstall, "ceph")
	// Unix socket paths have a 107-byte limit: keep the directory short.
	dir, err := os.MkdirTemp("", "ceph-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, d := range []string{"mon", "osd", "mgr", "run", "log"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c := &Ceph{Conf: filepath.Join(dir, "ceph.conf"), MonAddr: "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t)), FSID: uuid4(t)}
	conf := fmt.Sprintf(`[global]
fsid = %[1]s
mon host = v1:%[2]s
run dir = %[3]s/run
pid file = %[3]s/run/$name.pid
admin socket = %[3]s/run/$name.asok
log file = %[3]s/log/$name.log
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
ms bind msgr2 = false
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool delete = true
mon data avail crit = 0
mon warn on pool no redundancy = false
osd pool default pg autoscale mode = off
client mount timeout = 15
rados mon op timeout = 30
rados osd op timeout = 30

[mon.a]
mon data = %[3]s/mon

[osd.0]
osd data = %[3]s/osd
osd objectstore = memstore
memstore device bytes = 536870912
osd class load list = *
osd class default list = *
osd crush update on start = false
osd class update on start = false

[mgr.x]
mgr data = %[3]s/mgr
`, c.FSID, c.MonAddr, dir)
	if err := os.WriteFile(c.Conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every process reads the configuration from CEPH_CONF.
	env := append(os.Environ(), "CEPH_CONF="+c.Conf)
	step := func(bin string, args ...string) string {
		t.Helper()
		out, err := testenv.Output(env, bin, args...)
		if err != nil {
			t.Fatalf("cephtestenv: ceph: %v\n--- logs ---\n%s", err, c.logTail(dir))
		}
		return out
	}
	start := func(name, bin string, args ...string) *testenv.Proc {
		t.Helper()
		p, err := testenv.StartEnv(t, name, env, bin, args...)
		if err != nil {
			t.Fatalf("cephtestenv: %v", err)
		}
		return p
	}
	step(mon, "--id", "a", "--mkfs", "--keyring", "/dev/null")
	if err := os.WriteFile(filepath.Join(dir, "mon", "keyring"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pm := start("ceph-mon", mon, "--id", "a", "-f")
	// The manual deployment of Ceph's docs: the OSD's uuid names it both
	// in the monitor's map and in its store.
	osdUUID := uuid4(t)
	if id := step("ceph", "osd", "create", osdUUID, "0"); id != "0" {
		t.Fatalf("cephtestenv: ceph osd create gave %q, want 0", id)
	}
	step("ceph", "osd", "crush", "add", "osd.0", "1", "root=default")
	step(osd, "--id", "0", "--mkfs", "--osd-uuid", osdUUID)
	start("ceph-mgr", mgr, "--id", "x", "-f")
	osdUp := func() error {
		cmd := exec.Command("ceph", "osd", "stat", "-f", "json")
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			return err
		}
		var st struct {
			Up int `json:"num_up_osds"`
		}
		if err := json.Unmarshal(out, &st); err != nil {
			return err
		}
		if st.Up != 1 {
			return fmt.Errorf("%d OSDs up", st.Up)
		}
		return nil
	}
	// An OSD that fails to boot exits, and its systemd unit restarts it
	// (Restart=on-failure); so does this, twice, saying why. The known
	// cause is a race in Ceph 16.2 without cephx: the OSD can send its
	// first monitor command before it has the monitor map, with the
	// cluster id still zero, and the monitor refuses it ("wrong fsid").
	// Those first commands set the OSD's CRUSH place and device class,
	// which the two "update on start = false" options above turn off
	// (the OSD was placed by hand), so the race is rare now.
	deadline := time.Now().Add(60 * time.Second)
	po := start("ceph-osd", osd, "--id", "0", "-f")
	for restarts := 0; ; {
		err := osdUp()
		if err == nil {
			return c
		}
		select {
		case <-pm.Exited:
			t.Fatalf("cephtestenv: ceph-mon exited: %v\n--- ceph-mon output ---\n%s\n--- logs ---\n%s", err, pm.Log.Tail(30), c.logTail(dir))
		case <-po.Exited:
			if restarts == 2 {
				t.Fatalf("cephtestenv: ceph-osd exited a third time while booting\n--- ceph-osd output ---\n%s\n--- logs ---\n%s", po.Log.Tail(30), c.logTail(dir))
			}
			restarts++
			t.Logf("cephtestenv: ceph-osd exited while booting; restarting it\n--- logs ---\n%s", c.logTail(dir))
			po = start("ceph-osd", osd, "--id", "0", "-f")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("cephtestenv: ceph-osd did not come up in 60 s: %v\n--- logs ---\n%s", err, c.logTail(dir))
		}
	}
}

// logTail returns the ends of the daemons' log files.
func (c *Ceph) logTail(dir string) string {
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(dir, "log", "*.log"))
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		fmt.Fprintf(&b, "--- %s ---\n", filepath.Base(l))
		// A mismatch of cluster ids is logged once, early: keep those
		// lines whatever the tail holds.
		for line := range strings.Lines(string(data)) {
			if strings.Contains(line, " fsid") {
				b.WriteString(line)
			}
		}
		fmt.Fprintf(&b, "...\n%s\n", testenv.Tail(string(data), 15))
	}
	return b.String()
}

func uuid4(t testing.TB) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
