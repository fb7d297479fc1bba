// Package patchingsql is software management's controller: a
// patching.Service over SQLite or PostgreSQL (through database/sql and
// internal/sqlstore) and a content store of release files.
//
// The database is the truth: every verb is one transaction that reads
// the repository, the deploy and the hosts, checks the step with
// package patching's pure rules (ReleaseTransition, StepDeploy,
// StepHostDeploy, CheckHostInstall, the requires Graph), writes the
// result and commits; only then are alarms raised or cleared. A host's
// agent learns what to do from Assignment (its deploy state says install
// or roll back, and which release file) and tells what it did through
// ReportHost, which moves the host and then the deploy on. Nothing runs
// in the background: a restarted controller resumes from its tables, and
// an agent that already installed simply reports it again.
//
// Where Flock differs from StarlingX's USM: deploy start's preparation
// (ostree commits, the upgrade's data migration) has nothing to prepare
// for a file-tree release, so start goes to start-done at once; likewise
// activate (activation scripts run on the hosts as they install) goes to
// activate-done. The legacy sw-patch views are computed from the same
// repository (LegacyPatches).
package patchingsql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/patching"
	"github.com/edgeflock/flock/patching/content"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Host is what the deploy pre-checks and the install rules need to know
// of a host (inventory's and host maintenance's view).
type Host struct {
	Hostname string
	// Provisioned: the host has been configured at least once.
	Provisioned bool
	Locked      bool
	// Enabled: operationally enabled (and available or degraded).
	Enabled bool
	// ConfigCurrent: the host applied its latest configuration.
	ConfigCurrent bool
}

// Hosts lists the system's hosts.
type Hosts interface {
	ListHosts(ctx context.Context) ([]Host, error)
}

// HostsFunc adapts a function to Hosts.
type HostsFunc func(ctx context.Context) ([]Host, error)

// ListHosts calls f.
func (f HostsFunc) ListHosts(ctx context.Context) ([]Host, error) { return f(ctx) }

// Options are a Manager's parts.
type Options struct {
	// Store keeps the release files (required).
	Store *content.Store
	// Keyring holds the keys releases must be signed with (required).
	Keyring patching.Keyring
	// Hosts are the system's hosts (required).
	Hosts Hosts
	// Alarms raise and clear 900.020 (deploy in progress), 900.021 (a
	// host failed), 900.022 (activation failed) and 900.023 (rolling
	// back); nil: none.
	Alarms fault.Reporter
	// ActiveAlarms lists the active alarms for the pre-check (nil: the
	// check is reported as not run).
	ActiveAlarms func(ctx context.Context) ([]fault.Alarm, error)
	// ContentPrefix is the URL path the store is served under
	// (default "/v1/content/").
	ContentPrefix string
	// MaxUpload bounds a release file (default 4 GiB).
	MaxUpload int64
	Logger    *slog.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Manager implements patching.Service.
type Manager struct {
	db  *sqlstore.DB
	o   Options
	log *slog.Logger
	// blobMu orders the content store's writes and removals with the
	// rows that refer to them: a removal never races an upload of the
	// same file.
	blobMu sync.Mutex
}

var _ patching.Service = (*Manager)(nil)

// New migrates the database and returns a Manager.
func New(ctx context.Context, db *sqlstore.DB, o Options) (*Manager, error) {
	if o.Store == nil || o.Hosts == nil {
		return nil, errors.New("patchingsql: Options.Store and Options.Hosts are required")
	}
	if len(o.Keyring) == 0 {
		return nil, errors.New("patchingsql: Options.Keyring has no trusted key: every release would be refused")
	}
	if o.ContentPrefix == "" {
		o.ContentPrefix = "/v1/content/"
	}
	if o.MaxUpload <= 0 {
		o.MaxUpload = 4 << 30
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "patching", sub); err != nil {
		return nil, fmt.Errorf("patchingsql: %w", err)
	}
	m := &Manager{db: db, o: o, log: log}
	m.sweep(ctx)
	return m, nil
}

// tx runs f in one transaction; after a commit, the alarm operations f
// queued are performed.
func (m *Manager) tx(ctx context.Context, f func(t *txn) error) error {
	sqltx, err := m.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", patching.ErrUnavailable, err)
	}
	t := &txn{Tx: sqltx, m: m, ctx: ctx}
	if m.db.Dialect == sqlstore.Postgres {
		// One verb at a time, as SQLite's BEGIN IMMEDIATE gives: no two
		// transactions decide from the same deploy state.
		if _, err := sqltx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7367837)`); err != nil {
			_ = sqltx.Rollback()
			return fmt.Errorf("%w: %v", patching.ErrUnavailable, err)
		}
	}
	if err := f(t); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("%w: commit: %v", patching.ErrUnavailable, err)
	}
	for _, a := range t.alarms {
		a(ctx)
	}
	return nil
}

type txn struct {
	*sql.Tx
	m      *Manager
	ctx    context.Context
	alarms []func(context.Context)
}

func (t *txn) exec(q string, args ...any) error {
	_, err := t.ExecContext(t.ctx, t.m.db.Rebind(q), args...)
	return err
}

func (t *txn) releases() ([]patching.ReleaseInfo, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT id, digest, size, state, metadata, signer, uploaded_at FROM sw_release ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []patching.ReleaseInfo
	for rows.Next() {
		var r patching.ReleaseInfo
		var meta, at string
		if err := rows.Scan(&r.ID, &r.Digest, &r.Size, &r.State, &meta, &r.Signer, &at); err != nil {
			return nil, err
		}
		id := r.ID
		if err := json.Unmarshal([]byte(meta), &r.Metadata); err != nil {
			return nil, fmt.Errorf("patchingsql: release %s: %w", id, err)
		}
		r.UploadedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *txn) release(id string) (patching.ReleaseInfo, error) {
	all, err := t.releases()
	if err != nil {
		return patching.ReleaseInfo{}, err
	}
	for _, r := range all {
		if r.ID == id {
			return r, nil
		}
	}
	return patching.ReleaseInfo{}, fmt.Errorf("release %q: %w", id, patching.ErrNotFound)
}

func (t *txn) setReleaseState(id string, from, to patching.ReleaseState) error {
	if from == to {
		return nil
	}
	if err := patching.ReleaseTransition(from, to); err != nil {
		return err
	}
	return t.exec(`UPDATE sw_release SET state = ? WHERE id = ?`, string(to), id)
}

func (t *txn) deploy() (patching.Deploy, bool, error) {
	var d patching.Deploy
	var state string
	err := t.QueryRowContext(t.ctx, `SELECT from_release, to_release, state, reboot_required, reason FROM sw_deploy WHERE id = 1`).
		Scan(&d.FromRelease, &d.ToRelease, &state, &d.RebootRequired, &d.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	d.State = patching.DeployState(state)
	return d, err == nil, err
}

func (t *txn) saveDeploy(d patching.Deploy) error {
	return t.exec(`UPDATE sw_deploy SET state = ?, reason = ? WHERE id = 1`, string(d.State), d.Reason)
}

type hostRow struct {
	name, running, pending, reason string
	from                           string // the release it ran when the deploy started
	agent                          patching.AgentState
	deploy                         patching.HostDeployState
}

func (t *txn) hostRows() (map[string]*hostRow, error) {
	rows, err := t.QueryContext(t.ctx, `SELECT hostname, running, pending, agent_state, reason, deploy_state, from_release FROM sw_host`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*hostRow{}
	for rows.Next() {
		h := &hostRow{}
		var agent, dep string
		if err := rows.Scan(&h.name, &h.running, &h.pending, &agent, &h.reason, &dep, &h.from); err != nil {
			return nil, err
		}
		h.agent, h.deploy = patching.AgentState(agent), patching.HostDeployState(dep)
		out[h.name] = h
	}
	return out, rows.Err()
}

func (t *txn) saveHost(h *hostRow) error {
	now := t.m.o.Now().UTC().Format(time.RFC3339Nano)
	if err := t.exec(`UPDATE sw_host SET running = ?, pending = ?, agent_state = ?, reason = ?, deploy_state = ?, from_release = ?, reported_at = ? WHERE hostname = ?`,
		h.running, h.pending, string(h.agent), h.reason, string(h.deploy), h.from, now, h.name); err != nil {
		return err
	}
	return t.exec(`INSERT INTO sw_host (hostname, running, pending, agent_state, reason, deploy_state, from_release, reported_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sw_host WHERE hostname = ?)`,
		h.name, h.running, h.pending, string(h.agent), h.reason, string(h.deploy), h.from, now, h.name)
}

func deployedIDs(rs []patching.ReleaseInfo) []string {
	var ids []string
	for _, r := range rs {
		if r.State == patching.ReleaseDeployed || r.State == patching.ReleaseCommitted {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func graph(rs []patching.ReleaseInfo) (*patching.Graph, error) {
	ms := make([]patching.Metadata, len(rs))
	for i, r := range rs {
		ms[i] = r.Metadata
	}
	return patching.NewGraph(ms)
}

// Upload stores and verifies a release file.
func (m *Manager) Upload(ctx context.Context, r io.Reader) (patching.ReleaseInfo, error) {
	m.blobMu.Lock()
	defer m.blobMu.Unlock()
	digest, size, err := m.o.Store.Put(io.LimitReader(r, m.o.MaxUpload+1))
	if err != nil {
		return patching.ReleaseInfo{}, fmt.Errorf("%w: %w", patching.ErrUnavailable, err)
	}
	if size > m.o.MaxUpload {
		m.dropBlob(ctx, digest)
		return patching.ReleaseInfo{}, &patching.FieldError{Field: "file", Reason: fmt.Sprintf("longer than %d bytes", m.o.MaxUpload)}
	}
	f, err := m.o.Store.Open(digest)
	if err != nil {
		return patching.ReleaseInfo{}, err
	}
	rel, err := patching.Open(f, size, m.o.Keyring)
	f.Close()
	if err != nil {
		m.dropBlob(ctx, digest)
		return patching.ReleaseInfo{}, err
	}
	info := patching.ReleaseInfo{Metadata: rel.Meta(), State: patching.ReleaseAvailable, Digest: digest, Size: size,
		Signer: rel.Signer(), UploadedAt: m.o.Now().UTC()}
	err = m.tx(ctx, func(t *txn) error {
		all, err := t.releases()
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.ID == info.ID {
				if x.Digest == digest {
					info = x // the same file again
					return nil
				}
				return fmt.Errorf("%w: release %s exists with other content (%s)", patching.ErrConflict, x.ID, x.Digest)
			}
		}
		if _, err := graph(append(all, info)); err != nil {
			return err
		}
		meta, err := json.Marshal(info.Metadata)
		if err != nil {
			return err
		}
		return t.exec(`INSERT INTO sw_release (id, digest, size, state, metadata, signer, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			info.ID, digest, size, string(info.State), string(meta), info.Signer, info.UploadedAt.Format(time.RFC3339Nano))
	})
	if err != nil && !errors.Is(err, patching.ErrConflict) {
		m.dropBlob(ctx, digest)
	}
	return info, err
}

// dropBlob removes a stored file no release refers to.
func (m *Manager) dropBlob(ctx context.Context, digest string) {
	var n int
	if err := m.db.QueryRowContext(ctx, m.db.Rebind(`SELECT COUNT(*) FROM sw_release WHERE digest = ?`), digest).Scan(&n); err != nil || n > 0 {
		return
	}
	if err := m.o.Store.Delete(digest); err != nil {
		m.log.Warn("patching: remove refused upload", "digest", digest, "err", err)
	}
}

// ListReleases lists the repository.
func (m *Manager) ListReleases(ctx context.Context, state patching.ReleaseState) ([]patching.ReleaseInfo, error) {
	if state != "" && !state.Valid() {
		return nil, &patching.FieldError{Field: "state", Reason: fmt.Sprintf("%q is not a release state", state)}
	}
	var out []patching.ReleaseInfo
	err := m.tx(ctx, func(t *txn) error {
		all, err := t.releases()
		for _, r := range all {
			if state == "" || r.State == state {
				out = append(out, r)
			}
		}
		return err
	})
	return out, err
}

// GetRelease returns one release.
func (m *Manager) GetRelease(ctx context.Context, id string) (patching.ReleaseInfo, error) {
	var r patching.ReleaseInfo
	err := m.tx(ctx, func(t *txn) (err error) { r, err = t.release(id); return err })
	return r, err
}

// DeleteRelease removes a release and its file.
func (m *Manager) DeleteRelease(ctx context.Context, id string) error {
	m.blobMu.Lock()
	defer m.blobMu.Unlock()
	var digest string
	err := m.tx(ctx, func(t *txn) error {
		all, err := t.releases()
		if err != nil {
			return err
		}
		r, err := t.release(id)
		if err != nil {
			return err
		}
		if err := patching.CheckDelete(id, r.State); err != nil {
			return err
		}
		g, err := graph(all)
		if err != nil {
			return err
		}
		if err := g.CanRemove(id, deployedIDs(all)); err != nil {
			return err
		}
		// Nor while any release in the repository requires it: the
		// repository would no longer be a closed graph.
		if by, err := g.WhatRequires(id); err != nil {
			return err
		} else if len(by) > 0 {
			return &patching.RuleError{Rule: patching.RuleDelete, Reason: fmt.Sprintf("release %s is required by %s: delete those first", id, strings.Join(by, ", "))}
		}
		digest = r.Digest
		return t.exec(`DELETE FROM sw_release WHERE id = ?`, id)
	})
	if err == nil {
		m.dropBlob(ctx, digest)
	}
	return err
}

// Precheck runs the deploy pre-checks.
func (m *Manager) Precheck(ctx context.Context, id string) (patching.Precheck, error) {
	p := patching.Precheck{ReleaseID: id}
	hosts, err := m.o.Hosts.ListHosts(ctx)
	if err != nil {
		return p, fmt.Errorf("%w: hosts: %v", patching.ErrUnavailable, err)
	}
	var notProv, notUE, notCur []string
	for _, h := range hosts {
		if !h.Provisioned {
			notProv = append(notProv, h.Hostname)
		}
		if h.Locked || !h.Enabled {
			notUE = append(notUE, h.Hostname)
		}
		if !h.ConfigCurrent {
			notCur = append(notCur, h.Hostname)
		}
	}
	line := func(check string, bad []string) {
		l := patching.PrecheckLine{Check: check, OK: len(bad) == 0}
		if !l.OK {
			l.Detail = strings.Join(bad, ", ")
		}
		p.Checks = append(p.Checks, l)
	}
	line("All hosts are provisioned", notProv)
	line("All hosts are unlocked/enabled", notUE)
	line("All hosts have current configurations", notCur)
	if m.o.ActiveAlarms != nil {
		alarms, err := m.o.ActiveAlarms(ctx)
		if err != nil {
			return p, fmt.Errorf("%w: alarms: %v", patching.ErrUnavailable, err)
		}
		var bad []string
		for _, a := range alarms {
			if a.MgmtAffecting && !strings.HasPrefix(a.AlarmID, "900.") {
				bad = append(bad, a.AlarmID+" "+a.EntityInstanceID)
			}
		}
		line("No management-affecting alarms", bad)
	} else {
		p.Checks = append(p.Checks, patching.PrecheckLine{Check: "No management-affecting alarms", OK: true, Detail: "not checked: no fault service"})
	}
	err = m.tx(ctx, func(t *txn) error {
		all, err := t.releases()
		if err != nil {
			return err
		}
		r, err := t.release(id)
		if err != nil {
			return err
		}
		var bad []string
		if err := checkStart(id, r.State); err != nil {
			bad = append(bad, err.Error())
		}
		g, err := graph(all)
		if err != nil {
			return err
		}
		if err := g.CanDeploy(id, deployedIDs(all)); err != nil {
			bad = append(bad, err.Error())
		}
		line("Valid upgrade path", bad)
		return nil
	})
	if err != nil {
		return p, err
	}
	p.OK = true
	for _, l := range p.Checks {
		p.OK = p.OK && l.OK
	}
	return p, nil
}

// DeployStart starts deploying a release to every host.
func (m *Manager) DeployStart(ctx context.Context, id string, force bool) (patching.Deploy, error) {
	if d, err := m.ShowDeploy(ctx); err == nil {
		_, err := patching.StepDeploy(d.State, patching.EventStart)
		return patching.Deploy{}, err
	}
	if !force {
		p, err := m.Precheck(ctx, id)
		if err != nil {
			return patching.Deploy{}, err
		}
		if !p.OK {
			var bad []string
			for _, l := range p.Checks {
				if !l.OK {
					bad = append(bad, l.Check+": "+l.Detail)
				}
			}
			return patching.Deploy{}, &patching.RuleError{Rule: patching.RulePrecheck, Reason: "the pre-checks failed: " + strings.Join(bad, "; ")}
		}
	}
	hosts, err := m.o.Hosts.ListHosts(ctx)
	if err != nil {
		return patching.Deploy{}, fmt.Errorf("%w: hosts: %v", patching.ErrUnavailable, err)
	}
	var d patching.Deploy
	err = m.tx(ctx, func(t *txn) error {
		if cur, ok, err := t.deploy(); err != nil {
			return err
		} else if ok {
			_, err := patching.StepDeploy(cur.State, patching.EventStart)
			return err
		}
		all, err := t.releases()
		if err != nil {
			return err
		}
		r, err := t.release(id)
		if err != nil {
			return err
		}
		if err := checkStart(id, r.State); err != nil {
			return err
		}
		g, err := graph(all)
		if err != nil {
			return err
		}
		if err := g.CanDeploy(id, deployedIDs(all)); err != nil {
			return err
		}
		from := newestDeployed(all)
		st, err := patching.StepDeploy(patching.DeployNone, patching.EventStart)
		if err != nil {
			return err
		}
		if st, err = patching.StepDeploy(st, patching.EventStartDone); err != nil {
			return err
		}
		d = patching.Deploy{FromRelease: from, ToRelease: id, State: st, RebootRequired: r.RebootRequired}
		if err := t.setReleaseState(id, r.State, patching.ReleaseDeploying); err != nil {
			return err
		}
		if err := t.exec(`INSERT INTO sw_deploy (id, from_release, to_release, state, reboot_required, reason) VALUES (1, ?, ?, ?, ?, '')`,
			from, id, string(st), d.RebootRequired); err != nil {
			return err
		}
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		for _, h := range hosts {
			row := rows[h.Hostname]
			if row == nil {
				row = &hostRow{name: h.Hostname, agent: patching.AgentIdle}
			}
			row.deploy, row.reason, row.from = patching.HostPending, "", row.running
			if err := t.saveHost(row); err != nil {
				return err
			}
		}
		t.raise("900.020", "host=controller", fault.SeverityMinor, fmt.Sprintf("Deployment of %s in progress", id))
		return nil
	})
	return d, err
}

func (m *Manager) hostLocked(ctx context.Context, host string) (bool, bool, error) {
	hosts, err := m.o.Hosts.ListHosts(ctx)
	if err != nil {
		return false, false, fmt.Errorf("%w: hosts: %v", patching.ErrUnavailable, err)
	}
	for _, h := range hosts {
		if h.Hostname == host {
			return h.Locked, true, nil
		}
	}
	return false, false, nil
}

// known checks that host is one of the system's: a host with a row
// here (it reported, or is in a deploy) is, and only the first call for
// a host asks inventory, not every poll of every host.
func (m *Manager) known(ctx context.Context, host string) error {
	var one int
	err := m.db.QueryRowContext(ctx, m.db.Rebind(`SELECT 1 FROM sw_host WHERE hostname = ?`), host).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %v", patching.ErrUnavailable, err)
	}
	if _, ok, err := m.hostLocked(ctx, host); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("host %q: %w", host, patching.ErrNotFound)
	}
	return nil
}

// DeployHost tells a host to install the release being deployed.
func (m *Manager) DeployHost(ctx context.Context, host string, force bool) (patching.HostDeploy, error) {
	locked, known, err := m.hostLocked(ctx, host)
	if err != nil {
		return patching.HostDeploy{}, err
	}
	if !known {
		return patching.HostDeploy{}, fmt.Errorf("host %q: %w", host, patching.ErrNotFound)
	}
	var out patching.HostDeploy
	err = m.tx(ctx, func(t *txn) error {
		d, _, row, err := t.deployHost(host)
		if err != nil {
			return err
		}
		switch d.State {
		case patching.DeployHostRollback, patching.DeployHostRollbackFailed, patching.DeployHostRollbackDone,
			patching.DeployActivateRollbackDone, patching.DeployActivateRollbackPend, patching.DeployActivateRollback:
			return &patching.RuleError{Rule: patching.RuleDeployTransition, Reason: fmt.Sprintf("deploy %s: the deploy is rolling back; use deploy host-rollback", d.State)}
		}
		if !force {
			if err := patching.CheckHostInstall(host, d.RebootRequired, locked); err != nil {
				return err
			}
		}
		st, err := patching.StepDeploy(d.State, patching.EventHost)
		if err != nil {
			return err
		}
		hs, err := patching.StepHostDeploy(row.deploy, patching.HostEventDeployStarted)
		if err != nil {
			return err
		}
		d.State, row.deploy, row.reason = st, hs, ""
		if err := t.saveDeploy(d); err != nil {
			return err
		}
		if err := t.saveHost(row); err != nil {
			return err
		}
		out = hostDeploy(d, row)
		return nil
	})
	return out, err
}

// DeployHostRollback tells a host to go back to the release it ran
// before the deploy.
func (m *Manager) DeployHostRollback(ctx context.Context, host string) (patching.HostDeploy, error) {
	var out patching.HostDeploy
	err := m.tx(ctx, func(t *txn) error {
		d, rows, row, err := t.deployHost(host)
		if err != nil {
			return err
		}
		switch d.State {
		case patching.DeployHostRollback, patching.DeployHostRollbackFailed:
		case patching.DeployActivateRollbackDone:
			st, err := patching.StepDeploy(d.State, patching.EventHost)
			if err != nil {
				return err
			}
			d.State = st
		default:
			// A host rolled back outside an abort: the deploy rolls back,
			// once no host is installing.
			for _, r := range rows {
				if r.deploy == patching.HostDeploying {
					return &patching.RuleError{Rule: patching.RuleHostTransition, Reason: fmt.Sprintf("host %s is installing: wait for it to finish or fail, then roll back", r.name)}
				}
			}
			st, err := patching.StepDeploy(d.State, patching.EventAbort)
			if err != nil {
				return err
			}
			if st != patching.DeployHostRollback {
				return &patching.RuleError{Rule: patching.RuleDeployTransition, Reason: fmt.Sprintf("deploy %s: roll back the activation first (deploy activate-rollback)", d.State)}
			}
			d.State = st
			if err := t.rollbackPending(rows); err != nil {
				return err
			}
			t.raise("900.023", "host=controller", fault.SeverityMinor, fmt.Sprintf("Deployment of %s is being rolled back", d.ToRelease))
		}
		if row.deploy == patching.HostRollbackDeployed {
			out = hostDeploy(d, row)
			return t.saveDeploy(d)
		}
		hs, err := patching.StepHostDeploy(row.deploy, patching.HostEventRollbackStarted)
		if err != nil {
			return err
		}
		row.deploy, row.reason = hs, ""
		if err := t.saveDeploy(d); err != nil {
			return err
		}
		if err := t.saveHost(row); err != nil {
			return err
		}
		out = hostDeploy(d, row)
		return nil
	})
	return out, err
}

// deployHost reads the deploy, the hosts and host's row, which must be
// part of the deploy.
func (t *txn) deployHost(host string) (patching.Deploy, map[string]*hostRow, *hostRow, error) {
	d, ok, err := t.deploy()
	if err != nil {
		return d, nil, nil, err
	}
	if !ok {
		_, err := patching.StepDeploy(patching.DeployNone, patching.EventHost)
		return d, nil, nil, err
	}
	rows, err := t.hostRows()
	if err != nil {
		return d, nil, nil, err
	}
	row := rows[host]
	if row == nil || row.deploy == "" {
		return d, nil, nil, fmt.Errorf("host %q is not part of the deploy: %w", host, patching.ErrNotFound)
	}
	return d, rows, row, nil
}

// rollbackPending marks the deploy's hosts for rollback: those that
// installed (or failed) wait for a rollback, those that never started
// are rolled back already.
func (t *txn) rollbackPending(rows map[string]*hostRow) error {
	for _, row := range rows {
		var ev patching.HostDeployEvent
		switch row.deploy {
		case "", patching.HostRollbackPending, patching.HostRollbackDeploying, patching.HostRollbackDeployed, patching.HostRollbackFailed:
			continue
		case patching.HostPending:
			ev = patching.HostEventRollbackDeployed
		case patching.HostDeploying:
			// Still installing: it fails or finishes, then rolls back.
			ev = patching.HostEventDeployFailed
		default:
			ev = patching.HostEventRollbackPending
		}
		hs, err := patching.StepHostDeploy(row.deploy, ev)
		if err != nil {
			return err
		}
		if hs == patching.HostFailed {
			if hs, err = patching.StepHostDeploy(hs, patching.HostEventRollbackPending); err != nil {
				return err
			}
		}
		row.deploy = hs
		if err := t.saveHost(row); err != nil {
			return err
		}
	}
	return nil
}

func hostDeploy(d patching.Deploy, h *hostRow) patching.HostDeploy {
	return patching.HostDeploy{Hostname: h.name, FromRelease: h.from, ToRelease: d.ToRelease,
		RebootRequired: d.RebootRequired, State: h.deploy, Reason: h.reason}
}

// step moves the deploy by ev.
func (m *Manager) step(ctx context.Context, ev patching.DeployEvent, then func(t *txn, d *patching.Deploy) error) (patching.Deploy, error) {
	var out patching.Deploy
	err := m.tx(ctx, func(t *txn) error {
		d, ok, err := t.deploy()
		if err != nil {
			return err
		}
		if !ok {
			_, err := patching.StepDeploy(patching.DeployNone, ev)
			return err
		}
		st, err := patching.StepDeploy(d.State, ev)
		if err != nil {
			return err
		}
		d.State = st
		if then != nil {
			if err := then(t, &d); err != nil {
				return err
			}
		}
		out = d
		return t.saveDeploy(d)
	})
	return out, err
}

// DeployActivate activates the deployed release (Flock: at once).
func (m *Manager) DeployActivate(ctx context.Context) (patching.Deploy, error) {
	return m.step(ctx, patching.EventActivate, func(t *txn, d *patching.Deploy) error {
		st, err := patching.StepDeploy(d.State, patching.EventActivateDone)
		d.State = st
		return err
	})
}

// DeployActivateRollback rolls the activation back; the hosts then roll
// back.
func (m *Manager) DeployActivateRollback(ctx context.Context) (patching.Deploy, error) {
	return m.step(ctx, patching.EventActivateRollback, func(t *txn, d *patching.Deploy) error {
		st, err := patching.StepDeploy(d.State, patching.EventActivateRollbackDone)
		if err != nil {
			return err
		}
		d.State = st
		// A completed release is being removed again.
		r, err := t.release(d.ToRelease)
		if err != nil {
			return err
		}
		if r.State == patching.ReleaseDeployed {
			if err := t.setReleaseState(r.ID, r.State, patching.ReleaseRemoving); err != nil {
				return err
			}
		}
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		t.raise("900.023", "host=controller", fault.SeverityMinor, fmt.Sprintf("Deployment of %s is being rolled back", d.ToRelease))
		// The hosts wait for deploy host-rollback.
		return t.rollbackPending(rows)
	})
}

// DeployComplete completes the deploy: the release is deployed.
func (m *Manager) DeployComplete(ctx context.Context) (patching.Deploy, error) {
	return m.step(ctx, patching.EventComplete, func(t *txn, d *patching.Deploy) error {
		r, err := t.release(d.ToRelease)
		if err != nil {
			return err
		}
		if err := t.setReleaseState(r.ID, r.State, patching.ReleaseDeployed); err != nil {
			return err
		}
		t.clear("900.020", "host=controller")
		return nil
	})
}

// DeployAbort abandons the deploy: the hosts roll back.
func (m *Manager) DeployAbort(ctx context.Context) (patching.Deploy, error) {
	return m.step(ctx, patching.EventAbort, func(t *txn, d *patching.Deploy) error {
		if d.State != patching.DeployHostRollback {
			return nil // activate-rollback-pending: the operator rolls the activation back
		}
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.deploy == patching.HostDeploying {
				return &patching.RuleError{Rule: patching.RuleHostTransition, Reason: fmt.Sprintf("host %s is installing: wait for it to finish or fail, then abort", r.name)}
			}
		}
		if err := t.rollbackPending(rows); err != nil {
			return err
		}
		t.raise("900.023", "host=controller", fault.SeverityMinor, fmt.Sprintf("Deployment of %s is being rolled back", d.ToRelease))
		return t.settleHosts(d, rows)
	})
}

// settleHosts moves the deploy on from its hosts' states (and, once
// rolled back, returns the release to available).
func (t *txn) settleHosts(d *patching.Deploy, rows map[string]*hostRow) error {
	var states []patching.HostDeployState
	for _, r := range rows {
		if r.deploy != "" {
			states = append(states, r.deploy)
		}
	}
	ev, ok := patching.HostsEvent(d.State, states)
	if !ok {
		return nil
	}
	st, err := patching.StepDeploy(d.State, ev)
	if err != nil {
		return err
	}
	if st == d.State {
		return nil
	}
	d.State = st
	switch st {
	case patching.DeployHostRollbackDone:
		r, err := t.release(d.ToRelease)
		if err != nil {
			return err
		}
		if r.State == patching.ReleaseDeploying || r.State == patching.ReleaseRemoving {
			if err := t.setReleaseState(r.ID, r.State, patching.ReleaseAvailable); err != nil {
				return err
			}
		}
		t.clear("900.023", "host=controller")
		t.clear("900.020", "host=controller")
	case patching.DeployHostFailed, patching.DeployHostRollbackFailed:
		d.Reason = "a host failed: see deploy host-list"
	}
	return nil
}

// DeployDelete removes a finished deploy.
func (m *Manager) DeployDelete(ctx context.Context) error {
	_, err := m.step(ctx, patching.EventDelete, func(t *txn, d *patching.Deploy) error {
		if err := t.exec(`DELETE FROM sw_deploy WHERE id = 1`); err != nil {
			return err
		}
		t.clear("900.020", "host=controller")
		t.clear("900.023", "host=controller")
		return t.exec(`UPDATE sw_host SET deploy_state = '' WHERE deploy_state <> ''`)
	})
	if err == nil {
		return nil
	}
	return err
}

// ShowDeploy returns the deploy in progress.
func (m *Manager) ShowDeploy(ctx context.Context) (patching.Deploy, error) {
	var d patching.Deploy
	err := m.tx(ctx, func(t *txn) error {
		var ok bool
		var err error
		d, ok, err = t.deploy()
		if err == nil && !ok {
			err = fmt.Errorf("no deployment in progress: %w", patching.ErrNotFound)
		}
		return err
	})
	return d, err
}

// ListDeployHosts returns the deploy's hosts.
func (m *Manager) ListDeployHosts(ctx context.Context) ([]patching.HostDeploy, error) {
	hosts, err := m.o.Hosts.ListHosts(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: hosts: %v", patching.ErrUnavailable, err)
	}
	var out []patching.HostDeploy
	err = m.tx(ctx, func(t *txn) error {
		d, ok, err := t.deploy()
		if err != nil {
			return err
		}
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		if !ok {
			// No deploy: every host with the release it runs.
			for _, h := range hosts {
				hd := patching.HostDeploy{Hostname: h.Hostname}
				if r := rows[h.Hostname]; r != nil {
					hd.FromRelease = r.running
				}
				out = append(out, hd)
			}
			return nil
		}
		for _, r := range rows {
			if r.deploy != "" {
				out = append(out, hostDeploy(d, r))
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b patching.HostDeploy) int { return strings.Compare(a.Hostname, b.Hostname) })
	return out, err
}

// Assignment is what a host's agent must do now.
func (m *Manager) Assignment(ctx context.Context, host string) (patching.Assignment, error) {
	var a patching.Assignment
	if err := m.known(ctx, host); err != nil {
		return a, err
	}
	err := m.tx(ctx, func(t *txn) error {
		d, ok, err := t.deploy()
		if err != nil || !ok {
			return err
		}
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		row := rows[host]
		if row == nil {
			return nil
		}
		var id string
		switch row.deploy {
		case patching.HostDeploying:
			a.Action, id = patching.ActionInstall, d.ToRelease
		case patching.HostRollbackDeploying:
			a.Action, id = patching.ActionRollback, row.from
		default:
			return nil
		}
		a.ReleaseID, a.RebootRequired = id, d.RebootRequired
		if id != "" {
			r, err := t.release(id)
			if err != nil {
				return err
			}
			a.Digest, a.ContentPath = r.Digest, m.o.ContentPrefix+r.Digest
		}
		return nil
	})
	return a, err
}

// ReportHost takes in a host agent's report and moves the host, then the
// deploy, on.
func (m *Manager) ReportHost(ctx context.Context, host string, st patching.HostStatus) error {
	if err := patching.CheckID("hostname", host); err != nil {
		return err
	}
	if st.State == "" {
		st.State = patching.AgentIdle
	}
	if !st.State.Valid() {
		return &patching.FieldError{Field: "state", Reason: fmt.Sprintf("%q is not an agent state", st.State)}
	}
	for f, id := range map[string]string{"running": st.Running, "pending": st.Pending, "release_id": st.ReleaseID} {
		if id != "" {
			if err := patching.CheckID(f, id); err != nil {
				return err
			}
		}
	}
	switch st.Action {
	case patching.ActionNone, patching.ActionInstall, patching.ActionRollback:
	default:
		return &patching.FieldError{Field: "action", Reason: fmt.Sprintf("%q is not install, rollback or empty", st.Action)}
	}
	if len(st.Reason) > 8192 {
		st.Reason = st.Reason[len(st.Reason)-8192:]
	}
	if err := m.known(ctx, host); err != nil {
		return err
	}
	return m.tx(ctx, func(t *txn) error {
		rows, err := t.hostRows()
		if err != nil {
			return err
		}
		row := rows[host]
		if row == nil {
			row = &hostRow{name: host}
			rows[host] = row
		}
		row.running, row.pending, row.agent, row.reason = st.Running, st.Pending, st.State, st.Reason
		d, ok, err := t.deploy()
		if err != nil {
			return err
		}
		if ok {
			landed := func(id string) bool {
				if d.RebootRequired {
					return st.Pending == id || st.Running == id && st.Pending == ""
				}
				return st.Running == id && st.Pending == ""
			}
			var ev patching.HostDeployEvent
			switch {
			case row.deploy == patching.HostDeploying && st.Action == patching.ActionInstall && st.ReleaseID == d.ToRelease:
				switch {
				case st.State == patching.AgentIdle && landed(d.ToRelease):
					ev = patching.HostEventDeployed
				case st.State == patching.AgentInstallFailed || st.State == patching.AgentInstallRejected:
					ev = patching.HostEventDeployFailed
				}
			case row.deploy == patching.HostRollbackDeploying && st.Action == patching.ActionRollback && st.ReleaseID == row.from:
				switch {
				case st.Running == row.from && st.Pending == "":
					ev = patching.HostEventRollbackDeployed
				case st.State == patching.AgentInstallFailed || st.State == patching.AgentInstallRejected:
					ev = patching.HostEventRollbackFailed
				}
			}
			if ev != "" {
				hs, err := patching.StepHostDeploy(row.deploy, ev)
				if err != nil {
					return err
				}
				row.deploy = hs
				eid := "host=" + host
				if hs == patching.HostFailed || hs == patching.HostRollbackFailed {
					t.raise("900.021", eid, fault.SeverityMajor, fmt.Sprintf("Deploying %s on %s failed: %s", d.ToRelease, host, tail(st.Reason, 200)))
				} else {
					t.clear("900.021", eid)
				}
			}
		}
		if err := t.saveHost(row); err != nil {
			return err
		}
		if ok {
			if err := t.settleHosts(&d, rows); err != nil {
				return err
			}
			return t.saveDeploy(d)
		}
		return nil
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (t *txn) raise(id, eid string, sev fault.Severity, reason string) {
	r := t.m.o.Alarms
	if r == nil {
		return
	}
	t.alarms = append(t.alarms, func(ctx context.Context) {
		a := fault.Alarm{AlarmID: id, State: fault.StateSet, EntityTypeID: "host", EntityInstanceID: eid, Severity: sev,
			ReasonText: reason, AlarmType: fault.AlarmTypeEquipment, ProbableCause: fault.CauseUnderlyingResourceUnavail,
			ProposedRepairAction: "See software deploy show and deploy host-list.", ServiceAffecting: false, Suppression: true}
		if _, err := r.SetAlarm(ctx, a); err != nil {
			t.m.log.Warn("patching: alarm", "alarm", id, "entity", eid, "err", err)
		}
	})
}

func (t *txn) clear(id, eid string) {
	r := t.m.o.Alarms
	if r == nil {
		return
	}
	t.alarms = append(t.alarms, func(ctx context.Context) {
		if err := r.ClearAlarm(ctx, id, eid); err != nil && !errors.Is(err, fault.ErrNotFound) {
			t.m.log.Warn("patching: clear alarm", "alarm", id, "entity", eid, "err", err)
		}
	})
}

var _ patching.Legacy = (*Manager)(nil)

// legacy reads the repository as sw-patch sees it and the hosts'
// reports, and computes the patch states (§4.1).
func (m *Manager) legacy(ctx context.Context) ([]patching.ReleaseInfo, []patching.LegacyPatch, map[string]*hostRow, map[string]string, map[string]patching.PatchState, error) {
	var infos []patching.ReleaseInfo
	var patches []patching.LegacyPatch
	var rows map[string]*hostRow
	acks := map[string]string{}
	err := m.tx(ctx, func(t *txn) error {
		var err error
		if infos, err = t.releases(); err != nil {
			return err
		}
		for _, r := range infos {
			rs := patching.RepoAvailable
			switch r.State {
			case patching.ReleaseDeployed, patching.ReleaseDeploying, patching.ReleaseRemoving:
				rs = patching.RepoApplied
			case patching.ReleaseCommitted:
				rs = patching.RepoCommitted
			}
			patches = append(patches, patching.LegacyPatch{ID: r.ID, RepoState: rs, RebootRequired: r.RebootRequired, Requires: r.Requires})
		}
		if rows, err = t.hostRows(); err != nil {
			return err
		}
		q, err := t.QueryContext(t.ctx, `SELECT hostname, reported_at FROM sw_host`)
		if err != nil {
			return err
		}
		defer q.Close()
		for q.Next() {
			var h, at string
			if err := q.Scan(&h, &at); err != nil {
				return err
			}
			acks[h] = at
		}
		return q.Err()
	})
	if err != nil {
		return nil, nil, nil, nil, nil, err
	}
	states, err := patching.PatchStates(patches, reports(rows))
	return infos, patches, rows, acks, states, err
}

func reports(rows map[string]*hostRow) []patching.HostReport {
	var out []patching.HostReport
	for _, h := range rows {
		var running []string
		if h.running != "" {
			running = append(running, h.running)
		}
		out = append(out, patching.HostReport{Hostname: h.name, Running: running})
	}
	return out
}

// LegacyPatches is `sw-patch query`: every release with its repository
// state and the patch state computed from what the hosts report.
func (m *Manager) LegacyPatches(ctx context.Context) ([]patching.LegacyPatchInfo, error) {
	infos, patches, _, _, states, err := m.legacy(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]patching.LegacyPatchInfo, len(infos))
	for i, r := range infos {
		out[i] = patching.LegacyPatchInfo{ID: r.ID, SWVersion: r.SWVersion, RepoState: patches[i].RepoState, PatchState: states[r.ID],
			RebootRequired: r.RebootRequired, Status: r.Status, Summary: r.Summary, Requires: r.Requires}
	}
	return out, nil
}

// LegacyHosts is `sw-patch query-hosts`.
func (m *Manager) LegacyHosts(ctx context.Context) ([]patching.LegacyHost, error) {
	_, patches, rows, acks, states, err := m.legacy(ctx)
	if err != nil {
		return nil, err
	}
	insvc := patching.InServiceAllowed(patches, states)
	now := m.o.Now()
	var out []patching.LegacyHost
	for _, h := range rows {
		var running []string
		if h.running != "" {
			running = append(running, h.running)
		}
		current := patching.HostPatchCurrent(patches, patching.HostReport{Hostname: h.name, Running: running})
		lh := patching.LegacyHost{Hostname: h.name, PatchCurrent: current, SecsSinceAck: -1,
			PatchFailed: h.agent == patching.AgentInstallFailed, Release: h.running, State: h.agent,
			RequiresReboot: h.pending != "" || !current && !insvc, AllowInsvcPatching: insvc}
		if at, err := time.Parse(time.RFC3339Nano, acks[h.name]); err == nil {
			lh.SecsSinceAck = int64(now.Sub(at).Seconds())
		}
		out = append(out, lh)
	}
	slices.SortFunc(out, func(a, b patching.LegacyHost) int { return strings.Compare(a.Hostname, b.Hostname) })
	return out, nil
}

// checkStart is patching.CheckDeployStart, less a deployed release:
// deploying back to one, removing the newer ones, is not done.
func checkStart(id string, st patching.ReleaseState) error {
	if err := patching.CheckDeployStart(id, st); err != nil {
		return err
	}
	if st == patching.ReleaseDeployed {
		return &patching.RuleError{Rule: patching.RuleDeployStart, Reason: fmt.Sprintf("release %s is deployed already (deploying back to it is not supported)", id)}
	}
	return nil
}

// newestDeployed is the deployed release uploaded last: what the
// system runs before a deploy ("" : the base install).
func newestDeployed(all []patching.ReleaseInfo) string {
	var best patching.ReleaseInfo
	for _, r := range all {
		if (r.State == patching.ReleaseDeployed || r.State == patching.ReleaseCommitted) && (best.ID == "" || r.UploadedAt.After(best.UploadedAt)) {
			best = r
		}
	}
	return best.ID
}

// sweep removes from the content store the files no release refers to
// (an upload refused or interrupted by a crash).
func (m *Manager) sweep(ctx context.Context) {
	ents, err := os.ReadDir(m.o.Store.Dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if content.ValidDigest(e.Name()) {
			m.dropBlob(ctx, e.Name())
		}
	}
}
