package cephtestenv_test

import (
	"testing"

	"github.com/edgeflock/flock/engines/ceph/cephtestenv"
)

// In a test (built with -tags ceph,pacific), start a cluster and point
// librados at it; the cluster stops in t.Cleanup. Under CI=true a missing
// Ceph fails the test, elsewhere it is skipped with the install command.
//
//	conn, _ := rados.NewConn()
//	conn.ReadConfigFile(c.Conf)
//	conn.Connect()
func ExampleStart() {
	var t testing.TB // the test's *testing.T
	c := cephtestenv.Start(t)
	_ = c.Conf // for librados, and CEPH_CONF for the ceph CLI
}
