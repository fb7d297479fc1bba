package patching

import (
	"fmt"
	"slices"
	"strings"
)

type enumValues[T ~string] struct {
	field  string // JSON field name, used in errors
	values []T
}

func (e enumValues[T]) valid(v T) bool { return slices.Contains(e.values, v) }

func (e enumValues[T]) parse(v string) (T, error) {
	if e.valid(T(v)) {
		return T(v), nil
	}
	names := make([]string, len(e.values))
	for i, x := range e.values {
		names[i] = string(x)
	}
	return "", &FieldError{Field: e.field, Reason: fmt.Sprintf("%q is not one of %s", v, strings.Join(names, ", "))}
}

func (e enumValues[T]) unmarshal(p *T, b []byte) error {
	v, err := e.parse(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ReleaseState is a release's state in the repository (§4.2, USM's
// states.py).
type ReleaseState string

// Release states.
const (
	ReleaseUploading    ReleaseState = "uploading"
	ReleaseUploadFailed ReleaseState = "upload-failed"
	ReleaseAvailable    ReleaseState = "available"
	ReleaseUnavailable  ReleaseState = "unavailable"
	ReleaseDeploying    ReleaseState = "deploying"
	ReleaseDeployed     ReleaseState = "deployed"
	ReleaseRemoving     ReleaseState = "removing"
	ReleaseCommitted    ReleaseState = "committed"
)

var releaseStates = enumValues[ReleaseState]{"state", []ReleaseState{ReleaseUploading, ReleaseUploadFailed, ReleaseAvailable, ReleaseUnavailable, ReleaseDeploying, ReleaseDeployed, ReleaseRemoving, ReleaseCommitted}}

// ReleaseStates returns every release state.
func ReleaseStates() []ReleaseState { return slices.Clone(releaseStates.values) }

// Valid reports whether s is a known release state.
func (s ReleaseState) Valid() bool { return releaseStates.valid(s) }

// String returns USM's string.
func (s ReleaseState) String() string { return string(s) }

// ParseReleaseState parses a release state; a bad one is a *FieldError
// for field "state".
func ParseReleaseState(s string) (ReleaseState, error) { return releaseStates.parse(s) }

// UnmarshalText parses a release state strictly.
func (s *ReleaseState) UnmarshalText(b []byte) error { return releaseStates.unmarshal(s, b) }

// DeployState is the state of the deployment (§4.2, USM's
// deploy_state.py). DeployNone, the empty string, is no deployment.
type DeployState string

// Deploy states.
const (
	DeployNone                   DeployState = ""
	DeployStart                  DeployState = "start"
	DeployStartDone              DeployState = "start-done"
	DeployStartFailed            DeployState = "start-failed"
	DeployHost                   DeployState = "host"
	DeployHostDone               DeployState = "host-done"
	DeployHostFailed             DeployState = "host-failed"
	DeployHostRollback           DeployState = "host-rollback"
	DeployHostRollbackDone       DeployState = "host-rollback-done"
	DeployHostRollbackFailed     DeployState = "host-rollback-failed"
	DeployActivate               DeployState = "activate"
	DeployActivateDone           DeployState = "activate-done"
	DeployActivateFailed         DeployState = "activate-failed"
	DeployActivateRollback       DeployState = "activate-rollback"
	DeployActivateRollbackDone   DeployState = "activate-rollback-done"
	DeployActivateRollbackFailed DeployState = "activate-rollback-failed"
	DeployActivateRollbackPend   DeployState = "activate-rollback-pending"
	DeployCompleted              DeployState = "completed"
)

var deployStates = enumValues[DeployState]{"state", []DeployState{DeployStart, DeployStartDone, DeployStartFailed,
	DeployHost, DeployHostDone, DeployHostFailed, DeployHostRollback, DeployHostRollbackDone, DeployHostRollbackFailed,
	DeployActivate, DeployActivateDone, DeployActivateFailed, DeployActivateRollback, DeployActivateRollbackDone,
	DeployActivateRollbackFailed, DeployActivateRollbackPend, DeployCompleted}}

// DeployStates returns every deploy state (DeployNone excluded).
func DeployStates() []DeployState { return slices.Clone(deployStates.values) }

// Valid reports whether s is a known deploy state (DeployNone is not).
func (s DeployState) Valid() bool { return deployStates.valid(s) }

// String returns USM's string, "none" for DeployNone.
func (s DeployState) String() string {
	if s == DeployNone {
		return "none"
	}
	return string(s)
}

// ParseDeployState parses a deploy state; a bad one is a *FieldError
// for field "state".
func ParseDeployState(s string) (DeployState, error) { return deployStates.parse(s) }

// UnmarshalText parses a deploy state strictly; empty is DeployNone.
func (s *DeployState) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = DeployNone
		return nil
	}
	return deployStates.unmarshal(s, b)
}

// HostDeployState is one host's state in a deployment (§4.2, USM's
// deploy_host_state.py).
type HostDeployState string

// Per-host deploy states.
const (
	HostPending           HostDeployState = "pending"
	HostDeploying         HostDeployState = "deploying"
	HostDeployed          HostDeployState = "deployed"
	HostFailed            HostDeployState = "failed"
	HostRollbackPending   HostDeployState = "rollback-pending"
	HostRollbackDeploying HostDeployState = "rollback-deploying"
	HostRollbackDeployed  HostDeployState = "rollback-deployed"
	HostRollbackFailed    HostDeployState = "rollback-failed"
)

var hostDeployStates = enumValues[HostDeployState]{"state", []HostDeployState{HostPending, HostDeploying, HostDeployed, HostFailed,
	HostRollbackPending, HostRollbackDeploying, HostRollbackDeployed, HostRollbackFailed}}

// HostDeployStates returns every per-host deploy state.
func HostDeployStates() []HostDeployState { return slices.Clone(hostDeployStates.values) }

// Valid reports whether s is a known per-host deploy state.
func (s HostDeployState) Valid() bool { return hostDeployStates.valid(s) }

// String returns USM's string.
func (s HostDeployState) String() string { return string(s) }

// ParseHostDeployState parses a per-host state; a bad one is a
// *FieldError for field "state".
func ParseHostDeployState(s string) (HostDeployState, error) { return hostDeployStates.parse(s) }

// UnmarshalText parses a per-host state strictly.
func (s *HostDeployState) UnmarshalText(b []byte) error { return hostDeployStates.unmarshal(s, b) }

// DeployEvent drives the deploy state machine (StepDeploy): the
// commands of `software deploy` and the outcomes the controller observes.
type DeployEvent string

// Deploy events.
const (
	EventStart                  DeployEvent = "start"                    // deploy start
	EventStartDone              DeployEvent = "start-done"               // the start's preparation succeeded
	EventStartFailed            DeployEvent = "start-failed"             // ... failed
	EventHost                   DeployEvent = "host"                     // deploy host <h>, or a host progressing
	EventHostDone               DeployEvent = "host-done"                // every host deployed (or rolled back)
	EventHostFailed             DeployEvent = "host-failed"              // a host failed
	EventAbort                  DeployEvent = "abort"                    // deploy abort
	EventActivate               DeployEvent = "activate"                 // deploy activate
	EventActivateDone           DeployEvent = "activate-done"            // activation succeeded
	EventActivateFailed         DeployEvent = "activate-failed"          // ... failed
	EventActivateRollback       DeployEvent = "activate-rollback"        // deploy activate-rollback
	EventActivateRollbackDone   DeployEvent = "activate-rollback-done"   // activate rollback succeeded
	EventActivateRollbackFailed DeployEvent = "activate-rollback-failed" // ... failed
	EventComplete               DeployEvent = "complete"                 // deploy complete
	EventDelete                 DeployEvent = "delete"                   // deploy delete
)

var deployEvents = enumValues[DeployEvent]{"event", []DeployEvent{EventStart, EventStartDone, EventStartFailed, EventHost,
	EventHostDone, EventHostFailed, EventAbort, EventActivate, EventActivateDone, EventActivateFailed, EventActivateRollback,
	EventActivateRollbackDone, EventActivateRollbackFailed, EventComplete, EventDelete}}

// DeployEvents returns every deploy event.
func DeployEvents() []DeployEvent { return slices.Clone(deployEvents.values) }

// Valid reports whether e is a known deploy event.
func (e DeployEvent) Valid() bool { return deployEvents.valid(e) }

// String returns the event's name.
func (e DeployEvent) String() string { return string(e) }

// ParseDeployEvent parses a deploy event; a bad one is a *FieldError for
// field "event".
func ParseDeployEvent(s string) (DeployEvent, error) { return deployEvents.parse(s) }

// UnmarshalText parses a deploy event strictly.
func (e *DeployEvent) UnmarshalText(b []byte) error { return deployEvents.unmarshal(e, b) }

// HostDeployEvent drives the per-host state machine (StepHostDeploy),
// after the methods of USM's DeployHostState.
type HostDeployEvent string

// Per-host deploy events.
const (
	HostEventDeployStarted    HostDeployEvent = "deploy-started"
	HostEventDeployed         HostDeployEvent = "deployed"
	HostEventDeployFailed     HostDeployEvent = "deploy-failed"
	HostEventRollbackPending  HostDeployEvent = "rollback-pending"
	HostEventRollbackStarted  HostDeployEvent = "rollback-started"
	HostEventRollbackDeployed HostDeployEvent = "rollback-deployed"
	HostEventRollbackFailed   HostDeployEvent = "rollback-failed"
)

var hostDeployEvents = enumValues[HostDeployEvent]{"event", []HostDeployEvent{HostEventDeployStarted, HostEventDeployed,
	HostEventDeployFailed, HostEventRollbackPending, HostEventRollbackStarted, HostEventRollbackDeployed, HostEventRollbackFailed}}

// HostDeployEvents returns every per-host event.
func HostDeployEvents() []HostDeployEvent { return slices.Clone(hostDeployEvents.values) }

// Valid reports whether e is a known per-host event.
func (e HostDeployEvent) Valid() bool { return hostDeployEvents.valid(e) }

// String returns the event's name.
func (e HostDeployEvent) String() string { return string(e) }

// ParseHostDeployEvent parses a per-host event; a bad one is a
// *FieldError for field "event".
func ParseHostDeployEvent(s string) (HostDeployEvent, error) { return hostDeployEvents.parse(s) }

// UnmarshalText parses a per-host event strictly.
func (e *HostDeployEvent) UnmarshalText(b []byte) error { return hostDeployEvents.unmarshal(e, b) }

// RepoState is a legacy sw-patch patch's state in the repository (§4.1:
// the directory it sits in).
type RepoState string

// Legacy repository states.
const (
	RepoAvailable RepoState = "Available"
	RepoApplied   RepoState = "Applied"
	RepoCommitted RepoState = "Committed"
)

var repoStates = enumValues[RepoState]{"repostate", []RepoState{RepoAvailable, RepoApplied, RepoCommitted}}

// Valid reports whether s is a known repository state.
func (s RepoState) Valid() bool { return repoStates.valid(s) }

// String returns sw-patch's string.
func (s RepoState) String() string { return string(s) }

// ParseRepoState parses a repository state; a bad one is a *FieldError
// for field "repostate".
func ParseRepoState(s string) (RepoState, error) { return repoStates.parse(s) }

// UnmarshalText parses a repository state strictly.
func (s *RepoState) UnmarshalText(b []byte) error { return repoStates.unmarshal(s, b) }

// PatchState is a legacy sw-patch patch's computed state (§4.1).
type PatchState string

// Legacy computed patch states.
const (
	PatchAvailable     PatchState = "Available"
	PatchPartialApply  PatchState = "Partial-Apply"
	PatchApplied       PatchState = "Applied"
	PatchPartialRemove PatchState = "Partial-Remove"
	PatchCommitted     PatchState = "Committed"
	// PatchUnknown: no host has reported yet.
	PatchUnknown PatchState = "n/a"
)

var patchStates = enumValues[PatchState]{"patchstate", []PatchState{PatchAvailable, PatchPartialApply, PatchApplied, PatchPartialRemove, PatchCommitted, PatchUnknown}}

// Valid reports whether s is a known patch state.
func (s PatchState) Valid() bool { return patchStates.valid(s) }

// String returns sw-patch's string.
func (s PatchState) String() string { return string(s) }

// ParsePatchState parses a patch state; a bad one is a *FieldError for
// field "patchstate".
func ParsePatchState(s string) (PatchState, error) { return patchStates.parse(s) }

// UnmarshalText parses a patch state strictly.
func (s *PatchState) UnmarshalText(b []byte) error { return patchStates.unmarshal(s, b) }

// AgentState is a legacy patch agent's state on a host (§4.1
// query-hosts).
type AgentState string

// Legacy agent states.
const (
	AgentIdle            AgentState = "idle"
	AgentInstalling      AgentState = "installing"
	AgentInstallFailed   AgentState = "install-failed"
	AgentInstallRejected AgentState = "install-rejected"
)

var agentStates = enumValues[AgentState]{"state", []AgentState{AgentIdle, AgentInstalling, AgentInstallFailed, AgentInstallRejected}}

// Valid reports whether s is a known agent state.
func (s AgentState) Valid() bool { return agentStates.valid(s) }

// String returns sw-patch's string.
func (s AgentState) String() string { return string(s) }

// ParseAgentState parses an agent state; a bad one is a *FieldError for
// field "state".
func ParseAgentState(s string) (AgentState, error) { return agentStates.parse(s) }

// UnmarshalText parses an agent state strictly.
func (s *AgentState) UnmarshalText(b []byte) error { return agentStates.unmarshal(s, b) }
