package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

func scanAdminSettings(sc scanner) (model.AdminSettings, error) {
	var a model.AdminSettings
	var methods string
	var updated int64
	if err := sc.Scan(&a.TenantID, &methods, &updated); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(methods), &a.SignInMethods); err != nil {
		return a, fmt.Errorf("admin settings: sign-in methods: %w", err)
	}
	a.UpdatedAt = fromMillis(updated)
	return a, nil
}

// GetAdminSettings returns a tenant's admin portal settings.
func (s *Store) GetAdminSettings(ctx context.Context, tenantID string) (model.AdminSettings, error) {
	return getOne(ctx, s.reader(), "get admin settings", scanAdminSettings,
		"SELECT tenant_id, signin_methods, updated_at FROM admin_settings WHERE tenant_id = ?", tenantID)
}

// PutAdminSettings creates or replaces a tenant's admin portal settings.
func (s *Store) PutAdminSettings(ctx context.Context, a model.AdminSettings) error {
	methods := a.SignInMethods
	if methods == nil {
		methods = []string{}
	}
	raw, err := json.Marshal(methods)
	if err != nil {
		return err
	}
	_, err = s.writer().exec(ctx,
		"INSERT INTO admin_settings (tenant_id, signin_methods, updated_at) VALUES (?, ?, ?) "+
			"ON CONFLICT (tenant_id) DO UPDATE SET signin_methods = excluded.signin_methods, updated_at = excluded.updated_at",
		a.TenantID, string(raw), millis(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put admin settings: %w", err)
	}
	return nil
}

const adminInviteCols = "id, tenant_id, email, token_hash, invited_by, invited_by_email, created_at, expires_at, " +
	"accepted_at, accepted_by, revoked_at"

func scanAdminInvite(sc scanner) (model.AdminInvite, error) {
	var i model.AdminInvite
	var created, expires int64
	var accepted, revoked sql.NullInt64
	err := sc.Scan(&i.ID, &i.TenantID, &i.Email, &i.TokenHash, &i.InvitedBy, &i.InvitedByEmail, &created, &expires,
		&accepted, &i.AcceptedBy, &revoked)
	if err != nil {
		return i, err
	}
	i.CreatedAt, i.ExpiresAt = fromMillis(created), fromMillis(expires)
	i.AcceptedAt, i.RevokedAt = fromNullMillis(accepted), fromNullMillis(revoked)
	return i, nil
}

// CreateAdminInvite stores a new invitation.
func (s *Store) CreateAdminInvite(ctx context.Context, i model.AdminInvite) error {
	_, err := s.execUnique(ctx, "create admin invite",
		"INSERT INTO admin_invites ("+adminInviteCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		i.ID, i.TenantID, i.Email, i.TokenHash, i.InvitedBy, i.InvitedByEmail, millis(i.CreatedAt), millis(i.ExpiresAt),
		millisOrNull(i.AcceptedAt), i.AcceptedBy, millisOrNull(i.RevokedAt))
	return err
}

// GetAdminInvite returns one of the tenant's invitations.
func (s *Store) GetAdminInvite(ctx context.Context, tenantID, id string) (model.AdminInvite, error) {
	return getOwned(ctx, s.reader(), "get admin invite", scanAdminInvite, func(v model.AdminInvite) string { return v.TenantID },
		"SELECT "+adminInviteCols+" FROM admin_invites WHERE id = ?", tenantID, id)
}

// ListAdminInvites returns the tenant's invitations, newest first.
func (s *Store) ListAdminInvites(ctx context.Context, tenantID string) ([]model.AdminInvite, error) {
	return getAll(ctx, s.reader(), "list admin invites", scanAdminInvite,
		"SELECT "+adminInviteCols+" FROM admin_invites WHERE tenant_id = ? ORDER BY created_at DESC, rowid DESC", tenantID)
}

// AcceptAdminInvite marks an open invitation accepted, in one statement.
func (s *Store) AcceptAdminInvite(ctx context.Context, tenantID, id, userID string, now time.Time) (bool, error) {
	n, err := s.writer().execAffected(ctx,
		"UPDATE admin_invites SET accepted_at = ?, accepted_by = ? WHERE tenant_id = ? AND id = ? "+
			"AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
		millis(now), userID, tenantID, id, millis(now))
	if err != nil {
		return false, fmt.Errorf("accept admin invite: %w", err)
	}
	return n == 1, nil
}

// RevokeAdminInvite marks an invitation neither accepted nor revoked as revoked.
func (s *Store) RevokeAdminInvite(ctx context.Context, tenantID, id string, now time.Time) (bool, error) {
	n, err := s.writer().execAffected(ctx,
		"UPDATE admin_invites SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND accepted_at IS NULL AND revoked_at IS NULL",
		millis(now), tenantID, id)
	if err != nil {
		return false, fmt.Errorf("revoke admin invite: %w", err)
	}
	return n == 1, nil
}

const operatorLinkCols = "id, token_hash, created_at, expires_at, redeemed_at, ended_at"

func scanOperatorLink(sc scanner) (model.OperatorLink, error) {
	var l model.OperatorLink
	var created, expires int64
	var redeemed, ended sql.NullInt64
	if err := sc.Scan(&l.ID, &l.TokenHash, &created, &expires, &redeemed, &ended); err != nil {
		return l, err
	}
	l.CreatedAt, l.ExpiresAt = fromMillis(created), fromMillis(expires)
	l.RedeemedAt, l.EndedAt = fromNullMillis(redeemed), fromNullMillis(ended)
	return l, nil
}

// CreateOperatorLink stores a new operator link.
func (s *Store) CreateOperatorLink(ctx context.Context, l model.OperatorLink) error {
	_, err := s.execUnique(ctx, "create operator link",
		"INSERT INTO operator_links ("+operatorLinkCols+") VALUES (?, ?, ?, ?, ?, ?)",
		l.ID, l.TokenHash, millis(l.CreatedAt), millis(l.ExpiresAt), millisOrNull(l.RedeemedAt), millisOrNull(l.EndedAt))
	return err
}

// GetOperatorLink returns an operator link.
func (s *Store) GetOperatorLink(ctx context.Context, id string) (model.OperatorLink, error) {
	return getOne(ctx, s.reader(), "get operator link", scanOperatorLink,
		"SELECT "+operatorLinkCols+" FROM operator_links WHERE id = ?", id)
}

// RedeemOperatorLink marks an open link redeemed, in one statement.
func (s *Store) RedeemOperatorLink(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.writer().execAffected(ctx,
		"UPDATE operator_links SET redeemed_at = ? WHERE id = ? AND redeemed_at IS NULL AND ended_at IS NULL AND expires_at > ?",
		millis(now), id, millis(now))
	if err != nil {
		return false, fmt.Errorf("redeem operator link: %w", err)
	}
	return n == 1, nil
}

// EndOperatorLinks ends every link not ended yet.
func (s *Store) EndOperatorLinks(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.writer().execAffected(ctx, "UPDATE operator_links SET ended_at = ? WHERE ended_at IS NULL", millis(now))
	if err != nil {
		return 0, fmt.Errorf("end operator links: %w", err)
	}
	return n, nil
}
