package orgs

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// MaxLogoBytes bounds an organization's logo.
const MaxLogoBytes = 256 << 10

var errNoLogo = fault.New(fault.NotFound, "logo_not_found", "the organization has no logo")

// logoType returns the image type of data from its first bytes, or "" for anything but PNG
// and JPEG. SVG is refused on purpose: it is a document that can carry script, and a logo is
// shown in pages.
func logoType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg"
	}
	return ""
}

// SetLogo stores the logo of an organization of the caller's tenant, replacing any: a PNG or
// JPEG image, decided from its bytes whatever the upload claims, of at most MaxLogoBytes.
func (s *Service) SetLogo(ctx context.Context, c model.Caller, orgID string, data []byte) error {
	var p []string
	switch {
	case len(data) == 0:
		p = append(p, "logo: the upload holds no file")
	case len(data) > MaxLogoBytes:
		p = append(p, "logo: the image must be at most 256 KiB")
	case logoType(data) == "":
		p = append(p, "logo: the image must be a PNG or a JPEG (SVG and other types are refused)")
	}
	if len(p) > 0 {
		return fault.Validation(p...)
	}
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := tx.GetOrganization(ctx, c.TenantID, orgID); err != nil {
			return err
		}
		return tx.SetOrgLogo(ctx, c.TenantID, orgID, model.OrgLogo{
			ContentType: logoType(data), Data: data, UpdatedAt: s.now().UTC().Truncate(time.Millisecond)})
	})
	return orgErr(err, "set organization logo")
}

// Logo returns the logo of an organization of the caller's tenant.
func (s *Service) Logo(ctx context.Context, c model.Caller, orgID string) (model.OrgLogo, error) {
	if _, err := s.store.GetOrganization(ctx, c.TenantID, orgID); err != nil {
		return model.OrgLogo{}, orgErr(err, "get organization")
	}
	l, err := s.store.GetOrgLogo(ctx, c.TenantID, orgID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return model.OrgLogo{}, errNoLogo.With(err)
		}
		return model.OrgLogo{}, fault.Wrap(err, "get organization logo")
	}
	return l, nil
}
