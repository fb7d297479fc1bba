package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/webhook"
)

// Forward every notification to a webhook.
func Example() {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got <- r.Method }))
	defer srv.Close()
	n, _ := webhook.New(webhook.Options{URL: srv.URL})
	_ = n.Notify(context.Background(), fault.Notification{Kind: fault.NotifySet, Alarm: fault.Alarm{AlarmID: "100.101"}})
	fmt.Println(<-got)
	// Output: POST
}
