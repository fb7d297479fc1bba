// Package inventory is Flock's configuration management: the record of
// the system and of every host in it — its hardware, interfaces, networks
// and storage — with StarlingX's provisioning rules (the "sysinv"
// service of the flock), as an importable library.
//
// # Model
//
// One System holds Hosts. A host's hardware (NUMA nodes, CPUs, memory,
// disks, Ethernet ports) comes from its agent (Reporter.ReportInventory);
// operators configure what is built on it (CPU functions, hugepages,
// partitions, volume groups, interfaces and their networks, labels)
// while the host is locked. Platform networks sit on address pools; data
// networks are what data interfaces attach to.
//
// Every record has an integer id and a uuid. Hosts are named by
// hostname, uuid or id everywhere; networks, pools and data networks by
// name or uuid.
//
// # Who owns which field
//
// Inventory owns a host's identity, provisioning and configuration
// fields (UpdateHost). Host maintenance owns Administrative, Operational,
// Availability, Task, Action and Uptime, and writes them only through
// HostStatusWriter; it calls CheckUnlock before an unlock. The host's
// agent owns the hardware it reports and the config UUID it applied
// (Reporter).
//
// # Provisioning
//
// A host appears by AddHost, by AddHosts (bulk add, all or nothing), or
// by an agent report with an unknown MAC (then only mgmt_mac and the
// hardware are known). invprovision moves unprovisioned → provisioning
// on the first unlock and → provisioned when the host is first enabled.
//
// Every change that affects a host renders its configuration document
// again (Render, a pure function of a Snapshot); a document that differs
// gets a new config UUID, with StarlingX's reboot-required bit when
// applying it needs a lock/unlock, as the host's config_target. Until
// the host reports that UUID applied, its config_status is "Config
// out-of-date" and alarm 250.001 is raised.
//
// # Where Flock differs from StarlingX, and why
//
//   - The system's DNS and NTP servers are fields of System, not the
//     separate idns and intp records: one record, one update, one
//     configuration change.
//   - Bulk export writes every host's hostname, subfunctions and bm_ip
//     (StarlingX writes the first two for workers only and never bm_ip),
//     so an export of controllers and storage hosts re-imports whole. Its
//     files import unchanged; the parser refuses what it does not know
//     (an unknown element, a repeated one, a duplicate MAC) instead of
//     ignoring it, and never writes a BMC password. A bulk file that
//     names hosts that exist (their MAC and hostname) updates their BMC
//     fields, as StarlingX does for its own controller only, so a system's
//     export imports into it again.
//   - Any two address pools whose subnets overlap are refused, not only
//     pools of networks on the same interface: an overlap is a routing
//     accident waiting for a second interface.
//   - The BMC password is write-only everywhere: no read, list, snapshot,
//     document or error carries it.
//   - Configuration documents are Flock's own YAML (what an agent
//     applies), not Puppet hiera; the config UUIDs and their
//     reboot-required bit follow StarlingX.
//
// # Errors
//
// Bad input is ErrInvalid, usually a *FieldError naming the field; a
// change the rules forbid is ErrInvalidTransition (or ErrConflict for a
// duplicate or a record in use), a *RuleError naming the rule.
package inventory
