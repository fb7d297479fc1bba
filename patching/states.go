package patching

import (
	"maps"
	"slices"
)

// releaseTransitions is the table of release state changes: §4.2's
// (uploading → available | upload-failed; available → deploying;
// deploying → deployed | available; deployed → removing | unavailable)
// completed from USM's release_state.py, without which removing and
// committed could never be left or entered: available → unavailable (a
// major release replaced before use), deployed → committed, removing →
// available.
var releaseTransitions = map[ReleaseState][]ReleaseState{
	ReleaseUploading:    {ReleaseAvailable, ReleaseUploadFailed},
	ReleaseUploadFailed: nil,
	ReleaseAvailable:    {ReleaseDeploying, ReleaseUnavailable},
	ReleaseDeploying:    {ReleaseDeployed, ReleaseAvailable},
	ReleaseDeployed:     {ReleaseRemoving, ReleaseUnavailable, ReleaseCommitted},
	ReleaseRemoving:     {ReleaseAvailable},
	ReleaseUnavailable:  nil,
	ReleaseCommitted:    nil,
}

// ReleaseTransitions returns the table of valid release state changes
// (a copy).
func ReleaseTransitions() map[ReleaseState][]ReleaseState {
	m := maps.Clone(releaseTransitions)
	for k, v := range m {
		m[k] = slices.Clone(v)
	}
	return m
}

// ReleaseTransition returns nil when a release may go from one state to
// the other, a *FieldError for an unknown state, and a *RuleError
// (RuleReleaseTransition) otherwise.
func ReleaseTransition(from, to ReleaseState) error {
	if !from.Valid() {
		return invalid("state", "unknown release state %q", from)
	}
	if !to.Valid() {
		return invalid("state", "unknown release state %q", to)
	}
	if !slices.Contains(releaseTransitions[from], to) {
		return refuse(RuleReleaseTransition, "a release cannot go from %s to %s", from, to)
	}
	return nil
}

// Deletable reports whether a release in state s may be deleted from the
// repository: available, unavailable or upload-failed.
func (s ReleaseState) Deletable() bool {
	return s == ReleaseAvailable || s == ReleaseUnavailable || s == ReleaseUploadFailed
}

// CheckDelete returns a *RuleError (RuleDelete) unless a release in
// state s may be deleted.
func CheckDelete(id string, s ReleaseState) error {
	if !s.Deletable() {
		return refuse(RuleDelete, "release %s is %s: only available, unavailable and upload-failed releases can be deleted", id, s)
	}
	return nil
}

// CheckDeployStart returns a *RuleError (RuleDeployStart) unless a
// deployment may start towards a release in state s: available (deploy
// it) or deployed (deploy back to it, removing the newer ones).
func CheckDeployStart(id string, s ReleaseState) error {
	if s != ReleaseAvailable && s != ReleaseDeployed {
		return refuse(RuleDeployStart, "release %s is %s: deploy start needs it available or deployed", id, s)
	}
	return nil
}

// deployTransitions is USM's table (deploy_state.py), DeployNone for no
// deployment: start-failed and host-rollback-done wait for deletion
// (DeployDelete), completed may also be deleted.
var deployTransitions = map[DeployState][]DeployState{
	DeployNone:                   {DeployStart},
	DeployStart:                  {DeployStartDone, DeployStartFailed},
	DeployStartFailed:            {DeployNone},
	DeployStartDone:              {DeployHost},
	DeployHost:                   {DeployHost, DeployHostFailed, DeployHostDone, DeployHostRollback},
	DeployHostFailed:             {DeployHost, DeployHostFailed, DeployHostDone, DeployHostRollback},
	DeployHostDone:               {DeployActivate, DeployHostRollback, DeployHostFailed},
	DeployHostRollback:           {DeployHostRollback, DeployHostRollbackFailed, DeployHostRollbackDone},
	DeployHostRollbackFailed:     {DeployHostRollback, DeployHostRollbackDone},
	DeployHostRollbackDone:       {DeployNone},
	DeployActivate:               {DeployActivateDone, DeployActivateFailed},
	DeployActivateFailed:         {DeployActivate, DeployActivateRollbackPend},
	DeployActivateDone:           {DeployCompleted, DeployActivateRollbackPend},
	DeployActivateRollback:       {DeployActivateRollbackDone, DeployActivateRollbackFailed},
	DeployActivateRollbackDone:   {DeployHostRollback},
	DeployActivateRollbackFailed: {DeployActivateRollback},
	DeployActivateRollbackPend:   {DeployActivateRollback},
	DeployCompleted:              {DeployActivateRollbackPend, DeployNone},
}

// DeployTransition returns nil when the deployment may go from one
// state to the other (DeployNone: no deployment), a *FieldError for an
// unknown state, and a *RuleError (RuleDeployTransition) otherwise.
func DeployTransition(from, to DeployState) error {
	for _, s := range []DeployState{from, to} {
		if s != DeployNone && !s.Valid() {
			return invalid("state", "unknown deploy state %q", s)
		}
	}
	if !slices.Contains(deployTransitions[from], to) {
		return refuse(RuleDeployTransition, "the deployment cannot go from %s to %s", from, to)
	}
	return nil
}

// StepDeploy applies an event to the deployment's state and returns the
// new state. The event picks the target as USM's DeployState methods do
// (host and its outcomes go to the rollback states while rolling back;
// abort goes to activate-rollback-pending once activation was reached,
// to host-rollback before), then the table decides. A refused event is
// a *RuleError and the state is returned unchanged: RuleNoDeploy for a
// command without a deployment, RuleDeployExists for a second start,
// RuleDeployTransition otherwise. An unknown event or state is a
// *FieldError.
func StepDeploy(s DeployState, ev DeployEvent) (DeployState, error) {
	if s != DeployNone && !s.Valid() {
		return s, invalid("state", "unknown deploy state %q", s)
	}
	if !ev.Valid() {
		return s, invalid("event", "unknown deploy event %q", ev)
	}
	if s == DeployNone && ev != EventStart {
		return s, refuse(RuleNoDeploy, "no deployment in progress: %s needs deploy start first", ev)
	}
	if s != DeployNone && ev == EventStart {
		return s, refuse(RuleDeployExists, "a deployment exists (%s): complete or delete it first", s)
	}
	rollingBack := s == DeployHostRollback || s == DeployHostRollbackFailed || s == DeployActivateRollbackDone
	var to DeployState
	switch ev {
	case EventStart:
		to = DeployStart
	case EventStartDone:
		to = DeployStartDone
	case EventStartFailed:
		to = DeployStartFailed
	case EventHost:
		to = DeployHost
		if rollingBack {
			to = DeployHostRollback
		}
	case EventHostDone:
		to = DeployHostDone
		if s == DeployHostRollback {
			to = DeployHostRollbackDone
		}
	case EventHostFailed:
		to = DeployHostFailed
		if s == DeployHostRollback {
			to = DeployHostRollbackFailed
		}
	case EventAbort:
		to = DeployHostRollback
		if s == DeployActivateDone || s == DeployActivateFailed || s == DeployCompleted {
			to = DeployActivateRollbackPend
		}
	case EventActivate:
		to = DeployActivate
	case EventActivateDone:
		to = DeployActivateDone
	case EventActivateFailed:
		to = DeployActivateFailed
	case EventActivateRollback:
		to = DeployActivateRollback
	case EventActivateRollbackDone:
		to = DeployActivateRollbackDone
	case EventActivateRollbackFailed:
		to = DeployActivateRollbackFailed
	case EventComplete:
		to = DeployCompleted
	case EventDelete:
		to = DeployNone
	}
	if err := DeployTransition(s, to); err != nil {
		return s, refuse(RuleDeployTransition, "deploy %s refused in state %s", ev, s)
	}
	return to, nil
}

// hostTransitions is USM's table (deploy_host_state.py).
var hostTransitions = map[HostDeployState][]HostDeployState{
	HostPending:           {HostDeploying, HostRollbackDeployed},
	HostDeploying:         {HostDeployed, HostFailed},
	HostFailed:            {HostDeploying, HostRollbackDeployed, HostRollbackPending},
	HostDeployed:          {HostRollbackPending},
	HostRollbackPending:   {HostRollbackDeploying},
	HostRollbackDeploying: {HostRollbackDeployed, HostRollbackFailed},
	HostRollbackFailed:    {HostRollbackDeploying},
	HostRollbackDeployed:  nil,
}

// HostDeployTransition returns nil when a host may go from one state to
// the other, a *FieldError for an unknown state, and a *RuleError
// (RuleHostTransition) otherwise.
func HostDeployTransition(from, to HostDeployState) error {
	for _, s := range []HostDeployState{from, to} {
		if !s.Valid() {
			return invalid("state", "unknown host deploy state %q", s)
		}
	}
	if !slices.Contains(hostTransitions[from], to) {
		return refuse(RuleHostTransition, "a host cannot go from %s to %s", from, to)
	}
	return nil
}

// StepHostDeploy applies an event to a host's deploy state. A refused
// event is a *RuleError (RuleHostTransition) and the state is returned
// unchanged; an unknown one is a *FieldError.
func StepHostDeploy(s HostDeployState, ev HostDeployEvent) (HostDeployState, error) {
	if !ev.Valid() {
		return s, invalid("event", "unknown host deploy event %q", ev)
	}
	to := map[HostDeployEvent]HostDeployState{
		HostEventDeployStarted:    HostDeploying,
		HostEventDeployed:         HostDeployed,
		HostEventDeployFailed:     HostFailed,
		HostEventRollbackPending:  HostRollbackPending,
		HostEventRollbackStarted:  HostRollbackDeploying,
		HostEventRollbackDeployed: HostRollbackDeployed,
		HostEventRollbackFailed:   HostRollbackFailed,
	}[ev]
	if err := HostDeployTransition(s, to); err != nil {
		return s, err
	}
	return to, nil
}

// HostsEvent returns the deploy event that the hosts' states call for
// while the deployment is in a host phase (host, host-failed,
// host-rollback, host-rollback-failed), as USM's host_deploy_updated: a
// failed host gives EventHostFailed; else a host still pending or busy
// gives EventHost; else all hosts deployed (or all rolled back) give
// EventHostDone. ok is false when no event applies (another phase, no
// hosts, or a mix of deployed and rolled-back hosts).
func HostsEvent(s DeployState, hosts []HostDeployState) (ev DeployEvent, ok bool) {
	switch s {
	case DeployHost, DeployHostFailed, DeployHostRollback, DeployHostRollbackFailed:
	default:
		return "", false
	}
	if len(hosts) == 0 {
		return "", false
	}
	has := func(states ...HostDeployState) bool {
		for _, h := range hosts {
			if slices.Contains(states, h) {
				return true
			}
		}
		return false
	}
	all := func(st HostDeployState) bool {
		for _, h := range hosts {
			if h != st {
				return false
			}
		}
		return true
	}
	switch {
	case has(HostFailed, HostRollbackFailed):
		return EventHostFailed, true
	case has(HostPending, HostDeploying, HostRollbackPending, HostRollbackDeploying):
		return EventHost, true
	case all(HostDeployed) || all(HostRollbackDeployed):
		return EventHostDone, true
	}
	return "", false
}

// CheckHostInstall returns a *RuleError (RuleNeedsLocked) when a
// release that requires a reboot would install on an unlocked host: an
// in-service release (reboot_required N) installs on an unlocked host,
// a reboot-required one needs the host locked and takes effect at its
// next boot.
func CheckHostInstall(host string, rebootRequired, locked bool) error {
	if rebootRequired && !locked {
		return refuse(RuleNeedsLocked, "host %s must be locked: the release requires a reboot", host)
	}
	return nil
}
