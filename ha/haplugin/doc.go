// Package haplugin holds the engines behind ha.Plugin: the programs and
// functions that carry out the actions of ha's services. New returns
// one per plugin type, as an ha.Plugins the daemon calls for every
// action, with a context that ends at the action's timeout or when the
// action is cancelled.
//
// # Engines
//
// OCF (plugin_type ocf-script) executes an OCF resource agent: the
// script path in plugin_command, or OCF_ROOT/resource.d/<plugin_class>/
// <plugin_name>. The verb is a bare plugin_command (promote, demote ...)
// or follows the action:
//
//	enable, go-active              start
//	disable, go-standby            stop
//	audit-enabled, audit-disabled  monitor
//
// Exit codes map through ha.OCFResult (0 success, a running service for
// an audit; 7 not running; 8 active; 2, 3, 5, 6 fatal). The agent runs
// in its own process group, killed as a whole when the context ends.
//
// Systemd (plugin_type systemd) runs systemctl start, stop or is-active
// on the unit plugin_name, with the same action mapping; is-active's
// exit 0 is a running service, 3 with inactive or failed a stopped one.
//
// A stopped service (OCF_NOT_RUNNING, an inactive unit, an absent
// floating address) audits as disabled where its group is meant to be
// active (PluginCall.Active) and as enabled-standby elsewhere: the
// standby of an active/standby service does not run (ha.OCFResult).
// Its tests run against a stand-in for systemctl that follows
// systemctl(1)'s documented exit codes: the machine they were written
// on has no systemd as PID 1, and a systemd booted in a PID namespace
// runs its boot services (tmpfiles among them) against the shared file
// system, which a test must not do.
//
// Funcs (plugin_type go) calls the Go function registered under
// plugin_name: the embedding program's own services.
//
// FloatingIP (plugin_type ip) adds a floating address with netlink on
// go-active and announces it (gratuitous ARPs, unsolicited neighbour
// advertisements for IPv6), removes it on go-standby and disable, and
// audits whether the interface holds it. It needs Linux; elsewhere it
// returns a fatal result.
//
// # Differences from StarlingX
//
// StarlingX's SM (sm_service_action.c) execs resource.d/<class>/<name>
// with plugin_command as the verb. Flock also takes a script path in
// plugin_command, so that a service can ship its agent without
// installing it under OCF_ROOT, and derives the verb from the action
// when none is given, so that most rows need no plugin_command.
//
// StarlingX passes an action's PLUGIN_PARAMETERS as
// OCF_RESKEY_CRM_meta_<name> and the service instance's parameters
// (SERVICE_INSTANCES) as OCF_RESKEY_<name>. Flock's model has no
// instance table: plugin_parameters become OCF_RESKEY_<name>, the
// variables agents read, and OCF_RESKEY_CRM_meta_timeout carries the
// action's timeout as Pacemaker passes it.
//
// On a timeout StarlingX sends SIGKILL to the agent's process only,
// although it runs it in a process group; the agent's children (a
// hanging ping, a half-started daemon) live on. Flock sends SIGTERM to
// the whole group, SIGKILL after a grace, and reaps the agent before
// reporting the timeout, so a retried action never races the previous
// attempt's leftovers. A start that ends normally keeps its children:
// they are the service.
//
// StarlingX sends an agent's stdout and stderr to /dev/null; Flock keeps
// the last 4 KiB of stderr in the result's error, which becomes the
// service's reason. A missing or non-executable agent is a failed action
// in StarlingX, retried up to the action's limits; in Flock it is fatal,
// since no retry can help. Flock does not checksum agents or renice
// them.
//
// StarlingX runs systemd services through LSB scripts
// (SYSTEMCTL_SKIP_REDIRECT); Flock calls systemctl directly. It does not
// use systemd's D-Bus API: systemctl's exit codes say all the plugin
// needs, and the daemon keeps one dependency fewer.
//
// StarlingX's floating addresses are IPaddr2 OCF agents, which fork ip
// and send_arp (5 ARPs 200 ms apart by default) on every action and
// audit. Flock's are in-process netlink calls, and its announcements
// default to 3, 15 ms apart, the first at once: a takeover is heard by
// the neighbours within milliseconds, and a 5 s audit costs no fork.
// IPv6 addresses are added without duplicate address detection (the
// peer that held the address has released it, or been fenced) so that
// they answer at once.
//
// # Errors
//
// A plugin reports through ha.PluginResult: ResultFatal for bad
// configuration (the error is then a *ha.FieldError naming the field:
// plugin_name, plugin_class, plugin_command, plugin_parameters.<name>,
// ip, ip.address, ip.interface) or a missing program, ResultTimeout when
// the context ended (the error wraps context.Cause), ResultFailed
// otherwise. An unregistered Go function wraps ha.ErrNotFound.
package haplugin
