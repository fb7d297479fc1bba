package faultsql

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
)

// eventSlots is the store's index of its event rows: which slot (the
// table's key) holds which event. The manager's event log is a ring that
// drops its oldest event as it appends one; the table follows it by
// writing the new event over the slot of the one a trim removed, so the
// steady state is one in-place update per event and no delete. The store
// does not know the log's size (it may change between runs): slots are
// its own, taken from trimmed rows first, then new.
type eventSlots struct {
	bySeq map[int64]int64 // seq -> slot
	order []slotOf        // by seq, from head on
	head  int
	next  int64 // the lowest slot number never used
	stale bool  // a commit failed: reload before the next plan
}

type slotOf struct{ seq, slot int64 }

// noSlot marks an event a plan does not write: a repeat of one before it
// in the same commit.
const noSlot = -1

// load reads the index from the table.
func (x *eventSlots) load(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, `SELECT slot, seq FROM fault_event ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	*x = eventSlots{bySeq: map[int64]int64{}, order: x.order[:0]}
	for rows.Next() {
		var e slotOf
		if err := rows.Scan(&e.slot, &e.seq); err != nil {
			return err
		}
		x.bySeq[e.seq] = e.slot
		x.order = append(x.order, e)
		x.next = max(x.next, e.slot+1)
	}
	return rows.Err()
}

// plan appends to slots a slot for each of seqs (the events newer than
// trim that a commit writes, in order; noSlot for a repeat), and to drop
// the slots of trimmed events that none of them takes, whose rows are to
// be deleted. It changes nothing; done does once the transaction has
// committed.
func (x *eventSlots) plan(trim int64, seqs, slots, drop []int64) ([]int64, []int64) {
	released := x.head
	for released < len(x.order) && x.order[released].seq <= trim {
		released++
	}
	free := x.order[x.head:released]
	fresh := x.next
	last := int64(-1 << 63)
	for k, seq := range seqs {
		if seq <= last { // out of order: maybe a repeat within this commit
			if slices.Contains(seqs[:k], seq) {
				slots = append(slots, noSlot) // written once, by the first
				continue
			}
		}
		last = max(last, seq)
		if slot, ok := x.bySeq[seq]; ok && seq > trim {
			slots = append(slots, slot) // a replay: the same row again
		} else if len(free) > 0 {
			slots = append(slots, free[0].slot)
			free = free[1:]
		} else {
			slots = append(slots, fresh)
			fresh++
		}
	}
	for _, e := range free {
		drop = append(drop, e.slot)
	}
	return slots, drop
}

// done records a committed plan.
func (x *eventSlots) done(trim int64, seqs, slots []int64) {
	for x.head < len(x.order) && x.order[x.head].seq <= trim {
		delete(x.bySeq, x.order[x.head].seq)
		x.head++
	}
	if x.head > len(x.order)/2 { // keep the live part at the front
		x.order = x.order[:copy(x.order, x.order[x.head:])]
		x.head = 0
	}
	for i, seq := range seqs {
		if _, ok := x.bySeq[seq]; ok || slots[i] == noSlot {
			continue
		}
		x.bySeq[seq] = slots[i]
		x.next = max(x.next, slots[i]+1)
		e := slotOf{seq: seq, slot: slots[i]}
		if n := len(x.order); n == 0 || x.order[n-1].seq < seq {
			x.order = append(x.order, e)
		} else { // a replay of an older event: keep the order by seq
			i, _ := slices.BinarySearchFunc(x.order[x.head:], seq, func(e slotOf, seq int64) int { return cmp.Compare(e.seq, seq) })
			x.order = slices.Insert(x.order, x.head+i, e)
		}
	}
}
