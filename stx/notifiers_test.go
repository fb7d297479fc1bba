package stx

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/snmptrap"
	"github.com/edgeflock/flock/fault/webhook"
)

func decodeNotifiers(t *testing.T, doc string) (NotifierConfig, error) {
	t.Helper()
	var c NotifierConfig
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true) // as stx-controller reads its config
	return c, dec.Decode(&c)
}

func TestNotifierConfigFromYAML(t *testing.T) {
	c, err := decodeNotifiers(t, `
snmp:
  - {target: "nms.example.net:1162", community: private, system: edge-1, region: east, timeout: 3s}
webhooks:
  - {url: "https://ops.example.net/hooks/flock", headers: {Authorization: "Bearer x"}, timeout: 2s}
suppression_notify_delay: 5s
`)
	require.NoError(t, err)
	assert.Equal(t, NotifierConfig{
		SNMP: []SNMPReceiver{{Target: "nms.example.net:1162", Options: snmptrap.Options{
			Community: "private", System: "edge-1", Region: "east", Timeout: 3 * time.Second}}},
		Webhooks: []WebhookReceiver{{URL: "https://ops.example.net/hooks/flock", Options: webhook.Options{
			Headers: map[string]string{"Authorization": "Bearer x"}, Timeout: 2 * time.Second}}},
		SuppressionNotifyDelay: 5 * time.Second,
	}, c)
	ns, err := c.build()
	require.NoError(t, err)
	require.Len(t, ns, 2)
	assert.IsType(t, &snmptrap.Notifier{}, ns[0])
	assert.IsType(t, &webhook.Notifier{}, ns[1])

	_, err = decodeNotifiers(t, "snmp: [{trget: x}]")
	assert.ErrorContains(t, err, "trget", "a misspelt key is refused, inline options included")
}

func TestNotifierConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    NotifierConfig
		want []string
	}{
		{"snmp target", NotifierConfig{SNMP: []SNMPReceiver{{Target: "nms:1162"}, {Target: "nms:x"}}},
			[]string{"fault.notifiers.snmp[1]", "target"}},
		{"snmp timeout", NotifierConfig{SNMP: []SNMPReceiver{{Target: "nms", Options: snmptrap.Options{Timeout: -1}}}},
			[]string{"fault.notifiers.snmp[0]", "timeout"}},
		{"webhook url", NotifierConfig{Webhooks: []WebhookReceiver{{URL: "ftp://x"}}},
			[]string{"fault.notifiers.webhooks[0]", "url"}},
		{"delay", NotifierConfig{SuppressionNotifyDelay: -time.Second},
			[]string{"fault.notifiers", "suppression_notify_delay"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.build()
			require.ErrorIs(t, err, fault.ErrInvalid)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}
