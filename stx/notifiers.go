package stx

import (
	"fmt"
	"time"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/snmptrap"
	"github.com/edgeflock/flock/fault/webhook"
)

// NotifierConfig selects the fault notifiers. This is the one place where
// configuration is mapped to notifier engines.
type NotifierConfig struct {
	// SNMP sends SNMPv2c traps (StarlingX's WRS-ALARM-MIB) to each
	// receiver.
	SNMP []SNMPReceiver `yaml:"snmp"`
	// Webhooks POST each notification as JSON.
	Webhooks []WebhookReceiver `yaml:"webhooks"`
	// SuppressionNotifyDelay batches suppression changes into one
	// notification (one SNMP warmStart), as fault.Options does; 0 means its
	// default, 30 s as in StarlingX. YAML takes a Go duration: "30s", "2m".
	SuppressionNotifyDelay time.Duration `yaml:"suppression_notify_delay"`
}

// SNMPReceiver is one SNMP trap receiver: its address and the engine's
// options, side by side in YAML ({target: "nms:162", community: public}).
type SNMPReceiver struct {
	// Target is the receiver, host or host:port (port 162 by default).
	Target           string `yaml:"target"`
	snmptrap.Options `yaml:",inline"`
}

// WebhookReceiver is one webhook: its URL and the engine's options, side
// by side in YAML ({url: "https://...", headers: {...}}).
type WebhookReceiver struct {
	// URL receives the POSTs (http or https).
	URL             string `yaml:"url"`
	webhook.Options `yaml:",inline"`
}

func (c NotifierConfig) build() ([]fault.Notifier, error) {
	if c.SuppressionNotifyDelay < 0 {
		return nil, fmt.Errorf("stx: fault.notifiers: %w",
			&fault.FieldError{Field: "suppression_notify_delay", Reason: "must not be negative"})
	}
	var out []fault.Notifier
	for i, r := range c.SNMP {
		n, err := snmptrap.New(r.Target, &r.Options)
		if err != nil {
			return nil, fmt.Errorf("stx: fault.notifiers.snmp[%d]: %w", i, err)
		}
		out = append(out, n)
	}
	for i, r := range c.Webhooks {
		n, err := webhook.New(r.URL, &r.Options)
		if err != nil {
			return nil, fmt.Errorf("stx: fault.notifiers.webhooks[%d]: %w", i, err)
		}
		out = append(out, n)
	}
	return out, nil
}
