package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const appUserCols = "tenant_id, app_id, user_id, custom_app_data, created_at, adopted, external_account_id"

func scanAppUser(sc scanner) (model.AppUser, error) {
	var l model.AppUser
	var data, account sql.NullString
	var created, adopted int64
	if err := sc.Scan(&l.TenantID, &l.AppID, &l.UserID, &data, &created, &adopted, &account); err != nil {
		return l, err
	}
	l.Adopted, l.ExternalAccountID = adopted != 0, account.String
	l.CustomAppData = rawFromNull(data)
	l.CreatedAt = fromMillis(created)
	return l, nil
}

// LinkUser links a user to an application, leaving an existing link as it is.
func (s *Store) LinkUser(ctx context.Context, l model.AppUser) error {
	_, err := s.writer().exec(ctx,
		"INSERT INTO app_users ("+appUserCols+") VALUES (?, ?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, app_id, user_id) DO NOTHING",
		l.TenantID, l.AppID, l.UserID, rawOrNull(l.CustomAppData), millis(l.CreatedAt), boolInt(l.Adopted), nullIfEmpty(l.ExternalAccountID))
	return errf("link user", err)
}

// GetAppUser returns the link between an application and a user.
func (s *Store) GetAppUser(ctx context.Context, tenantID, appID, userID string) (model.AppUser, error) {
	return getOne(ctx, s.reader(), "get app user", scanAppUser,
		"SELECT "+appUserCols+" FROM app_users WHERE tenant_id = ? AND app_id = ? AND user_id = ?",
		tenantID, appID, userID)
}

// appUserBatch is how many users one ListAppUsers statement asks about. Every statement has
// this many placeholders, the unused ones bound to an id no user has, so that one prepared
// statement serves every page size.
const appUserBatch = 100

// ListAppUsers returns the links to an application of those of userIDs that have one.
// appUsersQuery reads the links of a batch of users to one application.
func appUsersQuery() string {
	return "SELECT " + appUserCols + " FROM app_users WHERE tenant_id = ? AND app_id = ? AND user_id IN (" +
		placeholders(appUserBatch) + ")"
}

func (s *Store) ListAppUsers(ctx context.Context, tenantID, appID string, userIDs []string) ([]model.AppUser, error) {
	query := appUsersQuery()
	out := []model.AppUser{}
	for start := 0; start < len(userIDs); start += appUserBatch {
		batch := userIDs[start:min(start+appUserBatch, len(userIDs))]
		args := make([]any, 0, 2+appUserBatch)
		args = append(args, tenantID, appID)
		for i := range appUserBatch {
			id := ""
			if i < len(batch) {
				id = batch[i]
			}
			args = append(args, id)
		}
		links, err := getAll(ctx, s.reader(), "list app users", scanAppUser, query, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, links...)
	}
	return out, nil
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
			"UPDATE app_users SET custom_app_data = ?, created_at = ?, external_account_id = ? "+
				"WHERE tenant_id = ? AND app_id = ? AND user_id = ?",
			rawOrNull(l.CustomAppData), millis(l.CreatedAt), nullIfEmpty(l.ExternalAccountID), old.TenantID, old.AppID, old.UserID)
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

// linkCols and linkJoin read the link l of user u to one application (the join's
// parameter) after the user's columns, NULL when there is none (see linkRow).
const (
	linkCols = "l.custom_app_data, l.created_at, l.adopted, l.external_account_id"
	linkJoin = "LEFT JOIN app_users l ON l.tenant_id = u.tenant_id AND l.app_id = ? AND l.user_id = u.id"
)

// userAndLinkSQL reads a user with their link to one application; every login needs both.
var userAndLinkSQL = "SELECT u." + strings.ReplaceAll(userCols, ", ", ", u.") + ", " + linkCols +
	" FROM users u " + linkJoin + " WHERE u.tenant_id = ? AND u.id = ?"

// linkRow receives linkCols.
type linkRow struct {
	data, account    sql.NullString
	created, adopted sql.NullInt64
}

func (r *linkRow) dests() []any { return []any{&r.data, &r.created, &r.adopted, &r.account} }

// link returns the link read, and whether there was one (created_at is NOT NULL in a link).
func (r *linkRow) link(tenantID, appID, userID string) (model.AppUser, bool) {
	if !r.created.Valid {
		return model.AppUser{}, false
	}
	return model.AppUser{TenantID: tenantID, AppID: appID, UserID: userID,
		CustomAppData: rawFromNull(r.data), CreatedAt: fromMillis(r.created.Int64), Adopted: r.adopted.Int64 != 0,
		ExternalAccountID: r.account.String}, true
}

// GetUserAndLink reads a user and their link to an application in one statement.
func (s *Store) GetUserAndLink(ctx context.Context, tenantID, appID, userID string) (model.User, model.AppUser, bool, error) {
	var lr linkRow
	u, err := scanUser(withExtra{s.reader().queryRow(ctx, userAndLinkSQL, appID, tenantID, userID), lr.dests()})
	if errors.Is(err, sql.ErrNoRows) {
		return u, model.AppUser{}, false, fmt.Errorf("get user and link: %w", storage.ErrNotFound)
	}
	if err != nil {
		return u, model.AppUser{}, false, fmt.Errorf("get user and link: %w", err)
	}
	link, linked := lr.link(tenantID, appID, userID)
	return u, link, linked, nil
}

// withExtra scans a row's leading columns with the wrapped scan function's destinations and
// its trailing ones into extra.
type withExtra struct {
	sc    scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// boolInt stores a flag as 0 or 1, which SQLite and PostgreSQL integer columns both take.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
