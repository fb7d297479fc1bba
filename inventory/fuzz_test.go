package inventory_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/edgeflock/flock/inventory"
)

// FuzzParseBulkXML: the parser never panics, and what it accepts
// exports and parses back to the same hosts (less the password and the
// power-on request, which an export does not carry).
func FuzzParseBulkXML(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "bulkxml", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"<hosts/>",
		"<hosts><host><personality>worker</personality><mgmt_mac>08-00-27-00-00-01</mgmt_mac><location/></host></hosts>",
		"<hosts><host><personality>storage</personality><mgmt_mac>08:00:27:00:00:01</mgmt_mac><bm_ip>::ffff:10.0.0.1</bm_ip><power_on/></host></hosts>",
		"<hosts><host><hostname>a</hostname><personality>edgeworker</personality><mgmt_mac>08:00:27:00:00:01</mgmt_mac><tboot>x</tboot></host></hosts>",
		"<hosts><host><personality>worker</personality><mgmt_mac>08:00:27:00:00:01</mgmt_mac><console><![CDATA[&<]]></console></host></hosts>",
		"<!DOCTYPE x><hosts/>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		specs, err := inventory.ParseBulkXML(bytes.NewReader(data))
		if err != nil {
			assert.ErrorIs(t, err, inventory.ErrInvalid)
			return
		}
		again, out := roundTrip(t, specs)
		assert.Equal(t, exportedSpecs(specs), again, "export:\n%s", out)
	})
}

// FuzzParseCPUList: the parser never panics, refuses with a field error
// naming cpulist, and what it accepts is at most 4096 CPUs, none
// negative, that print back to a list parsing to the same CPUs.
func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0", "0-3,8", "7,15", "3-1", "-1", "0-4095", "0-99999999999", "1,,2", " 4 , 5-6 ", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := inventory.ParseCPUList(s)
		if err != nil {
			var fe *inventory.FieldError
			if assert.ErrorAs(t, err, &fe) {
				assert.Equal(t, "cpulist", fe.Field)
			}
			return
		}
		assert.LessOrEqual(t, len(cpus), 4096)
		parts := make([]string, len(cpus))
		for i, n := range cpus {
			assert.GreaterOrEqual(t, n, 0)
			parts[i] = strconv.Itoa(n)
		}
		again, err := inventory.ParseCPUList(strings.Join(parts, ","))
		assert.NoError(t, err)
		assert.Equal(t, cpus, again)
	})
}
