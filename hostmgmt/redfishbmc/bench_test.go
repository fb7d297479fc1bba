package redfishbmc_test

import (
	"net/http/httptest"
	"testing"

	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// BenchmarkPowerState: one power-state query round trip (a GET of the
// ComputerSystem with the session's token, over a kept-alive loopback
// connection) against the DMTF mockup's service.
func BenchmarkPowerState(b *testing.B) {
	m := newMockup(b, user, pass)
	srv := httptest.NewServer(m)
	defer srv.Close()
	bmc, err := redfishbmc.New(srv.URL, &redfishbmc.Options{Username: user, Password: pass})
	if err != nil {
		b.Fatal(err)
	}
	defer bmc.Close()
	ctx := b.Context()
	if _, err := bmc.PowerState(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bmc.PowerState(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
