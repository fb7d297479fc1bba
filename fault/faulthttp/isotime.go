package faulthttp

import (
	"errors"
	"regexp"
	"strconv"
	"time"
)

// isoTime is the ISO 8601 subset that StarlingX's event log takes in its
// start and end filters (oslo's parse_isotime, by the iso8601 library):
// "2016", "2016-01", "2016-01-31", "20160131", then optionally 'T' or ' '
// and "10", "10:23", "10:23:45", "102345", a fraction after '.' or ',',
// and a zone "Z", "+02", "+0200" or "+02:00". fm's help gives
// "20160131 10:23:45" and "20171225".
var isoTime = regexp.MustCompile(`^([0-9]{4})(?:(?:-([0-9]{1,2})|([0-9]{2}))(?:(?:-([0-9]{1,2})|([0-9]{2}))` +
	`(?:[ T]([0-9]{2})(?::?([0-9]{2}))?(?::?([0-9]{1,2})(?:[.,]([0-9]+))?)?(Z|([-+])([0-9]{2}):?([0-9]{2})?)?)?)?)?$`)

// ParseTime parses a start or end filter of the event log as StarlingX
// does (see the package doc): "20160131 10:23:45", "20171225",
// "2016-01-31T10:23:45.5+02:00" ... The result is in UTC.
func ParseTime(s string) (time.Time, error) { return parseISOTime(s) }

// parseISOTime parses a start or end filter. A time without a zone is
// UTC, as StarlingX stores its timestamps; a time with one is converted
// to UTC (StarlingX drops the zone and reads the clock time as UTC).
func parseISOTime(s string) (time.Time, error) {
	m := isoTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, errors.New("not an ISO 8601 date or time")
	}
	if m[3] != "" && m[4] == "" && m[5] == "" {
		return time.Time{}, errors.New("YYYYMM is not a date: write YYYY-MM")
	}
	num := func(ss ...string) int {
		for _, s := range ss {
			if s != "" {
				n, _ := strconv.Atoi(s) // digits only, at most 4 of them
				return n
			}
		}
		return -1
	}
	year, month, day := num(m[1]), num(m[2], m[3]), num(m[4], m[5])
	if month < 0 {
		month = 1
	}
	if day < 0 {
		day = 1
	}
	hour, minute, sec := max(num(m[6]), 0), max(num(m[7]), 0), max(num(m[8]), 0)
	nsec := 0
	if f := m[9]; f != "" {
		f = (f + "000000000")[:9]
		nsec, _ = strconv.Atoi(f)
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, errors.New("date or time out of range")
	}
	loc := time.UTC
	if m[10] != "" && m[10] != "Z" {
		zh, zm := num(m[12]), max(num(m[13]), 0)
		if zh > 23 || zm > 59 {
			return time.Time{}, errors.New("zone offset out of range")
		}
		off := zh*3600 + zm*60
		if m[11] == "-" {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC()
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, errors.New("date out of range")
	}
	return t, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
