package inventory_test

import (
	"bytes"
	"os"
	"path/filepath"
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
