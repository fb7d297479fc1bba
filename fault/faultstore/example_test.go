package faultstore_test

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/fault/faultstore"
)

func ExampleMemoryStore() {
	ctx := context.Background()
	s := faultstore.NewMemoryStore()
	_ = s.Commit(ctx, []faultstore.Op{
		{Kind: faultstore.PutAlarm, Seq: 1, Body: []byte(`{"alarm_id":"100.101"}`)},
		{Kind: faultstore.PutEvent, Seq: 1, Body: []byte(`{"event_log_id":"100.101"}`)},
	})
	snap, _ := s.Load(ctx)
	fmt.Println(len(snap.Alarms), string(snap.Alarms[0].Body))
	// Output: 1 {"alarm_id":"100.101"}
}
