package faulthttp

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseISOTime(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	for in, want := range map[string]time.Time{
		"20160131 10:23:45":                utc(2016, 1, 31, 10, 23, 45, 0), // fm event-list --help
		"20171225":                         utc(2017, 12, 25, 0, 0, 0, 0),   // fm event-list --help
		"2016":                             utc(2016, 1, 1, 0, 0, 0, 0),
		"2016-02":                          utc(2016, 2, 1, 0, 0, 0, 0),
		"2016-2-9":                         utc(2016, 2, 9, 0, 0, 0, 0),
		"2016-01-31T10:23:45":              utc(2016, 1, 31, 10, 23, 45, 0),
		"2016-01-31T10:23:45.123456":       utc(2016, 1, 31, 10, 23, 45, 123456000),
		"2016-01-31T10:23:45,5":            utc(2016, 1, 31, 10, 23, 45, 500000000),
		"2016-01-31T10:23:45.123456789123": utc(2016, 1, 31, 10, 23, 45, 123456789),
		"2016-01-31T10:23:45Z":             utc(2016, 1, 31, 10, 23, 45, 0),
		"2016-01-31T10:23:45+02:00":        utc(2016, 1, 31, 8, 23, 45, 0),
		"2016-01-31T10:23:45-0130":         utc(2016, 1, 31, 11, 53, 45, 0),
		"2016-01-31T10:23:45+02":           utc(2016, 1, 31, 8, 23, 45, 0),
		"20160131T102345Z":                 utc(2016, 1, 31, 10, 23, 45, 0),
		"2016-01-31 10":                    utc(2016, 1, 31, 10, 0, 0, 0),
		"2016-01-31T10:23":                 utc(2016, 1, 31, 10, 23, 0, 0),
		"2016-02-29":                       utc(2016, 2, 29, 0, 0, 0, 0),
		time.Date(2024, 5, 1, 10, 23, 45, 123456000, time.UTC).Format(time.RFC3339Nano): utc(2024, 5, 1, 10, 23, 45, 123456000),
	} {
		got, err := parseISOTime(in)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), "%s: got %s want %s", in, got, want)
		assert.Equal(t, time.UTC, got.Location(), in)
	}
	for _, in := range []string{"", "201601", "2016-13-01", "2015-02-29", "2016-01-32", "2016-01-31T24:00:00",
		"2016-01-31T10:60", "2016-01-31T10:23:61", "0000-01-01", "yesterday", "2016-01-31T10:23:45+25:00",
		" 2016", "2016-01-31T", "2016-01-31T10:23:45.", "16-01-31", "2016-01-31T1"} {
		_, err := parseISOTime(in)
		assert.Error(t, err, in)
	}
}

// FuzzParseISOTime: whatever it accepts is a real date and time, and the
// canonical form of an accepted time parses back to itself.
func FuzzParseISOTime(f *testing.F) {
	for _, s := range []string{"20160131 10:23:45", "20171225", "2016-01-31T10:23:45.123456+02:00", "2016-2-9", "201601"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseISOTime(s)
		if err != nil {
			return
		}
		require.Equal(t, time.UTC, got.Location())
		back, err := parseISOTime(got.Format("2006-01-02T15:04:05.999999999Z"))
		require.NoError(t, err)
		require.True(t, got.Equal(back))
		if len(s) == 8 && strings.Trim(s, "0123456789") == "" { // YYYYMMDD: the date is what it says, never normalised
			require.Equal(t, s, got.Format("20060102"))
		}
	})
}
