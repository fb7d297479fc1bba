// Package inventorytest holds the conformance suite that every
// inventory.Service implementation must pass, and the fixtures that tests
// of inventory's users need: a realistic agent report (ReportFor) and a
// locked host with its hardware (NewLockedHost).
//
// Flock runs the suite against the SQL manager on SQLite and PostgreSQL
// and against the HTTP client talking to the HTTP server. An integrator
// runs it against their own implementation:
//
//	func TestMyInventory(t *testing.T) {
//		inventorytest.RunServiceSuite(t, func(t *testing.T) inventory.Service {
//			return newMine(t) // empty: the system record only
//		})
//	}
//
// # What the suite expects
//
// Each subtest gets a fresh, empty service and makes what it needs with
// AddHost, ReportInventory and the other writes. A new host starts
// administrative=locked, operational=disabled, availability=offline,
// invprovision=unprovisioned. Host maintenance's writes (SetHostStatus)
// are taken as they come: the suite calls CheckUnlock before it unlocks a
// host, as host maintenance does.
//
// Every rule of inventory's provisioning is a case: the refused write
// must return the rule's sentinel (errors.Is) and a *inventory.RuleError
// naming it, and leave the whole inventory (Snapshot) unchanged.
// Uniqueness, overlap, once-per-host and in-use rules are
// inventory.ErrConflict; the others inventory.ErrInvalidTransition. Bad
// input is a *inventory.FieldError naming the JSON field.
//
// Config versioning follows StarlingX: a change to what a host's
// configuration document holds gives the host a new config_target, with
// bit 127 (the top bit of the first byte) set when the change needs a
// lock/unlock (interfaces, CPUs, memory, storage) and clear when it is
// applied at runtime (DNS and NTP servers), kept set while an earlier
// reboot-needing target is not applied; config_status is
// inventory.ConfigOutOfDate until the host reports the target applied.
package inventorytest
