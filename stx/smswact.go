package stx

import (
	"context"
	"fmt"

	"github.com/edgeflock/flock/ha"
	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// swacter is host maintenance's way to service management: the SM
// API when one is configured (host-swact then moves the controller
// services, as sysinv → mtce → SM does), else the single controller
// named in the configuration, which refuses swacts.
func swacter(inv inventory.HostReader, active string, sm ha.API) hostmgmt.Swacter {
	if sm != nil {
		return &smSwacter{inv: inv, sm: sm}
	}
	return &localController{inv: inv, hostname: active}
}

// smSwacter implements hostmgmt.Swacter over ha.API.
type smSwacter struct {
	inv inventory.HostReader
	sm  ha.API
}

// Swact moves the services away from the controller hostUUID names.
func (s *smSwacter) Swact(ctx context.Context, hostUUID string, force bool) error {
	h, err := s.inv.GetHost(ctx, hostUUID)
	if err != nil {
		return err
	}
	return s.sm.Swact(ctx, ha.SwactRequest{Node: h.Hostname, Force: force})
}

// Active reports the controller whose N + M groups are active (by
// inventory uuid) and whether the other holds them all standby and
// healthy.
func (s *smSwacter) Active(ctx context.Context) (string, bool, error) {
	groups, err := s.sm.ListServiceGroups(ctx)
	if err != nil {
		return "", false, fmt.Errorf("%w: service management: %v", hostmgmt.ErrUnavailable, err)
	}
	// Groups active on every node that has them (N-active) say nothing.
	nodes := map[string]bool{}
	activeOn := map[string]map[string]bool{}
	for _, g := range groups {
		nodes[g.NodeName] = true
		if activeOn[g.ServiceGroupName] == nil {
			activeOn[g.ServiceGroupName] = map[string]bool{}
		}
		if g.State == ha.GroupActive {
			activeOn[g.ServiceGroupName][g.NodeName] = true
		}
	}
	count := map[string]int{}
	for _, on := range activeOn {
		if len(on) == 1 {
			for n := range on {
				count[n]++
			}
		}
	}
	active := ""
	for n, c := range count {
		if c > count[active] || (c == count[active] && n < active) {
			active = n
		}
	}
	if active == "" {
		return "", false, nil
	}
	standby := len(nodes) > 1
	for _, g := range groups {
		if g.NodeName == active || len(activeOn[g.ServiceGroupName]) != 1 {
			continue
		}
		if g.State != ha.GroupStandby || g.Status == ha.StatusFailed || g.Status == ha.StatusDegraded {
			standby = false
		}
	}
	h, err := s.inv.GetHost(ctx, active)
	if err != nil {
		return "", false, err
	}
	return h.UUID, standby, nil
}
