package main

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// sdaState is group's state on node in a /v1/sm_sda answer.
func sdaState(body, node, group string) string {
	var doc struct {
		SDA []struct {
			NodeName         string `json:"node_name"`
			ServiceGroupName string `json:"service_group_name"`
			State            string `json:"state"`
			DesiredState     string `json:"desired_state"`
		} `json:"sm_sda"`
	}
	if json.Unmarshal([]byte(body), &doc) != nil {
		return ""
	}
	for _, a := range doc.SDA {
		if a.NodeName == node && a.ServiceGroupName == group {
			if a.State != a.DesiredState {
				return a.State + "->" + a.DesiredState
			}
			return a.State
		}
	}
	return ""
}

// watchDual samples who holds the OAM floating address until stop is
// closed and reports every sample where both nodes held it.
func (l *haLab) watchDual(stop <-chan struct{}) <-chan []string {
	out := make(chan []string, 1)
	go func() {
		var dual []string
		for {
			select {
			case <-stop:
				out <- dual
				return
			default:
			}
			if h := l.holders(); len(h) > 1 {
				dual = append(dual, time.Now().Format("15:04:05.000"))
			}
		}
	}()
	return out
}

// TestLabSwactAndFailover: two stx-ha in their namespaces elect
// controller-0, which brings the floating addresses, the database and
// the API up; a swact through sm-api's PATCH moves them all to
// controller-1; kill -9 of controller-1's stx-ha makes controller-0
// fence it and take over; restarted, controller-1 is standby.
func TestLabSwactAndFailover(t *testing.T) {
	l := newHALab(t, "fence", 0, 0)
	l.start(0)
	l.start(1)
	l.waitActive(0, 15*time.Second)

	require := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	require(l.swact(0, 0))
	l.waitActive(1, 5*time.Second)
	if l.apiUp(0) {
		t.Error("the API still runs on controller-0 after the swact")
	}

	l.kill(1)
	l.waitActive0AfterKill(t)
	l.start(1)
	l.waitActive(0, 10*time.Second)
	if l.apiUp(1) {
		t.Error("the API runs on the restarted standby")
	}
}

// waitActive0AfterKill waits for controller-0 to hold the address alone
// with its services up, controller-1 being fenced.
func (l *haLab) waitActive0AfterKill(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := l.holders()
		if len(h) == 1 && h[0] == 0 && l.apiUp(0) && l.groups(0) == "active active" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no takeover by controller-0 (holders %v, groups %q)", h, l.groups(0))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLabSilentPartition: the active is cut off on every path (and from
// the witness), carriers up, 20 times in a row, with a fence and with a
// witness: the floating address is never on both nodes at any sample,
// and the standby takes over each time.
func TestLabSilentPartition(t *testing.T) {
	for _, mode := range []string{"fence", "witness"} {
		t.Run(mode, func(t *testing.T) {
			l := newHALab(t, mode, 0, 0)
			l.start(0)
			l.start(1)
			l.waitActive(0, 15*time.Second)
			active := 0
			for trial := range 20 {
				stop := make(chan struct{})
				dual := l.watchDual(stop)
				l.lab.DropAll(t, active)
				standby := 1 - active
				deadline := time.Now().Add(15 * time.Second)
				for {
					h := l.holders()
					if len(h) == 1 && h[0] == standby && l.apiUp(standby) {
						break
					}
					if time.Now().After(deadline) {
						close(stop)
						t.Fatalf("trial %d: %s did not take over (holders %v)", trial, nodeName(standby), h)
					}
					time.Sleep(10 * time.Millisecond)
				}
				l.lab.HealAll(t, active)
				if mode == "fence" {
					l.start(active) // powered off by the fence: back on, and its stx-ha restarted
				}
				l.waitActive(standby, 15*time.Second)
				close(stop)
				if d := <-dual; len(d) > 0 {
					t.Fatalf("trial %d: the address was on both nodes at %v", trial, d)
				}
				active = standby
			}
		})
	}
}

// TestLabNoProtection: without fence or witness a silent partition
// leaves the standby standby with 400.002 raised, and one path lost
// raises 400.005 and moves nothing.
func TestLabNoProtection(t *testing.T) {
	l := newHALab(t, "none", 0, 0)
	l.start(0)
	l.start(1)
	l.waitActive(0, 15*time.Second)

	l.lab.Drop(t, 0, "mgmt")
	time.Sleep(time.Second)
	if h := l.holders(); len(h) != 1 || h[0] != 0 {
		t.Fatalf("one path lost moved the address: holders %v", h)
	}
	for i := range 2 {
		if !strings.Contains(l.logs[i].String(), `raise alarm" alarm=400.005`) {
			t.Errorf("%s raised no 400.005", nodeName(i))
		}
		if strings.Contains(l.logs[i].String(), `raise alarm" alarm=400.002`) {
			t.Errorf("%s raised 400.002 for one path", nodeName(i))
		}
	}
	l.lab.HealAll(t, 0)

	l.lab.DropAll(t, 0)
	time.Sleep(3 * time.Second)
	if h := l.holders(); len(h) != 1 || h[0] != 0 {
		t.Fatalf("the standby took over without protection: holders %v", h)
	}
	if !strings.Contains(l.logs[1].String(), `raise alarm" alarm=400.002`) {
		t.Error("controller-1 raised no 400.002")
	}
	l.lab.HealAll(t, 0)
	l.waitActive(0, 10*time.Second)
}

// TestLabBothKilled: kill -9 of both nodes (addresses left where they
// were) and a restart of both: they converge to one active, the one
// that was active before.
func TestLabBothKilled(t *testing.T) {
	l := newHALab(t, "fence", 0, 0)
	l.start(0)
	l.start(1)
	l.waitActive(0, 15*time.Second)
	if err := l.swact(1, 0); err != nil {
		t.Fatal(err)
	}
	l.waitActive(1, 5*time.Second)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { l.kill(i) })
	}
	wg.Wait()
	l.start(0)
	l.start(1)
	l.waitActive(1, 15*time.Second)
}
