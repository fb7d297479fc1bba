package fault_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulttest"
)

func newMemManager(t *testing.T, opts *fault.Options) *fault.Manager {
	t.Helper()
	m, err := fault.Open(t.Context(), fault.NewMemoryStore(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close(t.Context()) })
	return m
}

func TestMemoryConformance(t *testing.T) {
	faulttest.RunServiceSuite(t, func(t *testing.T) fault.Service { return newMemManager(t, nil) })
}
