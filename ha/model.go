package ha

import (
	"fmt"
	"time"
)

// Model is the static description of what service management manages:
// StarlingX's SERVICE_DOMAINS, SERVICE_DOMAIN_MEMBERS, SERVICE_GROUPS,
// SERVICE_GROUP_MEMBERS, SERVICES, SERVICE_ACTIONS and
// SERVICE_DEPENDENCY tables (§3.1), as one YAML document read by
// LoadModel. Field names are the tables' columns in lower case; where
// Flock differs, the field's comment says so. Rows that belong to one
// parent (a group's members, a service's actions and dependencies) are
// nested in it instead of naming it.
//
// A Model returned by LoadModel or DefaultModel is valid and complete
// (defaults filled in); the state machines assume so. Do not change it
// while they use it.
type Model struct {
	Domains       []Domain       `yaml:"domains" json:"domains"`
	ServiceGroups []ServiceGroup `yaml:"service_groups" json:"service_groups"`
	Services      []Service      `yaml:"services" json:"services"`
}

// Domain is a service domain (SERVICE_DOMAINS): the set of groups whose
// placement the controllers negotiate. Its interfaces (the peer
// protocol's paths) are not part of this model yet.
type Domain struct {
	Name string `yaml:"name" json:"name"`
	// Orchestration is "regional" in StarlingX's seed (free text).
	Orchestration string `yaml:"orchestration" json:"orchestration"`
	// Priority elects the domain's leader (230 in the seed).
	Priority int  `yaml:"priority" json:"priority"`
	Preempt  bool `yaml:"preempt" json:"preempt"`
	// The intervals are durations ("200ms"); StarlingX stores
	// milliseconds. Defaults: 200 ms, 800 ms, 5 s, 2 s (the seed's).
	HelloInterval      time.Duration      `yaml:"hello_interval" json:"hello_interval"`
	DeadInterval       time.Duration      `yaml:"dead_interval" json:"dead_interval"`
	WaitInterval       time.Duration      `yaml:"wait_interval" json:"wait_interval"`
	ExchangeInterval   time.Duration      `yaml:"exchange_interval" json:"exchange_interval"`
	SplitBrainRecovery SplitBrainRecovery `yaml:"split_brain_recovery" json:"split_brain_recovery"`
	// Members are the domain's groups (SERVICE_DOMAIN_MEMBERS).
	Members []DomainMember `yaml:"members" json:"members"`
}

// DomainMember places a service group in a domain with its redundancy
// (SERVICE_DOMAIN_MEMBERS). As in StarlingX, redundancy belongs to the
// membership, not to the group.
type DomainMember struct {
	ServiceGroup string `yaml:"service_group_name" json:"service_group_name"`
	// RedundancyModel: "N" (N active on N nodes), "N + M" (1+1 is
	// n_active 1, m_standby 1) ...
	RedundancyModel RedundancyModel `yaml:"redundancy_model" json:"redundancy_model"`
	NActive         int             `yaml:"n_active" json:"n_active"`
	MStandby        int             `yaml:"m_standby" json:"m_standby"`
	// ServiceGroupAggregate names the set of groups that move together
	// ("controller-aggregate"); free text, empty for none.
	ServiceGroupAggregate string `yaml:"service_group_aggregate" json:"service_group_aggregate,omitempty"`
	// ActiveOnlyIfActive names a group that must be active on the node
	// for this one to be active there ("directory-services").
	ActiveOnlyIfActive string `yaml:"active_only_if_active" json:"active_only_if_active,omitempty"`
}

// ServiceGroup is a set of services that are active (or standby) together
// on a node (SERVICE_GROUPS).
type ServiceGroup struct {
	Name string `yaml:"name" json:"name"`
	// AutoRecover: a member failed past its max_failures is restarted
	// once its failure count has counted down to max_failures again.
	// Without it, the member stays failed until the group's recover
	// action.
	AutoRecover bool `yaml:"auto_recover" json:"auto_recover"`
	// Core groups are needed for the node to be usable at all.
	Core bool `yaml:"core" json:"core"`
	// FailureDebounce: after the group has been failed, degraded or
	// warned, its status returns to healthy only once its members have
	// been healthy this long (StarlingX: FAILURE_DEBOUNCE in ms; Flock:
	// a duration).
	FailureDebounce time.Duration `yaml:"failure_debounce" json:"failure_debounce"`
	// FatalErrorReboot: a fatal failure reboots the node (carried for
	// the daemon; the state machines only report it).
	FatalErrorReboot bool `yaml:"fatal_error_reboot" json:"fatal_error_reboot"`
	// Services are the group's members (SERVICE_GROUP_MEMBERS), in the
	// order the state machine considers them.
	Services []GroupMember `yaml:"services" json:"services"`
}

// GroupMember is one service of a group with its failure impact.
type GroupMember struct {
	Service       string        `yaml:"service_name" json:"service_name"`
	FailureImpact FailureImpact `yaml:"service_failure_impact" json:"service_failure_impact"`
}

// Service is one managed service (SERVICES) with its actions and
// dependencies.
type Service struct {
	Name string `yaml:"name" json:"name"`
	// Kind is Flock's: "process" (default) or "ip" (a floating address,
	// whose actions default to plugin_type ip).
	Kind ServiceKind `yaml:"kind" json:"kind"`
	// IP describes the floating address of a kind "ip" service.
	IP *FloatingIP `yaml:"ip" json:"ip,omitempty"`
	// MaxFailures: failures allowed within the countdown; one more and
	// the service is failed and not restarted (default 2).
	MaxFailures int `yaml:"max_failures" json:"max_failures"`
	// FailCountdown is taken off the failure count every
	// fail_countdown_interval (default 1; StarlingX's FAIL_COUNTDOWN).
	FailCountdown int `yaml:"fail_countdown" json:"fail_countdown"`
	// FailCountdownInterval (default 90 s; StarlingX stores ms).
	FailCountdownInterval time.Duration `yaml:"fail_countdown_interval" json:"fail_countdown_interval"`
	// MaxActionFailures and MaxTransitionFailures are carried from
	// StarlingX (4 and 16); Flock bounds retries per action instead
	// (ActionSpec.MaxFailureRetries ...).
	MaxActionFailures     int    `yaml:"max_action_failures" json:"max_action_failures"`
	MaxTransitionFailures int    `yaml:"max_transition_failures" json:"max_transition_failures"`
	PIDFile               string `yaml:"pid_file" json:"pid_file,omitempty"`
	// AuditDebounce is Flock's: this many bad audits in a row make one
	// failure (default 1: every bad audit counts). StarlingX debounces
	// in its plugins.
	AuditDebounce int          `yaml:"audit_debounce" json:"audit_debounce"`
	Actions       []ActionSpec `yaml:"actions" json:"actions"`
	Dependencies  []Dependency `yaml:"dependencies" json:"dependencies,omitempty"`
}

// FloatingIP is the address of a kind "ip" service.
type FloatingIP struct {
	// Network is the platform network the address floats on
	// ("management", "oam", "cluster-host", "admin").
	Network string `yaml:"network" json:"network"`
	// Address in CIDR form; empty means the system's floating address
	// of Network, filled in by the daemon from its configuration.
	Address string `yaml:"address" json:"address,omitempty"`
	// Interface is the device; empty means the network's interface.
	Interface string `yaml:"interface" json:"interface,omitempty"`
}

// ActionSpec is how one action of a service runs (SERVICE_ACTIONS).
type ActionSpec struct {
	Action     ActionName `yaml:"action" json:"action"`
	PluginType PluginType `yaml:"plugin_type" json:"plugin_type"`
	// PluginClass is the OCF provider class ("ocf", "heartbeat").
	PluginClass string `yaml:"plugin_class" json:"plugin_class,omitempty"`
	// PluginName: the OCF agent, the systemd unit, or the Go function's
	// registered name.
	PluginName string `yaml:"plugin_name" json:"plugin_name,omitempty"`
	// PluginCommand: the OCF verb or script path.
	PluginCommand    string            `yaml:"plugin_command" json:"plugin_command,omitempty"`
	PluginParameters map[string]string `yaml:"plugin_parameters" json:"plugin_parameters,omitempty"`
	// Retries of this action before it counts as a failure of the service.
	MaxFailureRetries int `yaml:"max_failure_retries" json:"max_failure_retries"`
	MaxTimeoutRetries int `yaml:"max_timeout_retries" json:"max_timeout_retries"`
	MaxTotalRetries   int `yaml:"max_total_retries" json:"max_total_retries"`
	// Timeout > 0 (StarlingX: TIMEOUT_IN_SECS; Flock: a duration).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Interval between audits, for audit-enabled and audit-disabled
	// (INTERVAL_IN_SECS); 0: no periodic audit.
	Interval time.Duration `yaml:"interval" json:"interval,omitempty"`
}

// Dependency is one row of SERVICE_DEPENDENCY, nested in the service it
// belongs to (SERVICE_NAME).
//
// Type "action": the service's Action waits until Dependent is in
// DependentState (haproxy's enable needs oam-ip enabled-active).
// Type "state": the service enters State only with Dependent in
// DependentState. Either way, leaving the state goes in reverse order:
// the dependent goes standby or disabled only after the service has.
type Dependency struct {
	Type           DependencyType `yaml:"type" json:"type"`
	Action         ActionName     `yaml:"action" json:"action,omitempty"`
	State          ServiceState   `yaml:"state" json:"state,omitempty"`
	Dependent      string         `yaml:"dependent" json:"dependent"`
	DependentState ServiceState   `yaml:"dependent_state" json:"dependent_state"`
}

// Service returns the named service.
func (m *Model) Service(name string) (*Service, error) {
	for i := range m.Services {
		if m.Services[i].Name == name {
			return &m.Services[i], nil
		}
	}
	return nil, fmt.Errorf("service %q: %w", name, ErrNotFound)
}

// Group returns the named service group.
func (m *Model) Group(name string) (*ServiceGroup, error) {
	for i := range m.ServiceGroups {
		if m.ServiceGroups[i].Name == name {
			return &m.ServiceGroups[i], nil
		}
	}
	return nil, fmt.Errorf("service group %q: %w", name, ErrNotFound)
}

// Action returns the spec of action a, or nil if the service does not
// define it (the action then succeeds at once without running anything).
func (s *Service) Action(a ActionName) *ActionSpec {
	for i := range s.Actions {
		if s.Actions[i].Action == a {
			return &s.Actions[i]
		}
	}
	return nil
}
