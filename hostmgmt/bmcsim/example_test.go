package bmcsim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/edgeflock/flock/hostmgmt/bmcsim"
)

// A Redfish BMC for an in-memory host: a client powers it off through
// ComputerSystem.Reset and reads the power state back.
func Example() {
	srv, err := bmcsim.New(&bmcsim.Options{Username: "admin", Password: "secret"})
	if err != nil {
		panic(err)
	}
	host := bmcsim.NewMemoryHost(nil)
	if err := srv.AddSystem("node1", host); err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	call := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.SetBasicAuth("admin", "secret")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		return resp
	}
	resp := call("POST", "/redfish/v1/Systems/node1/Actions/ComputerSystem.Reset", `{"ResetType":"ForceOff"}`)
	fmt.Println("reset:", resp.StatusCode)
	resp = call("POST", "/redfish/v1/Systems/node1/Actions/ComputerSystem.Reset", `{"ResetType":"Explode"}`)
	body, _ := io.ReadAll(resp.Body)
	fmt.Println("bad reset:", resp.StatusCode, strings.Contains(string(body), "ActionParameterValueNotInList"))
	fmt.Println("host:", host.Ops())
	// Output:
	// reset: 204
	// bad reset: 400 true
	// host: [off]
}
