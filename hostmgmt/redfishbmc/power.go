package redfishbmc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/edgeflock/flock/hostmgmt"
)

// pollEvery is how often a power cycle made of ForceOff then On reads
// the power state while it waits for the host to be off; offWait bounds
// that wait when the caller's context has no deadline (StarlingX's
// power-off timeout).
const (
	pollEvery = 250 * time.Millisecond
	offWait   = 60 * time.Second
)

// system returns the managed ComputerSystem, read through c. The first
// call finds it in the Systems collection; later ones read it directly.
func (b *BMC) system(ctx context.Context, c *gofish.APIClient) (*schemas.ComputerSystem, error) {
	if err := b.acquire(ctx); err != nil {
		return nil, err
	}
	uri := b.sysURI
	b.release()
	if uri != "" {
		return schemas.GetObject[schemas.ComputerSystem](c, uri)
	}
	sys, err := findSystem(c, b.opts.System)
	if err != nil {
		return nil, err
	}
	if err := b.acquire(ctx); err != nil {
		return nil, err
	}
	b.sysURI = sys.ODataID
	b.release()
	return sys, nil
}

// systemsCollection is where Redfish (1.6 and later fix the URI)
// keeps the ComputerSystems.
const systemsCollection = "/redfish/v1/Systems"

// findSystem returns the ComputerSystem named id. A named one is found
// among the collection's links (one GET for the collection, one for the
// system: a service with a thousand systems is not read whole); failing
// that, and for an unnamed one, every member is read.
func findSystem(c *gofish.APIClient, id string) (*schemas.ComputerSystem, error) {
	if id != "" {
		if coll, err := schemas.GetCollection(c, systemsCollection); err == nil {
			for _, link := range coll.ItemLinks {
				if path.Base(strings.TrimSuffix(link, "/")) == id {
					return schemas.GetObject[schemas.ComputerSystem](c, link)
				}
			}
		}
	}
	systems, err := c.Service.Systems()
	if err != nil {
		return nil, err
	}
	return pickSystem(systems, id)
}

// pickSystem returns the system named id, or the only one when id is
// empty; otherwise a *hostmgmt.FieldError naming "system".
func pickSystem(systems []*schemas.ComputerSystem, id string) (*schemas.ComputerSystem, error) {
	ids := make([]string, 0, len(systems))
	for _, s := range systems {
		if id != "" && s.ID == id {
			return s, nil
		}
		ids = append(ids, s.ID)
	}
	switch {
	case id != "":
		return nil, &hostmgmt.FieldError{Field: "system", Reason: fmt.Sprintf("no ComputerSystem %q (the BMC has %s)", id, strings.Join(ids, ", "))}
	case len(systems) == 1:
		return systems[0], nil
	case len(systems) == 0:
		return nil, fmt.Errorf("the BMC has no ComputerSystem")
	}
	return nil, &hostmgmt.FieldError{Field: "system", Reason: fmt.Sprintf("the BMC has several ComputerSystems (%s): name one", strings.Join(ids, ", "))}
}

// powerState normalises a Redfish PowerState: PoweringOn is on (the
// host is on its way up), PoweringOff is off, Paused is on (powered,
// not running).
func powerState(p schemas.PowerState) hostmgmt.PowerState {
	switch p {
	case schemas.OnPowerState, schemas.PoweringOnPowerState, schemas.PausedPowerState:
		return hostmgmt.PowerOn
	case schemas.OffPowerState, schemas.PoweringOffPowerState:
		return hostmgmt.PowerOff
	}
	return hostmgmt.PowerUnknown
}

// PowerState returns the system's power: one GET of the ComputerSystem
// (after the first call, which finds it).
func (b *BMC) PowerState(ctx context.Context) (hostmgmt.PowerState, error) {
	st := hostmgmt.PowerUnknown
	err := b.call(ctx, "power state", func(c *gofish.APIClient) error {
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		st = powerState(sys.PowerState)
		return nil
	})
	return st, err
}

// resetTypes returns the reset types the system allows (from
// ResetType@Redfish.AllowableValues, else its ActionInfo); nil means
// it does not say, and every type is tried.
func resetTypes(sys *schemas.ComputerSystem) ([]schemas.ResetType, error) {
	return sys.GetSupportedResetTypes()
}

// hasReset reports whether sys has a ComputerSystem.Reset action.
func hasReset(sys *schemas.ComputerSystem) bool {
	var raw struct {
		Actions map[string]json.RawMessage
	}
	if json.Unmarshal(sys.RawData, &raw) != nil {
		return true // let the BMC answer
	}
	_, ok := raw.Actions["#ComputerSystem.Reset"]
	return ok
}

// plan returns the reset types that perform op on a host in state st,
// given the types the BMC allows (nil: all). A cycle without PowerCycle
// is ForceOff then On; a reset or cycle of a powered-off host is On.
func plan(op hostmgmt.PowerOp, st hostmgmt.PowerState, allowed []schemas.ResetType) ([]schemas.ResetType, error) {
	has := func(t schemas.ResetType) bool { return len(allowed) == 0 || slices.Contains(allowed, t) }
	first := func(ts ...schemas.ResetType) ([]schemas.ResetType, error) {
		for _, t := range ts {
			if has(t) {
				return []schemas.ResetType{t}, nil
			}
		}
		return nil, fmt.Errorf("%w: power %s needs reset type %s; the BMC allows %v", hostmgmt.ErrUnimplemented, op, ts[0], allowed)
	}
	powerOn := func() ([]schemas.ResetType, error) {
		return first(schemas.OnResetType, schemas.ForceOnResetType)
	}
	switch op {
	case hostmgmt.OpPowerOn:
		return powerOn()
	case hostmgmt.OpPowerOff:
		return first(schemas.ForceOffResetType)
	case hostmgmt.OpReset:
		if st == hostmgmt.PowerOff {
			return powerOn()
		}
		return first(schemas.ForceRestartResetType)
	case hostmgmt.OpCycle:
		if st == hostmgmt.PowerOff {
			return powerOn()
		}
		if has(schemas.PowerCycleResetType) {
			return []schemas.ResetType{schemas.PowerCycleResetType}, nil
		}
		on, err := powerOn()
		if err != nil || !has(schemas.ForceOffResetType) {
			return nil, fmt.Errorf("%w: power cycle needs PowerCycle, or ForceOff and On; the BMC allows %v", hostmgmt.ErrUnimplemented, allowed)
		}
		return append([]schemas.ResetType{schemas.ForceOffResetType}, on...), nil
	case hostmgmt.OpGraceful:
		return first(schemas.GracefulShutdownResetType)
	case hostmgmt.OpGracefulRestart:
		return first(schemas.GracefulRestartResetType)
	}
	return nil, hostmgmt.CheckPowerOp(op)
}

// Power performs op with ComputerSystem.Reset: on is On, off ForceOff,
// reset ForceRestart (On for a powered-off host), cycle PowerCycle (or
// ForceOff, wait for off, On; On for a powered-off host), soft-off
// GracefulShutdown, graceful-restart GracefulRestart. A type the BMC
// does not allow is hostmgmt.ErrUnimplemented, and nothing is sent.
func (b *BMC) Power(ctx context.Context, op hostmgmt.PowerOp) error {
	if err := hostmgmt.CheckPowerOp(op); err != nil {
		return err
	}
	return b.call(ctx, "power "+string(op), func(c *gofish.APIClient) error {
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		if !hasReset(sys) {
			return fmt.Errorf("%w: the ComputerSystem has no Reset action", hostmgmt.ErrUnimplemented)
		}
		allowed, err := resetTypes(sys)
		if err != nil {
			return err
		}
		steps, err := plan(op, powerState(sys.PowerState), allowed)
		if err != nil {
			return err
		}
		for i, t := range steps {
			if i > 0 {
				if err := b.waitOff(ctx, c); err != nil {
					return &sentError{err}
				}
			}
			if _, err := sys.Reset(t); err != nil {
				if i > 0 {
					err = &sentError{err}
				}
				return fmt.Errorf("reset %s: %w", t, err)
			}
		}
		return nil
	})
}

// waitOff reads the power state until it is off.
func (b *BMC) waitOff(ctx context.Context, c *gofish.APIClient) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, offWait)
		defer cancel()
		c = c.WithContext(ctx)
	}
	t := time.NewTimer(pollEvery)
	defer t.Stop()
	for {
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		if powerState(sys.PowerState) == hostmgmt.PowerOff {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for power off after ForceOff: %w", ctx.Err())
		case <-t.C:
			t.Reset(pollEvery)
		}
	}
}

// bootTargets maps boot devices to BootSourceOverrideTarget.
var bootTargets = map[hostmgmt.BootDevice]schemas.BootSource{
	hostmgmt.BootPXE:  schemas.PxeBootSource,
	hostmgmt.BootDisk: schemas.HddBootSource,
	hostmgmt.BootCD:   schemas.CdBootSource,
}

// SetBootDevice sets the next boot (only) to d: one PATCH of the
// ComputerSystem's Boot with BootSourceOverrideEnabled Once and
// BootSourceOverrideTarget Pxe, Hdd or Cd (If-Match its ETag). A target
// outside the system's BootSourceOverrideTarget@Redfish.AllowableValues
// is hostmgmt.ErrUnimplemented.
func (b *BMC) SetBootDevice(ctx context.Context, d hostmgmt.BootDevice) error {
	if err := hostmgmt.CheckBootDevice(d); err != nil {
		return err
	}
	target := bootTargets[d]
	return b.call(ctx, "boot "+string(d), func(c *gofish.APIClient) error {
		sys, err := b.system(ctx, c)
		if err != nil {
			return err
		}
		if allowed := sys.Boot.AllowableBootSourceOverrideTargetValues; len(allowed) > 0 && !slices.Contains(allowed, target) {
			return fmt.Errorf("%w: boot target %s; the BMC allows %v", hostmgmt.ErrUnimplemented, target, allowed)
		}
		patch := map[string]any{"Boot": map[string]any{
			"BootSourceOverrideEnabled": schemas.OnceBootSourceOverrideEnabled,
			"BootSourceOverrideTarget":  target,
		}}
		resp, err := c.PatchWithHeaders(sys.ODataID, patch, sys.Headers())
		if err != nil {
			return err
		}
		return closeBody(resp)
	})
}

func closeBody(resp *http.Response) error {
	if resp == nil || resp.Body == nil {
		return nil
	}
	return schemas.CleanupHTTPResponse(resp)
}
