package openstacktestenv_test

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/catalog"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/openstack/openstacktestenv"
)

// TestKeystone: a token and the service catalog with gophercloud.
func TestKeystone(t *testing.T) {
	k := openstacktestenv.StartKeystone(t)
	ctx := t.Context()
	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: k.AuthURL, Username: k.User, Password: k.Password,
		DomainName: k.Domain, TenantName: k.Project,
	})
	require.NoError(t, err)
	require.NotEmpty(t, provider.Token())
	id, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{Region: k.Region})
	require.NoError(t, err)
	tok, err := tokens.Get(ctx, id, provider.Token()).ExtractToken()
	require.NoError(t, err)
	assert.False(t, tok.ExpiresAt.IsZero())

	pages, err := catalog.List(id).AllPages(ctx)
	require.NoError(t, err)
	services, err := catalog.ExtractServiceCatalog(pages)
	require.NoError(t, err)
	var found bool
	for _, s := range services {
		for _, e := range s.Endpoints {
			if s.Type == "identity" && e.Interface == "public" && e.Region == k.Region && e.URL == k.AuthURL {
				found = true
			}
		}
	}
	assert.True(t, found, "the catalog has the bootstrap identity endpoint: %+v", services)
}
