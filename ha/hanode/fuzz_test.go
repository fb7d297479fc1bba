package hanode

import (
	"encoding/json"
	"testing"

	"github.com/edgeflock/flock/ha"
)

// FuzzDecodeReport: any payload either decodes into a report whose
// failover part is a valid peer-state and whose groups' states are
// valid, or is refused whole; a decoded report encodes and decodes back
// to itself.
func FuzzDecodeReport(f *testing.F) {
	f.Add([]byte(`{"r":{"kind":"peer-state","role":"active","elects":"controller-0","seq":3,"ack":2},"g":[{"n":"oam-services","d":"active","s":"active"}]}`))
	f.Add([]byte(`{"g":[{"n":"x","d":"standby","s":"go-standby","st":"degraded","c":"action-failure"}]}`))
	f.Add([]byte(`{"r":{"kind":"timer"}}`))
	f.Add([]byte(`{"r":{"kind":"peer-state","role":"boss"}}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeReport(b)
		if err != nil {
			return
		}
		if r.R != nil && (r.R.Kind != ha.FailoverPeerState || !r.R.Role.Valid()) {
			t.Fatalf("accepted %+v", r.R)
		}
		for _, g := range r.G {
			if !g.State.Valid() || !g.Desired.Valid() {
				t.Fatalf("accepted group %+v", g)
			}
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := decodeReport(out)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		out2, _ := json.Marshal(r2)
		if string(out) != string(out2) {
			t.Fatalf("round trip %s != %s", out, out2)
		}
	})
}
