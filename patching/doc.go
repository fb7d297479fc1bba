// Package patching is StarlingX's software management (USM, the
// `software` service, and the legacy `sw-patch` states): signed release
// files, the release and deploy state machines, and the requires graph.
//
// # Release file format
//
// A release is one file, an uncompressed ustar archive whose members
// come in this order:
//
//   - metadata.yaml: the Metadata as YAML, decoded strictly by
//     ParseMetadata (unknown or repeated fields, wrong types, aliases,
//     bad ids refused with a *FieldError naming the field). reboot_required
//     is false only when it is exactly the string N, as StarlingX: any
//     other value (YAML false included) or its absence means a reboot is
//     required. Metadata.MarshalYAML writes Y and N.
//
//   - content.tar: the content tree to install under a versioned root, a
//     tar of regular files, directories and symlinks. Names are relative
//     and clean; hard links, devices, fifos, "..", absolute paths,
//     duplicates, entries under a file or a symlink, and symlinks whose
//     target leaves the tree are refused with an *EntryError naming the
//     entry ("content.tar:<name>").
//
//   - scripts/<name>: one member per script the metadata names
//     (pre_start, post_start, pre_install, post_install,
//     activation_scripts), in increasing name order, no other.
//
//   - signature: the manifest and its signature, last:
//
//     flock-release-manifest v1
//     <sha256 hex> <size> metadata.yaml
//     <sha256 hex> <size> content.tar
//     <sha256 hex> <size> scripts/<name>
//     key ed25519:<base64 public key>
//     signature <base64 Ed25519 signature of every preceding byte>
//
// Every member header is the canonical ustar header (mode 0644, owner
// 0, mtime 0, no names), padding and the two end blocks are zeros, and
// nothing follows them. With the manifest binding each member's size
// and SHA-256, a file that verifies has exactly one byte sequence:
// any change of any byte is refused, so the SHA-256 of the whole file
// (Release.Digest) is a content address.
//
// Build makes a release from a directory; Open verifies one against a
// Keyring of trusted Ed25519 keys, streaming (a 100 MiB release needs
// no 100 MiB buffer), and returns a *Release, the Payload a host
// installs. Key files hold one line: "ed25519:<base64>" for a public key,
// "ed25519-private:<base64 seed>" for a private one (GenerateKey,
// WriteKey, ReadPrivateKey, LoadKeyring).
//
// # State machines
//
// Pure functions over typed states: ReleaseTransition (release states of
// §4.2), StepDeploy and DeployTransition (deploy states), StepHostDeploy
// and HostsEvent (per-host deploy states), CheckDeployStart, CheckDelete,
// CheckHostInstall; PatchStates computes the legacy sw-patch patch
// states from the repository and what hosts report. NewGraph checks
// requires (missing ids, cycles) and answers CanDeploy, CanRemove,
// WhatRequires and Requires.
//
// # Errors
//
// Errors wrap ErrInvalid (a *FieldError or *EntryError naming the field
// or entry), ErrNotFound, ErrConflict or ErrInvalidTransition (a
// *RuleError naming the rule). A rejected release file is ErrUnsigned,
// ErrUntrusted or ErrTampered (each also ErrInvalid), or a malformed
// one's *EntryError or *FieldError.
package patching
