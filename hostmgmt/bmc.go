package hostmgmt

import (
	"context"
	"errors"
	"math"
	"time"
)

// PowerState is a host's power as its BMC reports it, normalised from
// each protocol's own words (Redfish's "PoweringOn" is on, IPMI's chassis
// power bit...).
type PowerState string

// Power states.
const (
	PowerOn      PowerState = "on"
	PowerOff     PowerState = "off"
	PowerUnknown PowerState = "unknown"
)

var powerStates = enumValues[PowerState]{"power_state", []PowerState{PowerOn, PowerOff, PowerUnknown}}

// Valid reports whether p is a power state.
func (p PowerState) Valid() bool { return powerStates.valid(p) }

// String returns the name.
func (p PowerState) String() string { return string(p) }

// UnmarshalText parses a name strictly: anything else is a *FieldError.
func (p *PowerState) UnmarshalText(b []byte) error { return powerStates.unmarshal(p, b) }

// PowerOp is a power operation.
type PowerOp string

// Power operations.
const (
	OpPowerOn         PowerOp = "on"
	OpPowerOff        PowerOp = "off"              // forced off
	OpReset           PowerOp = "reset"            // forced restart
	OpCycle           PowerOp = "cycle"            // off then on
	OpGraceful        PowerOp = "soft-off"         // ACPI shutdown
	OpGracefulRestart PowerOp = "graceful-restart" // ACPI restart
)

var powerOps = enumValues[PowerOp]{"power_op", []PowerOp{OpPowerOn, OpPowerOff, OpReset, OpCycle, OpGraceful, OpGracefulRestart}}

// Valid reports whether op is a power operation.
func (op PowerOp) Valid() bool { return powerOps.valid(op) }

// String returns the name.
func (op PowerOp) String() string { return string(op) }

// UnmarshalText parses a name strictly: anything else is a *FieldError.
func (op *PowerOp) UnmarshalText(b []byte) error { return powerOps.unmarshal(op, b) }

// BootDevice is a one-time boot source.
type BootDevice string

// Boot devices.
const (
	BootPXE  BootDevice = "pxe"
	BootDisk BootDevice = "disk"
	BootCD   BootDevice = "cd"
)

var bootDevices = enumValues[BootDevice]{"boot_device", []BootDevice{BootPXE, BootDisk, BootCD}}

// Valid reports whether d is a boot device.
func (d BootDevice) Valid() bool { return bootDevices.valid(d) }

// String returns the name.
func (d BootDevice) String() string { return string(d) }

// UnmarshalText parses a name strictly: anything else is a *FieldError.
func (d *BootDevice) UnmarshalText(b []byte) error { return bootDevices.unmarshal(d, b) }

// BMCInfo describes a BMC and the system it manages.
type BMCInfo struct {
	Manufacturer       string   `json:"manufacturer,omitempty"`
	Model              string   `json:"model,omitempty"`
	SerialNumber       string   `json:"serial_number,omitempty"`
	FirmwareVersion    string   `json:"firmware_version,omitempty"`     // the system's (BIOS/UEFI)
	BMCFirmwareVersion string   `json:"bmc_firmware_version,omitempty"` // the BMC's own
	MACAddresses       []string `json:"mac_addresses,omitempty"`        // the system's NICs, aa:bb:cc:dd:ee:ff
}

// SensorType is what a sensor measures.
type SensorType string

// Sensor types.
const (
	SensorTemperature SensorType = "temperature" // degrees Celsius
	SensorFan         SensorType = "fan"         // RPM (or percent, by Units)
	SensorVoltage     SensorType = "voltage"     // volts
	SensorPower       SensorType = "power"       // watts
)

var sensorTypes = enumValues[SensorType]{"type", []SensorType{SensorTemperature, SensorFan, SensorVoltage, SensorPower}}

// Valid reports whether t is a sensor type.
func (t SensorType) Valid() bool { return sensorTypes.valid(t) }

// String returns the name.
func (t SensorType) String() string { return string(t) }

// UnmarshalText parses a name strictly: anything else is a *FieldError.
func (t *SensorType) UnmarshalText(b []byte) error { return sensorTypes.unmarshal(t, b) }

// SensorStatus is a reading against its thresholds.
type SensorStatus string

// Sensor statuses.
const (
	SensorOK       SensorStatus = "ok"
	SensorWarning  SensorStatus = "warning"  // past a caution (non-critical) threshold
	SensorCritical SensorStatus = "critical" // past a critical threshold
	SensorUnknown  SensorStatus = "unknown"  // no reading
)

var sensorStatuses = enumValues[SensorStatus]{"status", []SensorStatus{SensorOK, SensorWarning, SensorCritical, SensorUnknown}}

// Valid reports whether s is a sensor status.
func (s SensorStatus) Valid() bool { return sensorStatuses.valid(s) }

// String returns the name.
func (s SensorStatus) String() string { return string(s) }

// UnmarshalText parses a name strictly: anything else is a *FieldError.
func (s *SensorStatus) UnmarshalText(b []byte) error { return sensorStatuses.unmarshal(s, b) }

// ParsePowerOp returns the power operation named s, or a *FieldError
// naming power_op.
func ParsePowerOp(s string) (PowerOp, error) { return powerOps.parse(s) }

// ParseBootDevice returns the boot device named s, or a *FieldError
// naming boot_device.
func ParseBootDevice(s string) (BootDevice, error) { return bootDevices.parse(s) }

// CheckPowerOp returns a *FieldError (wrapping ErrInvalid) when op is not
// a power operation. Engines call it before sending anything.
func CheckPowerOp(op PowerOp) error {
	_, err := powerOps.parse(string(op))
	return err
}

// CheckBootDevice returns a *FieldError (wrapping ErrInvalid) when d is
// not a boot device. Engines call it before sending anything.
func CheckBootDevice(d BootDevice) error {
	_, err := bootDevices.parse(string(d))
	return err
}

// Status returns the status of reading against t: critical past a
// critical limit, warning past a caution limit, unknown for a reading
// that is not a finite number, else ok. Engines whose
// protocol reports no status of its own use it.
func (t Thresholds) Status(reading float64) SensorStatus {
	switch {
	case math.IsNaN(reading) || math.IsInf(reading, 0):
		return SensorUnknown
	case t.LowerCritical != nil && reading <= *t.LowerCritical, t.UpperCritical != nil && reading >= *t.UpperCritical:
		return SensorCritical
	case t.LowerCaution != nil && reading <= *t.LowerCaution, t.UpperCaution != nil && reading >= *t.UpperCaution:
		return SensorWarning
	}
	return SensorOK
}

// Thresholds are a sensor's limits; nil means none.
type Thresholds struct {
	LowerCritical *float64 `json:"lower_critical,omitempty"`
	LowerCaution  *float64 `json:"lower_caution,omitempty"`
	UpperCaution  *float64 `json:"upper_caution,omitempty"`
	UpperCritical *float64 `json:"upper_critical,omitempty"`
}

// Sensor is one sensor reading.
type Sensor struct {
	Name       string       `json:"name"`
	Type       SensorType   `json:"type"`
	Reading    float64      `json:"reading"`
	Units      string       `json:"units"`
	Status     SensorStatus `json:"status"`
	Thresholds Thresholds   `json:"thresholds"`
}

// BMC is a host's board management controller. The engines (Redfish,
// IPMI, QEMU, libvirt) implement it; hostmgmttest has a fake. Every
// call is bounded by ctx. An engine never retries a call itself; see
// ErrNotSent for what its callers may retry.
type BMC interface {
	// PowerState returns the host's power.
	PowerState(ctx context.Context) (PowerState, error)
	// Power performs op.
	Power(ctx context.Context, op PowerOp) error
	// SetBootDevice sets the device of the next boot only.
	SetBootDevice(ctx context.Context, d BootDevice) error
	// Info describes the BMC and its system.
	Info(ctx context.Context) (BMCInfo, error)
	// Sensors reads every sensor.
	Sensors(ctx context.Context) ([]Sensor, error)
	// As sets target, a pointer to the engine's native client type, and
	// reports whether it could: the escape hatch to what this interface
	// does not cover.
	As(target any) bool
}

// VirtualMedia is a BMC that can present an image as a virtual CD.
type VirtualMedia interface {
	InsertMedia(ctx context.Context, imageURL string) error
	EjectMedia(ctx context.Context) error
}

// SerialConsole is a BMC that serves the host's serial console.
type SerialConsole interface {
	ConsoleURL(ctx context.Context) (string, error)
}

// EventSubscriber is a BMC that pushes its events to a destination URL.
type EventSubscriber interface {
	Subscribe(ctx context.Context, destination string) error
}

// BMC errors.
var (
	// ErrUnimplemented: the BMC does not have this ability.
	ErrUnimplemented = errors.New("hostmgmt: not implemented by this BMC")
	// ErrNotSent wraps an error of a call that surely did not reach the
	// BMC (the connection was refused, the name did not resolve): the
	// one kind of failed power call that may be tried again.
	ErrNotSent = errors.New("hostmgmt: request not sent")
)

// Retry calls fn until it succeeds, fails with an error that is not
// ErrNotSent, or ctx ends; waits between attempts grow from 100 ms to
// 2 s. It is the one retry of BMC calls: an engine never retries, and a
// call that may have reached the BMC (a reset whose answer was lost) is
// never repeated. When ctx ends first, the last call's error is
// returned.
func Retry(ctx context.Context, fn func(context.Context) error) error {
	wait := 100 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || !errors.Is(err, ErrNotSent) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// BMCs opens hosts' BMCs. The manager asks for a host's BMC when it
// needs one; ErrNoBMC means the host has none provisioned (bm_type none).
type BMCs interface {
	BMC(ctx context.Context, hostUUID string) (BMC, error)
}
