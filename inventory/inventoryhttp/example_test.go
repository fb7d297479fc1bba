package inventoryhttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// Serve an inventory's REST API; the client is an inventory.Service
// too, and its errors keep their sentinel and the field they name.
func Example() {
	ctx := context.Background()
	// Any inventory.Service: inventorysql.Manager in a controller; a
	// test stub here.
	var svc inventory.Service = newStub()
	srv := httptest.NewServer(inventoryhttp.NewHandler(svc, nil))
	defer srv.Close()

	var remote inventory.Service = inventoryhttp.NewClient(srv.URL, nil)
	h, _ := remote.GetHost(ctx, "worker-0")
	fmt.Println(h.Hostname, h.Personality, h.Administrative)

	_, err := remote.AddHost(ctx, inventory.HostSpec{Hostname: "worker-1", Personality: "router"})
	var fe *inventory.FieldError
	fmt.Println(errors.Is(err, inventory.ErrInvalid), errors.As(err, &fe) && fe.Field == "personality")
	// Output:
	// worker-0 worker locked
	// true true
}
