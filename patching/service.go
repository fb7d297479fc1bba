package patching

import (
	"context"
	"io"
	"time"
)

// Service is software management's controller API: StarlingX's USM
// `software` verbs (§4.2) over the release repository and the one
// deploy in progress, plus the legacy `sw-patch` views computed from
// the same repository. patchingsql.Manager implements it over SQLite or
// PostgreSQL; patchinghttp carries it over USM's REST paths (its Client
// implements it too); patchingtest has a fake and the conformance suite.
//
// Errors wrap ErrInvalid (a *FieldError naming the field, or a release
// file refused: unsigned, tampered, untrusted, malformed),
// ErrInvalidTransition (a *RuleError naming the rule), ErrNotFound or
// ErrConflict.
type Service interface {
	// Upload reads a release file, verifies it against the controller's
	// keyring and its requires against the repository (missing ids,
	// cycles), and stores it (content-addressed: the same file twice is
	// the same release, uploaded once). A release id already present
	// with other content is ErrConflict.
	Upload(ctx context.Context, r io.Reader) (ReleaseInfo, error)
	// ListReleases returns the releases, in id order; a non-empty state
	// keeps only those in it.
	ListReleases(ctx context.Context, state ReleaseState) ([]ReleaseInfo, error)
	// GetRelease returns one release.
	GetRelease(ctx context.Context, id string) (ReleaseInfo, error)
	// DeleteRelease removes a release in available, unavailable or
	// upload-failed, refused while a deployed release requires it.
	DeleteRelease(ctx context.Context, id string) error

	// Precheck runs the deploy pre-checks Flock can answer for release
	// id and reports each (hosts provisioned, unlocked and enabled,
	// configuration current, no management-affecting alarm, the release
	// deployable: its requires deployed, a valid path, disk on hosts).
	Precheck(ctx context.Context, id string) (Precheck, error)
	// DeployStart starts deploying release id (from available or
	// deployed, with its requires deployed and the pre-checks passing).
	DeployStart(ctx context.Context, id string, force bool) (Deploy, error)
	// DeployHost tells host's agent to install the release being
	// deployed. A reboot-required release needs the host locked.
	DeployHost(ctx context.Context, host string, force bool) (HostDeploy, error)
	// DeployHostRollback tells host's agent to go back to the release it
	// ran before the deploy.
	DeployHostRollback(ctx context.Context, host string) (HostDeploy, error)
	// DeployActivate, DeployActivateRollback, DeployComplete and
	// DeployAbort move the deploy as §4.2 says; DeployDelete removes a
	// completed (or fully rolled back) deploy.
	DeployActivate(ctx context.Context) (Deploy, error)
	DeployActivateRollback(ctx context.Context) (Deploy, error)
	DeployComplete(ctx context.Context) (Deploy, error)
	DeployAbort(ctx context.Context) (Deploy, error)
	DeployDelete(ctx context.Context) error
	// ShowDeploy returns the deploy in progress (ErrNotFound if none).
	ShowDeploy(ctx context.Context) (Deploy, error)
	// ListDeployHosts returns every host's deploy state, in name order.
	ListDeployHosts(ctx context.Context) ([]HostDeploy, error)

	// Assignment is what host's agent must run now (its host link): the
	// release and its content, or nothing.
	Assignment(ctx context.Context, host string) (Assignment, error)
	// ReportHost takes in what host's agent did: the release it runs and
	// the outcome of the last install or rollback.
	ReportHost(ctx context.Context, host string, st HostStatus) error
}

// ReleaseInfo is a release as `software list` and `software show` see
// it.
type ReleaseInfo struct {
	Metadata
	State ReleaseState `json:"state"`
	// Digest is the release file's SHA-256 (its content address), Size
	// its length, Signer the name of the key that signed it.
	Digest     string    `json:"digest"`
	Size       int64     `json:"size"`
	Signer     string    `json:"signer"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// Precheck is the outcome of `software deploy precheck`: one line per
// check, and whether all passed.
type Precheck struct {
	ReleaseID string         `json:"release_id"`
	OK        bool           `json:"system_healthy"`
	Checks    []PrecheckLine `json:"checks"`
}

// PrecheckLine is one check, in StarlingX's words.
type PrecheckLine struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Deploy is the deploy in progress (`software deploy show`).
type Deploy struct {
	FromRelease    string      `json:"from_release"`
	ToRelease      string      `json:"to_release"`
	State          DeployState `json:"state"`
	RebootRequired bool        `json:"reboot_required"`
	// Reason says why the last step failed, if it did.
	Reason string `json:"reason,omitempty"`
}

// HostDeploy is one host in the deploy (`software deploy host-list`).
type HostDeploy struct {
	Hostname       string          `json:"hostname"`
	FromRelease    string          `json:"software_release"`
	ToRelease      string          `json:"target_release"`
	RebootRequired bool            `json:"reboot_required"`
	State          HostDeployState `json:"host_state"`
	// Reason is the last failure's message and script output tail.
	Reason string `json:"reason,omitempty"`
}

// Assignment is a host's instruction: install ReleaseID (its file at
// ContentPath on the controller, with Digest), or roll back to it, or
// nothing (empty ReleaseID).
type Assignment struct {
	Action    HostAction `json:"action,omitempty"`
	ReleaseID string     `json:"release_id,omitempty"`
	Digest    string     `json:"digest,omitempty"`
	// ContentPath is the path of the release file under the controller's
	// base URL ("/v1/content/<digest>").
	ContentPath    string `json:"content_path,omitempty"`
	RebootRequired bool   `json:"reboot_required,omitempty"`
}

// HostAction is what an Assignment asks.
type HostAction string

// The host actions.
const (
	ActionNone     HostAction = ""
	ActionInstall  HostAction = "install"
	ActionRollback HostAction = "rollback"
)

// HostStatus is a host agent's report.
type HostStatus struct {
	// Running is the release id the host's active version is (empty: the
	// base install); Pending one installed that takes effect at the next
	// boot.
	Running string `json:"running"`
	Pending string `json:"pending,omitempty"`
	// State is the agent's legacy state (idle, installing,
	// install-failed, install-rejected).
	State AgentState `json:"state"`
	// Reason explains a failure (the step, the script's output tail).
	Reason string `json:"reason,omitempty"`
	// Action and ReleaseID: the assignment the report answers.
	Action    HostAction `json:"action,omitempty"`
	ReleaseID string     `json:"release_id,omitempty"`
}
