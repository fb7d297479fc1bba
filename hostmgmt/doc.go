// Package hostmgmt is Flock's host maintenance: StarlingX's mtce (the
// "metal" repository). It owns each host's administrative, operational
// and availability state and carries out lock, unlock, reboot, reset,
// reinstall, power and swact.
//
// The package is the portable API: Service (the admin actions and each
// host's maintenance state), the interfaces maintenance drives (Agents
// and Heartbeat: the link to the hosts' agents; BMC; LockHook; Swacter:
// service management) and Observer (what the link reports), and the
// pure state machine below. hostmgmtsql.Manager implements Service over
// SQLite or PostgreSQL; heartbeat is the UDP link; hostmgmthttp carries
// Service over sysinv's REST API; hostmgmttest has the fakes and the
// conformance suite.
//
// # The state machine
//
// Step is the whole per-host state machine as one pure function:
//
//	next, actions, err := hostmgmt.Step(state, event, now, timings, sys)
//
// It does no I/O, starts nothing and keeps nothing. The caller (the
// manager) persists next, performs the actions (a reboot command, a BMC
// reset, raising alarm 200.004 ...) and feeds their results back as
// events. When next.Deadline passes, the caller feeds EventTimer. Which
// FSM an event belongs to (add, enable, disable/lock, force-lock, reboot,
// reset, reinstall, power-on/off, swact, delete, failure, graceful
// recovery) is given by State.Action and State.Stage, so a state saved
// mid-enable resumes where it was.
//
// The enable sequence (unlock, and auto-recovery after a failure) follows
// §2.4 of StarlingX's mtce: reboot (mtcClient, else BMC reset), mtcAlive
// within the boot timeout with the host configured, goenabled, host
// services, heartbeat, an 11 s heartbeat soak, then unlocked-enabled-
// available (or degraded). A failure goes unlocked-disabled-failed with
// alarm 200.004 (200.011 for configuration) and is retried after the
// cause's interval until the cause's auto-recovery threshold is reached;
// then the task says "... threshold reached, Lock/Unlock to retry".
// Heartbeat loss on an in-service host starts graceful recovery.
//
// Timings holds every timeout, retry count and threshold, with
// StarlingX's defaults in DefaultTimings.
//
// Multi-node failure avoidance is not decided here: it needs all hosts,
// and the manager, which sees them, simply does not feed
// EventHeartbeatLoss for hosts in an MNFA pool.
//
// # BMCs
//
// BMC is a host's board management controller: power state, power
// operations (on, forced off, forced restart, cycle, ACPI shutdown and
// restart), the device of the next boot, the BMC's and system's
// identity, and sensor readings with their limits. Abilities not every
// BMC has are optional interfaces found by type assertion (VirtualMedia,
// SerialConsole, EventSubscriber); a call an engine cannot make returns
// ErrUnimplemented, and As reaches the engine's native client. The
// engines, each in its own package so that this one imports no BMC
// library:
//
//   - redfishbmc: Redfish over HTTPS or HTTP (gofish), sessions or basic auth
//   - ipmibmc: IPMI over LAN (go-ipmi)
//   - qemubmc: a QEMU VM through its QMP socket (go-qemu)
//   - libvirtbmc (module engines/libvirt, cgo): a libvirt domain
//   - bmcsim: not an engine but a Redfish BMC emulator serving any BMC,
//     with cmd/stx-bmcsim
//
// Every engine passes hostmgmttest.RunBMCSuite against its real peer. An
// engine checks its input (CheckPowerOp, CheckBootDevice) before sending
// anything and never retries: Retry, the one retry, repeats only calls
// whose error wraps ErrNotSent (the request surely never left), so a
// reset whose answer was lost is never sent twice. The manager
// (hostmgmtsql) counts back-to-back BMC failures: the fifth raises alarm
// 200.010, a success clears it. It also audits every BMC every 30 s
// (power state and sensors; a reading past a limit raises 200.007,
// critical or major, cleared when back in range). Which engine a host
// uses is chosen by its bm_type and bm_ip in one table, stx.BMCSchemes;
// bm_type dynamic probes the Redfish service root (Redfish 1.0 or later:
// Redfish, else IPMI) and remembers the answer, as StarlingX's mtce does.
//
// # Errors
//
// An action refused by a rule (the active controller cannot be locked,
// reset needs the host locked and is refused on a simplex system ...)
// returns a *RuleError wrapping ErrInvalidTransition, with the reason in
// StarlingX's words; the state is unchanged. Malformed input (an unknown
// action or event) is a *FieldError wrapping ErrInvalid that names the
// field.
package hostmgmt
