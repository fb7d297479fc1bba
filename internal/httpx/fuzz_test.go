package httpx_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/httpx"
)

type fuzzOp struct {
	Op    string          `json:"op"`
	Value string          `json:"value"`
	Flag  bool            `json:"flag"`
	Extra json.RawMessage `json:"extra,omitempty"`
}

type fuzzBody struct {
	fuzzOp
	Ops []fuzzOp `json:"ops"`
	N   int      `json:"n"`
}

// FuzzUnmarshal: whatever the input, Unmarshal accepts only valid JSON in
// valid UTF-8, and refuses with a field error that names a field in
// JSON's words.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{"op":"x","ops":[{"value":"y"}],"n":1}`, `{"extra":{"a":"\ud83d\ude00"}}`,
		`{"op":"\ud800"}`, `{"OP":"x"}`, "{\"op\":\"\xff\"}", `{"ops":{}}`, `[]`, `{"flag":"true"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzBody
		err := table.Unmarshal(data, &v)
		if err == nil {
			require.True(t, json.Valid(data))
			require.True(t, utf8.Valid(data))
			for _, s := range []string{v.Op, v.Value} {
				if strings.ContainsRune(s, utf8.RuneError) {
					require.Contains(t, string(data), "\uFFFD", "U+FFFD only where the input wrote one")
				}
			}
			return
		}
		var fe httpx.FieldNamer
		require.ErrorAs(t, err, &fe)
		field, _ := fe.InvalidField()
		require.NotEmpty(t, field)
		require.ErrorIs(t, err, table.Invalid)
		for _, goWord := range []string{"httpx_test", "fuzzOp", "fuzzBody", "json.RawMessage", "[]"} {
			require.NotContains(t, err.Error(), goWord)
		}
	})
}
