// Package bmcsim is Flock's Redfish BMC emulator: an http.Handler that
// serves a Redfish service from a DMTF mockup tree and turns each
// hostmgmt.BMC it is given (an in-memory host, a QEMU VM, a libvirt
// domain) into a Redfish-managed server, so host maintenance, Redfish
// clients and a whole Flock lab run against BMCs on one machine.
// cmd/stx-bmcsim serves it.
//
// # What it emulates
//
// The tree is a mockup in DMTF's layout (each resource at
// <path>/index.json; by default the embedded public-rackmount1, DMTF's
// 1U rack server, BSD-3 licensed, see mockup/LICENSE.md). The mockup's
// single ComputerSystem, the Manager that manages it and its Chassis are
// templates: AddSystem clones them for each virtual host to
// /redfish/v1/Systems/<id>, /redfish/v1/Managers/<id> and
// /redfish/v1/Chassis/<id>, with every @odata.id, link and action target
// rewritten and its own UUID (derived from the template's and the id),
// so several systems share one port. The rest of the tree
// (AccountService, UpdateService, registries, $metadata...) is served as
// the mockup has it, read-only.
//
// Live from the system's backend:
//   - PowerState of the ComputerSystem and its Chassis (On, Off; null
//     when the backend says unknown).
//   - Manufacturer, Model, SerialNumber and BiosVersion of the system,
//     the Manager's FirmwareVersion, and the MAC addresses of the
//     system's Ethernet interfaces (in collection order), where the
//     backend's Info has them; otherwise the mockup's values.
//   - Sensors: when backend.Sensors returns readings, the Chassis's
//     Sensors collection holds one Sensor per reading (the mockup's are
//     gone) and the deprecated Thermal (Temperatures, Fans) and Power
//     (Voltages, PowerControl) arrays are built from them; when it
//     returns none or ErrUnimplemented, the mockup's are served.
//
// Actions that act:
//   - ComputerSystem.Reset: On and ForceOn (hostmgmt.OpPowerOn), ForceOff
//     (off), GracefulShutdown (soft-off), GracefulRestart
//     (graceful-restart), ForceRestart (reset), PowerCycle (cycle),
//     PushPowerButton (on when off, soft-off when on) call backend.Power.
//     Nmi is accepted (204) and does nothing: hostmgmt.BMC has no NMI.
//     Answers 204.
//   - PATCH of the ComputerSystem: Boot.BootSourceOverrideTarget (None,
//     Pxe, Cd, Hdd), Boot.BootSourceOverrideEnabled (Once, Continuous,
//     Disabled), Boot.BootSourceOverrideMode (UEFI, Legacy) and AssetTag.
//     An enabled override with a device target calls
//     backend.SetBootDevice. A boot (a reset, or an On of a host that was
//     off) through the emulator ends a Once override (Disabled, None) and
//     sets a Continuous one again on the backend. Answers 200 with the
//     resource.
//   - VirtualMedia.InsertMedia and VirtualMedia.EjectMedia on every
//     VirtualMedia resource of a system (public-rackmount1:
//     Systems/<id>/VirtualMedia/CD1, CD2, Floppy1), added to the
//     resource's Actions. The resource shows the image; a CD or DVD
//     medium is also passed to a backend that is a hostmgmt.VirtualMedia.
//   - Sessions: POST /redfish/v1/SessionService/Sessions with UserName
//     and Password answers 201 with X-Auth-Token and Location; DELETE of
//     the session logs out; a session unused for Options.SessionTimeout
//     ends.
//
// The protocol: basic auth or X-Auth-Token on everything but the service
// root (/redfish, /redfish/v1/), /redfish/v1/odata, /redfish/v1/$metadata
// and the login POST; a weak ETag on every GET and PATCH answer, and
// If-Match on PATCH (412 when it does not match); OData-Version 4.0.
//
// # Errors
//
// Every error answer is a Redfish error body, {"error": {"code",
// "message", "@Message.ExtendedInfo": [...]}}, whose messages are Base
// registry messages (Base.1.18.<Key>); error.code is the one message's id,
// or Base.1.18.GeneralError when there are several. Bad input is
// refused whole and changes nothing:
//
//	unknown path                           404 ResourceNotFound
//	method the resource does not take      405 OperationNotAllowed (with Allow)
//	malformed JSON, or not an object       400 MalformedJSON
//	unknown or read-only PATCH property    400 PropertyUnknown / PropertyNotWritable
//	                                           (annotations, names with an @, are ignored)
//	PATCH value of the wrong type          400 PropertyValueTypeError
//	PATCH value not allowed                400 PropertyValueNotInList (the allowed ones in Resolution)
//	reset type not allowed                 400 ActionParameterValueNotInList, its message
//	                                           naming ResetType@Redfish.AllowableValues
//	action parameter unknown / missing     400 ActionParameterUnknown / ActionParameterMissing
//	action parameter of the wrong type     400 ActionParameterValueTypeError
//	an action the resource does not have   400 ActionNotSupported
//	If-Match not matching                  412 PreconditionFailed
//	no or wrong credentials or token       401 NoValidSession (with WWW-Authenticate)
//	body not application/json              415 UnsupportedMediaType
//	body over 64 KiB                       413 PayloadTooLarge
//
// A backend's error: hostmgmt.ErrInvalid 400, hostmgmt.ErrUnimplemented
// 501 ActionNotSupported, anything else 500 InternalError.
//
// # What it does not emulate
//
// No $expand, $select, $filter or $top (query parameters are ignored);
// no PUT, no POST to collections but Sessions, no DELETE but of
// sessions; the rest of the tree is read-only (accounts, BIOS settings,
// firmware update, event subscriptions, log services are the mockup's
// text). One account, the Options'; no roles or privileges. No tasks:
// every action completes before it answers. No SSE or event
// subscriptions, no serial console or KVM. HTTPS is cmd/stx-bmcsim's
// business (its --tls-cert), not the handler's.
//
// # Where it differs from a real BMC
//
//   - The host is the backend: with a memory host nothing boots, so
//     PowerState is On or Off at once (never PoweringOn/PoweringOff), and
//     GracefulShutdown always succeeds.
//   - hostmgmt.BMC cannot clear a boot device, so setting the override to
//     Disabled or None after an enabled one leaves the backend's next
//     boot device in place (a memory host forgets it at its next boot).
//     Boots the backend does on its own (a guest rebooting itself) do
//     not end a Once override.
//   - A new system's boot override starts Disabled/None whatever the
//     mockup says, and its Reset action lists the reset types above, not
//     the mockup's; the mockup's OEM actions are not served.
//   - Resources outside a system's subtrees that link to the mockup's
//     system, manager or chassis (firmware inventory, component
//     integrity, service conditions) keep those links, which are not
//     served (404).
//   - Message ids are Base 1.18's although the public-rackmount1 tree
//     publishes the Base 1.5.0 registry.
//   - The emulator's sessions replace the mockup's sample ones, and
//     SessionService.SessionTimeout shows Options.SessionTimeout.
//   - Everything not listed above keeps the mockup's sample values,
//     including the system's Status (a Warning health rollup with a CPU
//     temperature condition in public-rackmount1) whatever the sensors say.
//
// # Against StarlingX
//
// StarlingX has no BMC emulator of its own; its virtual labs put
// OpenStack's sushy-tools (Redfish) or virtualbmc (IPMI) in front of
// libvirt domains. bmcsim takes sushy-tools' place: it serves a whole DMTF
// mockup rather than sushy-tools' minimal tree, any hostmgmt.BMC (memory,
// QEMU over QMP, libvirt) rather than libvirt or Nova only, and many
// systems behind one port with one account, without sushy-tools' BIOS,
// storage and indicator emulation.
//
// A MemoryHost is the in-memory backend: power state, next boot device,
// virtual CD, info and settable sensor readings in fields, an OnPower hook
// for labs that start and stop a host's agent with its power.
package bmcsim
