package inventorysql

import (
	"context"
	"fmt"
	"maps"

	"github.com/edgeflock/flock/inventory"
)

// hostBody is a host as stored: the record, and whether an agent has
// reported for it (a host with an agent is out of date as soon as its
// target changes). The BMC password is a column of its own, never read
// back.
type hostBody struct {
	inventory.Host
	Agent bool `json:"agent_reported,omitempty"`
}

// view returns the host as callers see it, with its derived fields.
func (h hostBody) view() inventory.Host {
	out := h.Host
	out.ConfigStatus = ""
	out.RebootNeeded = false
	if outOfDate(h) {
		out.ConfigStatus = inventory.ConfigOutOfDate
		out.RebootNeeded = inventory.ConfigRebootRequired(h.ConfigTarget)
	}
	out.Location = cloneMap(out.Location)
	out.Capabilities = cloneMap(out.Capabilities)
	return out
}

// outOfDate: the host has a target it has not applied, and an agent
// that should apply it (one that reported, or applied an earlier one).
func outOfDate(h hostBody) bool {
	return h.ConfigTarget != "" && h.ConfigTarget != h.ConfigApplied && (h.ConfigApplied != "" || h.Agent)
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}

const (
	qHosts         = `SELECT id, body FROM inv_host ORDER BY id`
	qHostByName    = `SELECT id, body FROM inv_host WHERE uuid = ? OR hostname = ? OR id = ? ORDER BY CASE WHEN uuid = ? THEN 0 WHEN hostname = ? THEN 1 ELSE 2 END LIMIT 1`
	qHostByID      = `SELECT id, body FROM inv_host WHERE id = ?`
	qHostByMAC     = `SELECT id, body FROM inv_host WHERE mgmt_mac = ?`
	qHostInsert    = `INSERT INTO inv_host (uuid, hostname, mgmt_mac, bm_password, body) VALUES (?, ?, ?, ?, ?)`
	qHostUpdate    = `UPDATE inv_host SET hostname = ?, mgmt_mac = ?, body = ? WHERE id = ?`
	qHostPasswd    = `UPDATE inv_host SET bm_password = ? WHERE id = ?`
	qHostGetPasswd = `SELECT bm_password FROM inv_host WHERE id = ?`
	qHostDelete    = `DELETE FROM inv_host WHERE id = ?`
	qHostnameUse   = `SELECT COUNT(*) FROM inv_host WHERE hostname = ? AND id <> ?`
	qMACUse        = `SELECT COUNT(*) FROM inv_host WHERE mgmt_mac = ? AND id <> ?`
)

// host returns the host named by hostname, uuid or id.
func (c conn) host(ctx context.Context, name string) (hostBody, error) {
	if name == "" {
		return hostBody{}, inventory.Fieldf("host", "is required")
	}
	h, err := one[hostBody](ctx, c, qHostByName, name, name, idArg(name), name, name)
	if err != nil {
		return h, notFoundOr(err, "host", name)
	}
	return h, nil
}

// hostByID returns the host with row id.
func (c conn) hostByID(ctx context.Context, id int64) (hostBody, error) {
	h, err := one[hostBody](ctx, c, qHostByID, id)
	if err != nil {
		return h, notFoundOr(err, "host", fmt.Sprint(id))
	}
	return h, nil
}

// putHost writes a host's record back.
func (c conn) putHost(ctx context.Context, h *hostBody) error {
	h.UpdatedAt = now()
	_, err := c.exec(ctx, qHostUpdate, nullable(h.Hostname), nullable(h.MgmtMAC), body(h), h.ID)
	return err
}

// notFoundOr maps sql.ErrNoRows to a not-found error naming what.
func notFoundOr(err error, what, name string) error {
	if mapped := mapErr(err); isNotFound(mapped) {
		return notFound(what, name)
	}
	return err
}

// requireLocked refuses a change to a host that is not locked.
func requireLocked(h hostBody, what string) error {
	if h.Administrative != inventory.AdminLocked {
		return inventory.Rulef(inventory.RuleHostLocked, "%s of host %s can only be changed while it is locked", what, hostLabel(h))
	}
	return nil
}

// hostLabel names a host in messages: its hostname, or its uuid.
func hostLabel(h hostBody) string {
	if h.Hostname != "" {
		return h.Hostname
	}
	return h.UUID
}

// GetHost returns a host by hostname, uuid or id.
func (m *Manager) GetHost(ctx context.Context, host string) (inventory.Host, error) {
	c, err := m.read()
	if err != nil {
		return inventory.Host{}, err
	}
	h, err := c.host(ctx, host)
	if err != nil {
		return inventory.Host{}, wrap("get host", err)
	}
	return h.view(), nil
}

// BMCCredentials implements inventory.BMCCredentialReader: the host's
// BMC fields and its write-only password.
func (m *Manager) BMCCredentials(ctx context.Context, host string) (inventory.BMCCredentials, error) {
	c, err := m.read()
	if err != nil {
		return inventory.BMCCredentials{}, err
	}
	h, err := c.host(ctx, host)
	if err != nil {
		return inventory.BMCCredentials{}, wrap("get BMC credentials", err)
	}
	cr := inventory.BMCCredentials{Type: h.BMType, Address: h.BMIP, Username: h.BMUsername}
	if err := c.queryRow(ctx, qHostGetPasswd, h.ID).Scan(&cr.Password); err != nil {
		return inventory.BMCCredentials{}, wrap("get BMC credentials", mapErr(err))
	}
	return cr, nil
}

// ListHosts returns every host, ordered by id.
func (m *Manager) ListHosts(ctx context.Context) ([]inventory.Host, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	hs, err := list[hostBody](ctx, c, qHosts)
	if err != nil {
		return nil, wrap("list hosts", err)
	}
	out := make([]inventory.Host, len(hs))
	for i, h := range hs {
		out[i] = h.view()
	}
	return out, nil
}

// checkedSpec is a validated HostSpec, normalised.
func checkSpec(s inventory.HostSpec) (inventory.HostSpec, error) {
	discovered := s.Hostname == "" && s.Personality == "" && s.MgmtMAC != ""
	if !discovered {
		if err := checkHostName("hostname", s.Hostname); err != nil {
			return s, err
		}
		if err := checkEnum("personality", string(s.Personality), s.Personality.Valid(), false); err != nil {
			return s, err
		}
	}
	if s.Subfunctions == "" {
		s.Subfunctions = defaultSubfunctions(s.Personality)
	}
	if err := checkSubfunctions(s.Subfunctions, s.Personality); err != nil {
		return s, err
	}
	var err error
	if s.MgmtMAC != "" {
		if s.MgmtMAC, err = normMAC("mgmt_mac", s.MgmtMAC); err != nil {
			return s, err
		}
	}
	if s.MgmtIP != "" {
		if s.MgmtIP, err = normIP("mgmt_ip", s.MgmtIP); err != nil {
			return s, err
		}
	}
	if s.BMIP != "" {
		if s.BMIP, err = inventory.CheckBMAddress(s.BMIP); err != nil {
			return s, err
		}
	}
	if err := checkOneOf("bm_type", s.BMType, true, bmTypes...); err != nil {
		return s, err
	}
	if err := checkText("bm_username", s.BMUsername, 255); err != nil {
		return s, err
	}
	if len(s.BMPassword) > 255 {
		return s, inventory.Fieldf("bm_password", "is longer than 255 characters")
	}
	if s.PowerOn && (s.BMIP == "" || s.BMType == "" || s.BMType == "none") {
		return s, inventory.Fieldf("power_on", "needs bm_ip and bm_type")
	}
	if err := checkDevice("boot_device", s.BootDevice); err != nil {
		return s, err
	}
	if err := checkDevice("rootfs_device", s.RootfsDevice); err != nil {
		return s, err
	}
	if err := checkHWSettle(s.HWSettle); err != nil {
		return s, err
	}
	if err := checkOneOf("install_output", s.InstallOutput, true, "text", "graphical"); err != nil {
		return s, err
	}
	if err := checkText("console", s.Console, 255); err != nil {
		return s, err
	}
	return s, nil
}

// newHost is the record of a host added with spec s (checked).
func newHost(s inventory.HostSpec) hostBody {
	t := now()
	h := inventory.Host{
		UUID:           newUUID(),
		Hostname:       s.Hostname,
		Personality:    s.Personality,
		Subfunctions:   s.Subfunctions,
		InvProvision:   inventory.Unprovisioned,
		MgmtMAC:        s.MgmtMAC,
		MgmtIP:         s.MgmtIP,
		BMIP:           s.BMIP,
		BMType:         s.BMType,
		BMUsername:     s.BMUsername,
		BootDevice:     s.BootDevice,
		RootfsDevice:   s.RootfsDevice,
		HWSettle:       s.HWSettle,
		InstallOutput:  s.InstallOutput,
		Console:        s.Console,
		Location:       cloneMap(s.Location),
		Capabilities:   map[string]any{},
		Administrative: inventory.AdminLocked,
		Operational:    inventory.OperDisabled,
		Availability:   inventory.AvailOffline,
		CreatedAt:      t,
		UpdatedAt:      t,
	}
	if h.BootDevice == "" {
		h.BootDevice = "/dev/sda"
	}
	if h.RootfsDevice == "" {
		h.RootfsDevice = "/dev/sda"
	}
	if h.HWSettle == "" {
		h.HWSettle = "0"
	}
	if h.InstallOutput == "" {
		h.InstallOutput = "text"
	}
	if h.Console == "" {
		h.Console = "ttyS0,115200"
	}
	return hostBody{Host: h}
}

// checkUnique refuses a hostname or MAC another host (not id) has.
func (c conn) checkUnique(ctx context.Context, hostname, mac string, id int64) error {
	var n int
	if hostname != "" {
		if err := c.queryRow(ctx, qHostnameUse, hostname, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueHostname, "hostname %s is already in use", hostname)
		}
	}
	if mac != "" {
		if err := c.queryRow(ctx, qMACUse, mac, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueMAC, "management MAC address %s is already in use", mac)
		}
	}
	return nil
}

// insertHost stores a new host and returns its id.
func (c conn) insertHost(ctx context.Context, h *hostBody, password string) error {
	id, err := c.insert(ctx, qHostInsert, h.UUID, nullable(h.Hostname), nullable(h.MgmtMAC), password, body(h))
	if err != nil {
		return err
	}
	h.ID = id
	return nil
}

// AddHost creates a host (host-add): locked, disabled, offline,
// unprovisioned.
func (m *Manager) AddHost(ctx context.Context, s inventory.HostSpec) (inventory.Host, error) {
	hs, err := m.addHosts(ctx, "add host", []inventory.HostSpec{s})
	if err != nil {
		return inventory.Host{}, err
	}
	return hs[0], nil
}

// AddHosts creates several hosts in one transaction: every host is
// checked first, and either all are created or none.
func (m *Manager) AddHosts(ctx context.Context, specs []inventory.HostSpec) ([]inventory.Host, error) {
	return m.addHosts(ctx, "add hosts", specs)
}

func (m *Manager) addHosts(ctx context.Context, op string, specs []inventory.HostSpec) ([]inventory.Host, error) {
	checked := make([]inventory.HostSpec, len(specs))
	names, macs := map[string]bool{}, map[string]bool{}
	for i, s := range specs {
		cs, err := checkSpec(s)
		if err != nil {
			if len(specs) > 1 {
				return nil, wrap(op, fmt.Errorf("host %d (%s): %w", i+1, s.Hostname, err))
			}
			return nil, wrap(op, err)
		}
		if cs.Hostname != "" && names[cs.Hostname] {
			return nil, wrap(op, inventory.Conflictf(inventory.RuleUniqueHostname, "hostname %s is given twice", cs.Hostname))
		}
		if cs.MgmtMAC != "" && macs[cs.MgmtMAC] {
			return nil, wrap(op, inventory.Conflictf(inventory.RuleUniqueMAC, "management MAC address %s is given twice", cs.MgmtMAC))
		}
		names[cs.Hostname], macs[cs.MgmtMAC] = true, true
		checked[i] = cs
	}
	var out []inventory.Host
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		ids := make([]int64, 0, len(checked))
		for _, s := range checked {
			if len(checked) > 1 && s.MgmtMAC != "" {
				// A bulk file naming a host that exists (its MAC and
				// hostname) only updates its BMC fields, as StarlingX
				// does for its own controller: an export imports again.
				old, err := one[hostBody](ctx, c, qHostByMAC, s.MgmtMAC)
				switch {
				case err == nil && (s.Hostname == "" || s.Hostname == old.Hostname) &&
					(s.Personality == "" || s.Personality == old.Personality):
					if err := c.updateBMC(ctx, &old, s); err != nil {
						return err
					}
					ids = append(ids, old.ID)
					continue
				case err != nil && !isNotFound(mapErr(err)):
					return err
				}
			}
			if err := c.checkUnique(ctx, s.Hostname, s.MgmtMAC, 0); err != nil {
				return err
			}
			h := newHost(s)
			if err := c.insertHost(ctx, &h, s.BMPassword); err != nil {
				return err
			}
			ids = append(ids, h.ID)
		}
		if err := c.reconfigure(ctx, fx, ids); err != nil {
			return err
		}
		out = out[:0]
		for _, id := range ids {
			h, err := c.hostByID(ctx, id)
			if err != nil {
				return err
			}
			out = append(out, h.view())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateHost changes a host's inventory-owned fields (host-update).
// Its hostname, personality and subfunctions change only while it is
// locked.
func (m *Manager) UpdateHost(ctx context.Context, host string, u inventory.HostUpdate) (inventory.Host, error) {
	var out inventory.Host
	err := m.write(ctx, "update host", func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		oldName := h.Hostname
		spec := inventory.HostSpec{
			Hostname: h.Hostname, Personality: h.Personality, Subfunctions: h.Subfunctions, MgmtMAC: h.MgmtMAC,
			MgmtIP: h.MgmtIP, BMIP: h.BMIP, BMType: h.BMType, BMUsername: h.BMUsername, BootDevice: h.BootDevice,
			RootfsDevice: h.RootfsDevice, HWSettle: h.HWSettle, InstallOutput: h.InstallOutput, Console: h.Console,
		}
		identity := false
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		if u.Hostname != nil && *u.Hostname != h.Hostname {
			spec.Hostname, identity = *u.Hostname, true
		}
		if u.Personality != nil && *u.Personality != h.Personality {
			if h.Personality != "" && h.InvProvision != inventory.Unprovisioned {
				return inventory.Rulef(inventory.RulePersonalityRequired, "the personality of provisioned host %s cannot change", hostLabel(h))
			}
			spec.Personality, identity = *u.Personality, true
			if u.Subfunctions == nil {
				spec.Subfunctions = ""
			}
		}
		if u.Subfunctions != nil && *u.Subfunctions != h.Subfunctions {
			spec.Subfunctions, identity = *u.Subfunctions, true
		}
		if identity {
			if err := requireLocked(h, "the hostname, personality or subfunctions"); err != nil {
				return err
			}
			if spec.Hostname == "" || spec.Personality == "" {
				// A discovered host gets both at once.
				if spec.Hostname == "" {
					return inventory.Fieldf("hostname", "is required")
				}
				return inventory.Fieldf("personality", "is required")
			}
		}
		set(&spec.MgmtMAC, u.MgmtMAC)
		set(&spec.MgmtIP, u.MgmtIP)
		set(&spec.BMIP, u.BMIP)
		set(&spec.BMType, u.BMType)
		set(&spec.BMUsername, u.BMUsername)
		set(&spec.BootDevice, u.BootDevice)
		set(&spec.RootfsDevice, u.RootfsDevice)
		set(&spec.HWSettle, u.HWSettle)
		set(&spec.InstallOutput, u.InstallOutput)
		set(&spec.Console, u.Console)
		if u.BMPassword != nil {
			spec.BMPassword = *u.BMPassword
		}
		if u.MgmtMAC != nil && *u.MgmtMAC == "" {
			return inventory.Fieldf("mgmt_mac", "cannot be removed")
		}
		cs, err := checkSpec(spec)
		if err != nil {
			return err
		}
		if err := c.checkUnique(ctx, cs.Hostname, cs.MgmtMAC, h.ID); err != nil {
			return err
		}
		h.Hostname, h.Personality, h.Subfunctions, h.MgmtMAC = cs.Hostname, cs.Personality, cs.Subfunctions, cs.MgmtMAC
		h.MgmtIP, h.BMIP, h.BMType, h.BMUsername = cs.MgmtIP, cs.BMIP, cs.BMType, cs.BMUsername
		h.BootDevice, h.RootfsDevice, h.HWSettle = cs.BootDevice, cs.RootfsDevice, cs.HWSettle
		h.InstallOutput, h.Console = cs.InstallOutput, cs.Console
		if u.Location != nil {
			h.Location = cloneMap(*u.Location)
		}
		if u.Capabilities != nil {
			h.Capabilities = cloneMap(*u.Capabilities)
		}
		if err := c.putHost(ctx, &h); err != nil {
			return err
		}
		if u.BMPassword != nil {
			if _, err := c.exec(ctx, qHostPasswd, *u.BMPassword, h.ID); err != nil {
				return err
			}
		}
		if oldName != h.Hostname && oldName != "" && outOfDate(h) {
			fx.alarms = append(fx.alarms, alarmChange{hostname: oldName})
		}
		if err := c.reconfigure(ctx, fx, []int64{h.ID}); err != nil {
			return err
		}
		if h, err = c.hostByID(ctx, h.ID); err != nil {
			return err
		}
		if oldName != h.Hostname && outOfDate(h) {
			fx.alarms = append(fx.alarms, alarmChange{hostname: h.Hostname})
		}
		out = h.view()
		return nil
	})
	return out, err
}

// DeleteHost deletes a locked host and everything it holds.
func (m *Manager) DeleteHost(ctx context.Context, host string) error {
	return m.write(ctx, "delete host", func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if h.Administrative != inventory.AdminLocked {
			return inventory.Rulef(inventory.RuleHostLocked, "host %s must be locked to be deleted", hostLabel(h))
		}
		if _, err := c.exec(ctx, qHostDelete, h.ID); err != nil {
			return err
		}
		if outOfDate(h) && h.Hostname != "" {
			fx.alarms = append(fx.alarms, alarmChange{hostname: h.Hostname})
		}
		return nil
	})
}

// SetHostStatus changes the fields host maintenance owns, and moves
// invprovision: unprovisioned → provisioning on the first unlock,
// → provisioned when the host is first enabled.
func (m *Manager) SetHostStatus(ctx context.Context, host string, st inventory.HostStatus) (inventory.Host, error) {
	switch {
	case st.Administrative != nil && !st.Administrative.Valid():
		return inventory.Host{}, wrap("set host status", inventory.Fieldf("administrative", "%q is not locked or unlocked", *st.Administrative))
	case st.Operational != nil && !st.Operational.Valid():
		return inventory.Host{}, wrap("set host status", inventory.Fieldf("operational", "%q is not enabled or disabled", *st.Operational))
	case st.Availability != nil && !st.Availability.Valid():
		return inventory.Host{}, wrap("set host status", inventory.Fieldf("availability", "%q is not a valid availability", *st.Availability))
	case st.Uptime != nil && *st.Uptime < 0:
		return inventory.Host{}, wrap("set host status", inventory.Fieldf("uptime", "must not be negative"))
	}
	for f, p := range map[string]*string{"task": st.Task, "action": st.Action} {
		if p != nil {
			if err := checkText(f, *p, 255); err != nil {
				return inventory.Host{}, wrap("set host status", err)
			}
		}
	}
	var out inventory.Host
	err := m.write(ctx, "set host status", func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		if st.Administrative != nil {
			if *st.Administrative == inventory.AdminUnlocked && h.Administrative != inventory.AdminUnlocked {
				// The unlock rules hold at the unlock itself, not only
				// when host maintenance last asked.
				if err := c.unlockRules(ctx, h); err != nil {
					return err
				}
			}
			h.Administrative = *st.Administrative
			if h.Administrative == inventory.AdminUnlocked && h.InvProvision == inventory.Unprovisioned {
				h.InvProvision = inventory.Provisioning
			}
		}
		if st.Operational != nil {
			h.Operational = *st.Operational
			if h.Operational == inventory.OperEnabled &&
				(h.InvProvision == inventory.Provisioning || h.InvProvision == inventory.Unprovisioned) {
				h.InvProvision = inventory.Provisioned
			}
		}
		if st.Availability != nil {
			h.Availability = *st.Availability
		}
		if st.Task != nil {
			h.Task = *st.Task
		}
		if st.Action != nil {
			h.Action = *st.Action
		}
		if st.Uptime != nil {
			h.Uptime = *st.Uptime
		}
		if err := c.putHost(ctx, &h); err != nil {
			return err
		}
		out = h.view()
		return nil
	})
	return out, err
}

// CheckUnlock returns nil if the host may be unlocked, or a RuleError:
// a host needs its personality, and a storage host an OSD.
func (m *Manager) CheckUnlock(ctx context.Context, host string) error {
	c, err := m.read()
	if err != nil {
		return err
	}
	h, err := c.host(ctx, host)
	if err != nil {
		return wrap("check unlock", err)
	}
	return wrap("check unlock", c.unlockRules(ctx, h))
}

// unlockRules returns nil if h may be unlocked, or the rule it breaks.
func (c conn) unlockRules(ctx context.Context, h hostBody) error {
	if h.Personality == "" || h.Hostname == "" {
		return inventory.Rulef(inventory.RulePersonalityRequired,
			"host %s has no personality or hostname yet: set them with host-update", hostLabel(h))
	}
	if h.Personality == inventory.PersonalityStorage {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_stor WHERE host_id = ? AND function = 'osd'`, h.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return inventory.Rulef(inventory.RuleStorageOSD,
				"storage host %s needs at least one OSD before it can be unlocked", hostLabel(h))
		}
	}
	return nil
}

// updateBMC sets a host's BMC fields (and password, if given) from s.
func (c conn) updateBMC(ctx context.Context, h *hostBody, s inventory.HostSpec) error {
	if s.BMIP != "" {
		h.BMIP = s.BMIP
	}
	if s.BMType != "" {
		h.BMType = s.BMType
	}
	if s.BMUsername != "" {
		h.BMUsername = s.BMUsername
	}
	if err := c.putHost(ctx, h); err != nil {
		return err
	}
	if s.BMPassword != "" {
		if _, err := c.exec(ctx, qHostPasswd, s.BMPassword, h.ID); err != nil {
			return err
		}
	}
	return nil
}
