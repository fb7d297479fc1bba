package patching

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

const baseMeta = "id: R1\nsw_version: '10.0'\nstatus: DEV\n"

func TestRebootRequired(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"", true},
		{"reboot_required: N\n", false},
		{"reboot_required: \"N\"\n", false},
		{"reboot_required: 'N'\n", false},
		{"reboot_required: Y\n", true},
		{"reboot_required: n\n", true},
		{"reboot_required: no\n", true},
		{"reboot_required: false\n", true},
		{"reboot_required: \"N \"\n", true},
		{"reboot_required:\n", true},
		{"reboot_required: 0\n", true},
	} {
		t.Run(tc.line, func(t *testing.T) {
			m, err := ParseMetadata([]byte(baseMeta + tc.line))
			require.NoError(t, err)
			assert.Equal(t, tc.want, m.RebootRequired)
		})
	}
}

func TestParseMetadataRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, doc, field string
	}{
		{"unknown field", baseMeta + "prepatched_iso: N\n", "prepatched_iso"},
		{"repeated field", baseMeta + "id: R2\n", "id"},
		{"id list", "id: [a]\nsw_version: '1'\nstatus: REL\n", "id"},
		{"id charset", "id: a/b\nsw_version: '1'\nstatus: REL\n", "id"},
		{"id too long", "id: " + string(make70()) + "\nsw_version: '1'\nstatus: REL\n", "id"},
		{"id missing", "sw_version: '1'\nstatus: REL\n", "id"},
		{"sw_version", "id: a\nsw_version: ten\nstatus: REL\n", "sw_version"},
		{"status", "id: a\nsw_version: '1'\nstatus: NEW\n", "status"},
		{"requires scalar", baseMeta + "requires: R0\n", "requires"},
		{"requires bad id", baseMeta + "requires: [R0, ../x]\n", "requires[1]"},
		{"requires self", baseMeta + "requires: [R1]\n", "requires[0]"},
		{"requires twice", baseMeta + "requires: [R0, R0]\n", "requires[1]"},
		{"requires mapping item", baseMeta + "requires: [{a: b}]\n", "requires[0]"},
		{"unremovable", baseMeta + "unremovable: maybe\n", "unremovable"},
		{"reboot_required list", baseMeta + "reboot_required: [N]\n", "reboot_required"},
		{"script name", baseMeta + "pre_install: ../x.sh\n", "pre_install"},
		{"activation twice", baseMeta + "activation_scripts: [a, a]\n", "activation_scripts[1]"},
		{"alias", "id: &x R1\nsw_version: '1'\nstatus: REL\nsummary: *x\n", "id"},
		{"binary tag", baseMeta + "summary: !!binary aGk=\n", "summary"},
		{"not a mapping", "- a\n", "metadata.yaml"},
		{"two documents", baseMeta + "---\nid: R2\n", "metadata.yaml"},
		{"empty", "", "metadata.yaml"},
		{"syntax", "id: [\n", "metadata.yaml"},
		{"key not a string", baseMeta + "1: a\n", "metadata.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMetadata([]byte(tc.doc))
			var fe *FieldError
			require.ErrorAs(t, err, &fe, "%v", err)
			assert.Equal(t, tc.field, fe.Field, "%v", err)
			assert.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func make70() []byte {
	b := make([]byte, 70)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

func TestMetadataRoundTrip(t *testing.T) {
	m := Metadata{ID: "R2", SWVersion: "10.0.1", Component: "kernel", Status: StatusReleased, Summary: "s: with colon",
		Description: "multi\nline", Warnings: "true", Unremovable: true, RebootRequired: false, Requires: []string{"R1", "R0"},
		PreStart: "a.sh", PostInstall: "b.sh", ActivationScripts: []string{"01.sh", "02.sh"}}
	b, err := yaml.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), "reboot_required: N\n")
	got, err := ParseMetadata(b)
	require.NoError(t, err)
	assert.Equal(t, m, got)
	var viaUnmarshal Metadata
	require.NoError(t, yaml.Unmarshal(b, &viaUnmarshal))
	assert.Equal(t, m, viaUnmarshal)
	assert.Equal(t, []string{"01.sh", "02.sh", "a.sh", "b.sh"}, m.ScriptNames())
}

func TestKeys(t *testing.T) {
	d := t.TempDir()
	k, err := GenerateKey(nil)
	require.NoError(t, err)
	require.NoError(t, WriteKey(filepath.Join(d, "signer"), k))
	got, err := ReadPrivateKey(filepath.Join(d, "signer"))
	require.NoError(t, err)
	assert.True(t, k.Equal(got))
	st, err := os.Stat(filepath.Join(d, "signer"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	require.NoError(t, os.WriteFile(filepath.Join(d, "README"), []byte("not a key"), 0o644))
	kr, err := LoadKeyring(d)
	require.NoError(t, err)
	require.Len(t, kr, 1)
	assert.True(t, kr["signer"].Equal(k.Public()))

	pub := FormatPublicKey(k.Public().(ed25519.PublicKey))
	for _, bad := range []string{"", "ed25519:", "rsa:" + pub[8:], pub + "=", pub + "\n\n", "ed25519:" + pub[9:]} {
		_, err := ParsePublicKey([]byte(bad))
		assert.ErrorIs(t, err, ErrInvalid, "%q", bad)
	}
	require.NoError(t, os.WriteFile(filepath.Join(d, "broken.pub"), []byte("ed25519:AAAA"), 0o644))
	_, err = LoadKeyring(d)
	assert.ErrorContains(t, err, "broken.pub")
	_, err = ParsePrivateKey([]byte(pub))
	assert.ErrorIs(t, err, ErrInvalid)
}
