package main

import (
	"github.com/edgeflock/flock/inventory"
	"github.com/edgeflock/flock/inventory/inventoryhttp"
)

// newInventoryClient builds the inventory client the flags describe.
func newInventoryClient(g *globals) (inventory.Service, error) {
	tok, err := g.bearer()
	if err != nil {
		return nil, err
	}
	return inventoryhttp.NewClient(g.url, &inventoryhttp.ClientOptions{Token: tok}), nil
}
