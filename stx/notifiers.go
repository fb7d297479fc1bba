package stx

import (
	"log/slog"

	"github.com/edgeflock/flock/fault"
)

// NotifierConfig selects the fault notifiers. This is the one place where
// configuration is mapped to engine constructors.
type NotifierConfig struct{}

func (c NotifierConfig) build(log *slog.Logger) ([]fault.Notifier, error) { return nil, nil }
