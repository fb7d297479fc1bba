package stx

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
	"github.com/edgeflock/flock/patching/patchingsql"
)

// openSoftware builds software management on the controller's database:
// the release files under content_dir, the trusted keys of keys_dir, the
// hosts from inventory, alarms through fault management.
func (s *System) openSoftware(ctx context.Context, cfg Config, db *sqlstore.DB, log *slog.Logger) (*patchingsql.Manager, *content.Store, error) {
	keys, err := patching.LoadKeyring(cfg.SoftwareManagement.KeysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("stx: software.keys_dir: %w", err)
	}
	dir := cfg.SoftwareManagement.ContentDir
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "software")
	}
	store := &content.Store{Dir: dir}
	inv := s.Inventory
	hosts := patchingsql.HostsFunc(func(ctx context.Context) ([]patchingsql.Host, error) {
		hs, err := inv.ListHosts(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]patchingsql.Host, len(hs))
		for i, h := range hs {
			out[i] = patchingsql.Host{Hostname: h.Hostname, Provisioned: h.InvProvision == inventory.Provisioned,
				Locked: h.Administrative == inventory.AdminLocked, Enabled: h.Operational == inventory.OperEnabled,
				ConfigCurrent: h.ConfigStatus != inventory.ConfigOutOfDate}
		}
		return out, nil
	})
	faults := s.Fault
	m, err := patchingsql.New(ctx, db, patchingsql.Options{Store: store, Keyring: keys, Hosts: hosts, Alarms: faults,
		ActiveAlarms: func(ctx context.Context) ([]fault.Alarm, error) { return faults.ListAlarms(ctx, fault.AlarmQuery{}) },
		MaxUpload:    cfg.SoftwareManagement.MaxUpload, Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("stx: %w", err)
	}
	return m, store, nil
}
