package main

import (
	"errors"
	"io"

	"github.com/edgeflock/flock/inventory"
)

// This file holds the CLI's links to the inventory packages that are
// not in this tree yet; the rest of the CLI reaches them only through
// the globals fields these functions are the defaults of.

// newInventoryClient builds the inventory client the flags describe:
// inventoryhttp.NewClient(g.url, &inventoryhttp.ClientOptions{Token: tok})
// with tok from g.bearer().
func newInventoryClient(g *globals) (inventory.Service, error) {
	return nil, errors.New("inventory client not wired")
}

// parseBulkXMLDefault is inventory.ParseBulkXML.
func parseBulkXMLDefault(r io.Reader) ([]inventory.HostSpec, error) {
	return nil, errors.New("bulk XML parser not wired")
}

// writeBulkXMLDefault is inventory.WriteBulkXML.
func writeBulkXMLDefault(w io.Writer, hosts []inventory.Host, swVersion string) error {
	return errors.New("bulk XML writer not wired")
}
