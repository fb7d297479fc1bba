package bmcsim

import (
	"encoding/json"
	"io"
	"net/http"
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

// BenchmarkNew is loading the embedded mockup and cloning one system.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		srv, err := New(&Options{Username: "u", Password: "p"})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.AddSystem("1", NewMemoryHost(nil)); err != nil {
			b.Fatal(err)
		}
	}
}
