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

// Trap is one received trap: its varbinds, OID to value as snmptrapd
// prints them. Without MIBs (StartSnmptrapd) OIDs are numeric with a
// leading dot; with MIBs (StartSnmptrapdMIBs) they are MODULE::name.index
// where a loaded MIB names them.
type Trap struct {
	OID   string   // the value of snmpTrapOID.0
	Names []string // the varbinds' OIDs in the order they came
	Vars  map[string]string
}

const trapdInstall = "apt-get install -y snmptrapd"

// StartSnmptrapd starts snmptrapd on a free UDP port, accepting SNMPv2c
// traps for community, each handed to a program that records it. It loads
// no MIB and prints every OID numerically.
func StartSnmptrapd(t testing.TB, community string) *Trapd {
	t.Helper()
	return startSnmptrapd(t, community, nil)
}

// StartSnmptrapdMIBs is StartSnmptrapd with every MIB module in mibDirs
// loaded (snmptrapd -M dirs -m ALL), so that it prints OIDs and
// enumerations by name as a manager with those MIBs would.
func StartSnmptrapdMIBs(t testing.TB, community string, mibDirs ...string) *Trapd {
	t.Helper()
	if len(mibDirs) == 0 {
		t.Fatal("testenv: StartSnmptrapdMIBs needs at least one MIB directory")
	}
	abs := make([]string, len(mibDirs))
	for i, d := range mibDirs {
		a, err := filepath.Abs(d)
		if err != nil {
			t.Fatalf("testenv: MIB directory %s: %v", d, err)
		}
		abs[i] = a
	}
	return startSnmptrapd(t, community, abs)
}

func startSnmptrapd(t testing.TB, community string, mibDirs []string) *Trapd {
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
	mibArgs := []string{"-On", "-m", ""}
	if len(mibDirs) > 0 {
		mibArgs = []string{"-M", strings.Join(mibDirs, string(os.PathListSeparator)), "-m", "ALL"}
	}
	args := append([]string{"-f", "-n"}, mibArgs...)
	args = append(args, "-C", "-c", conf, "-Lf", filepath.Join(dir, "snmptrapd.log"), "udp:"+addr)
	p, err := Start(t, "snmptrapd", nil, bin, args...)
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
		cur.Names = append(cur.Names, oid)
		cur.Vars[oid] = strings.Trim(val, `"`)
		if oid == ".1.3.6.1.6.3.1.1.4.1.0" || oid == "SNMPv2-MIB::snmpTrapOID.0" {
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
