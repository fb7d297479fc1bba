package faultwal

import (
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/internal/wire"
)

// Holding the event log back. The event log is a ring (4,000 records by
// default) that the manager trims as it appends. When writes come faster
// than the applier's batches fill, a batch carries more events than the
// ring holds, and the next batch trims every one of them: writing them to
// the inner store only to delete them a batch later was half of the
// applier's row work under load. So while batches fill up, the applier
// keeps the event-log ops back (they are in the journal, so they survive a
// crash), drops what later trims delete, and writes what is left when
// the pressure ends: with the first batch that is not full, before the
// journal is reset, for Flush and Close, and at the latest after holdFor
// or maxHeldBodies. Alarms and suppressions are not held; their rows are
// independent of the event log's, so the order between the two does not
// matter to a store.
type heldEvents struct {
	b     wire.Batch // held events, oldest first, with their records
	trim  int64      // the highest trim seen since the last release
	since time.Time  // when the held events started to accumulate
}

// maxHeldBodies bounds the records held (for a very large event log).
const maxHeldBodies = 8 << 20

// holdFor is how many apply delays events may be held at most.
const holdFor = 10

// pending reports whether anything waits to be released.
func (h *heldEvents) pending() bool { return h.b.Len() > 0 || h.trim > 0 }

// take moves b's event-log ops into h; b keeps its other ops, in order.
// Events that a trim of h or b deletes are dropped.
func (h *heldEvents) take(b *wire.Batch, now time.Time) {
	for _, op := range b.Ops {
		if op.Kind == fault.OpTrimEvents {
			h.trim = max(h.trim, op.TrimSeq)
		}
	}
	n := 0
	for n < h.b.Len() && h.b.Ops[n].Event.Seq <= h.trim {
		n++
	}
	h.b.DropFirst(n)
	keep := 0
	for i, op := range b.Ops {
		switch op.Kind {
		case fault.OpAppendEvent:
			if op.Event.Seq > h.trim {
				if h.b.Len() == 0 {
					h.since = now
				}
				h.b.Add(op, b.Bodies[b.Starts[i]:b.Ends[i]])
			}
		case fault.OpTrimEvents:
		default:
			b.Ops[keep], b.Starts[keep], b.Ends[keep] = op, b.Starts[i], b.Ends[i]
			keep++
		}
	}
	clear(b.Ops[keep:])
	b.Ops, b.Starts, b.Ends = b.Ops[:keep], b.Starts[:keep], b.Ends[:keep]
}

// due reports whether the held events must go out now, whatever the load.
func (h *heldEvents) due(now time.Time, delay time.Duration) bool {
	return len(h.b.Bodies) >= maxHeldBodies || (h.b.Len() > 0 && now.Sub(h.since) >= holdFor*delay)
}

// release appends the held events and the trim to b and empties h.
func (h *heldEvents) release(b *wire.Batch) {
	b.Append(&h.b)
	if h.trim > 0 {
		b.Add(fault.Op{Kind: fault.OpTrimEvents, TrimSeq: h.trim}, nil)
	}
	h.b.Reset()
	h.trim = 0
}
