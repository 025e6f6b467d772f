package sqlstore

import (
	"context"
	"database/sql"

	"github.com/latchkey/latchkey/internal/model"
)

const appUserCols = "tenant_id, app_id, user_id, custom_app_data, created_at"

func scanAppUser(sc scanner) (model.AppUser, error) {
	var l model.AppUser
	var data sql.NullString
	var created int64
	if err := sc.Scan(&l.TenantID, &l.AppID, &l.UserID, &data, &created); err != nil {
		return l, err
	}
	l.CustomAppData = rawFromNull(data)
	l.CreatedAt = fromMillis(created)
	return l, nil
}

// LinkUser links a user to an application, leaving an existing link as it is.
func (s *Store) LinkUser(ctx context.Context, l model.AppUser) error {
	_, err := s.writer().exec(ctx,
		"INSERT INTO app_users ("+appUserCols+") VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, app_id, user_id) DO NOTHING",
		l.TenantID, l.AppID, l.UserID, rawOrNull(l.CustomAppData), millis(l.CreatedAt))
	return errf("link user", err)
}

// GetAppUser returns the link between an application and a user.
func (s *Store) GetAppUser(ctx context.Context, tenantID, appID, userID string) (model.AppUser, error) {
	return getOne(ctx, s.reader(), "get app user", scanAppUser,
		"SELECT "+appUserCols+" FROM app_users WHERE tenant_id = ? AND app_id = ? AND user_id = ?",
		tenantID, appID, userID)
}

// UpdateAppUser applies updater to the link atomically; its ids cannot change.
func (s *Store) UpdateAppUser(ctx context.Context, tenantID, appID, userID string, updater func(model.AppUser) (model.AppUser, error)) error {
	load := func(tx *Store) (model.AppUser, error) {
		return getOne(ctx, tx.writer(), "update app user", scanAppUser,
			"SELECT "+appUserCols+" FROM app_users WHERE tenant_id = ? AND app_id = ? AND user_id = ?"+tx.d.forUpdate,
			tenantID, appID, userID)
	}
	store := func(tx *Store, old, l model.AppUser) error {
		_, err := tx.writer().exec(ctx,
			"UPDATE app_users SET custom_app_data = ?, created_at = ? WHERE tenant_id = ? AND app_id = ? AND user_id = ?",
			rawOrNull(l.CustomAppData), millis(l.CreatedAt), old.TenantID, old.AppID, old.UserID)
		return errf("update app user", err)
	}
	return update(ctx, s, load, updater, store)
}

// UnlinkUser removes the link between an application and a user.
func (s *Store) UnlinkUser(ctx context.Context, tenantID, appID, userID string) error {
	n, err := s.writer().execAffected(ctx,
		"DELETE FROM app_users WHERE tenant_id = ? AND app_id = ? AND user_id = ?", tenantID, appID, userID)
	return mustAffect("unlink user", n, err)
}
