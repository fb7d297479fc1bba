package redfishbmc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/redfishbmc"
)

// A Redfish BMC, here a few resources served over loopback with basic
// authentication: probe it, read the host's power, set the next boot
// to PXE and reset it.
func Example() {
	power, boot := "On", ""
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) { _ = json.NewEncoder(w).Encode(v) }
	mux.HandleFunc("GET /redfish/v1/", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"RedfishVersion": "1.15.0", "Systems": map[string]string{"@odata.id": "/redfish/v1/Systems"}})
	})
	mux.HandleFunc("GET /redfish/v1/Systems", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"Members": []any{map[string]string{"@odata.id": "/redfish/v1/Systems/1"}}})
	})
	mux.HandleFunc("GET /redfish/v1/Systems/1", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"@odata.id": "/redfish/v1/Systems/1", "Id": "1", "PowerState": power,
			"Actions": map[string]any{"#ComputerSystem.Reset": map[string]any{
				"target":                            "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
				"ResetType@Redfish.AllowableValues": []string{"On", "ForceOff", "ForceRestart"}}}})
	})
	mux.HandleFunc("PATCH /redfish/v1/Systems/1", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Boot struct{ BootSourceOverrideEnabled, BootSourceOverrideTarget string }
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		boot = body.Boot.BootSourceOverrideEnabled + " " + body.Boot.BootSourceOverrideTarget
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset", func(w http.ResponseWriter, r *http.Request) {
		var body struct{ ResetType string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		fmt.Println("the BMC got", body.ResetType)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); (u != "root" || p != "calvin") && strings.TrimSuffix(r.URL.Path, "/") != "/redfish/v1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()

	ctx := context.Background()
	version, err := redfishbmc.Probe(ctx, srv.URL, nil)
	fmt.Println("Redfish", version, err)

	bmc, err := redfishbmc.New(srv.URL, &redfishbmc.Options{Username: "root", Password: "calvin", Auth: redfishbmc.AuthBasic})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bmc.Close()
	st, err := bmc.PowerState(ctx)
	fmt.Println("power:", st, err)
	fmt.Println(bmc.SetBootDevice(ctx, hostmgmt.BootPXE), "boot:", boot)
	fmt.Println(bmc.Power(ctx, hostmgmt.OpReset))
	fmt.Println(bmc.Power(ctx, "explode"))
	// Output:
	// Redfish 1.15.0 <nil>
	// power: on <nil>
	// <nil> boot: Once Pxe
	// the BMC got ForceRestart
	// <nil>
	// invalid power_op: "explode" is not one of on, off, reset, cycle, soft-off, graceful-restart
}
