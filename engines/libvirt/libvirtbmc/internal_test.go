//go:build libvirt

package libvirtbmc

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"libvirt.org/go/libvirt"

	"github.com/edgeflock/flock/hostmgmt"
)

func TestPowerStateMapping(t *testing.T) {
	for s, want := range map[libvirt.DomainState]hostmgmt.PowerState{
		libvirt.DOMAIN_RUNNING:     hostmgmt.PowerOn,
		libvirt.DOMAIN_BLOCKED:     hostmgmt.PowerOn,
		libvirt.DOMAIN_PAUSED:      hostmgmt.PowerOn,
		libvirt.DOMAIN_PMSUSPENDED: hostmgmt.PowerOn,
		libvirt.DOMAIN_SHUTDOWN:    hostmgmt.PowerOff,
		libvirt.DOMAIN_SHUTOFF:     hostmgmt.PowerOff,
		libvirt.DOMAIN_CRASHED:     hostmgmt.PowerOff,
		libvirt.DOMAIN_NOSTATE:     hostmgmt.PowerUnknown,
		libvirt.DomainState(99):    hostmgmt.PowerUnknown,
	} {
		assert.Equal(t, want, powerState(s), "state %d", s)
	}
}

func TestClassify(t *testing.T) {
	for code, want := range map[libvirt.ErrorNumber]error{
		libvirt.ERR_NO_SUPPORT:            hostmgmt.ErrUnimplemented,
		libvirt.ERR_OPERATION_UNSUPPORTED: hostmgmt.ErrUnimplemented,
		libvirt.ERR_NO_DOMAIN:             hostmgmt.ErrNotFound,
	} {
		err := classify(libvirt.Error{Code: code, Message: "m"})
		assert.ErrorIs(t, err, want, "code %d", code)
		var lerr libvirt.Error
		assert.ErrorAs(t, err, &lerr, "the libvirt error stays reachable")
	}
	err := classify(libvirt.Error{Code: libvirt.ERR_OPERATION_INVALID})
	assert.NotErrorIs(t, err, hostmgmt.ErrUnimplemented)
	assert.NotErrorIs(t, err, hostmgmt.ErrNotSent)
	plain := errors.New("x")
	assert.Same(t, plain, classify(plain))
	assert.NoError(t, classify(nil))
}

func TestVersion(t *testing.T) {
	assert.Equal(t, "9.0.0", version(9000000))
	assert.Equal(t, "7.2.19", version(7002019))
}
