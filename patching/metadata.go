package patching

import "io"

// Metadata is a release's metadata (§4.2's release metadata, the fields
// that apply outside ostree), the YAML document metadata.yaml of a
// release file. Field names are StarlingX's.
type Metadata struct {
	// ID names the release ("stx-10.0.1", "FLOCK-2026.12-PATCH_0001").
	ID string `yaml:"id" json:"id"`
	// SWVersion is the software version it belongs to ("10.0.1").
	SWVersion string `yaml:"sw_version" json:"sw_version"`
	// Component is the component it updates (empty: the platform).
	Component string `yaml:"component" json:"component,omitempty"`
	// Status is REL, DEV or OBS.
	Status                 string `yaml:"status" json:"status"`
	Summary                string `yaml:"summary" json:"summary"`
	Description            string `yaml:"description" json:"description"`
	InstallInstructions    string `yaml:"install_instructions" json:"install_instructions"`
	Warnings               string `yaml:"warnings" json:"warnings"`
	Unremovable            bool   `yaml:"unremovable" json:"unremovable"`
	ApplyActiveReleaseOnly bool   `yaml:"apply_active_release_only" json:"apply_active_release_only"`
	// RebootRequired is true unless the file says exactly "N" (as
	// StarlingX); an in-service release (false) installs on an unlocked
	// host.
	RebootRequired bool `yaml:"reboot_required" json:"reboot_required"`
	// Requires are the ids of the releases that must be deployed first.
	Requires []string `yaml:"requires" json:"requires,omitempty"`
	// The scripts, by file name inside the release's scripts/ directory.
	PreStart          string   `yaml:"pre_start" json:"pre_start,omitempty"`
	PostStart         string   `yaml:"post_start" json:"post_start,omitempty"`
	PreInstall        string   `yaml:"pre_install" json:"pre_install,omitempty"`
	PostInstall       string   `yaml:"post_install" json:"post_install,omitempty"`
	ActivationScripts []string `yaml:"activation_scripts" json:"activation_scripts,omitempty"`
}

// Payload is what a host installs: a release's metadata, its content
// tree and its scripts, already verified (signature and digests). The
// controller's repository and the host's installer meet here.
type Payload interface {
	// Meta returns the release's metadata.
	Meta() Metadata
	// OpenContent returns the content tree as a tar stream: regular
	// files and directories (and symlinks that stay inside the tree),
	// paths relative to the versioned root, already checked against
	// path traversal.
	OpenContent() (io.ReadCloser, error)
	// Script returns the script named by the metadata (PreInstall ...).
	Script(name string) ([]byte, error)
}
