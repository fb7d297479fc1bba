package hostmgmthttp_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmthttp"
)

// Host maintenance sits in front of the inventory's handler: StarlingX's
// system CLI locks and unlocks through sysinv's PATCH, and the client is
// a hostmgmt.Service whose refusals keep their rule and reason.
func Example() {
	ctx := context.Background()
	// Any hostmgmt.Service (the controller's manager; a test fake here)
	// and the inventory's handler (inventoryhttp.NewHandler; a stand-in).
	mtce := newFakeMtce()
	var inventoryAPI http.Handler = &fakeInventory{mtce: mtce}
	srv := httptest.NewServer(hostmgmthttp.NewHandler(mtce, inventoryAPI, nil))
	defer srv.Close()

	// What `system host-unlock worker-0` sends; the answer is the host.
	req, _ := http.NewRequest("PATCH", srv.URL+"/v1/ihosts/worker-0",
		strings.NewReader(`[{"op":"replace","path":"/action","value":"unlock"}]`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	var host struct{ Hostname, Administrative, Task string }
	_ = json.NewDecoder(resp.Body).Decode(&host)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, host.Hostname, host.Administrative, host.Task)

	var remote hostmgmt.Service = hostmgmthttp.NewClient(srv.URL, nil)
	_, err = remote.Act(ctx, "controller-0", hostmgmt.ActionLock)
	var re *hostmgmt.RuleError
	fmt.Println(errors.Is(err, hostmgmt.ErrInvalidTransition), errors.As(err, &re) && re.Rule == hostmgmt.RuleActiveController)
	fmt.Println(re.Reason)
	// Output:
	// 200 worker-0 unlocked Rebooting
	// true true
	// controller-0 : Rejected: Can not lock an active controller.
}
