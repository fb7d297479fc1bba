package ha

// The enums of §3.3, all with the same pattern.

import "slices"

// ServiceState is a service's state on one node (SM_SERVICE_STATE_*).
type ServiceState string

// ServiceState values.
const (
	ServiceInitial          ServiceState = "initial"
	ServiceUnknown          ServiceState = "unknown"
	ServiceEnabledStandby   ServiceState = "enabled-standby"
	ServiceEnabledGoStandby ServiceState = "enabled-go-standby"
	ServiceEnabledGoActive  ServiceState = "enabled-go-active"
	ServiceEnabledActive    ServiceState = "enabled-active"
	ServiceEnabling         ServiceState = "enabling"
	// ServiceEnablingThrottle: waiting for a free enable slot (ENABLING_THROTTLE); StepService does not enter it.
	ServiceEnablingThrottle ServiceState = "enabling-throttle"
	ServiceDisabling        ServiceState = "disabling"
	ServiceDisabled         ServiceState = "disabled"
	ServiceShutdown         ServiceState = "shutdown"
)

var serviceStateValues = enumValues[ServiceState]{"state", []ServiceState{ServiceInitial, ServiceUnknown, ServiceEnabledStandby, ServiceEnabledGoStandby, ServiceEnabledGoActive, ServiceEnabledActive, ServiceEnabling, ServiceEnablingThrottle, ServiceDisabling, ServiceDisabled, ServiceShutdown}}

// Valid reports whether s is one of the ServiceState values.
func (s ServiceState) Valid() bool { return serviceStateValues.valid(s) }

// String returns StarlingX's string.
func (s ServiceState) String() string { return string(s) }

// ParseServiceState parses s; a bad one is a *FieldError for field "state".
func ParseServiceState(s string) (ServiceState, error) { return serviceStateValues.parse(s) }

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *ServiceState) UnmarshalText(b []byte) error { return serviceStateValues.unmarshal(s, b) }

// AllServiceStates returns every ServiceState value.
func AllServiceStates() []ServiceState { return slices.Clone(serviceStateValues.values) }

// GroupState is a service group's state on one node (SM_SERVICE_GROUP_STATE_*). "failed" is a Status, not a state.
type GroupState string

// GroupState values.
const (
	GroupInitial       GroupState = "initial"
	GroupUnknown       GroupState = "unknown"
	GroupStandby       GroupState = "standby"
	GroupGoStandby     GroupState = "go-standby"
	GroupGoActive      GroupState = "go-active"
	GroupActive        GroupState = "active"
	GroupDisabling     GroupState = "disabling"
	GroupDisabled      GroupState = "disabled"
	GroupShutdown      GroupState = "shutdown"
	GroupNotApplicable GroupState = "not-applicable"
)

var groupStateValues = enumValues[GroupState]{"state", []GroupState{GroupInitial, GroupUnknown, GroupStandby, GroupGoStandby, GroupGoActive, GroupActive, GroupDisabling, GroupDisabled, GroupShutdown, GroupNotApplicable}}

// Valid reports whether g is one of the GroupState values.
func (g GroupState) Valid() bool { return groupStateValues.valid(g) }

// String returns StarlingX's string.
func (g GroupState) String() string { return string(g) }

// ParseGroupState parses s; a bad one is a *FieldError for field "state".
func ParseGroupState(s string) (GroupState, error) { return groupStateValues.parse(s) }

// UnmarshalText parses g strictly; a bad value is a *FieldError.
func (g *GroupState) UnmarshalText(b []byte) error { return groupStateValues.unmarshal(g, b) }

// AllGroupStates returns every GroupState value.
func AllGroupStates() []GroupState { return slices.Clone(groupStateValues.values) }

// Status is the status of a service group or a service (SM_SERVICE_GROUP_STATUS_*; services use the same strings). The empty status means healthy.
type Status string

// Status values.
const (
	StatusNone     Status = ""
	StatusWarn     Status = "warn"
	StatusDegraded Status = "degraded"
	StatusFailed   Status = "failed"
)

var statusValues = enumValues[Status]{"status", []Status{StatusNone, StatusWarn, StatusDegraded, StatusFailed}}

// Valid reports whether s is one of the Status values.
func (s Status) Valid() bool { return statusValues.valid(s) }

// String returns StarlingX's string.
func (s Status) String() string { return string(s) }

// ParseStatus parses s; a bad one is a *FieldError for field "status".
func ParseStatus(s string) (Status, error) { return statusValues.parse(s) }

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *Status) UnmarshalText(b []byte) error { return statusValues.unmarshal(s, b) }

// AllStatuses returns every Status value.
func AllStatuses() []Status { return slices.Clone(statusValues.values) }

// Condition qualifies a Status (SM_SERVICE_GROUP_CONDITION_*; services use the same strings). The empty condition means none.
type Condition string

// Condition values.
const (
	ConditionNone             Condition = ""
	ConditionDataInconsistent Condition = "data-inconsistent"
	ConditionDataOutdated     Condition = "data-outdated"
	ConditionDataConsistent   Condition = "data-consistent"
	ConditionDataSyncing      Condition = "data-syncing"
	ConditionDataStandalone   Condition = "data-standalone"
	// ConditionRecoveryFailure: more failures than max_failures within the countdown.
	ConditionRecoveryFailure Condition = "recovery-failure"
	// ConditionActionFailure: an action failed or timed out after its retries.
	ConditionActionFailure Condition = "action-failure"
	// ConditionFatalFailure: an action's plugin reported a fatal result.
	ConditionFatalFailure   Condition = "fatal-failure"
	ConditionFDLimitReached Condition = "FD-limit-reached"
)

var conditionValues = enumValues[Condition]{"condition", []Condition{ConditionNone, ConditionDataInconsistent, ConditionDataOutdated, ConditionDataConsistent, ConditionDataSyncing, ConditionDataStandalone, ConditionRecoveryFailure, ConditionActionFailure, ConditionFatalFailure, ConditionFDLimitReached}}

// Valid reports whether c is one of the Condition values.
func (c Condition) Valid() bool { return conditionValues.valid(c) }

// String returns StarlingX's string.
func (c Condition) String() string { return string(c) }

// ParseCondition parses s; a bad one is a *FieldError for field "condition".
func ParseCondition(s string) (Condition, error) { return conditionValues.parse(s) }

// UnmarshalText parses c strictly; a bad value is a *FieldError.
func (c *Condition) UnmarshalText(b []byte) error { return conditionValues.unmarshal(c, b) }

// AllConditions returns every Condition value.
func AllConditions() []Condition { return slices.Clone(conditionValues.values) }

// GroupAction is an action on a service group (SM_SERVICE_GROUP_ACTION_*).
type GroupAction string

// GroupAction values.
const (
	GroupActionDisable   GroupAction = "disable"
	GroupActionGoActive  GroupAction = "go-active"
	GroupActionGoStandby GroupAction = "go-standby"
	GroupActionAudit     GroupAction = "audit"
	GroupActionRecover   GroupAction = "recover"
)

var groupActionValues = enumValues[GroupAction]{"action", []GroupAction{GroupActionDisable, GroupActionGoActive, GroupActionGoStandby, GroupActionAudit, GroupActionRecover}}

// Valid reports whether g is one of the GroupAction values.
func (g GroupAction) Valid() bool { return groupActionValues.valid(g) }

// String returns StarlingX's string.
func (g GroupAction) String() string { return string(g) }

// ParseGroupAction parses s; a bad one is a *FieldError for field "action".
func ParseGroupAction(s string) (GroupAction, error) { return groupActionValues.parse(s) }

// UnmarshalText parses g strictly; a bad value is a *FieldError.
func (g *GroupAction) UnmarshalText(b []byte) error { return groupActionValues.unmarshal(g, b) }

// AllGroupActions returns every GroupAction value.
func AllGroupActions() []GroupAction { return slices.Clone(groupActionValues.values) }

// ActionName names a service action (SERVICE_ACTIONS.ACTION); each has its own plugin.
type ActionName string

// ActionName values.
const (
	ActionEnable    ActionName = "enable"
	ActionDisable   ActionName = "disable"
	ActionGoActive  ActionName = "go-active"
	ActionGoStandby ActionName = "go-standby"
	// ActionAuditEnabled: monitor while enabled.
	ActionAuditEnabled ActionName = "audit-enabled"
	// ActionAuditDisabled: monitor while disabled.
	ActionAuditDisabled ActionName = "audit-disabled"
)

var actionNameValues = enumValues[ActionName]{"action", []ActionName{ActionEnable, ActionDisable, ActionGoActive, ActionGoStandby, ActionAuditEnabled, ActionAuditDisabled}}

// Valid reports whether a is one of the ActionName values.
func (a ActionName) Valid() bool { return actionNameValues.valid(a) }

// String returns StarlingX's string.
func (a ActionName) String() string { return string(a) }

// ParseActionName parses s; a bad one is a *FieldError for field "action".
func ParseActionName(s string) (ActionName, error) { return actionNameValues.parse(s) }

// UnmarshalText parses a strictly; a bad value is a *FieldError.
func (a *ActionName) UnmarshalText(b []byte) error { return actionNameValues.unmarshal(a, b) }

// AllActionNames returns every ActionName value.
func AllActionNames() []ActionName { return slices.Clone(actionNameValues.values) }

// ServiceEventKind names an input of StepService (SM_SERVICE_EVENT_*), plus Flock's timer.
type ServiceEventKind string

// ServiceEventKind values.
const (
	// EventEnable: command: enable the service.
	EventEnable ServiceEventKind = "enable"
	// EventGoActive: command.
	EventGoActive ServiceEventKind = "go-active"
	// EventGoStandby: command.
	EventGoStandby ServiceEventKind = "go-standby"
	// EventDisable: command.
	EventDisable ServiceEventKind = "disable"
	// EventAudit: command: run the audit now.
	EventAudit            ServiceEventKind = "audit"
	EventEnableSuccess    ServiceEventKind = "enable-success"
	EventEnableFailed     ServiceEventKind = "enable-failed"
	EventEnableTimeout    ServiceEventKind = "enable-timeout"
	EventGoActiveSuccess  ServiceEventKind = "go-active-success"
	EventGoActiveFailed   ServiceEventKind = "go-active-failed"
	EventGoActiveTimeout  ServiceEventKind = "go-active-timeout"
	EventGoStandbySuccess ServiceEventKind = "go-standby-success"
	EventGoStandbyFailed  ServiceEventKind = "go-standby-failed"
	EventGoStandbyTimeout ServiceEventKind = "go-standby-timeout"
	EventDisableSuccess   ServiceEventKind = "disable-success"
	EventDisableFailed    ServiceEventKind = "disable-failed"
	EventDisableTimeout   ServiceEventKind = "disable-timeout"
	// EventAuditSuccess: the audit ran; ServiceEvent.State is what it found.
	EventAuditSuccess ServiceEventKind = "audit-success"
	// EventAuditFailed: the audit could not tell.
	EventAuditFailed  ServiceEventKind = "audit-failed"
	EventAuditTimeout ServiceEventKind = "audit-timeout"
	// EventAuditMismatch: the service is not in the state it should be in (one bad audit).
	EventAuditMismatch    ServiceEventKind = "audit-mismatch"
	EventHeartbeatOkay    ServiceEventKind = "heartbeat-okay"
	EventHeartbeatWarn    ServiceEventKind = "heartbeat-warn"
	EventHeartbeatDegrade ServiceEventKind = "heartbeat-degrade"
	EventHeartbeatFail    ServiceEventKind = "heartbeat-fail"
	EventProcessFailure   ServiceEventKind = "process-failure"
	EventShutdown         ServiceEventKind = "shutdown"
	// EventRecover: Flock: clear a failed service's failures (the group's recover action).
	EventRecover ServiceEventKind = "recover"
	// EventTimer: Flock: a deadline of the state (ServiceRun.NextDeadline) has passed.
	EventTimer ServiceEventKind = "timer"
)

var serviceEventKindValues = enumValues[ServiceEventKind]{"kind", []ServiceEventKind{EventEnable, EventGoActive, EventGoStandby, EventDisable, EventAudit, EventEnableSuccess, EventEnableFailed, EventEnableTimeout, EventGoActiveSuccess, EventGoActiveFailed, EventGoActiveTimeout, EventGoStandbySuccess, EventGoStandbyFailed, EventGoStandbyTimeout, EventDisableSuccess, EventDisableFailed, EventDisableTimeout, EventAuditSuccess, EventAuditFailed, EventAuditTimeout, EventAuditMismatch, EventHeartbeatOkay, EventHeartbeatWarn, EventHeartbeatDegrade, EventHeartbeatFail, EventProcessFailure, EventShutdown, EventRecover, EventTimer}}

// Valid reports whether s is one of the ServiceEventKind values.
func (s ServiceEventKind) Valid() bool { return serviceEventKindValues.valid(s) }

// String returns StarlingX's string.
func (s ServiceEventKind) String() string { return string(s) }

// ParseServiceEventKind parses s; a bad one is a *FieldError for field "kind".
func ParseServiceEventKind(s string) (ServiceEventKind, error) {
	return serviceEventKindValues.parse(s)
}

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *ServiceEventKind) UnmarshalText(b []byte) error {
	return serviceEventKindValues.unmarshal(s, b)
}

// AllServiceEventKinds returns every ServiceEventKind value.
func AllServiceEventKinds() []ServiceEventKind { return slices.Clone(serviceEventKindValues.values) }

// ActionResult is the outcome of a plugin run (SM_SERVICE_ACTION_RESULT_*).
type ActionResult string

// ActionResult values.
const (
	ResultSuccess ActionResult = "success"
	// ResultFatal: retrying cannot help (bad configuration, missing program).
	ResultFatal   ActionResult = "fatal"
	ResultFailed  ActionResult = "failed"
	ResultTimeout ActionResult = "timeout"
)

var actionResultValues = enumValues[ActionResult]{"result", []ActionResult{ResultSuccess, ResultFatal, ResultFailed, ResultTimeout}}

// Valid reports whether a is one of the ActionResult values.
func (a ActionResult) Valid() bool { return actionResultValues.valid(a) }

// String returns StarlingX's string.
func (a ActionResult) String() string { return string(a) }

// ParseActionResult parses s; a bad one is a *FieldError for field "result".
func ParseActionResult(s string) (ActionResult, error) { return actionResultValues.parse(s) }

// UnmarshalText parses a strictly; a bad value is a *FieldError.
func (a *ActionResult) UnmarshalText(b []byte) error { return actionResultValues.unmarshal(a, b) }

// AllActionResults returns every ActionResult value.
func AllActionResults() []ActionResult { return slices.Clone(actionResultValues.values) }

// FailureImpact is what a failed member does to its group (SERVICE_FAILURE_IMPACT): critical fails it, major degrades it, minor warns.
type FailureImpact string

// FailureImpact values.
const (
	ImpactNone     FailureImpact = "none"
	ImpactMinor    FailureImpact = "minor"
	ImpactMajor    FailureImpact = "major"
	ImpactCritical FailureImpact = "critical"
)

var failureImpactValues = enumValues[FailureImpact]{"service_failure_impact", []FailureImpact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical}}

// Valid reports whether f is one of the FailureImpact values.
func (f FailureImpact) Valid() bool { return failureImpactValues.valid(f) }

// String returns StarlingX's string.
func (f FailureImpact) String() string { return string(f) }

// ParseFailureImpact parses s; a bad one is a *FieldError for field "service_failure_impact".
func ParseFailureImpact(s string) (FailureImpact, error) { return failureImpactValues.parse(s) }

// UnmarshalText parses f strictly; a bad value is a *FieldError.
func (f *FailureImpact) UnmarshalText(b []byte) error { return failureImpactValues.unmarshal(f, b) }

// AllFailureImpacts returns every FailureImpact value.
func AllFailureImpacts() []FailureImpact { return slices.Clone(failureImpactValues.values) }

// RedundancyModel is a service group's redundancy in its domain (REDUNDANCY_MODEL). 1+1 is N + M with n_active 1 and m_standby 1.
type RedundancyModel string

// RedundancyModel values.
const (
	RedundancyNone RedundancyModel = "none"
	// RedundancyN: N active, no standby.
	RedundancyN RedundancyModel = "N"
	// RedundancyNPlusM: N active, M standby.
	RedundancyNPlusM RedundancyModel = "N + M"
	RedundancyNTo1   RedundancyModel = "N to 1"
	RedundancyNToN   RedundancyModel = "N to N"
)

var redundancyModelValues = enumValues[RedundancyModel]{"redundancy_model", []RedundancyModel{RedundancyNone, RedundancyN, RedundancyNPlusM, RedundancyNTo1, RedundancyNToN}}

// Valid reports whether r is one of the RedundancyModel values.
func (r RedundancyModel) Valid() bool { return redundancyModelValues.valid(r) }

// String returns StarlingX's string.
func (r RedundancyModel) String() string { return string(r) }

// ParseRedundancyModel parses s; a bad one is a *FieldError for field "redundancy_model".
func ParseRedundancyModel(s string) (RedundancyModel, error) { return redundancyModelValues.parse(s) }

// UnmarshalText parses r strictly; a bad value is a *FieldError.
func (r *RedundancyModel) UnmarshalText(b []byte) error { return redundancyModelValues.unmarshal(r, b) }

// AllRedundancyModels returns every RedundancyModel value.
func AllRedundancyModels() []RedundancyModel { return slices.Clone(redundancyModelValues.values) }

// DependencyType is the kind of a service dependency (DEPENDENCY_TYPE).
type DependencyType string

// DependencyType values.
const (
	// DependencyAction: the service's action waits for the dependent's state.
	DependencyAction DependencyType = "action"
	// DependencyState: the service enters its state only with the dependent in its state.
	DependencyState DependencyType = "state"
)

var dependencyTypeValues = enumValues[DependencyType]{"type", []DependencyType{DependencyAction, DependencyState}}

// Valid reports whether d is one of the DependencyType values.
func (d DependencyType) Valid() bool { return dependencyTypeValues.valid(d) }

// String returns StarlingX's string.
func (d DependencyType) String() string { return string(d) }

// ParseDependencyType parses s; a bad one is a *FieldError for field "type".
func ParseDependencyType(s string) (DependencyType, error) { return dependencyTypeValues.parse(s) }

// UnmarshalText parses d strictly; a bad value is a *FieldError.
func (d *DependencyType) UnmarshalText(b []byte) error { return dependencyTypeValues.unmarshal(d, b) }

// AllDependencyTypes returns every DependencyType value.
func AllDependencyTypes() []DependencyType { return slices.Clone(dependencyTypeValues.values) }

// PluginType is how an action runs (PLUGIN_TYPE).
type PluginType string

// PluginType values.
const (
	// PluginOCFScript: exec plugin_command with plugin_parameters as OCF_RESKEY_* and the OCF verb; exit codes as in OCFResult.
	PluginOCFScript PluginType = "ocf-script"
	// PluginSystemd: start/stop/is-active of the unit plugin_name (D-Bus or systemctl).
	PluginSystemd PluginType = "systemd"
	// PluginGo: a Go function registered by the embedding program under plugin_name.
	PluginGo PluginType = "go"
	// PluginIP: Flock's floating address: added/removed with netlink plus a gratuitous ARP.
	PluginIP PluginType = "ip"
)

var pluginTypeValues = enumValues[PluginType]{"plugin_type", []PluginType{PluginOCFScript, PluginSystemd, PluginGo, PluginIP}}

// Valid reports whether p is one of the PluginType values.
func (p PluginType) Valid() bool { return pluginTypeValues.valid(p) }

// String returns StarlingX's string.
func (p PluginType) String() string { return string(p) }

// ParsePluginType parses s; a bad one is a *FieldError for field "plugin_type".
func ParsePluginType(s string) (PluginType, error) { return pluginTypeValues.parse(s) }

// UnmarshalText parses p strictly; a bad value is a *FieldError.
func (p *PluginType) UnmarshalText(b []byte) error { return pluginTypeValues.unmarshal(p, b) }

// AllPluginTypes returns every PluginType value.
func AllPluginTypes() []PluginType { return slices.Clone(pluginTypeValues.values) }

// ServiceKind is what a service is. Flock's; StarlingX expresses a floating address as an IPaddr2 OCF service.
type ServiceKind string

// ServiceKind values.
const (
	// KindProcess: anything run by its actions' plugins (the default).
	KindProcess ServiceKind = "process"
	// KindIP: a floating address (the service's ip block); its actions default to plugin_type ip.
	KindIP ServiceKind = "ip"
)

var serviceKindValues = enumValues[ServiceKind]{"kind", []ServiceKind{KindProcess, KindIP}}

// Valid reports whether s is one of the ServiceKind values.
func (s ServiceKind) Valid() bool { return serviceKindValues.valid(s) }

// String returns StarlingX's string.
func (s ServiceKind) String() string { return string(s) }

// ParseServiceKind parses s; a bad one is a *FieldError for field "kind".
func ParseServiceKind(s string) (ServiceKind, error) { return serviceKindValues.parse(s) }

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *ServiceKind) UnmarshalText(b []byte) error { return serviceKindValues.unmarshal(s, b) }

// AllServiceKinds returns every ServiceKind value.
func AllServiceKinds() []ServiceKind { return slices.Clone(serviceKindValues.values) }

// SplitBrainRecovery is a domain's choice when both nodes are active (SPLIT_BRAIN_RECOVERY).
type SplitBrainRecovery string

// SplitBrainRecovery values.
const (
	SplitBrainSelectBestActive SplitBrainRecovery = "select-best-active"
	SplitBrainDisableAllActive SplitBrainRecovery = "disable-all-active"
)

var splitBrainRecoveryValues = enumValues[SplitBrainRecovery]{"split_brain_recovery", []SplitBrainRecovery{SplitBrainSelectBestActive, SplitBrainDisableAllActive}}

// Valid reports whether s is one of the SplitBrainRecovery values.
func (s SplitBrainRecovery) Valid() bool { return splitBrainRecoveryValues.valid(s) }

// String returns StarlingX's string.
func (s SplitBrainRecovery) String() string { return string(s) }

// ParseSplitBrainRecovery parses s; a bad one is a *FieldError for field "split_brain_recovery".
func ParseSplitBrainRecovery(s string) (SplitBrainRecovery, error) {
	return splitBrainRecoveryValues.parse(s)
}

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *SplitBrainRecovery) UnmarshalText(b []byte) error {
	return splitBrainRecoveryValues.unmarshal(s, b)
}

// AllSplitBrainRecoverys returns every SplitBrainRecovery value.
func AllSplitBrainRecoverys() []SplitBrainRecovery {
	return slices.Clone(splitBrainRecoveryValues.values)
}

// AdminState is a node's administrative state (§3.3 node).
type AdminState string

// AdminState values.
const (
	AdminLocked   AdminState = "locked"
	AdminUnlocked AdminState = "unlocked"
)

var adminStateValues = enumValues[AdminState]{"administrative_state", []AdminState{AdminLocked, AdminUnlocked}}

// Valid reports whether a is one of the AdminState values.
func (a AdminState) Valid() bool { return adminStateValues.valid(a) }

// String returns StarlingX's string.
func (a AdminState) String() string { return string(a) }

// ParseAdminState parses s; a bad one is a *FieldError for field "administrative_state".
func ParseAdminState(s string) (AdminState, error) { return adminStateValues.parse(s) }

// UnmarshalText parses a strictly; a bad value is a *FieldError.
func (a *AdminState) UnmarshalText(b []byte) error { return adminStateValues.unmarshal(a, b) }

// AllAdminStates returns every AdminState value.
func AllAdminStates() []AdminState { return slices.Clone(adminStateValues.values) }

// OperState is a node's operational state.
type OperState string

// OperState values.
const (
	OperEnabled  OperState = "enabled"
	OperDisabled OperState = "disabled"
)

var operStateValues = enumValues[OperState]{"operational_state", []OperState{OperEnabled, OperDisabled}}

// Valid reports whether o is one of the OperState values.
func (o OperState) Valid() bool { return operStateValues.valid(o) }

// String returns StarlingX's string.
func (o OperState) String() string { return string(o) }

// ParseOperState parses s; a bad one is a *FieldError for field "operational_state".
func ParseOperState(s string) (OperState, error) { return operStateValues.parse(s) }

// UnmarshalText parses o strictly; a bad value is a *FieldError.
func (o *OperState) UnmarshalText(b []byte) error { return operStateValues.unmarshal(o, b) }

// AllOperStates returns every OperState value.
func AllOperStates() []OperState { return slices.Clone(operStateValues.values) }

// AvailStatus is a node's availability.
type AvailStatus string

// AvailStatus values.
const (
	AvailAvailable AvailStatus = "available"
	AvailDegraded  AvailStatus = "degraded"
	AvailFailed    AvailStatus = "failed"
)

var availStatusValues = enumValues[AvailStatus]{"availability_status", []AvailStatus{AvailAvailable, AvailDegraded, AvailFailed}}

// Valid reports whether a is one of the AvailStatus values.
func (a AvailStatus) Valid() bool { return availStatusValues.valid(a) }

// String returns StarlingX's string.
func (a AvailStatus) String() string { return string(a) }

// ParseAvailStatus parses s; a bad one is a *FieldError for field "availability_status".
func ParseAvailStatus(s string) (AvailStatus, error) { return availStatusValues.parse(s) }

// UnmarshalText parses a strictly; a bad value is a *FieldError.
func (a *AvailStatus) UnmarshalText(b []byte) error { return availStatusValues.unmarshal(a, b) }

// AllAvailStatuses returns every AvailStatus value.
func AllAvailStatuses() []AvailStatus { return slices.Clone(availStatusValues.values) }

// ReadyState is a node's readiness.
type ReadyState string

// ReadyState values.
const (
	ReadyEnabled  ReadyState = "enabled"
	ReadyDisabled ReadyState = "disabled"
)

var readyStateValues = enumValues[ReadyState]{"ready_state", []ReadyState{ReadyEnabled, ReadyDisabled}}

// Valid reports whether r is one of the ReadyState values.
func (r ReadyState) Valid() bool { return readyStateValues.valid(r) }

// String returns StarlingX's string.
func (r ReadyState) String() string { return string(r) }

// ParseReadyState parses s; a bad one is a *FieldError for field "ready_state".
func ParseReadyState(s string) (ReadyState, error) { return readyStateValues.parse(s) }

// UnmarshalText parses r strictly; a bad value is a *FieldError.
func (r *ReadyState) UnmarshalText(b []byte) error { return readyStateValues.unmarshal(r, b) }

// AllReadyStates returns every ReadyState value.
func AllReadyStates() []ReadyState { return slices.Clone(readyStateValues.values) }

// ControllerState is a controller's schedule state.
type ControllerState string

// ControllerState values.
const (
	ControllerActive  ControllerState = "active"
	ControllerStandby ControllerState = "standby"
	ControllerInit    ControllerState = "init"
	ControllerFailed  ControllerState = "failed"
	ControllerUnknown ControllerState = "unknown"
)

var controllerStateValues = enumValues[ControllerState]{"controller_state", []ControllerState{ControllerActive, ControllerStandby, ControllerInit, ControllerFailed, ControllerUnknown}}

// Valid reports whether c is one of the ControllerState values.
func (c ControllerState) Valid() bool { return controllerStateValues.valid(c) }

// String returns StarlingX's string.
func (c ControllerState) String() string { return string(c) }

// ParseControllerState parses s; a bad one is a *FieldError for field "controller_state".
func ParseControllerState(s string) (ControllerState, error) { return controllerStateValues.parse(s) }

// UnmarshalText parses c strictly; a bad value is a *FieldError.
func (c *ControllerState) UnmarshalText(b []byte) error { return controllerStateValues.unmarshal(c, b) }

// AllControllerStates returns every ControllerState value.
func AllControllerStates() []ControllerState { return slices.Clone(controllerStateValues.values) }

// DomainState is a service domain's state on one node.
type DomainState string

// DomainState values.
const (
	DomainInitial DomainState = "initial"
	DomainWaiting DomainState = "waiting"
	DomainLeader  DomainState = "leader"
	DomainBackup  DomainState = "backup"
	DomainOther   DomainState = "other"
)

var domainStateValues = enumValues[DomainState]{"state", []DomainState{DomainInitial, DomainWaiting, DomainLeader, DomainBackup, DomainOther}}

// Valid reports whether d is one of the DomainState values.
func (d DomainState) Valid() bool { return domainStateValues.valid(d) }

// String returns StarlingX's string.
func (d DomainState) String() string { return string(d) }

// ParseDomainState parses s; a bad one is a *FieldError for field "state".
func ParseDomainState(s string) (DomainState, error) { return domainStateValues.parse(s) }

// UnmarshalText parses d strictly; a bad value is a *FieldError.
func (d *DomainState) UnmarshalText(b []byte) error { return domainStateValues.unmarshal(d, b) }

// AllDomainStates returns every DomainState value.
func AllDomainStates() []DomainState { return slices.Clone(domainStateValues.values) }

// NeighborState is a domain neighbor's state (OSPF-like).
type NeighborState string

// NeighborState values.
const (
	NeighborDown          NeighborState = "down"
	NeighborExchangeStart NeighborState = "exchange-start"
	NeighborExchange      NeighborState = "exchange"
	NeighborFull          NeighborState = "full"
)

var neighborStateValues = enumValues[NeighborState]{"state", []NeighborState{NeighborDown, NeighborExchangeStart, NeighborExchange, NeighborFull}}

// Valid reports whether n is one of the NeighborState values.
func (n NeighborState) Valid() bool { return neighborStateValues.valid(n) }

// String returns StarlingX's string.
func (n NeighborState) String() string { return string(n) }

// ParseNeighborState parses s; a bad one is a *FieldError for field "state".
func ParseNeighborState(s string) (NeighborState, error) { return neighborStateValues.parse(s) }

// UnmarshalText parses n strictly; a bad value is a *FieldError.
func (n *NeighborState) UnmarshalText(b []byte) error { return neighborStateValues.unmarshal(n, b) }

// AllNeighborStates returns every NeighborState value.
func AllNeighborStates() []NeighborState { return slices.Clone(neighborStateValues.values) }

// InterfaceState is a domain interface's state.
type InterfaceState string

// InterfaceState values.
const (
	InterfaceEnabled  InterfaceState = "enabled"
	InterfaceDisabled InterfaceState = "disabled"
	InterfaceNotInUse InterfaceState = "not-in-use"
)

var interfaceStateValues = enumValues[InterfaceState]{"interface_state", []InterfaceState{InterfaceEnabled, InterfaceDisabled, InterfaceNotInUse}}

// Valid reports whether i is one of the InterfaceState values.
func (i InterfaceState) Valid() bool { return interfaceStateValues.valid(i) }

// String returns StarlingX's string.
func (i InterfaceState) String() string { return string(i) }

// ParseInterfaceState parses s; a bad one is a *FieldError for field "interface_state".
func ParseInterfaceState(s string) (InterfaceState, error) { return interfaceStateValues.parse(s) }

// UnmarshalText parses i strictly; a bad value is a *FieldError.
func (i *InterfaceState) UnmarshalText(b []byte) error { return interfaceStateValues.unmarshal(i, b) }

// AllInterfaceStates returns every InterfaceState value.
func AllInterfaceStates() []InterfaceState { return slices.Clone(interfaceStateValues.values) }

// NetworkType is a domain interface's network type.
type NetworkType string

// NetworkType values.
const (
	NetworkIPv4    NetworkType = "ipv4"
	NetworkIPv6    NetworkType = "ipv6"
	NetworkIPv4UDP NetworkType = "ipv4-udp"
	NetworkIPv6UDP NetworkType = "ipv6-udp"
)

var networkTypeValues = enumValues[NetworkType]{"network_type", []NetworkType{NetworkIPv4, NetworkIPv6, NetworkIPv4UDP, NetworkIPv6UDP}}

// Valid reports whether n is one of the NetworkType values.
func (n NetworkType) Valid() bool { return networkTypeValues.valid(n) }

// String returns StarlingX's string.
func (n NetworkType) String() string { return string(n) }

// ParseNetworkType parses s; a bad one is a *FieldError for field "network_type".
func ParseNetworkType(s string) (NetworkType, error) { return networkTypeValues.parse(s) }

// UnmarshalText parses n strictly; a bad value is a *FieldError.
func (n *NetworkType) UnmarshalText(b []byte) error { return networkTypeValues.unmarshal(n, b) }

// AllNetworkTypes returns every NetworkType value.
func AllNetworkTypes() []NetworkType { return slices.Clone(networkTypeValues.values) }

// PathType is a domain interface's role in the peer protocol.
type PathType string

// PathType values.
const (
	PathPrimary    PathType = "primary"
	PathSecondary  PathType = "secondary"
	PathStatusOnly PathType = "status-only"
)

var pathTypeValues = enumValues[PathType]{"path_type", []PathType{PathPrimary, PathSecondary, PathStatusOnly}}

// Valid reports whether p is one of the PathType values.
func (p PathType) Valid() bool { return pathTypeValues.valid(p) }

// String returns StarlingX's string.
func (p PathType) String() string { return string(p) }

// ParsePathType parses s; a bad one is a *FieldError for field "path_type".
func ParsePathType(s string) (PathType, error) { return pathTypeValues.parse(s) }

// UnmarshalText parses p strictly; a bad value is a *FieldError.
func (p *PathType) UnmarshalText(b []byte) error { return pathTypeValues.unmarshal(p, b) }

// AllPathTypes returns every PathType value.
func AllPathTypes() []PathType { return slices.Clone(pathTypeValues.values) }

// Scheduling is what is scheduled on a domain.
type Scheduling string

// Scheduling values.
const (
	ScheduleNone         Scheduling = "none"
	ScheduleSwact        Scheduling = "swact"
	ScheduleSwactForce   Scheduling = "swact-force"
	ScheduleDisable      Scheduling = "disable"
	ScheduleDisableForce Scheduling = "disable-force"
)

var schedulingValues = enumValues[Scheduling]{"scheduling", []Scheduling{ScheduleNone, ScheduleSwact, ScheduleSwactForce, ScheduleDisable, ScheduleDisableForce}}

// Valid reports whether s is one of the Scheduling values.
func (s Scheduling) Valid() bool { return schedulingValues.valid(s) }

// String returns StarlingX's string.
func (s Scheduling) String() string { return string(s) }

// ParseScheduling parses s; a bad one is a *FieldError for field "scheduling".
func ParseScheduling(s string) (Scheduling, error) { return schedulingValues.parse(s) }

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *Scheduling) UnmarshalText(b []byte) error { return schedulingValues.unmarshal(s, b) }

// AllSchedulings returns every Scheduling value.
func AllSchedulings() []Scheduling { return slices.Clone(schedulingValues.values) }

// SystemMode is the system's mode.
type SystemMode string

// SystemMode values.
const (
	ModeStandard     SystemMode = "standard"
	ModeDuplex       SystemMode = "duplex"
	ModeDuplexDirect SystemMode = "duplex-direct"
	ModeSimplex      SystemMode = "simplex"
)

var systemModeValues = enumValues[SystemMode]{"system_mode", []SystemMode{ModeStandard, ModeDuplex, ModeDuplexDirect, ModeSimplex}}

// Valid reports whether s is one of the SystemMode values.
func (s SystemMode) Valid() bool { return systemModeValues.valid(s) }

// String returns StarlingX's string.
func (s SystemMode) String() string { return string(s) }

// ParseSystemMode parses s; a bad one is a *FieldError for field "system_mode".
func ParseSystemMode(s string) (SystemMode, error) { return systemModeValues.parse(s) }

// UnmarshalText parses s strictly; a bad value is a *FieldError.
func (s *SystemMode) UnmarshalText(b []byte) error { return systemModeValues.unmarshal(s, b) }

// AllSystemModes returns every SystemMode value.
func AllSystemModes() []SystemMode { return slices.Clone(systemModeValues.values) }

// ActionKind names an Action returned by StepService and StepGroup.
type ActionKind string

// ActionKind values.
const (
	// DoRun: run the plugin of Action.Action of Action.Service.
	DoRun ActionKind = "run"
	// DoCancel: kill the running plugin of Action.Action of Action.Service (it timed out or was overtaken).
	DoCancel ActionKind = "cancel"
	// DoReport: the group's state, status or condition changed: persist, tell the peer, raise or clear alarm 400.001.
	DoReport ActionKind = "report"
)

var actionKindValues = enumValues[ActionKind]{"kind", []ActionKind{DoRun, DoCancel, DoReport}}

// Valid reports whether a is one of the ActionKind values.
func (a ActionKind) Valid() bool { return actionKindValues.valid(a) }

// String returns StarlingX's string.
func (a ActionKind) String() string { return string(a) }

// ParseActionKind parses s; a bad one is a *FieldError for field "kind".
func ParseActionKind(s string) (ActionKind, error) { return actionKindValues.parse(s) }

// UnmarshalText parses a strictly; a bad value is a *FieldError.
func (a *ActionKind) UnmarshalText(b []byte) error { return actionKindValues.unmarshal(a, b) }

// AllActionKinds returns every ActionKind value.
func AllActionKinds() []ActionKind { return slices.Clone(actionKindValues.values) }

// GroupEventKind is an input of StepGroup.
type GroupEventKind string

// GroupEventKind values.
const (
	// GroupEventGoActive: desired state active.
	GroupEventGoActive GroupEventKind = "go-active"
	// GroupEventGoStandby: desired state standby.
	GroupEventGoStandby GroupEventKind = "go-standby"
	// GroupEventDisable: desired state disabled.
	GroupEventDisable GroupEventKind = "disable"
	// GroupEventAudit: re-evaluate: the states of services of other groups changed.
	GroupEventAudit GroupEventKind = "audit"
	// GroupEventRecover: clear the failures of every member.
	GroupEventRecover GroupEventKind = "recover"
	// GroupEventService: an event of one member (GroupEvent.Service, GroupEvent.Event).
	GroupEventService GroupEventKind = "service"
	// GroupEventTimer: a deadline of the group (GroupRun.NextDeadline) has passed.
	GroupEventTimer GroupEventKind = "timer"
)

var groupEventKindValues = enumValues[GroupEventKind]{"kind", []GroupEventKind{GroupEventGoActive, GroupEventGoStandby, GroupEventDisable, GroupEventAudit, GroupEventRecover, GroupEventService, GroupEventTimer}}

// Valid reports whether g is one of the GroupEventKind values.
func (g GroupEventKind) Valid() bool { return groupEventKindValues.valid(g) }

// String returns StarlingX's string.
func (g GroupEventKind) String() string { return string(g) }

// ParseGroupEventKind parses s; a bad one is a *FieldError for field "kind".
func ParseGroupEventKind(s string) (GroupEventKind, error) { return groupEventKindValues.parse(s) }

// UnmarshalText parses g strictly; a bad value is a *FieldError.
func (g *GroupEventKind) UnmarshalText(b []byte) error { return groupEventKindValues.unmarshal(g, b) }

// AllGroupEventKinds returns every GroupEventKind value.
func AllGroupEventKinds() []GroupEventKind { return slices.Clone(groupEventKindValues.values) }
