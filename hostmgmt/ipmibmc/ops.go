package ipmibmc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bougou/go-ipmi"

	"github.com/edgeflock/flock/hostmgmt"
)

// PowerState returns the chassis power from Get Chassis Status.
func (b *BMC) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	st := hostmgmt.PowerUnknown
	err := b.do(ctx, "power state", func(ctx context.Context, c *ipmi.Client) error {
		on, err := powerIsOn(ctx, c)
		if err != nil {
			return err
		}
		st = hostmgmt.PowerOff
		if on {
			st = hostmgmt.PowerOn
		}
		return nil
	})
	if err != nil {
		return hostmgmt.PowerUnknown, err
	}
	return st, nil
}

func powerIsOn(ctx context.Context, c *ipmi.Client) (bool, error) {
	res, err := c.GetChassisStatus(ctx)
	if err != nil {
		return false, fmt.Errorf("get chassis status: %w", err)
	}
	return res.PowerIsOn, nil
}

// Power performs op with Chassis Control; see the package doc for the
// control each op sends. graceful-restart returns
// hostmgmt.ErrUnimplemented.
func (b *BMC) Power(ctx context.Context, op hostmgmt.PowerOp) error {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	var control ipmi.ChassisControl
	switch op {
	case hostmgmt.OpPowerOn:
		control = ipmi.ChassisControlPowerUp
	case hostmgmt.OpPowerOff:
		control = ipmi.ChassisControlPowerDown
	case hostmgmt.OpReset:
		control = ipmi.ChassisControlHardReset
	case hostmgmt.OpCycle:
		control = ipmi.ChassisControlPowerCycle
	case hostmgmt.OpGraceful:
		control = ipmi.ChassisControlSoftShutdown
	default: // OpGracefulRestart
		return fmt.Errorf("ipmibmc: power %s: IPMI has no graceful restart: %w", op, hostmgmt.ErrUnimplemented)
	}
	return b.do(ctx, "power "+string(op), func(ctx context.Context, c *ipmi.Client) error {
		if control == ipmi.ChassisControlHardReset || control == ipmi.ChassisControlPowerCycle {
			// A reset or a cycle of a host that is off powers it up.
			on, err := powerIsOn(ctx, c)
			if err != nil {
				return err
			}
			if !on {
				control = ipmi.ChassisControlPowerUp
			}
		}
		if _, err := c.ChassisControl(ctx, control); err != nil {
			return fmt.Errorf("chassis control %d: %w", control, err)
		}
		return nil
	})
}

// bootSelectors maps boot devices to IPMI boot device selectors.
var bootSelectors = map[hostmgmt.BootDevice]ipmi.BootDeviceSelector{
	hostmgmt.BootPXE:  ipmi.BootDeviceSelectorForcePXE,
	hostmgmt.BootDisk: ipmi.BootDeviceSelectorForceHardDrive,
	hostmgmt.BootCD:   ipmi.BootDeviceSelectorForceCDROM,
}

// SetBootDevice sets the boot flags (System Boot Options parameter 5):
// valid, next boot only, device d.
func (b *BMC) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(d); err != nil {
		return err
	}
	flags := &ipmi.BootOptionParam_BootFlags{
		BootFlagsValid:     true,
		Persist:            false,
		BIOSBootType:       ipmi.BIOSBootTypeLegacy,
		BootDeviceSelector: bootSelectors[d],
	}
	if b.opts.EFI {
		flags.BIOSBootType = ipmi.BIOSBootTypeEFI
	}
	return b.do(ctx, "boot device "+string(d), func(ctx context.Context, c *ipmi.Client) error {
		if err := c.SetSystemBootOptionsParamFor(ctx, flags); err != nil {
			return fmt.Errorf("set system boot options (boot flags): %w", err)
		}
		return nil
	})
}

// Info reads Get Device ID and Get System GUID (as the serial number:
// IPMI has no system serial outside the FRU). It gives no MAC address:
// the LAN configuration's is the BMC's own NIC, not the system's.
func (b *BMC) Info(ctx context.Context) (hostmgmt.BMCInfo, error) {
	var info hostmgmt.BMCInfo
	err := b.do(ctx, "info", func(ctx context.Context, c *ipmi.Client) error {
		id, err := c.GetDeviceID(ctx)
		if err != nil {
			return fmt.Errorf("get device id: %w", err)
		}
		info.Manufacturer = manufacturer(id.ManufacturerID)
		info.Model = fmt.Sprintf("product 0x%04x", id.ProductID)
		info.BMCFirmwareVersion = fmt.Sprintf("%d.%02x", id.MajorFirmwareRevision, id.MinorFirmwareRevision)
		guid, err := c.GetSystemGUID(ctx)
		switch {
		case err == nil:
			info.SerialNumber = guidString(guid.GUID)
		case !isCompletion(err):
			return fmt.Errorf("get system guid: %w", err)
		}
		return nil
	})
	if err != nil {
		return hostmgmt.BMCInfo{}, err
	}
	return info, nil
}

// isCompletion reports whether err is the BMC's answer with a completion
// code (a command or parameter it does not support), not a lost answer.
func isCompletion(err error) bool {
	var re *ipmi.ResponseError
	return errors.As(err, &re)
}

// manufacturers names the IANA enterprise numbers of BMC makers that
// go-ipmi does not name.
var manufacturers = map[uint32]string{
	4753:  "MontaVista", // OpenIPMI's ipmi_sim
	7154:  "IPMI Forum",
	19046: "Lenovo",
	20301: "IBM",
	11129: "Google",
	40981: "Facebook",
	57074: "OpenBMC",
	49622: "OpenBMC",
	10876: "Supermicro",
	674:   "Dell",
	11:    "HPE",
	343:   "Intel",
	2011:  "Huawei",
	47196: "Inspur",
	8554:  "Phoenix",
}

// manufacturer names an IANA enterprise number, or spells it "IANA n".
func manufacturer(id uint32) string {
	if name, ok := manufacturers[id]; ok {
		return name
	}
	if name := ipmi.OEM(id).String(); name != "" && !strings.Contains(strings.ToLower(name), "unknown") {
		return name
	}
	return fmt.Sprintf("IANA %d", id)
}

// guidString spells a system GUID (SMBIOS byte order: the first three
// fields least-significant byte first) as a UUID.
func guidString(g [16]byte) string {
	if g == ([16]byte{}) {
		return ""
	}
	return fmt.Sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15])
}
