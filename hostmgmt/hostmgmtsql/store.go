package hostmgmtsql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/inventory"
)

// resumeRequest is what a stage asks for again after a restart.
var resumeRequest = map[hostmgmt.Stage]hostmgmt.ActionKind{
	hostmgmt.StageGoenabledWait:    hostmgmt.DoStartGoenabled,
	hostmgmt.StageHostServicesWait: hostmgmt.DoStartServices,
	hostmgmt.StageRecoveryMtcAlive: hostmgmt.DoRequestMtcAlive,
	hostmgmt.StageLockHooks:        hostmgmt.DoRunLockHooks,
}

// monitored reports whether maintenance heartbeats a host in state s:
// an unlocked host in service, or whose enable waits for its heartbeat.
func monitored(s hostmgmt.State) bool {
	if s.Administrative != inventory.AdminUnlocked {
		return false
	}
	switch s.Stage {
	case hostmgmt.StageHeartbeatWait, hostmgmt.StageHeartbeatSoak:
		return true
	}
	return s.Operational == inventory.OperEnabled
}

// replayable reports whether an outbox action may be performed again
// after a restart: true for those whose repetition does no harm.
func replayable(k hostmgmt.ActionKind) bool {
	switch k {
	case hostmgmt.DoRebootCommand, hostmgmt.DoBMCReset, hostmgmt.DoBMCPowerOn, hostmgmt.DoBMCPowerOff,
		hostmgmt.DoNetboot, hostmgmt.DoRequestSwact, hostmgmt.DoDeleteHost:
		return false
	}
	return true
}

// load reads every host's state and the outbox, resumes the FSMs and
// queues the replayable actions (performed once Run starts).
func (m *Manager) load(ctx context.Context) error {
	rows, err := m.db.QueryContext(ctx, `SELECT uuid, state, boot_id, updated_at FROM hm_host`)
	if err != nil {
		return fmt.Errorf("hostmgmtsql: load: %w", err)
	}
	defer rows.Close()
	now := time.Now()
	for rows.Next() {
		var uuid, state, boot, upd string
		if err := rows.Scan(&uuid, &state, &boot, &upd); err != nil {
			return fmt.Errorf("hostmgmtsql: load: %w", err)
		}
		var st hostmgmt.State
		if err := json.Unmarshal([]byte(state), &st); err != nil {
			return fmt.Errorf("hostmgmtsql: host %s: stored state: %w", uuid, err)
		}
		h := m.newHost(uuid)
		h.st, h.bootID = st, boot
		h.updated, _ = time.Parse(time.RFC3339Nano, upd)
		m.hosts[uuid] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("hostmgmtsql: load: %w", err)
	}
	rows.Close()

	// Inventory's view of each host (name, personality) and the resumed
	// deadlines.
	ihs, err := m.o.Inventory.ListHosts(ctx)
	if err != nil {
		return fmt.Errorf("hostmgmtsql: load: inventory: %w", err)
	}
	for _, ih := range ihs {
		if h := m.hosts[ih.UUID]; h != nil {
			h.hostname, h.personality, h.id = ih.Hostname, ih.Personality, ih.ID
		}
	}
	for _, h := range m.hosts {
		h.st = hostmgmt.Resume(h.st, now, m.t, m.sysContextLocked(ctx, h))
		// A stage that waits for an answer whose request was performed
		// before the restart asks again: the answer may have been lost
		// with the process. These requests are safe to repeat.
		if a, ok := resumeRequest[h.st.Stage]; ok {
			h.queue = append(h.queue, job{act: hostmgmt.Action{Kind: a}, ctx: h.fsmCtx})
		}
	}

	arows, err := m.db.QueryContext(ctx, `SELECT id, host_uuid, seq, kind, alarm_id FROM hm_action ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("hostmgmtsql: load outbox: %w", err)
	}
	defer arows.Close()
	var dropped []string
	for arows.Next() {
		var id, hu, kind, alarm string
		var seq int64
		if err := arows.Scan(&id, &hu, &seq, &kind, &alarm); err != nil {
			return fmt.Errorf("hostmgmtsql: load outbox: %w", err)
		}
		m.seq = max(m.seq, seq)
		h := m.hosts[hu]
		if h == nil {
			continue
		}
		a := hostmgmt.Action{Kind: hostmgmt.ActionKind(kind), ID: alarm}
		if !replayable(a.Kind) {
			m.log.Warn("not repeating an action that may have been performed before the restart",
				"host", h.hostname, "action", a.Kind)
			dropped = append(dropped, id)
			continue
		}
		h.queue = append(h.queue, job{id: id, act: a, ctx: h.fsmCtx})
	}
	if err := arows.Err(); err != nil {
		return err
	}
	arows.Close()
	for _, id := range dropped {
		if _, err := m.db.ExecContext(ctx, m.db.Rebind(`DELETE FROM hm_action WHERE id = ?`), id); err != nil {
			return fmt.Errorf("hostmgmtsql: load outbox: %w", err)
		}
	}
	// Inventory may have missed the last write before a crash: write
	// every host's state again.
	for _, h := range m.hosts {
		if h.hostname != "" {
			m.mirrorLocked(ctx, h, hostmgmt.State{}, h.st)
		}
	}
	return nil
}

func (m *Manager) newHost(uuid string) *host {
	h := &host{uuid: uuid, signal: make(chan struct{}, 1), health: map[hostmgmt.Network]hostmgmt.Health{},
		netAlarms: map[hostmgmt.Network]faultSeverity{}}
	h.fsmCtx, h.fsmStop = context.WithCancel(context.Background())
	return h
}

// addHost starts maintaining a host inventory has: its state starts as
// inventory shows it (locked-disabled-offline for a new host).
func (m *Manager) addHost(ctx context.Context, ih inventory.Host) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h := m.hosts[ih.UUID]; h != nil {
		h.hostname, h.personality, h.id = ih.Hostname, ih.Personality, ih.ID
		return nil
	}
	st, _, err := hostmgmt.Step(hostmgmt.State{}, hostmgmt.Event{Kind: hostmgmt.EventAdd}, time.Now(), m.t, hostmgmt.SystemContext{})
	if err != nil {
		return err
	}
	// A host inventory already had in another state (a database that
	// predates host maintenance) keeps that state.
	if ih.Administrative.Valid() && ih.Operational.Valid() && ih.Availability.Valid() {
		st.Administrative, st.Operational, st.Availability = ih.Administrative, ih.Operational, ih.Availability
	}
	h := m.newHost(ih.UUID)
	h.hostname, h.personality, h.id = ih.Hostname, ih.Personality, ih.ID
	h.st = st
	h.updated = time.Now().UTC()
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if _, err := m.db.ExecContext(ctx, m.db.Rebind(`INSERT INTO hm_host (uuid, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (uuid) DO NOTHING`),
		ih.UUID, string(body), h.updated.Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("hostmgmtsql: add host: %w", err)
	}
	m.hosts[ih.UUID] = h
	m.logEventLocked(ctx, "200.020", h, "", faultWarning, "%s is now monitored by maintenance")
	if m.ctx != nil {
		m.startWorker(h)
	}
	return nil
}

// removeHost forgets a host inventory no longer has.
func (m *Manager) removeHost(ctx context.Context, uuid string) error {
	m.mu.Lock()
	h := m.hosts[uuid]
	delete(m.hosts, uuid)
	m.mu.Unlock()
	if h == nil {
		return nil
	}
	h.fsmStop()
	if m.o.Heartbeat != nil {
		m.o.Heartbeat.Monitor(uuid, false)
		m.o.Heartbeat.SetKey(uuid, nil)
	}
	for _, q := range []string{`DELETE FROM hm_action WHERE host_uuid = ?`, `DELETE FROM hm_host WHERE uuid = ?`, `DELETE FROM hm_key WHERE host_uuid = ?`} {
		if _, err := m.db.ExecContext(ctx, m.db.Rebind(q), uuid); err != nil {
			return fmt.Errorf("hostmgmtsql: remove host: %w", err)
		}
	}
	return nil
}

// sync adds the hosts inventory has that the Manager does not, and
// removes those it no longer has: those missing from its list that it
// also says, asked one by one, it does not have.
func (m *Manager) sync(ctx context.Context) error {
	ihs, err := m.o.Inventory.ListHosts(ctx)
	if err != nil {
		return err
	}
	seen := make(map[string]bool, len(ihs))
	for _, ih := range ihs {
		seen[ih.UUID] = true
		if err := m.addHost(ctx, ih); err != nil {
			return err
		}
	}
	m.mu.Lock()
	var gone []string
	for u := range m.hosts {
		if !seen[u] {
			gone = append(gone, u)
		}
	}
	m.mu.Unlock()
	for _, u := range gone {
		// A host added since the list was read (by an action on it, which
		// resolves it through inventory) is not gone: ask inventory.
		_, err := m.o.Inventory.GetHost(ctx, u)
		if err == nil {
			continue
		}
		if !errors.Is(err, inventory.ErrNotFound) {
			return err
		}
		if err := m.removeHost(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// event runs one transition of a host: Step, then one transaction with
// the new state and its actions, then (committed) the new state is
// published and the actions queued.
func (m *Manager) event(ctx context.Context, uuid string, ev hostmgmt.Event) (hostmgmt.HostState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.hosts[uuid]
	if h == nil {
		return hostmgmt.HostState{}, fmt.Errorf("%w: host %s", hostmgmt.ErrNotFound, uuid)
	}
	now := time.Now()
	sys := m.sysContextLocked(ctx, h)
	next, acts, err := hostmgmt.Step(h.st, ev, now, m.t, sys)
	if err != nil {
		return h.view(), err
	}
	if len(acts) == 0 && reflect.DeepEqual(next, h.st) {
		return h.view(), nil
	}
	ids, err := m.persist(ctx, h, next, acts, now)
	if err != nil {
		return h.view(), err
	}
	prev := h.st
	h.st, h.updated = next, now.UTC()
	if next.Action != prev.Action && next.Action != hostmgmt.ActionNone && next.Action != "" {
		// A new FSM: what the previous one still had in flight (pre-lock
		// hooks, a command being retried) is called off.
		h.fsmStop()
		h.qmu.Lock()
		h.fsmCtx, h.fsmStop = context.WithCancel(context.Background())
		h.qmu.Unlock()
	}
	m.mirrorLocked(ctx, h, prev, next)
	jobs := make([]job, len(acts))
	for i, a := range acts {
		jobs[i] = job{id: ids[i], act: a, ctx: h.fsmCtx}
	}
	h.enqueue(jobs)
	m.wake()
	return h.view(), nil
}

// persist commits a host's new state and its actions in one transaction.
func (m *Manager) persist(ctx context.Context, h *host, st hostmgmt.State, acts []hostmgmt.Action, now time.Time) ([]string, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(acts))
	err = m.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, m.db.Rebind(`UPDATE hm_host SET state = ?, updated_at = ? WHERE uuid = ?`),
			string(body), now.UTC().Format(time.RFC3339Nano), h.uuid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: host %s", hostmgmt.ErrNotFound, h.uuid)
		}
		for i, a := range acts {
			m.seq++
			ids[i] = h.uuid + "/" + strconv.FormatInt(m.seq, 10)
			if _, err := tx.ExecContext(ctx, m.db.Rebind(`INSERT INTO hm_action (id, host_uuid, seq, kind, alarm_id) VALUES (?, ?, ?, ?, ?)`),
				ids[i], h.uuid, m.seq, string(a.Kind), a.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hostmgmtsql: commit state of %s: %w", h.hostname, err)
	}
	return ids, nil
}

func (m *Manager) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// done removes a performed action from the outbox.
func (m *Manager) done(id string) {
	if id == "" {
		return
	}
	if _, err := m.db.ExecContext(context.Background(), m.db.Rebind(`DELETE FROM hm_action WHERE id = ?`), id); err != nil {
		m.log.Warn("outbox", "action", id, "err", err)
	}
}

// setBootID records the boot id a host reported.
func (m *Manager) setBootID(ctx context.Context, uuid, boot string) error {
	_, err := m.db.ExecContext(ctx, m.db.Rebind(`UPDATE hm_host SET boot_id = ? WHERE uuid = ?`), boot, uuid)
	return err
}

// LinkConfig returns what host's agent needs to join the maintenance
// link, issuing the host's heartbeat key on the first call.
func (m *Manager) LinkConfig(ctx context.Context, hostKey string) (hostmgmt.LinkConfig, error) {
	uuid, err := m.resolve(ctx, hostKey)
	if err != nil {
		return hostmgmt.LinkConfig{}, err
	}
	key, err := m.key(ctx, uuid, true)
	if err != nil {
		return hostmgmt.LinkConfig{}, err
	}
	ctrl := make(map[hostmgmt.Network]string, len(m.o.Link.Controller))
	for n, a := range m.o.Link.Controller {
		ctrl[n] = a
	}
	return hostmgmt.LinkConfig{HostUUID: uuid, Key: key, PeriodMS: m.o.Link.PeriodMS, Controller: ctrl}, nil
}

// key returns a host's heartbeat key, creating it if create.
func (m *Manager) key(ctx context.Context, uuid string, create bool) ([]byte, error) {
	var enc string
	err := m.db.QueryRowContext(ctx, m.db.Rebind(`SELECT key FROM hm_key WHERE host_uuid = ?`), uuid).Scan(&enc)
	if errors.Is(err, sql.ErrNoRows) && create {
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		enc = base64.StdEncoding.EncodeToString(k)
		if _, err := m.db.ExecContext(ctx, m.db.Rebind(`INSERT INTO hm_key (host_uuid, key) VALUES (?, ?) ON CONFLICT (host_uuid) DO NOTHING`), uuid, enc); err != nil {
			return nil, fmt.Errorf("hostmgmtsql: issue key: %w", err)
		}
		// Another caller may have won the insert: read what is stored.
		if err := m.db.QueryRowContext(ctx, m.db.Rebind(`SELECT key FROM hm_key WHERE host_uuid = ?`), uuid).Scan(&enc); err != nil {
			return nil, fmt.Errorf("hostmgmtsql: issue key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("hostmgmtsql: key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("hostmgmtsql: stored key of %s: %w", uuid, err)
	}
	if m.o.Heartbeat != nil {
		m.o.Heartbeat.SetKey(uuid, k)
	}
	return k, nil
}

// loadKeys gives the heartbeat engine every issued key.
func (m *Manager) loadKeys(ctx context.Context) error {
	if m.o.Heartbeat == nil {
		return nil
	}
	rows, err := m.db.QueryContext(ctx, `SELECT host_uuid, key FROM hm_key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u, enc string
		if err := rows.Scan(&u, &enc); err != nil {
			return err
		}
		if k, err := base64.StdEncoding.DecodeString(enc); err == nil {
			m.o.Heartbeat.SetKey(u, k)
		}
	}
	return rows.Err()
}
