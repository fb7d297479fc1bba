package faulthttp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
	"github.com/edgeflock/flock/fault/faultstore"
)

// Serve a manager's REST API; the client is a fault.Service too, and its
// errors are the same sentinels.
func Example() {
	ctx := context.Background()
	m, _ := fault.Open(ctx, faultstore.NewMemoryStore(), nil)
	defer m.Close(ctx)
	srv := httptest.NewServer(faulthttp.NewHandler(m, nil))
	defer srv.Close()

	var svc fault.Service = faulthttp.NewClient(srv.URL, nil)
	_, err := svc.GetAlarm(ctx, "00000000-0000-4000-8000-000000000000")
	fmt.Println(errors.Is(err, fault.ErrNotFound))
	// Output: true
}
