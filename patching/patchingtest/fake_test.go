package patchingtest_test

import (
	"testing"

	"github.com/edgeflock/flock/patching/patchingtest"
)

func TestFakeService(t *testing.T) {
	patchingtest.RunServiceSuite(t, func(t *testing.T) patchingtest.Rig {
		rig, _ := patchingtest.NewFakeRig(t)
		return rig
	})
}
