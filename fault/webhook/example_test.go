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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Method + " " + r.Header.Get("Authorization")
	}))
	defer srv.Close()
	n, err := webhook.New(srv.URL, &webhook.Options{Headers: map[string]string{"Authorization": "Bearer s3cret"}})
	if err != nil {
		panic(err)
	}
	err = n.Notify(context.Background(), fault.Notification{Kind: fault.NotifySet, Alarm: fault.Alarm{AlarmID: "100.101"}})
	fmt.Println(<-got, err)
	// Output: POST Bearer s3cret <nil>
}
