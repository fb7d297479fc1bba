package stx

import (
	"fmt"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/snmptrap"
	"github.com/edgeflock/flock/fault/webhook"
)

// NotifierConfig selects the fault notifiers. This is the one place where
// configuration is mapped to notifier engines.
type NotifierConfig struct {
	// SNMP sends SNMPv2c traps (StarlingX's WRS-ALARM-MIB OIDs) to each
	// receiver.
	SNMP []snmptrap.Options `yaml:"snmp"`
	// Webhooks POST each notification as JSON.
	Webhooks []webhook.Options `yaml:"webhooks"`
}

func (c NotifierConfig) build() ([]fault.Notifier, error) {
	var out []fault.Notifier
	for i, o := range c.SNMP {
		n, err := snmptrap.New(o)
		if err != nil {
			return nil, fmt.Errorf("stx: fault.notifiers.snmp[%d]: %w", i, err)
		}
		out = append(out, n)
	}
	for i, o := range c.Webhooks {
		n, err := webhook.New(o)
		if err != nil {
			return nil, fmt.Errorf("stx: fault.notifiers.webhooks[%d]: %w", i, err)
		}
		out = append(out, n)
	}
	return out, nil
}
