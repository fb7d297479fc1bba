package storetest_test

import (
	"testing"

	"github.com/edgeflock/flock/fault/faultstore"
	"github.com/edgeflock/flock/fault/faultstore/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.RunStoreSuite(t, func(t *testing.T) storetest.Opener {
		s := faultstore.NewMemoryStore()
		return func(t *testing.T) faultstore.Store { return s }
	})
}
