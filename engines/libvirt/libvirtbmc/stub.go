//go:build !libvirt

package libvirtbmc

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/hostmgmt"
)

// BMC is a libvirt domain's BMC. This build has no libvirt (it was built
// without the libvirt tag): New always fails.
type BMC struct{}

var _ hostmgmt.BMC = (*BMC)(nil)

// errNoLibvirt is every call's error in a build without libvirt.
var errNoLibvirt = fmt.Errorf("libvirtbmc: built without libvirt (build with -tags libvirt, cgo and libvirt's development files): %w", hostmgmt.ErrUnimplemented)

// New checks its arguments and returns an error wrapping
// hostmgmt.ErrUnimplemented: this binary was built without libvirt.
func New(uri, domain string, opts *Options) (*BMC, error) {
	if err := checkArgs(uri, domain); err != nil {
		return nil, err
	}
	return nil, errNoLibvirt
}

// Close does nothing.
func (b *BMC) Close() error { return nil }

// PowerState fails: no libvirt.
func (b *BMC) PowerState(context.Context) (hostmgmt.PowerState, error) {
	return hostmgmt.PowerUnknown, errNoLibvirt
}

// Power fails: no libvirt.
func (b *BMC) Power(context.Context, hostmgmt.PowerOp) error { return errNoLibvirt }

// SetBootDevice fails: no libvirt.
func (b *BMC) SetBootDevice(context.Context, hostmgmt.BootDevice) error { return errNoLibvirt }

// Info fails: no libvirt.
func (b *BMC) Info(context.Context) (hostmgmt.BMCInfo, error) {
	return hostmgmt.BMCInfo{}, errNoLibvirt
}

// Sensors fails: no libvirt.
func (b *BMC) Sensors(context.Context) ([]hostmgmt.Sensor, error) { return nil, errNoLibvirt }

// As reports false: no native client.
func (b *BMC) As(any) bool { return false }
