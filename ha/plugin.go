package ha

import (
	"context"
	"fmt"
	"time"
)

// Plugin runs the actions of services of one plugin type (an OCF script,
// a systemd unit, a Go function, a floating address). The daemon calls
// Run for every DoRun action of the state machines, with a context that
// ends at the action's timeout or when the action is cancelled, and feeds
// the result back through PluginResult.Event.
//
// Run must return once ctx is done (a result of ResultTimeout then); it
// must be safe for concurrent use, for different services at once.
type Plugin interface {
	Run(ctx context.Context, call PluginCall) PluginResult
}

// PluginFunc adapts a function to Plugin; embedding programs register
// their Go services' actions this way.
type PluginFunc func(ctx context.Context, call PluginCall) PluginResult

// Run calls f.
func (f PluginFunc) Run(ctx context.Context, call PluginCall) PluginResult { return f(ctx, call) }

// PluginCall is one action to run.
type PluginCall struct {
	// Service is the service, with its ip block for a floating address
	// (Address filled in by the daemon).
	Service *Service
	// Action is the action to run and Spec its row of the model (plugin
	// name, command, parameters, timeout).
	Action ActionName
	Spec   *ActionSpec
	// Active: the service's group is meant to be active on this node;
	// an audit of a running service then reports enabled-active, else
	// enabled-standby (OCFResult's active).
	Active bool
}

// PluginResult is the outcome of one action.
type PluginResult struct {
	Result ActionResult
	// State: for audit-enabled and audit-disabled, the state the audit
	// found (enabled-active, enabled-standby or disabled); empty when the
	// audit could not tell.
	State ServiceState
	// Err explains a result other than success, for logs and the
	// service's reason.
	Err error
}

// Event turns r, the result of action a, into the event to feed
// StepService (in a GroupEvent of kind service).
func (r PluginResult) Event(a ActionName) ServiceEvent {
	if a == ActionAuditEnabled || a == ActionAuditDisabled {
		switch r.Result {
		case ResultSuccess:
			if r.State == "" {
				return ServiceEvent{Kind: EventAuditFailed}
			}
			return ServiceEvent{Kind: EventAuditSuccess, State: r.State}
		case ResultTimeout:
			return ServiceEvent{Kind: EventAuditTimeout}
		default:
			return ServiceEvent{Kind: EventAuditFailed}
		}
	}
	return ResultEvent(a, r.Result)
}

// Plugins runs each action with the plugin of its plugin_type. A type
// with no plugin is a fatal result: the model asks for something this
// program cannot do.
type Plugins map[PluginType]Plugin

// Run runs call with the plugin of call.Spec.PluginType. A nil Spec (an
// action the service does not define) succeeds at once.
func (p Plugins) Run(ctx context.Context, call PluginCall) PluginResult {
	if call.Spec == nil {
		return PluginResult{Result: ResultSuccess}
	}
	pl, ok := p[call.Spec.PluginType]
	if !ok || pl == nil {
		return PluginResult{Result: ResultFatal, Err: fmt.Errorf("ha: no plugin for plugin_type %q (service %s, action %s)", call.Spec.PluginType, call.Service.Name, call.Action)}
	}
	return pl.Run(ctx, call)
}

// Fencer powers a silent peer off before this node takes over from it
// (FailRequestFence). Fence returns nil only once the node is confirmed
// off (its BMC reports power off); any doubt is an error, and the
// takeover waits.
type Fencer interface {
	Fence(ctx context.Context, node string) error
}

// FencerFunc adapts a function to Fencer.
type FencerFunc func(ctx context.Context, node string) error

// Fence calls f.
func (f FencerFunc) Fence(ctx context.Context, node string) error { return f(ctx, node) }

// Witness is the third party that grants the active controller its
// lease (FailRequestLease, FailRenewLease, FailReleaseLease). It grants
// one lease at a time per domain: a node asking while another's lease
// has not ended on the witness's clock is refused.
//
// Times are on the caller's clock, measured so that clock offsets do
// not matter: Acquire's end is counted from before the request left
// (never later than the witness's), Lease's from after the answer came
// (never earlier than the witness's).
type Witness interface {
	// Acquire asks the lease for node, or extends it if node holds it,
	// and returns when it ends. A refusal wraps ErrInvalidTransition
	// and carries the holder's remaining time in a *LeaseHeldError.
	Acquire(ctx context.Context, node string) (until time.Time, err error)
	// Release gives node's lease back (nothing if it holds none).
	Release(ctx context.Context, node string) error
	// Lease returns when the lease node holds ends (zero: none).
	Lease(ctx context.Context, node string) (until time.Time, err error)
}

// LeaseHeldError is a witness's refusal: another node holds the lease.
// It wraps ErrInvalidTransition.
type LeaseHeldError struct {
	Holder string
	// Until is when the holder's lease ends, on the caller's clock
	// (counted from after the answer came).
	Until time.Time
}

// Error implements error.
func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("ha: the witness's lease is held by %s until %s", e.Holder, e.Until.Format(time.RFC3339Nano))
}

// Unwrap returns ErrInvalidTransition.
func (e *LeaseHeldError) Unwrap() error { return ErrInvalidTransition }
