package bmcsim

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/edgeflock/flock/hostmgmt"
)

// MemoryOptions configure a MemoryHost.
type MemoryOptions struct {
	// Off starts the host powered off (default: on).
	Off bool
	// Info is what Info returns; its empty fields leave the mockup's
	// values in the served resources.
	Info hostmgmt.BMCInfo
	// Sensors are the host's sensors and first readings; their Status is
	// computed from the reading and thresholds. None: Sensors returns
	// none and the server serves the mockup's.
	Sensors []hostmgmt.Sensor
	// OnPower, if set, is called after each power operation has changed
	// the state, outside the host's lock (a lab kills or starts the
	// host's agent there).
	OnPower func(hostmgmt.PowerOp)
}

// MemoryHost is a host that exists only in memory: a hostmgmt.BMC whose
// power state, next boot device, virtual CD and sensor readings are
// fields. It is the emulator's default backend.
type MemoryHost struct {
	info    hostmgmt.BMCInfo
	onPower func(hostmgmt.PowerOp)

	mu      sync.Mutex
	power   hostmgmt.PowerState
	boot    hostmgmt.BootDevice
	media   string
	sensors []hostmgmt.Sensor
	ops     []hostmgmt.PowerOp
}

var (
	_ hostmgmt.BMC          = (*MemoryHost)(nil)
	_ hostmgmt.VirtualMedia = (*MemoryHost)(nil)
)

// NewMemoryHost returns a host powered on (unless opts.Off) with no boot
// device set; nil opts are defaults.
func NewMemoryHost(opts *MemoryOptions) *MemoryHost {
	if opts == nil {
		opts = &MemoryOptions{}
	}
	h := &MemoryHost{info: opts.Info, onPower: opts.OnPower, power: hostmgmt.PowerOn}
	h.info.MACAddresses = slices.Clone(opts.Info.MACAddresses)
	if opts.Off {
		h.power = hostmgmt.PowerOff
	}
	h.sensors = slices.Clone(opts.Sensors)
	for i := range h.sensors {
		h.sensors[i].Status = h.sensors[i].Thresholds.Status(h.sensors[i].Reading)
	}
	return h
}

// PowerState implements hostmgmt.BMC.
func (h *MemoryHost) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	if err := ctx.Err(); err != nil {
		return hostmgmt.PowerUnknown, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.power, nil
}

// Power implements hostmgmt.BMC: off and soft-off power the host off;
// on, reset, cycle and graceful-restart leave it on, and each of those
// but an on of a host already on is a boot, which uses up the boot
// device.
func (h *MemoryHost) Power(ctx context.Context, op hostmgmt.PowerOp) error {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	h.ops = append(h.ops, op)
	switch op {
	case hostmgmt.OpPowerOff, hostmgmt.OpGraceful:
		h.power = hostmgmt.PowerOff
	case hostmgmt.OpPowerOn:
		if h.power != hostmgmt.PowerOn {
			h.power, h.boot = hostmgmt.PowerOn, ""
		}
	default:
		h.power, h.boot = hostmgmt.PowerOn, ""
	}
	h.mu.Unlock()
	if h.onPower != nil {
		h.onPower(op)
	}
	return nil
}

// SetBootDevice implements hostmgmt.BMC.
func (h *MemoryHost) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(d); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.boot = d
	return nil
}

// Info implements hostmgmt.BMC.
func (h *MemoryHost) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	if err := ctx.Err(); err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	info := h.info
	info.MACAddresses = slices.Clone(info.MACAddresses)
	return info, nil
}

// Sensors implements hostmgmt.BMC.
func (h *MemoryHost) Sensors(ctx context.Context) ([]hostmgmt.Sensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.sensors), nil
}

// As implements hostmgmt.BMC: target may be a **MemoryHost.
func (h *MemoryHost) As(target any) bool {
	if p, ok := target.(**MemoryHost); ok {
		*p = h
		return true
	}
	return false
}

// InsertMedia implements hostmgmt.VirtualMedia.
func (h *MemoryHost) InsertMedia(ctx context.Context, imageURL string) error {
	if imageURL == "" {
		return fmt.Errorf("bmcsim: %w", &hostmgmt.FieldError{Field: "image_url", Reason: "required"})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.media = imageURL
	return nil
}

// EjectMedia implements hostmgmt.VirtualMedia.
func (h *MemoryHost) EjectMedia(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.media = ""
	return nil
}

// SetSensor sets the reading of the sensor named name (its status
// follows its thresholds); an unknown name is hostmgmt.ErrNotFound.
func (h *MemoryHost) SetSensor(name string, reading float64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.sensors {
		if h.sensors[i].Name == name {
			h.sensors[i].Reading = reading
			h.sensors[i].Status = h.sensors[i].Thresholds.Status(reading)
			return nil
		}
	}
	return fmt.Errorf("bmcsim: sensor %q: %w", name, hostmgmt.ErrNotFound)
}

// NextBoot returns the boot device set for the next boot ("" for none).
func (h *MemoryHost) NextBoot() hostmgmt.BootDevice {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.boot
}

// Media returns the image in the virtual CD ("" for none).
func (h *MemoryHost) Media() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.media
}

// Ops returns the power operations performed, in order.
func (h *MemoryHost) Ops() []hostmgmt.PowerOp {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ops)
}
