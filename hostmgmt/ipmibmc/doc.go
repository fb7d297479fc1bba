// Package ipmibmc is the IPMI engine of hostmgmt.BMC: it powers, resets
// and net-boots a host and reads its sensors through the host's BMC over
// IPMI LAN, with github.com/bougou/go-ipmi.
//
// # Engines
//
// New takes the BMC's "host:port" (port 623 by default) and Options; it
// does no I/O. The first call opens an IPMI session (IPMI 1.5 LAN with
// MD5 by default, RMCP+ "lanplus" on request), later calls reuse it, and
// a call that fails breaks it: the next call opens a new one. A session
// idle for longer than SessionIdle is replaced before use, since BMCs
// drop idle sessions after about a minute. Calls on one BMC are
// serialised (one session, one sequence of IPMI sequence numbers), each
// bounded by its context.
//
// What each call sends:
//   - PowerState: Get Chassis Status; the power bit is on or off.
//   - Power: Chassis Control. on is power up, off is power down, soft-off
//     is the ACPI soft shutdown, reset is a hard reset and cycle a power
//     cycle; a reset or a cycle of a host that is off powers it up (IPMI
//     leaves that to the BMC; StarlingX's mtce also powers on instead).
//     IPMI has no graceful restart: graceful-restart returns
//     hostmgmt.ErrUnimplemented.
//   - SetBootDevice: Set System Boot Options, parameter 5 (boot flags),
//     valid, for the next boot only: PXE, the default hard disk, or CD/DVD.
//   - Info: Get Device ID (manufacturer by IANA enterprise number, product
//     id as the model, firmware revision as the BMC firmware), Get System
//     GUID (as the serial number: IPMI has none outside FRU data, which
//     this engine does not read), and the MAC address of the BMC's LAN
//     channel (LAN configuration parameter 5) when it is set.
//   - Sensors: walks the SDR repository; every full sensor record of a
//     threshold sensor that measures degrees, volts, watts or RPM is read
//     (Get Sensor Reading) and converted with the record's M, B and
//     exponents; its thresholds come from Get Sensor Thresholds (the
//     record's own values when the sensor does not answer that). Its
//     status is the worse of what the reading's threshold bits say and
//     what the thresholds say of the converted reading. Temperatures in
//     Fahrenheit or Kelvin are converted to Celsius. Discrete, compact
//     and other sensors are left out.
//
// As reaches the session's *ipmi.Client (target **ipmi.Client). Calls on
// it bypass the BMC's serialisation, and after a failed call the BMC
// replaces it; do not Close it.
//
// # Errors
//
// Bad input (a power operation or boot device that is none) is a
// *hostmgmt.FieldError wrapping hostmgmt.ErrInvalid, returned before
// anything is sent. IPMI runs over UDP, so the engine knows a request
// was not sent only when it failed before the request's datagram left:
// the name did not resolve, a socket could not be made, the BMC's host
// refused the datagram (ICMP port unreachable: nothing listens there), or
// the session that the request needed could not be opened because the
// BMC refused it. Those errors wrap hostmgmt.ErrNotSent. A lost answer or
// a BMC that does not answer is never ErrNotSent, even while opening the
// session: silence is reported as a timeout. A completion code other than
// success is an error naming the command and the code.
//
// The engine never retries: go-ipmi's own retransmissions are turned off,
// since a retransmitted chassis control may be a second reset.
//
// # Differences from StarlingX
//
// StarlingX's mtce runs ipmitool (lanplus) for every action and parses
// its text output; this engine speaks IPMI itself and keeps a session.
// It defaults to IPMI 1.5 LAN because that is what the test harness's
// ipmi_sim answers from go-ipmi: ipmi_sim does not answer even the first
// message (Get Channel Authentication Capabilities) of go-ipmi's lanplus
// handshake, whatever the cipher suite, so lanplus is untested here. Set
// Options.Interface to "lanplus" for BMCs that disable IPMI 1.5, as most
// current ones do.
package ipmibmc
