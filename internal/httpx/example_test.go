package httpx_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/edgeflock/flock/internal/httpx"
)

// A service maps its sentinels to statuses once; the server writes its
// errors with the table, and a client decodes them back to the same
// sentinels.
func Example() {
	errNotFound := errors.New("not found")
	table := &httpx.Errors{Mappings: []httpx.Mapping{{Err: errNotFound, Code: "not_found", Status: http.StatusNotFound}}}
	h := httpx.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		table.Write(w, r, nil, fmt.Errorf("alarm 42: %w", errNotFound))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/alarms/42", nil))
	err := table.Decode(rec.Result())
	fmt.Println(rec.Code, errors.Is(err, errNotFound), rec.Header().Get(httpx.RequestIDHeader) != "")
	// Output: 404 true true
}
