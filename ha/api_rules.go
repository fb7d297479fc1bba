package ha

// Rules of a swact (§3.7); RuleError.Rule is one of these when CheckSwact
// or an API's Swact refuses. A forced swact skips every pre-check rule
// (all but RuleSwactFailed).
const (
	// RuleSwactNoPeer: there is no other node to swact to, StarlingX's
	// error code -1002 (ERR_CODE_NO_HOST_TO_SWACT_TO, "no peer
	// available").
	RuleSwactNoPeer = "swact-no-peer"
	// RuleSwactNotActive: the node holds no N + M service group active
	// or going active, so there is nothing to move away from it.
	RuleSwactNotActive = "swact-not-active"
	// RuleSwactTargetLocked: the node that would take the services is
	// locked ("controller-1 is not ready to take service, controller-1
	// is locked").
	RuleSwactTargetLocked = "swact-target-locked"
	// RuleSwactTargetDisabled: the node that would take the services is
	// disabled.
	RuleSwactTargetDisabled = "swact-target-disabled"
	// RuleSwactTransitioning: a service group is transitioning: its
	// desired state differs from its state, or on the target it is
	// neither active nor standby and differs from the source ("services
	// transitioning state").
	RuleSwactTransitioning = "swact-transitioning"
	// RuleSwactTargetUnhealthy: a service group on the target is failed,
	// or degraded (syncing data, data outdated ...) and could not take
	// service.
	RuleSwactTargetUnhealthy = "swact-target-unhealthy"
	// RuleSwactFailed: the swact was started but did not complete: a
	// group did not go active on the target (the services stay where
	// SM's recovery puts them).
	RuleSwactFailed = "swact-failed"
)
