package faultsql_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faultstore"
)

// A SQLite store commits the manager's records and gives them back after
// a restart. (fault.Open is what normally drives a store: see fault's
// example.)
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "flock-example")
	defer os.RemoveAll(dir)
	url := "sqlite://" + filepath.Join(dir, "flock.db")

	st, err := faultsql.Open(ctx, url)
	if err != nil {
		panic(err)
	}
	err = st.Commit(ctx, []faultstore.Op{
		{Kind: faultstore.PutAlarm, Seq: 1, Body: []byte(`{"alarm_id":"200.001","entity_instance_id":"host=edge-1"}`)},
		{Kind: faultstore.PutEvent, Seq: 1, Body: []byte(`{"event_log_id":"200.001","state":"set"}`)},
		{Kind: faultstore.PutEvent, Seq: 2, Body: []byte(`{"event_log_id":"200.001","state":"clear"}`)},
		{Kind: faultstore.TrimEvents, Seq: 1},
	})
	if err != nil {
		panic(err)
	}
	_ = st.Close()

	st, err = faultsql.Open(ctx, url)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	snap, err := st.Load(ctx)
	if err != nil {
		panic(err)
	}
	for _, a := range snap.Alarms {
		fmt.Printf("alarm %d: %s\n", a.Seq, a.Body)
	}
	for _, e := range snap.Events {
		fmt.Printf("event %d: %s\n", e.Seq, e.Body)
	}
	// Output:
	// alarm 1: {"alarm_id":"200.001","entity_instance_id":"host=edge-1"}
	// event 2: {"event_log_id":"200.001","state":"clear"}
}
