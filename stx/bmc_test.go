package stx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
	"github.com/edgeflock/flock/hostmgmt/hostmgmttest"
	"github.com/edgeflock/flock/internal/sqlstore"
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventorysql"
	"github.com/edgeflock/flock/inventory/inventorytest"
)

// recordedBMC is a fake BMC that remembers how it was opened.
type recordedBMC struct {
	hostmgmt.BMC
	url    string
	login  BMCLogin
	closed atomic.Bool
}

func (r *recordedBMC) Close() error { r.closed.Store(true); return nil }

// closedSoon reports whether r gets closed (closes run in the background).
func closedSoon(r *recordedBMC) bool {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if r.closed.Load() {
			return true
		}
	}
	return false
}

func TestHostBMCs(t *testing.T) {
	ctx := t.Context()
	inv, err := inventorysql.OpenMemory(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { inv.Close() })
	h := inventorytest.NewLockedHost(t, inv, "worker-0", inventory.PersonalityWorker)
	dbPath := "sqlite://" + filepath.Join(t.TempDir(), "flock.db")
	fakes := hostmgmttest.NewFakeBMCs(nil)
	var opened []*recordedBMC
	opener := func(u *url.URL, l BMCLogin) (hostmgmt.BMC, error) {
		b, err := fakes.BMC(ctx, h.UUID)
		if err != nil {
			return nil, err
		}
		r := &recordedBMC{BMC: b, url: u.String(), login: l}
		opened = append(opened, r)
		return r, nil
	}
	schemes := map[string]BMCOpener{"redfish": opener, "redfish+http": opener, "ipmi": opener, "qemu+unix": opener}
	var probes []string
	probeAnswer := func(string) (string, error) { return "1.6.0", nil }
	probe := func(_ context.Context, endpoint string) (string, error) {
		probes = append(probes, endpoint)
		return probeAnswer(endpoint)
	}
	open := func() *hostBMCs {
		db, err := sqlstore.Open(ctx, dbPath)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		b, err := newHostBMCs(ctx, db, inv, schemes, probe, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		return b
	}
	set := func(typ, addr, user, pw string) {
		t.Helper()
		_, err := inv.UpdateHost(ctx, h.UUID, inventory.HostUpdate{BMType: &typ, BMIP: &addr, BMUsername: &user, BMPassword: &pw})
		require.NoError(t, err)
	}
	get := func(b *hostBMCs) (*recordedBMC, error) {
		bmc, err := b.BMC(ctx, h.UUID)
		if err != nil {
			return nil, err
		}
		return bmc.(*recordedBMC), nil
	}
	b := open()

	_, err = b.BMC(ctx, h.UUID)
	require.ErrorIs(t, err, hostmgmt.ErrNoBMC, "no bm_type")
	_, err = b.BMC(ctx, "no-such-host")
	require.ErrorIs(t, err, hostmgmt.ErrNotFound)

	set("redfish", "10.0.0.5", "admin", "pw-1")
	r, err := get(b)
	require.NoError(t, err)
	assert.Equal(t, "redfish://10.0.0.5", r.url)
	assert.Equal(t, BMCLogin{Username: "admin", Password: "pw-1"}, r.login, "the write-only password reaches the engine")
	again, err := get(b)
	require.NoError(t, err)
	assert.Same(t, r, again, "opened once while the fields stay")

	set("redfish", "10.0.0.5", "admin", "pw-2")
	r2, err := get(b)
	require.NoError(t, err)
	assert.True(t, closedSoon(r), "a new password closes the old engine")
	assert.Equal(t, "pw-2", r2.login.Password)

	b.insecureTLS = true
	set("redfish", "10.0.0.6", "admin", "pw-2")
	r2, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "redfish://10.0.0.6?insecure=true", r2.url, "bmc_insecure_tls reaches bare addresses")
	b.insecureTLS = false

	set("ipmi", "fd00::7", "root", "pw")
	r, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "ipmi://[fd00::7]", r.url)

	set("ipmi", "redfish+http://127.0.0.1:8000", "admin", "pw")
	_, err = get(b)
	var fe *hostmgmt.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "bm_type", fe.Field, "bm_type ipmi with a Redfish URL")

	set("dynamic", "qemu+unix:///run/vm.qmp", "", "")
	r, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "qemu+unix:///run/vm.qmp", r.url, "a URL decides a dynamic BMC's engine")
	assert.Empty(t, probes, "without probing")

	set("dynamic", "libvirt:///vm1?uri=qemu:///system", "", "")
	_, err = get(b)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "bm_ip", fe.Field)
	assert.Contains(t, fe.Reason, `"libvirt"`, "a scheme this build has no engine for")

	// dynamic with an IP: probe once, remember, also across a restart.
	set("dynamic", "10.0.0.9", "admin", "pw")
	r, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "redfish://10.0.0.9", r.url)
	assert.Equal(t, []string{"https://10.0.0.9"}, probes)
	b.close()
	b = open()
	r, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "redfish://10.0.0.9", r.url)
	assert.Len(t, probes, 1, "the learned protocol is remembered")

	// A new address is learned again: no Redfish there means IPMI.
	for _, answer := range []struct {
		addr, version string
		err           error
	}{
		{"10.0.0.10", "0.9.4", nil},
		{"10.0.0.11", "", fmt.Errorf("%w: %w", hostmgmt.ErrNotSent, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})},
		{"10.0.0.12", "", errors.New("404 Not Found")},
	} {
		probeAnswer = func(string) (string, error) { return answer.version, answer.err }
		set("dynamic", answer.addr, "admin", "pw")
		r, err = get(b)
		require.NoError(t, err)
		assert.Equal(t, "ipmi://"+answer.addr, r.url, "probe answered %q, %v", answer.version, answer.err)
	}
	// A probe that gets no answer learns nothing: the BMC may be down.
	probeAnswer = func(string) (string, error) {
		return "", fmt.Errorf("%w: %w", hostmgmt.ErrNotSent, &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)})
	}
	set("dynamic", "10.0.0.13", "admin", "pw")
	_, err = get(b)
	require.ErrorIs(t, err, syscall.EHOSTUNREACH)
	probeAnswer = func(string) (string, error) { return "", context.DeadlineExceeded }
	_, err = get(b)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	probeAnswer = func(string) (string, error) { return "1.0.0", nil }
	r, err = get(b)
	require.NoError(t, err)
	assert.Equal(t, "redfish://10.0.0.13", r.url, "asked again after a timeout")

	set("none", "10.0.0.13", "admin", "pw")
	_, err = get(b)
	require.ErrorIs(t, err, hostmgmt.ErrNoBMC)
	assert.True(t, closedSoon(r), "deprovisioning closes the engine")
}

func TestRedfishAtLeast1(t *testing.T) {
	for v, want := range map[string]bool{"1.0.0": true, "1.6.0": true, "2.0": true, "10.1": true, "0.9.4": false, "": false, "x.1": false, "01.0": true, "00.9": false} {
		assert.Equal(t, want, redfishAtLeast1(v), v)
	}
}

// TestBMCSchemes: the table's rows open their engines, and a URL
// parameter a row does not take is refused naming bm_ip.
func TestBMCSchemes(t *testing.T) {
	schemes := BMCSchemes()
	for _, raw := range []string{
		"redfish://10.0.0.5", "redfish://10.0.0.5:8443?insecure=true&system=1&auth=basic", "redfish+http://127.0.0.1:8000?system=worker-0",
		"ipmi://127.0.0.1:9001", "ipmi://10.0.0.5?interface=lanplus", "qemu+unix:///run/vm/qmp.sock",
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		b, err := schemes[u.Scheme](u, BMCLogin{Username: "admin", Password: "pw"})
		require.NoError(t, err, raw)
		require.NotNil(t, b, raw)
		closeBMC(b)
	}
	for raw, reason := range map[string]string{
		"redfish://10.0.0.5?insecure=maybe":        "insecure",
		"redfish+http://127.0.0.1:8000?insecure=1": `no parameter "insecure"`,
		"redfish://10.0.0.5?auth=kerberos":         "auth",
		"ipmi://10.0.0.5?system=1":                 `no parameter "system"`,
		"ipmi://10.0.0.5?interface=serial":         "interface",
		"qemu+unix:///run/vm.sock?x=1":             `no parameter "x"`,
	} {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		_, err = schemes[u.Scheme](u, BMCLogin{})
		require.ErrorIs(t, err, hostmgmt.ErrInvalid, raw)
		assert.Contains(t, err.Error(), reason, raw)
	}
}
