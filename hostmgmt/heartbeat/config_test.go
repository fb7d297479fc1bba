package heartbeat

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/hostmgmt"
)

// TestConfigValidate: StarlingX's ranges, each error naming its YAML
// field; the zero value is the defaults and valid.
func TestConfigValidate(t *testing.T) {
	require.NoError(t, Config{}.Validate())
	require.NoError(t, Config{Period: time.Second, DegradeThreshold: 99, FailureThreshold: 100, MinorThreshold: 98, MNFAThreshold: 100, MNFATimeout: 86400 * time.Second}.Validate())
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{Config{Period: 99 * time.Millisecond}, "period"},
		{Config{Period: 1001 * time.Millisecond}, "period"},
		{Config{Period: -time.Second}, "period"},
		{Config{DegradeThreshold: 3, MinorThreshold: 2}, "degrade_threshold"},
		{Config{DegradeThreshold: 101}, "degrade_threshold"},
		{Config{FailureThreshold: 9}, "failure_threshold"},
		{Config{FailureThreshold: 101}, "failure_threshold"},
		{Config{MNFAThreshold: 1}, "mnfa_threshold"},
		{Config{MNFAThreshold: 101}, "mnfa_threshold"},
		{Config{MNFATimeout: 99 * time.Second}, "mnfa_timeout"},
		{Config{MNFATimeout: 86401 * time.Second}, "mnfa_timeout"},
		{Config{MinorThreshold: -1}, "minor_threshold"},
		{Config{MinorThreshold: 6}, "minor_threshold"},
		{Config{DegradeThreshold: 10}, "degrade_threshold"},
		{Config{OfflineTimeout: -time.Second}, "offline_timeout"},
		{Config{CommandTimeout: -time.Second}, "command_timeout"},
	} {
		err := c.cfg.Validate()
		var fe *hostmgmt.FieldError
		if assert.ErrorAs(t, err, &fe, "%+v", c.cfg) {
			assert.Equal(t, c.field, fe.Field, "%+v: %v", c.cfg, err)
			assert.ErrorIs(t, err, hostmgmt.ErrInvalid)
		}
	}
	_, err := NewController(nil, newRecorder(), Config{Period: time.Millisecond}, nil, nil)
	assert.ErrorContains(t, err, "period")
}

// TestNewClientErrors: a bad link is refused, naming the field.
func TestNewClientErrors(t *testing.T) {
	good := func() ClientConfig {
		return ClientConfig{Link: hostmgmt.LinkConfig{HostUUID: "h", Key: []byte("k"),
			Controller: map[hostmgmt.Network]string{mgmt: "127.0.0.1:2101"}}}
	}
	_, err := NewClient(good(), &fakeHandler{}, nil)
	require.NoError(t, err)
	for _, c := range []struct {
		name  string
		edit  func(*ClientConfig)
		field string
	}{
		{"no uuid", func(c *ClientConfig) { c.Link.HostUUID = "" }, "host_uuid"},
		{"long uuid", func(c *ClientConfig) { c.Link.HostUUID = string(make([]byte, 65)) }, "host_uuid"},
		{"no key", func(c *ClientConfig) { c.Link.Key = nil }, "key"},
		{"no controller", func(c *ClientConfig) { c.Link.Controller = nil }, "controller"},
		{"unknown network", func(c *ClientConfig) { c.Link.Controller["pxeboot"] = "127.0.0.1:1" }, "controller"},
		{"bad address", func(c *ClientConfig) { c.Link.Controller[mgmt] = "controller-0:2101" }, "controller"},
		{"no port", func(c *ClientConfig) { c.Link.Controller[mgmt] = "127.0.0.1:0" }, "controller"},
		{"local without controller", func(c *ClientConfig) {
			c.Local = map[hostmgmt.Network]netip.AddrPort{cluster: {}}
		}, "local"},
		{"negative interval", func(c *ClientConfig) { c.AliveInterval = -time.Second }, "alive_interval"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := good()
			c.edit(&cfg)
			_, err := NewClient(cfg, &fakeHandler{}, nil)
			var fe *hostmgmt.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, c.field, fe.Field, "%v", err)
		})
	}
	_, err = NewClient(good(), nil, nil)
	assert.Error(t, err)
}
