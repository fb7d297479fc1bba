// Package redfishbmc is the Redfish engine of hostmgmt.BMC, over
// github.com/stmcginnis/gofish.
//
// A BMC manages one ComputerSystem of a Redfish service: New checks the
// endpoint and options and does no I/O; the first call reads the
// service root and, with session authentication (the default), logs in
// through the SessionService and sends X-Auth-Token from then on. When
// the BMC answers 401 (it forgot the session: a reboot, a timeout), the
// engine logs in again and sends the refused request once more; a
// refused request was not acted on. Close logs the session out. Basic
// authentication sends the credentials on every request instead.
//
// # Engines
//
//   - PowerState: one GET of the ComputerSystem; PoweringOn and Paused
//     are on, PoweringOff is off, anything else unknown.
//   - Power: ComputerSystem.Reset. on is On (ForceOn when On is not
//     allowed), off ForceOff, reset ForceRestart, cycle PowerCycle
//     (ForceOff, wait for off, On when PowerCycle is not allowed),
//     soft-off GracefulShutdown, graceful-restart GracefulRestart. A reset
//     or cycle of a powered-off host is On. The allowed types come from
//     ResetType@Redfish.AllowableValues (else the action's ActionInfo);
//     a type the BMC does not allow is hostmgmt.ErrUnimplemented and
//     nothing is sent.
//   - SetBootDevice: a PATCH of Boot with BootSourceOverrideEnabled Once
//     and BootSourceOverrideTarget Pxe, Hdd or Cd, If-Match the system's
//     ETag.
//   - Info: the system's Manufacturer, Model, SerialNumber and
//     BiosVersion, its manager's FirmwareVersion, the MACAddress of each
//     EthernetInterface (lower-case).
//   - Sensors: each chassis' Thermal (temperatures, fans) and Power
//     (voltages, consumed watts) resources, or its Sensors collection
//     when it has neither. Thresholds come from the
//     Lower/UpperThreshold{Critical,NonCritical} properties or from
//     Thresholds.{Lower,Upper}{Critical,Caution}.Reading; the status is
//     the sensor's Status.Health, else computed with
//     hostmgmt.Thresholds.Status. Units are Redfish's (Cel, RPM, %, V, W).
//   - Optional abilities: hostmgmt.VirtualMedia (InsertMedia into the
//     first virtual CD/DVD, EjectMedia) and hostmgmt.EventSubscriber
//     (an EventService subscription). As reaches the *gofish.APIClient
//     and the *http.Client.
//   - Probe reads the unauthenticated service root and returns its
//     RedfishVersion, for hosts of bm_type dynamic.
//
// # Errors
//
// Bad input is a *hostmgmt.FieldError (wrapping hostmgmt.ErrInvalid)
// naming the field, returned before anything is sent. An error wraps
// hostmgmt.ErrNotSent only when every request of the call failed while
// dialing (connection refused, no such host): nothing reached the BMC,
// and the shared layer (hostmgmt.Retry) may try again. A timeout, a
// reset or a lost answer is never ErrNotSent; transport failures wrap
// hostmgmt.ErrUnavailable. The engine itself never retries, apart from
// the one request re-sent after a 401 and a new login. Redfish error
// answers unwrap to *schemas.Error (its HTTP status and message).
//
// # Differences from StarlingX
//
// StarlingX's mtce drives Redfish through redfishtool processes and
// parses their output; this engine speaks HTTP itself, keeps one
// session per BMC, and bounds every call by its context rather than by
// mtce's fixed timers. StarlingX learns the protocol of a dynamic
// bm_type once and stores it in mtce_info; Probe gives the version and
// leaves the choice and its storage to the caller. Self-signed
// certificates are refused unless Options.InsecureTLS says otherwise
// (redfishtool is run without verification).
package redfishbmc
