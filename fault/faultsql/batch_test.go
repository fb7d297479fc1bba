package faultsql_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faultsql"
	"github.com/edgeflock/flock/fault/faulttest"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// TestCommitBatchWritesTheJournaledBodies: a record handed over encoded is
// stored as those bytes (the journal's copy, not a second encoding), and
// records without a body, and ops without a record, still land.
func TestCommitBatchWritesTheJournaledBodies(t *testing.T) {
	st, err := faultsql.Open(t.Context(), sqliteURL(t))
	require.NoError(t, err)
	defer st.Close()
	ts := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	a := &fault.StoredAlarm{Alarm: faulttest.CPUAlarm("controller-0", fault.SeverityMajor), Seq: 1}
	a.UUID, a.Timestamp = "a1", ts
	journaled := *a
	journaled.ReasonText = "as the journal wrote it"
	b := &fault.StoredAlarm{Alarm: faulttest.LockedAlarm("controller-1"), Seq: 2}
	b.UUID, b.Timestamp = "b2", ts
	ev := func(seq int64) *fault.Event {
		return &fault.Event{UUID: "e", EventLogID: "100.101", State: fault.StateSet, EntityInstanceID: "host=controller-0",
			Timestamp: ts, Severity: fault.SeverityMajor, Seq: seq}
	}

	var batch wire.Batch
	batch.Add(fault.Op{Kind: fault.OpPutAlarm, Alarm: a}, wire.AppendStored(nil, &journaled))
	batch.Add(fault.Op{Kind: fault.OpAppendEvent, Event: ev(1)}, wire.AppendEvent(nil, ev(1)))
	batch.Add(fault.Op{Kind: fault.OpAppendEvent, Event: ev(2)}, wire.AppendEvent(nil, ev(2)))
	batch.Add(fault.Op{Kind: fault.OpTrimEvents, TrimSeq: 1}, nil)
	batch.Add(fault.Op{Kind: fault.OpPutAlarm, Alarm: b}, nil)
	require.NoError(t, st.CommitBatch(t.Context(), &batch))

	snap, err := st.Load(t.Context())
	require.NoError(t, err)
	require.Len(t, snap.Alarms, 2)
	assert.Equal(t, "as the journal wrote it", snap.Alarms[0].ReasonText, "the journaled body is what is stored")
	assert.Equal(t, "a1", snap.Alarms[0].UUID)
	assert.Equal(t, b.ReasonText, snap.Alarms[1].ReasonText, "a record without a body is encoded")
	require.Len(t, snap.Events, 1, "the trim applies")
	assert.Equal(t, int64(2), snap.Events[0].Seq)
}
