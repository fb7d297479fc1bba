package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgeflock/flock/internal/testenv"
)

// stxHA is the stx-ha binary built by TestMain.
var stxHA string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stx-ha-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stxHA = filepath.Join(dir, "stx-ha")
	if out, err := exec.Command("go", "build", "-o", stxHA, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// labNets are the peer paths, as on a StarlingX controller pair.
var labNets = []string{"mgmt", "oam", "cluster-host"}

// haLab runs two stx-ha processes in the two nodes of a testenv.HAPair,
// each managing Flock's controller services as the default model lays
// them out (the OAM and management floating addresses, the database and
// the API, with the same dependencies), the database and the API being
// OCF scripts that keep a state file. The fence agent is the test's
// "power off": it kills the peer's stx-ha, removes its floating
// addresses and takes its interfaces down, as a BMC's power off would.
type haLab struct {
	t      testing.TB
	lab    *testenv.HAPair
	dir    string
	oamVIP netip.Addr
	mgmVIP netip.Addr
	mode   string // "fence", "witness" or "none"
	period time.Duration
	dead   time.Duration

	mu      sync.Mutex
	procs   [2]*exec.Cmd
	logs    [2]*lockedBuffer
	exited  [2]chan struct{}
	witness *exec.Cmd
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const labKey = "flock-ha-test-key-0123456789abcdef0123456789"

func newHALab(t testing.TB, mode string, period, dead time.Duration) *haLab {
	lab := testenv.NewHAPair(t, labNets...)
	l := &haLab{t: t, lab: lab, dir: t.TempDir(), mode: mode, period: period, dead: dead,
		oamVIP: lab.Floating("oam", 0), mgmVIP: lab.Floating("mgmt", 0)}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(l.dir, "key"), []byte(labKey), 0o600))
	must(os.WriteFile(filepath.Join(l.dir, "dummy"), []byte(dummyOCF), 0o755))
	must(os.WriteFile(filepath.Join(l.dir, "fence"), []byte(fmt.Sprintf(fenceAgent, l.dir)), 0o755))
	for i := range 2 {
		n := lab.Node(i)
		must(os.WriteFile(filepath.Join(l.dir, nodeName(i)+".ns"), []byte(n.NS), 0o644))
		off := fmt.Sprintf("addr del %s/24 dev %s\naddr del %s/24 dev %s\n", l.oamVIP, n.Interface("oam"), l.mgmVIP, n.Interface("mgmt"))
		for _, net := range labNets {
			off += "link set dev " + n.Interface(net) + " down\n"
		}
		must(os.WriteFile(filepath.Join(l.dir, nodeName(i)+".off"), []byte(off), 0o644))
		must(os.MkdirAll(filepath.Join(l.dir, nodeName(i)), 0o755))
		must(os.WriteFile(filepath.Join(l.dir, nodeName(i), "model.yaml"), []byte(l.model(i)), 0o644))
		must(os.WriteFile(filepath.Join(l.dir, nodeName(i), "ha.yaml"), []byte(l.config(i)), 0o644))
	}
	if mode == "witness" {
		c := lab.Client()
		wdir := filepath.Join(l.dir, "witness")
		out, err := exec.Command(stxHA, "witness", "--init", "--state-dir", wdir).CombinedOutput()
		if err != nil {
			t.Fatalf("witness --init: %v: %s", err, out)
		}
		cmd := c.Command(context.Background(), stxHA, "witness", "--listen", c.IP("mgmt").String()+":7001",
			"--key-file", filepath.Join(l.dir, "key"), "--state-dir", wdir, "--max-lease", "10s")
		var wlog lockedBuffer
		cmd.Stdout, cmd.Stderr = &wlog, &wlog
		must(cmd.Start())
		l.witness = cmd
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			if t.Failed() {
				t.Logf("witness log:\n%s", testenv.Tail(wlog.String(), 30))
			}
		})
	}
	t.Cleanup(func() {
		for i := range 2 {
			l.kill(i)
			if t.Failed() && l.logs[i] != nil {
				t.Logf("%s log:\n%s", nodeName(i), testenv.Tail(l.logs[i].String(), 60))
			}
		}
	})
	return l
}

func nodeName(i int) string { return "controller-" + strconv.Itoa(i) }

// model is Flock's default model with OCF scripts in place of the
// database's systemd unit and the API's Go functions.
func (l *haLab) model(i int) string {
	state := filepath.Join(l.dir, nodeName(i))
	ocf := func(action, interval string) string {
		s := fmt.Sprintf("      - {action: %s, plugin_type: ocf-script, plugin_name: dummy, plugin_command: %s, timeout: 10s, plugin_parameters: {state_dir: %s}", action, filepath.Join(l.dir, "dummy"), state)
		if interval != "" {
			s += ", interval: " + interval
		}
		return s + "}\n"
	}
	svc := func(name string, deps ...string) string {
		s := "  - name: " + name + "\n    actions:\n" + ocf("go-active", "") + ocf("go-standby", "") + ocf("disable", "") + ocf("audit-enabled", "5s")
		if len(deps) > 0 {
			s += "    dependencies:\n"
			for _, d := range deps {
				s += "      - {type: action, action: go-active, dependent: " + d + ", dependent_state: enabled-active}\n"
			}
		}
		return s
	}
	return `domains:
  - name: controller
    members:
      - {service_group_name: oam-services, redundancy_model: N + M, n_active: 1, m_standby: 1}
      - {service_group_name: controller-services, redundancy_model: N + M, n_active: 1, m_standby: 1}
service_groups:
  - name: oam-services
    auto_recover: true
    services:
      - {service_name: oam-ip, service_failure_impact: critical}
  - name: controller-services
    auto_recover: true
    services:
      - {service_name: management-ip, service_failure_impact: critical}
      - {service_name: database, service_failure_impact: critical}
      - {service_name: stx-controller-api, service_failure_impact: critical}
services:
  - name: oam-ip
    kind: ip
    ip: {network: oam}
  - name: management-ip
    kind: ip
    ip: {network: management}
` + svc("database", "management-ip") + svc("stx-controller-api", "management-ip", "oam-ip", "database")
}

func (l *haLab) config(i int) string {
	n, p := l.lab.Node(i), l.lab.Node(1-i)
	var b strings.Builder
	fmt.Fprintf(&b, "node: %s\npeer: %s\nkey_file: %s\nstate_dir: %s\nmodel_file: %s\n", nodeName(i), nodeName(1-i),
		filepath.Join(l.dir, "key"), filepath.Join(l.dir, nodeName(i), "state"), filepath.Join(l.dir, nodeName(i), "model.yaml"))
	if l.period != 0 {
		fmt.Fprintf(&b, "period: %s\ndead_interval: %s\n", l.period, l.dead)
	}
	b.WriteString("paths:\n")
	for _, net := range labNets {
		fmt.Fprintf(&b, "  - {name: %s, local: '%s:2112', peer: '%s:2112'}\n", net, n.IP(net), p.IP(net))
	}
	fmt.Fprintf(&b, "addresses:\n  oam: {address: %s/24, interface: %s}\n  management: {address: %s/24, interface: %s}\n",
		l.oamVIP, n.Interface("oam"), l.mgmVIP, n.Interface("mgmt"))
	fmt.Fprintf(&b, "failover: {wait_interval: 2s}\napi_listen: '127.0.0.1:7777'\n")
	switch l.mode {
	case "fence":
		fmt.Fprintf(&b, "fence: {command: [%s], timeout: 5s}\n", filepath.Join(l.dir, "fence"))
	case "witness":
		fmt.Fprintf(&b, "witness: {server: '%s:7001', key_file: %s, lease: 1s}\n", l.lab.Client().IP("mgmt"), filepath.Join(l.dir, "key"))
	}
	return b.String()
}

// start starts node i's stx-ha (its interfaces up: powered on).
func (l *haLab) start(i int) {
	l.powerOn(i)
	cmd := l.lab.Node(i).Command(context.Background(), stxHA, "--config", filepath.Join(l.dir, nodeName(i), "ha.yaml"))
	if l.logs[i] == nil {
		l.logs[i] = &lockedBuffer{}
	}
	fmt.Fprintf(l.logs[i], "---- start %s\n", time.Now().Format(time.RFC3339Nano))
	cmd.Stdout, cmd.Stderr = l.logs[i], l.logs[i]
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(l.dir, nodeName(i)+".pid"), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644); err != nil {
		l.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	l.mu.Lock()
	l.procs[i], l.exited[i] = cmd, exited
	l.mu.Unlock()
}

// kill kills node i's stx-ha as kill -9 does: its addresses stay.
func (l *haLab) kill(i int) {
	l.mu.Lock()
	cmd, exited := l.procs[i], l.exited[i]
	l.procs[i] = nil
	l.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// powerOn brings node i's interfaces up (after a fence took them down).
func (l *haLab) powerOn(i int) {
	n := l.lab.Node(i)
	for _, net := range labNets {
		if out, err := exec.Command("ip", "-n", n.NS, "link", "set", "dev", n.Interface(net), "up").CombinedOutput(); err != nil {
			l.t.Fatalf("ip link up: %v: %s", err, out)
		}
	}
}

// holders returns the nodes holding the OAM floating address on an
// interface that is up.
func (l *haLab) holders() []int {
	var h []int
	for _, i := range l.lab.Holders(l.t, l.oamVIP) {
		n := l.lab.Node(i)
		out, err := exec.Command("ip", "-n", n.NS, "-br", "link", "show", "dev", n.Interface("oam")).Output()
		if err == nil && !strings.Contains(string(out), "DOWN") {
			h = append(h, i)
		}
	}
	return h
}

// waitActive waits until exactly node i holds the OAM address, its
// services are up and the other node is standby, ready for a swact.
func (l *haLab) waitActive(i int, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		h := l.holders()
		if len(h) == 1 && h[0] == i && l.apiUp(i) && l.groups(1-i) == "standby standby" && l.groups(i) == "active active" {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("%s not active within %v (holders %v, groups %q / %q)", nodeName(i), within, h, l.groups(0), l.groups(1))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiUp: the dummy API service runs on node i.
func (l *haLab) apiUp(i int) bool {
	_, err := os.Stat(filepath.Join(l.dir, nodeName(i), "stx-controller-api.running"))
	return err == nil
}

// groups is node i's own view of its two groups' states, from its
// sm-api (servicegroup list), "" when it does not answer.
func (l *haLab) groups(i int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := l.lab.Node(i).Command(ctx, "curl", "-sf", "http://127.0.0.1:7777/v1/sm_sda").Output()
	if err != nil {
		return ""
	}
	var states []string
	for _, g := range []string{"oam-services", "controller-services"} {
		states = append(states, sdaState(string(out), nodeName(i), g))
	}
	return strings.Join(states, " ")
}

// swact asks node i's sm-api to swact away from node from, as sysinv's
// host-swact does, and returns when the API answered.
func (l *haLab) swact(i, from int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := l.lab.Node(i).Command(ctx, "curl", "-sS", "-X", "PATCH", "-H", "Content-Type: application/json",
		"-d", `{"origin":"sysinv","action":"swact","admin":"unknown","oper":"unknown","avail":""}`,
		"http://127.0.0.1:7777/v1/servicenode/"+nodeName(from)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	var res struct {
		Code any `json:"error_code"`
	}
	if err := json.Unmarshal(out, &res); err != nil || fmt.Sprint(res.Code) != "0" {
		return fmt.Errorf("swact refused: %s", out)
	}
	return nil
}

// dummyOCF is an OCF resource agent that keeps its state in a file.
const dummyOCF = `#!/bin/sh
f="$OCF_RESKEY_state_dir/$OCF_RESOURCE_INSTANCE.running"
case "$1" in
  start) : > "$f"; exit 0 ;;
  stop) rm -f "$f"; exit 0 ;;
  monitor) [ -e "$f" ] && exit 0; exit 7 ;;
  meta-data|validate-all) exit 0 ;;
  *) exit 3 ;;
esac
`

// fenceAgent powers a node off: its stx-ha killed, its floating
// addresses removed and its interfaces down. %s is the lab directory.
const fenceAgent = `#!/bin/sh
d=%s
n="$1"
[ -e "$d/$n.pid" ] || exit 1
kill -9 "$(cat "$d/$n.pid")" 2>/dev/null
ip -n "$(cat "$d/$n.ns")" -force -batch "$d/$n.off" 2>/dev/null
exit 0
`
