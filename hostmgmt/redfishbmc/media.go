package redfishbmc

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/edgeflock/flock/hostmgmt"
)

// cdMedia returns the virtual media of the system (else of its
// managers) that can hold a CD or DVD image.
func (b *BMC) cdMedia(ctx context.Context, c *gofish.APIClient) ([]*schemas.VirtualMedia, error) {
	sys, err := b.system(ctx, c)
	if err != nil {
		return nil, err
	}
	media, err := sys.VirtualMedia()
	if err != nil {
		return nil, err
	}
	if len(media) == 0 {
		managers, err := sys.ManagedBy()
		if err != nil {
			return nil, err
		}
		for _, m := range managers {
			mm, err := m.VirtualMedia()
			if err != nil {
				return nil, err
			}
			media = append(media, mm...)
		}
	}
	var cds []*schemas.VirtualMedia
	for _, m := range media {
		if slices.Contains(m.MediaTypes, schemas.CDVirtualMediaType) || slices.Contains(m.MediaTypes, schemas.DVDVirtualMediaType) {
			cds = append(cds, m)
		}
	}
	if len(cds) == 0 {
		return nil, fmt.Errorf("%w: the BMC has no virtual CD", hostmgmt.ErrUnimplemented)
	}
	return cds, nil
}

// InsertMedia presents imageURL (http, https, nfs or cifs) to the host
// as a virtual CD, write-protected, in the first virtual CD or DVD
// drive (InsertMedia action, or a PATCH where the BMC has none).
func (b *BMC) InsertMedia(ctx context.Context, imageURL string) error {
	u, err := url.Parse(imageURL)
	if err != nil || u.Host == "" || !slices.Contains([]string{"http", "https", "nfs", "cifs", "smb"}, u.Scheme) {
		return &hostmgmt.FieldError{Field: "image_url", Reason: fmt.Sprintf("%q is not an http, https, nfs or cifs URL", imageURL)}
	}
	return b.call(ctx, "insert media", func(c *gofish.APIClient) error {
		cds, err := b.cdMedia(ctx, c)
		if err != nil {
			return err
		}
		yes := true
		_, err = cds[0].InsertMedia(&schemas.VirtualMediaInsertMediaParameters{Image: imageURL, Inserted: &yes, WriteProtected: &yes})
		return err
	})
}

// EjectMedia ejects every image from the system's virtual CD and DVD
// drives.
func (b *BMC) EjectMedia(ctx context.Context) error {
	return b.call(ctx, "eject media", func(c *gofish.APIClient) error {
		cds, err := b.cdMedia(ctx, c)
		if err != nil {
			return err
		}
		for i, m := range cds {
			if m.Inserted != nil && !*m.Inserted {
				continue
			}
			if _, err := m.EjectMedia(); err != nil {
				if i > 0 {
					err = &sentError{err}
				}
				return fmt.Errorf("%s: %w", m.ID, err)
			}
		}
		return nil
	})
}

// Subscribe asks the BMC's EventService to push its events to
// destination, an http or https URL (a Redfish-protocol subscription
// with Context "flock").
func (b *BMC) Subscribe(ctx context.Context, destination string) error {
	u, err := url.Parse(destination)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return &hostmgmt.FieldError{Field: "destination", Reason: fmt.Sprintf("%q is not an http or https URL", destination)}
	}
	return b.call(ctx, "subscribe", func(c *gofish.APIClient) error {
		es, err := c.Service.EventService()
		if err != nil {
			return err
		}
		if es == nil || es.SubscriptionsLink == "" || !es.ServiceEnabled {
			return fmt.Errorf("%w: the BMC has no enabled EventService", hostmgmt.ErrUnimplemented)
		}
		resp, err := c.Post(es.SubscriptionsLink, map[string]any{
			"Destination": destination,
			"Protocol":    schemas.RedfishEventDestinationProtocol,
			"Context":     "flock",
		})
		if err != nil {
			return err
		}
		return closeBody(resp)
	})
}
