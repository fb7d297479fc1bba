package ipmibmc

import (
	"math"
	"testing"
)

// FuzzParseRecord: any SDR bytes and reading decode without a panic,
// and a sensor the engine keeps is a valid one.
func FuzzParseRecord(f *testing.F) {
	for _, rec := range [][]byte{sdrCPUTemp, sdr12V, sdrPower, sdr12V[:20], {0, 0, 0x51, 1, 0}} {
		f.Add(rec, byte(45), byte(0))
	}
	f.Fuzz(func(t *testing.T, rec []byte, raw, bits byte) {
		r, ok, err := parseRecord(rec)
		if err != nil || !ok {
			return
		}
		rd := reading{raw: raw, unavailable: bits&0x40 != 0, unc: bits&1 != 0, ucr: bits&2 != 0, lnc: bits&4 != 0, lcr: bits&8 != 0}
		s := r.sensor(rd, r.sdrThresholds())
		if s.Name == "" || !s.Type.Valid() || !s.Status.Valid() || s.Units == "" {
			t.Fatalf("invalid sensor %+v", s)
		}
		if math.IsNaN(s.Reading) && s.Status != "unknown" {
			t.Logf("NaN reading %+v", s)
		}
	})
}

// FuzzAppendChunk: partial reads never grow a record past its header's
// length, and an empty chunk ends the read.
func FuzzAppendChunk(f *testing.F) {
	f.Add(sdr12V[:3], sdr12V[3:30])
	f.Add([]byte{}, []byte{0, 0, 0x51, 1, 0xff})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		data, want := []byte(nil), 5
		for _, c := range [][]byte{a, b} {
			var done bool
			data, want, done = appendChunk(data, want, c)
			if done != (len(c) == 0) {
				t.Fatalf("done %v for a chunk of %d bytes", done, len(c))
			}
			if len(data) > want || want > 5+255 {
				t.Fatalf("%d bytes of a record of %d", len(data), want)
			}
		}
	})
}
