package patchinghttp_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/patchinghttp"
	"github.com/edgeflock/flock/patching/patchingtest"
)

func requireFieldOrNil(t *testing.T, err error) {
	if err == nil {
		return
	}
	_, ok := errors.AsType[*patching.FieldError](err)
	require.True(t, ok, "%T: %v", err, err)
	require.ErrorIs(t, err, patching.ErrInvalid)
}

func FuzzParseDeployRequest(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"releases":["R-1"],"force":"true"}`, `{"releases":"R-1"}`, `{"force":1}`, `[`, `{"releases":null}`} {
		f.Add("", s)
		f.Add("R-1", s)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		id, _, err := patchinghttp.ParseDeployRequest(path, []byte(body))
		requireFieldOrNil(t, err)
		if err == nil {
			require.NoError(t, patching.CheckID("releases", id))
		}
	})
}

func FuzzParseHostStatus(f *testing.F) {
	for _, s := range []string{`{"running":"R-1","state":"idle"}`, `{"state":"install-failed","reason":"x","action":"install","release_id":"R-1"}`, `{}`, `{"state":1}`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		st, err := patchinghttp.ParseHostStatus([]byte(body))
		requireFieldOrNil(t, err)
		if err == nil {
			require.True(t, st.State.Valid())
		}
	})
}

func FuzzParseListQuery(f *testing.F) {
	for _, s := range []string{"", "show=available", "show=x", "release=1.0&show=deployed", "a=b", "show=a&show=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		st, err := patchinghttp.ParseListQuery(q)
		requireFieldOrNil(t, err)
		if err == nil && st != "" {
			require.True(t, st.Valid())
		}
	})
}

func FuzzParseUploadType(f *testing.F) {
	for _, s := range []string{"", "multipart/form-data; boundary=x", "application/octet-stream", "text/plain", "multipart/form-data", ";;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		mt, params, err := patchinghttp.ParseUploadType(ct)
		requireFieldOrNil(t, err)
		if err == nil && mt == "multipart/form-data" {
			require.NotEmpty(t, params["boundary"])
		}
	})
}

func FuzzParseLegacyIDs(f *testing.F) {
	for _, s := range []string{"P-1/P-2", "--all", "", "../x", "a//b/", "P-1/--all/P-1"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, path string, allowAll bool) {
		ids, _, err := patchinghttp.ParseLegacyIDs(path, allowAll)
		if err != nil {
			patchingtest.RequireField(t, err, "patch_id")
			return
		}
		for _, id := range ids {
			if patching.CheckID("patch_id", id) != nil {
				t.Fatalf("accepted bad id %q", id)
			}
		}
	})
}

func FuzzParseLegacyQuery(f *testing.F) {
	for _, s := range []string{"show=applied&release=1.0", "recursive=yes", "removeunremovable=yes&skipappcheck=no", "x=1", "show=a&show=b", "%zz"} {
		f.Add("query", s)
		f.Add("remove", s)
	}
	f.Fuzz(func(t *testing.T, verb, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := patchinghttp.ParseLegacyQuery(verb, q); err != nil && !errors.Is(err, patching.ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
	})
}
