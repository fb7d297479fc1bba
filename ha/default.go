package ha

import (
	"bytes"
	_ "embed"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the text of Flock's default model, for operators
// to start their own from.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// DefaultModel returns Flock's own controller services as StarlingX's
// seed would describe them: domain "controller" with groups
// oam-services (the floating OAM address), controller-services (the
// floating management address, the database and stx-controller's API,
// which goes active only after both addresses and the database) and
// directory-services (active on both controllers). Each call returns a
// new Model.
func DefaultModel() *Model {
	m, err := LoadModel(bytes.NewReader(defaultYAML))
	if err != nil {
		panic("ha: the embedded default model is invalid: " + err.Error())
	}
	return m
}
