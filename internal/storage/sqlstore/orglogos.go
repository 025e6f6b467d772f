package sqlstore

import (
	"context"

	"github.com/latchkey/latchkey/internal/model"
)

// SetOrgLogo stores or replaces the organization's logo.
func (s *Store) SetOrgLogo(ctx context.Context, tenantID, orgID string, logo model.OrgLogo) error {
	_, err := s.writer().exec(ctx,
		"INSERT INTO org_logos (tenant_id, org_id, content_type, data, updated_at) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, org_id) DO UPDATE SET content_type = excluded.content_type, "+
			"data = excluded.data, updated_at = excluded.updated_at",
		tenantID, orgID, logo.ContentType, logo.Data, millis(logo.UpdatedAt))
	return errf("set organization logo", err)
}

// GetOrgLogo returns the organization's logo.
func (s *Store) GetOrgLogo(ctx context.Context, tenantID, orgID string) (model.OrgLogo, error) {
	return getOne(ctx, s.reader(), "get organization logo", func(sc scanner) (model.OrgLogo, error) {
		var l model.OrgLogo
		var at int64
		err := sc.Scan(&l.ContentType, &l.Data, &at)
		l.UpdatedAt = fromMillis(at)
		return l, err
	}, "SELECT content_type, data, updated_at FROM org_logos WHERE tenant_id = ? AND org_id = ?", tenantID, orgID)
}
