package openstacktestenv_test

import (
	"testing"

	"github.com/edgeflock/flock/engines/openstack/openstacktestenv"
)

// In a test, start Keystone and authenticate against it, with gophercloud:
//
//	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
//		IdentityEndpoint: k.AuthURL, Username: k.User, Password: k.Password,
//		DomainName: k.Domain, TenantName: k.Project,
//	})
func ExampleStartKeystone() {
	var t testing.TB // the test's *testing.T
	k := openstacktestenv.StartKeystone(t)
	_ = k.AuthURL
}
