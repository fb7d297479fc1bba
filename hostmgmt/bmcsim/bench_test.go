package bmcsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
)

// BenchmarkPowerStateGET is the round trip of a GET of a system's
// resource (the power state query of every Redfish client) over
// loopback HTTP, with basic auth, keep-alive and a memory host.
func BenchmarkPowerStateGET(b *testing.B) {
	r := newRig(b, nil)
	req, err := http.NewRequest(http.MethodGet, r.url+sysPath, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.SetBasicAuth(testUser, testPass)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var body struct{ PowerState string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || body.PowerState != "On" {
			b.Fatalf("power state %q, %v", body.PowerState, err)
		}
	}
}

// BenchmarkAddSystem is adding one more system to a server (a lab
// serves hundreds from one process).
func BenchmarkAddSystem(b *testing.B) {
	srv, err := New(&Options{Username: "u", Password: "p"})
	if err != nil {
		b.Fatal(err)
	}
	host := NewMemoryHost(nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := srv.AddSystem("node"+strconv.Itoa(i), host); err != nil {
			b.Fatal(err)
		}
	}
}
