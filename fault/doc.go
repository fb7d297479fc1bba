// Package fault is Flock's fault management: alarms, the event log and
// operator suppression, with StarlingX's semantics (the "fm" service of
// the flock), as an importable library.
//
// # Model
//
// An Alarm is identified by (AlarmID, EntityInstanceID). Setting it again
// overwrites it with a fresh uuid; KeepExisting leaves an active one alone.
// Entity instance ids are dot-separated key=value pairs, most general
// first ("host=controller-0.network=mgmt"), and clears take a prefix:
// ClearAlarm clears one alarm id below an entity (an event per alarm),
// ClearAll every alarm below it (one hierarchical-clear event). Every set
// and clear, and every Log, goes into the event log, a ring of
// Options.EventLogSize records (4,000 by default).
//
// An alarm with InhibitAlarms masks the alarms below its entity that allow
// suppression (Suppression); masked alarms are hidden from lists,
// summaries and GetAlarm. An operator may suppress an alarm id: its alarms
// leave lists and summaries unless asked for, notifiers are not told, and
// its history is still written. MgmtAffecting and DegradeAffecting compare
// the severity with the catalog's thresholds for the id.
//
// The catalog (DefaultCatalog, catalog.yaml) defines every alarm and log
// id Flock's services raise; setting an unknown id, or a severity its
// definition does not list, is ErrInvalid unless Options.NoCatalogCheck.
//
// # Where Flock differs from StarlingX, and why
//
//   - Entity prefixes match whole components: clearing "host=controller-1"
//     does not clear "host=controller-10", which StarlingX's SQL LIKE does.
//   - Masking is derived, not stored: an alarm raised under an active
//     inhibitor is masked too (StarlingX only masks the alarms present when
//     the inhibitor is raised), and clearing one of two inhibitors leaves
//     what the other covers masked.
//   - Operators acknowledge alarms (AckAlarm): who and when, kept across
//     restarts and across re-raises at the same or a lower severity.
//   - Entity instance ids, ids and texts refuse invalid UTF-8, control
//     characters and bidirectional overrides, which StarlingX stores as
//     given: an invisible character can make two entity ids look alike.
//   - ClearAlarm and ClearAll need a non-empty prefix: an empty one would
//     clear everything.
//   - The eleven alarm types of the C API and MIB are kept; the Python
//     list's twelfth ("deployment in progress") has no MIB value.
//
// # Implementations and engines
//
//   - *Manager implements Service in-process over a faultstore.Store:
//     faultsql (SQLite, PostgreSQL) in production, faultstore.NewMemoryStore
//     in tests. The store is the truth: a write is acknowledged once the
//     store has committed it durably, and only then do readers, the event
//     log and notifiers see it (publish after commit). Concurrent writes
//     share one commit (group commit); every commit has a deadline
//     (Options.CommitTimeout), and while the store refuses commits (a full
//     disk) writes fail with ErrUnavailable, reads go on, and Health says
//     why, until a commit succeeds again.
//   - faulthttp serves any Service over StarlingX's REST paths and is a
//     Service over HTTP; faulttest holds the conformance suite and a fake
//     Reporter; faultstore/storetest the conformance suite of stores.
//   - Notifier engines: snmptrap (SNMPv2c traps, WRS-ALARM-MIB OIDs) and
//     webhook, which Run delivers to. AsyncReporter is what daemons raise
//     alarms through without blocking.
//
// # Lifecycle
//
// Open loads the state and starts nothing. Run(ctx) delivers
// notifications until ctx ends (a manager without notifiers need not be
// Run). Close refuses new writes, waits for the commit in progress,
// delivers what notifications are left within its context, and closes the
// store.
//
// # Metrics
//
// With Options.Registerer the manager exports flock_fault_alarm_sets_total,
// flock_fault_alarm_clears_total, flock_fault_active_alarms, the
// notifiers' flock_fault_notifications_total, _errors_total and
// _dropped_total, and per store commit flock_fault_commit_batch_writes
// (how many writes shared it) and flock_fault_commit_seconds (how long it
// took: what every write waits for before it is acknowledged, so the
// first figure to look at when writes slow down, as etcd's WAL fsync
// duration is).
//
// # Errors
//
// ErrNotFound, ErrInvalid (often a *FieldError naming the field),
// ErrConflict, ErrUnavailable, ErrUnimplemented, ErrClosed and ErrQueueFull,
// wrapped with the operation; check them with errors.Is. faulthttp's
// client returns the same sentinels.
package fault
