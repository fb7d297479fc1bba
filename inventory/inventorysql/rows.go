package inventorysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/edgeflock/flock/inventory"
)

// Each record is stored as JSON in its row's body column, with the
// columns beside it that keys, constraints and lookups need. The id is
// the row's; the body's "id" is ignored.

// setID sets the ID field of the record p points to.
func setID(p any, id int64) {
	switch v := p.(type) {
	case *hostBody:
		v.ID = id
	case *inventory.System:
		v.ID = id
	case *inventory.Node:
		v.ID = id
	case *inventory.CPU:
		v.ID = id
	case *inventory.Memory:
		v.ID = id
	case *inventory.Disk:
		v.ID = id
	case *inventory.Partition:
		v.ID = id
	case *inventory.LVG:
		v.ID = id
	case *inventory.PV:
		v.ID = id
	case *inventory.Stor:
		v.ID = id
	case *inventory.Port:
		v.ID = id
	case *inventory.Interface:
		v.ID = id
	case *inventory.Network:
		v.ID = id
	case *inventory.AddressPool:
		v.ID = id
	case *inventory.Address:
		v.ID = id
	case *inventory.Route:
		v.ID = id
	case *inventory.DataNetwork:
		v.ID = id
	case *inventory.Label:
		v.ID = id
	case *inventory.StorageBackend:
		v.ID = id
	case *inventory.ServiceParameter:
		v.ID = id
	default:
		panic(fmt.Sprintf("inventorysql: setID of %T", p))
	}
}

// list runs q, whose rows are (id, body), and decodes each body.
func list[T any](ctx context.Context, c conn, q string, args ...any) ([]T, error) {
	return listExtra[T](ctx, c, 0, nil, q, args...)
}

// listExtra runs q, whose rows are (id, body, and n text columns), and
// decodes each body, then hands it and the text columns to fix.
func listExtra[T any](ctx context.Context, c conn, n int, fix func(*T, []string), q string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	var id int64
	var body []byte
	extra := make([]sql.NullString, n)
	dest := []any{&id, &body}
	for i := range extra {
		dest = append(dest, &extra[i])
	}
	strs := make([]string, n)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, fmt.Errorf("decode record %d: %w", id, err)
		}
		setID(&v, id)
		if fix != nil {
			for i, e := range extra {
				strs[i] = e.String
			}
			fix(&v, strs)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// byHost returns the WHERE clause that keeps one host's rows of table
// alias a (none for hostID 0, every host) and its arguments.
func byHost(a string, hostID int64) (string, []any) {
	if hostID == 0 {
		return "", nil
	}
	return " WHERE " + a + ".host_id = ?", []any{hostID}
}

// one runs q, whose row is (id, body), and decodes it; sql.ErrNoRows if
// there is none.
func one[T any](ctx context.Context, c conn, q string, args ...any) (T, error) {
	var v T
	var id int64
	var body []byte
	if err := c.queryRow(ctx, q, args...).Scan(&id, &body); err != nil {
		return v, err
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return v, fmt.Errorf("decode record %d: %w", id, err)
	}
	setID(&v, id)
	return v, nil
}

// body encodes a record for the body column.
func body(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("inventorysql: encode %T: %v", v, err)) // the types are plain data
	}
	return string(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// now is the time records are stamped with: UTC, to the microsecond
// (what PostgreSQL keeps).
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// idArg returns name as an id if it is a decimal number, -1 otherwise.
func idArg(name string) int64 {
	id, err := strconv.ParseInt(name, 10, 64)
	if err != nil || id <= 0 {
		return -1
	}
	return id
}

// nullable returns nil for "", so unique columns hold NULL when empty.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID returns nil for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// scanStrings runs q, whose rows are (id, string), into a map of lists.
func scanPairs(ctx context.Context, c conn, q string, args ...any) (map[int64][]string, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var s sql.NullString
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		out[id] = append(out[id], s.String)
	}
	return out, rows.Err()
}

func itoa(i int) string { return strconv.Itoa(i) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
