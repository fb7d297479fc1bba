package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Trapd is a running snmptrapd that records every trap it receives.
type Trapd struct {
	// Addr is the UDP host:port it listens on.
	Addr string
	out  string
	proc *Proc
}

// Trap is one received trap: its varbinds, OID (numeric, with a leading
// dot) to value as snmptrapd prints it.
type Trap struct {
	OID  string // snmpTrapOID.0
	Vars map[string]string
}

const trapdInstall = "apt-get install -y snmptrapd"

// StartSnmptrapd starts snmptrapd on a free UDP port, accepting SNMPv2c
// traps for community, each handed to a program that records it.
func StartSnmptrapd(t testing.TB, community string) *Trapd {
	t.Helper()
	bin, err := exec.LookPath("snmptrapd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/snmptrapd", "/sbin/snmptrapd"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		Missing(t, "snmptrapd", trapdInstall, err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "traps.txt")
	handler := filepath.Join(dir, "handler.sh")
	script := "#!/bin/sh\n{ cat; echo '--END--'; } >> '" + out + "'\n"
	if err := os.WriteFile(handler, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "snmptrapd.conf")
	cfg := fmt.Sprintf("authCommunity log,execute,net %s\ntraphandle default %s\ndisableAuthorization no\n", community, handler)
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	port := FreeUDPPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p, err := Start(t, "snmptrapd", nil, bin, "-f", "-n", "-On", "-m", "", "-C", "-c", conf,
		"-Lf", filepath.Join(dir, "snmptrapd.log"), "udp:"+addr)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	// Ready once its UDP port is taken.
	err = WaitFor(p, 10*time.Second, func() error {
		c, err := net.ListenPacket("udp", addr)
		if err == nil {
			c.Close()
			return fmt.Errorf("port %s not bound yet", addr)
		}
		return nil
	})
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "snmptrapd.log"))
		t.Fatalf("testenv: %v\n%s", err, Tail(string(log), 20))
	}
	return &Trapd{Addr: addr, out: out, proc: p}
}

// Traps returns the traps received so far.
func (d *Trapd) Traps() []Trap {
	f, err := os.Open(d.out)
	if err != nil {
		return nil
	}
	defer f.Close()
	var traps []Trap
	cur := Trap{Vars: map[string]string{}}
	line := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s := sc.Text()
		if s == "--END--" {
			traps = append(traps, cur)
			cur, line = Trap{Vars: map[string]string{}}, 0
			continue
		}
		line++
		if line <= 2 { // the sender's host name and address
			continue
		}
		oid, val, _ := strings.Cut(s, " ")
		cur.Vars[oid] = strings.Trim(val, `"`)
		if oid == ".1.3.6.1.6.3.1.1.4.1.0" {
			cur.OID = val
		}
	}
	return traps
}

// WaitTraps waits until at least n traps arrived, or fails the test.
func (d *Trapd) WaitTraps(t testing.TB, n int) []Trap {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		traps := d.Traps()
		if len(traps) >= n {
			return traps
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %d traps after 10s, want %d\n%s", len(traps), n, d.proc.Log.Tail(20))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
