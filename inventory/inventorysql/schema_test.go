package inventorysql

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostQueriesUseAnIndex: every table with a host_id has an index
// that starts with it, and SQLite's plan for one host's rows searches
// it instead of scanning the table.
func TestHostQueriesUseAnIndex(t *testing.T) {
	m, err := OpenMemory(t.Context(), nil)
	require.NoError(t, err)
	defer m.Close()
	ctx := t.Context()
	rows, err := m.db.QueryContext(ctx, `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'host_id' AND m.name <> 'inv_host_config'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	require.Len(t, tables, 16)
	for _, table := range tables {
		var plan strings.Builder
		rows, err := m.db.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT * FROM `+table+` t WHERE t.host_id = ?`, 1)
		require.NoError(t, err)
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan.WriteString(detail + "\n")
		}
		require.NoError(t, rows.Err())
		assert.Contains(t, plan.String(), "USING", "%s: %s", table, plan.String())
		assert.Contains(t, plan.String(), "host_id=?", "%s: %s", table, plan.String())
	}
}

// TestRebootBit: the bit is the top bit of the UUID's first byte.
func TestRebootBit(t *testing.T) {
	h := hostBody{}
	h.ConfigTarget = "8a1f0000-0000-4000-8000-000000000000"
	h.Agent = true
	assert.True(t, h.view().RebootNeeded)
	h.ConfigTarget = "7a1f0000-0000-4000-8000-000000000000"
	assert.False(t, h.view().RebootNeeded)
	assert.Equal(t, "Config out-of-date", h.view().ConfigStatus)
}
