// Package agent is the host side of Flock's inventory: what stx-agent
// runs on every host (StarlingX's sysinv-agent). An Agent discovers the
// host's hardware through a Discoverer, reports it to the controller
// through an inventory.Reporter (inventoryhttp.Client in production), then
// fetches the host's rendered configuration and applies it through an
// Applier, and tells the controller which configuration it applied.
//
// Run reports on start, every Options.Interval (60 s), and when a poll
// (every Options.PollInterval, 5 s) finds the hardware changed (a disk or
// NIC appeared or went). Calls to the controller that fail are retried
// with exponential backoff and jitter; the report to send, the last one
// accepted, the last configuration applied and an applied configuration
// not yet acknowledged are kept in a state file in the agent's state
// directory, written atomically, so a restart resumes where the agent
// stopped and a configuration is never applied twice.
//
// A report the controller refuses (inventory.ErrInvalid: a field it
// cannot accept) is logged with the field named and not retried; the
// next interval or hardware change sends a new one.
//
// Maintenance is the host side of host maintenance (StarlingX's
// mtcClient and hbsClient) in the same process: once the agent knows its
// host, it fetches the host's maintenance link from the controller (GET
// /v1/ihosts/{uuid}/mtce_link, through a LinkSource) and runs the
// heartbeat link (hostmgmt/heartbeat) on it, answering pulses with the
// host's Status (configured, boot id, uptime, disk-full and stalled
// flags) and running the controller's commands: goenabled and the host
// services as scripts in a directory, and reboot through a Rebooter
// (systemctl, or a simulated reboot for labs).
//
// Engines: Applier implementations are agent/linuxconfig (systemd-networkd
// files, sysctl and kernel arguments, with a dry-run root) and the fake
// in agent/agenttest, which records what it was asked; agenttest also has
// a fake Discoverer and a fake controller with injectable failures.
package agent
