package inventorysql

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/edgeflock/flock/inventory"
)

// The system record, labels, storage backends and service parameters.

const qSystem = `SELECT id, body FROM inv_system WHERE id = 1`

// ensureSystem creates the one system record if the database has none.
func (m *Manager) ensureSystem(ctx context.Context) error {
	t := now()
	s := inventory.System{UUID: newUUID(), Name: "flock", SystemType: inventory.SystemStandard, SystemMode: inventory.ModeDuplex,
		Capabilities: map[string]any{}, Timezone: "UTC", RegionName: "RegionOne", DNSServers: []string{}, NTPServers: []string{},
		CreatedAt: t, UpdatedAt: t}
	_, err := m.db.ExecContext(ctx, m.rebind(`INSERT INTO inv_system (id, uuid, body) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`), s.UUID, body(s))
	if err != nil {
		return wrap("create the system record", err)
	}
	return nil
}

// GetSystem returns the system record.
func (m *Manager) GetSystem(ctx context.Context) (inventory.System, error) {
	c, err := m.read()
	if err != nil {
		return inventory.System{}, err
	}
	s, err := one[inventory.System](ctx, c, qSystem)
	return s, wrap("get system", err)
}

// checkServers checks and normalises DNS (IP addresses) or NTP (IP
// addresses or host names) servers: at most three, no duplicates.
func checkServers(field string, list []string, names bool) ([]string, error) {
	if len(list) > 3 {
		return nil, inventory.Fieldf(field, "at most 3 servers, not %d", len(list))
	}
	out := []string{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
			s = a.Unmap().String()
		} else if !names || checkHostname(field, s) != nil {
			return nil, inventory.Fieldf(field, "%q is not an IP address", s)
		}
		if slices.Contains(out, s) {
			return nil, inventory.Fieldf(field, "%s is listed twice", s)
		}
		out = append(out, s)
	}
	return out, nil
}

// UpdateSystem changes the system record; every host's document is
// rendered again.
func (m *Manager) UpdateSystem(ctx context.Context, u inventory.SystemUpdate) (inventory.System, error) {
	const op = "update system"
	var dns, ntp []string
	var err error
	if u.DNSServers != nil {
		if dns, err = checkServers("dns_servers", *u.DNSServers, false); err != nil {
			return inventory.System{}, wrap(op, err)
		}
	}
	if u.NTPServers != nil {
		if ntp, err = checkServers("ntp_servers", *u.NTPServers, true); err != nil {
			return inventory.System{}, wrap(op, err)
		}
	}
	if u.Name != nil {
		if err := checkName("name", *u.Name); err != nil {
			return inventory.System{}, wrap(op, err)
		}
	}
	if u.SystemMode != nil {
		if err := checkEnum("system_mode", string(*u.SystemMode), u.SystemMode.Valid(), false); err != nil {
			return inventory.System{}, wrap(op, err)
		}
	}
	if u.Timezone != nil {
		tz := *u.Timezone
		if tz == "" || strings.Trim(tz, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-/") != "" {
			return inventory.System{}, wrap(op, inventory.Fieldf("timezone", "%q is not a time zone name", tz))
		}
	}
	for f, p := range map[string]*string{"description": u.Description, "contact": u.Contact, "location": u.Location,
		"latitude": u.Latitude, "longitude": u.Longitude} {
		if p != nil {
			if err := checkText(f, *p, 255); err != nil {
				return inventory.System{}, wrap(op, err)
			}
		}
	}
	var out inventory.System
	err = m.write(ctx, op, func(c conn, fx *effects) error {
		s, err := one[inventory.System](ctx, c, qSystem)
		if err != nil {
			return err
		}
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&s.Name, u.Name)
		set(&s.Description, u.Description)
		set(&s.Contact, u.Contact)
		set(&s.Location, u.Location)
		set(&s.Latitude, u.Latitude)
		set(&s.Longitude, u.Longitude)
		set(&s.Timezone, u.Timezone)
		if u.SystemMode != nil {
			s.SystemMode = *u.SystemMode
		}
		if u.Capabilities != nil {
			s.Capabilities = cloneMap(*u.Capabilities)
		}
		if dns != nil {
			s.DNSServers = dns
		}
		if ntp != nil {
			s.NTPServers = ntp
		}
		s.UpdatedAt = now()
		if _, err := c.exec(ctx, `UPDATE inv_system SET body = ? WHERE id = ?`, body(s), s.ID); err != nil {
			return err
		}
		out = s
		return c.reconfigure(ctx, fx, nil)
	})
	return out, err
}

func (c conn) labels(ctx context.Context, hostID int64) ([]inventory.Label, error) {
	w, args := byHost("t", hostID)
	return list[inventory.Label](ctx, c, `SELECT t.id, t.body FROM inv_label t`+w+` ORDER BY t.host_id, t.label_key`, args...)
}

// ListLabels returns a host's labels.
func (m *Manager) ListLabels(ctx context.Context, host string) ([]inventory.Label, error) {
	return hostList(ctx, m, "list labels", host, conn.labels)
}

// AssignLabels sets labels on a host (a locked one for the labels
// inventory.LabelNeedsLock names); a key it has already is an
// ErrConflict unless overwrite. It returns the labels assigned.
func (m *Manager) AssignLabels(ctx context.Context, host string, labels map[string]string, overwrite bool) ([]inventory.Label, error) {
	const op = "assign labels"
	if len(labels) == 0 {
		return nil, wrap(op, inventory.Fieldf("labels", "name at least one label"))
	}
	keys := make([]string, 0, len(labels))
	for k, v := range labels {
		if err := checkLabelKey(k); err != nil {
			return nil, wrap(op, err)
		}
		if err := checkLabelValue(v); err != nil {
			return nil, wrap(op, err)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []inventory.Label
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		h, err := c.host(ctx, host)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if inventory.LabelNeedsLock(k) {
				if err := requireLocked(h, "label "+k); err != nil {
					return err
				}
			}
		}
		have, err := c.labels(ctx, h.ID)
		if err != nil {
			return err
		}
		byKey := map[string]inventory.Label{}
		for _, l := range have {
			byKey[l.LabelKey] = l
		}
		out = out[:0]
		for _, k := range keys {
			l, ok := byKey[k]
			switch {
			case ok && !overwrite:
				return inventory.Conflictf(inventory.RuleUniqueName, "host %s already has label %s (use overwrite)", hostLabel(h), k)
			case ok:
				l.LabelValue = labels[k]
				if _, err := c.exec(ctx, `UPDATE inv_label SET body = ? WHERE id = ?`, body(l), l.ID); err != nil {
					return err
				}
			default:
				l = inventory.Label{UUID: newUUID(), HostUUID: h.UUID, LabelKey: k, LabelValue: labels[k], CreatedAt: now()}
				if l.ID, err = c.insert(ctx, `INSERT INTO inv_label (uuid, host_id, label_key, body) VALUES (?, ?, ?, ?)`, l.UUID, h.ID, k, body(l)); err != nil {
					return err
				}
			}
			out = append(out, l)
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveLabel removes a label by uuid (the host locked if
// inventory.LabelNeedsLock says so).
func (m *Manager) RemoveLabel(ctx context.Context, uuid string) error {
	return m.write(ctx, "remove label", func(c conn, fx *effects) error {
		l, err := one[inventory.Label](ctx, c, `SELECT id, body FROM inv_label WHERE uuid = ?`, uuid)
		if err != nil {
			return notFoundOr(err, "label", uuid)
		}
		h, err := c.host(ctx, l.HostUUID)
		if err != nil {
			return err
		}
		if inventory.LabelNeedsLock(l.LabelKey) {
			if err := requireLocked(h, "label "+l.LabelKey); err != nil {
				return err
			}
		}
		if _, err := c.exec(ctx, `DELETE FROM inv_label WHERE id = ?`, l.ID); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, []int64{h.ID})
	})
}

// storageServices are the services a backend may offer.
var storageServices = []string{"cinder", "glance", "nova", "swift", "rbd-provisioner", "block", "ecblock", "filesystem", "object"}

// ListStorageBackends returns the storage backends.
func (m *Manager) ListStorageBackends(ctx context.Context) ([]inventory.StorageBackend, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	out, err := list[inventory.StorageBackend](ctx, c, `SELECT id, body FROM inv_storage_backend ORDER BY id`)
	return out, wrap("list storage backends", err)
}

// AddStorageBackend configures a backend (named <backend>-store by
// default).
func (m *Manager) AddStorageBackend(ctx context.Context, s inventory.StorageBackendSpec) (inventory.StorageBackend, error) {
	const op = "add storage backend"
	if err := checkEnum("backend", string(s.Backend), s.Backend.Valid(), false); err != nil {
		return inventory.StorageBackend{}, wrap(op, err)
	}
	if s.Name == "" {
		s.Name = string(s.Backend) + "-store"
	}
	if err := checkName("name", s.Name); err != nil {
		return inventory.StorageBackend{}, wrap(op, err)
	}
	for _, svc := range s.Services {
		if err := checkOneOf("services", svc, false, storageServices...); err != nil {
			return inventory.StorageBackend{}, wrap(op, err)
		}
	}
	b := inventory.StorageBackend{UUID: newUUID(), Backend: s.Backend, Name: s.Name, State: inventory.BackendConfigured,
		Services: append([]string{}, s.Services...), Capabilities: cloneMap(s.Capabilities), CreatedAt: now()}
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		var n int
		if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_storage_backend WHERE name = ?`, b.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return inventory.Conflictf(inventory.RuleUniqueName, "a storage backend named %s already exists", b.Name)
		}
		var err error
		if b.ID, err = c.insert(ctx, `INSERT INTO inv_storage_backend (uuid, name, body) VALUES (?, ?, ?)`, b.UUID, b.Name, body(b)); err != nil {
			return err
		}
		return c.reconfigure(ctx, fx, nil)
	})
	if err != nil {
		return inventory.StorageBackend{}, err
	}
	return b, nil
}

// DeleteStorageBackend removes a backend.
func (m *Manager) DeleteStorageBackend(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete storage backend", func(c conn, fx *effects) error {
		res, err := c.exec(ctx, `DELETE FROM inv_storage_backend WHERE uuid = ?`, uuid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("storage backend", uuid)
		}
		return c.reconfigure(ctx, fx, nil)
	})
}

// ListServiceParameters returns the parameters matching q.
func (m *Manager) ListServiceParameters(ctx context.Context, q inventory.ServiceParameterQuery) ([]inventory.ServiceParameter, error) {
	c, err := m.read()
	if err != nil {
		return nil, err
	}
	out, err := list[inventory.ServiceParameter](ctx, c, `SELECT id, body FROM inv_service_parameter
		WHERE (? = '' OR service = ?) AND (? = '' OR section = ?) AND (? = '' OR name = ?) ORDER BY service, section, name, id`,
		q.Service, q.Service, q.Section, q.Section, q.Name, q.Name)
	return out, wrap("list service parameters", err)
}

// checkParamWord checks a service, section or parameter name.
func checkParamWord(field, s string) error {
	if s == "" {
		return inventory.Fieldf(field, "is required")
	}
	if len(s) > 255 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != "" {
		return inventory.Fieldf(field, "%q is not a valid name (letters, digits, '_', '-', '.')", s)
	}
	return nil
}

// AddServiceParameters adds parameters to a service's section; every
// host's document is rendered again.
func (m *Manager) AddServiceParameters(ctx context.Context, service, section string, params map[string]string, personality, resource string) ([]inventory.ServiceParameter, error) {
	const op = "add service parameters"
	if err := checkParamWord("service", service); err != nil {
		return nil, wrap(op, err)
	}
	if err := checkParamWord("section", section); err != nil {
		return nil, wrap(op, err)
	}
	if personality != "" && !inventory.Personality(personality).Valid() {
		return nil, wrap(op, inventory.Fieldf("personality", "%q is not a valid personality", personality))
	}
	if err := checkText("resource", resource, 255); err != nil {
		return nil, wrap(op, err)
	}
	if len(params) == 0 {
		return nil, wrap(op, inventory.Fieldf("parameters", "name at least one parameter"))
	}
	names := make([]string, 0, len(params))
	for n, v := range params {
		if err := checkParamWord("name", n); err != nil {
			return nil, wrap(op, err)
		}
		if err := checkText("value", v, 4096); err != nil {
			return nil, wrap(op, err)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	var out []inventory.ServiceParameter
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		out = out[:0]
		for _, n := range names {
			var k int
			if err := c.queryRow(ctx, `SELECT COUNT(*) FROM inv_service_parameter WHERE service = ? AND section = ? AND name = ? AND personality = ? AND resource = ?`,
				service, section, n, personality, resource).Scan(&k); err != nil {
				return err
			}
			if k > 0 {
				return inventory.Conflictf(inventory.RuleUniqueName, "service parameter %s %s %s already exists", service, section, n)
			}
			p := inventory.ServiceParameter{UUID: newUUID(), Service: service, Section: section, Name: n, Value: params[n],
				Personality: personality, Resource: resource, CreatedAt: now()}
			var err error
			if p.ID, err = c.insert(ctx, `INSERT INTO inv_service_parameter (uuid, service, section, name, personality, resource, body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				p.UUID, service, section, n, personality, resource, body(p)); err != nil {
				return err
			}
			out = append(out, p)
		}
		return c.reconfigure(ctx, fx, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateServiceParameter changes a parameter's value.
func (m *Manager) UpdateServiceParameter(ctx context.Context, uuid, value string) (inventory.ServiceParameter, error) {
	const op = "update service parameter"
	if err := checkText("value", value, 4096); err != nil {
		return inventory.ServiceParameter{}, wrap(op, err)
	}
	var out inventory.ServiceParameter
	err := m.write(ctx, op, func(c conn, fx *effects) error {
		p, err := one[inventory.ServiceParameter](ctx, c, `SELECT id, body FROM inv_service_parameter WHERE uuid = ?`, uuid)
		if err != nil {
			return notFoundOr(err, "service parameter", uuid)
		}
		p.Value = value
		if _, err := c.exec(ctx, `UPDATE inv_service_parameter SET body = ? WHERE id = ?`, body(p), p.ID); err != nil {
			return err
		}
		out = p
		return c.reconfigure(ctx, fx, nil)
	})
	return out, err
}

// DeleteServiceParameter deletes a parameter.
func (m *Manager) DeleteServiceParameter(ctx context.Context, uuid string) error {
	return m.write(ctx, "delete service parameter", func(c conn, fx *effects) error {
		res, err := c.exec(ctx, `DELETE FROM inv_service_parameter WHERE uuid = ?`, uuid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("service parameter", uuid)
		}
		return c.reconfigure(ctx, fx, nil)
	})
}
