package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

const refreshCols = "id, tenant_id, family_id, session_id, client_id, user_id, token_hash, resource, scope, " +
	"expires_at, family_expires_at, created_at, rotated_at, replaced_by, revoked_at"

func scanRefresh(sc scanner) (model.RefreshToken, error) {
	var t model.RefreshToken
	var expires, familyExpires, created int64
	var rotated, revoked sql.NullInt64
	err := sc.Scan(&t.ID, &t.TenantID, &t.FamilyID, &t.SessionID, &t.ClientID, &t.UserID, &t.TokenHash,
		&t.Resource, &t.Scope, &expires, &familyExpires, &created, &rotated, &t.ReplacedBy, &revoked)
	if err != nil {
		return t, err
	}
	t.ExpiresAt, t.CreatedAt = fromMillis(expires), fromMillis(created)
	t.FamilyExpiresAt = fromMillisOrZero(familyExpires)
	t.RotatedAt, t.RevokedAt = fromNullMillis(rotated), fromNullMillis(revoked)
	return t, nil
}

// CreateRefreshToken stores a new refresh token; token hashes are unique.
func (s *Store) CreateRefreshToken(ctx context.Context, t model.RefreshToken) error {
	query := "INSERT INTO refresh_tokens (" + refreshCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	args := []any{t.ID, t.TenantID, t.FamilyID, t.SessionID, t.ClientID, t.UserID, t.TokenHash, t.Resource, t.Scope,
		millis(t.ExpiresAt), millisOrZero(t.FamilyExpiresAt), millis(t.CreatedAt), millisOrNull(t.RotatedAt), t.ReplacedBy, millisOrNull(t.RevokedAt)}
	if s.holding() {
		return s.hold(ctx, heldWrite{what: "create refresh token", table: "refresh_tokens", query: query, args: args})
	}
	_, err := s.execRandomID(ctx, "create refresh token", query, args...)
	return err
}

// GetRefreshTokenByHash finds a token by its hash, whatever its tenant.
func (s *Store) GetRefreshTokenByHash(ctx context.Context, hash []byte) (model.RefreshToken, error) {
	return getOne(ctx, s.reader(), "get refresh token", scanRefresh,
		"SELECT "+refreshCols+" FROM refresh_tokens WHERE token_hash = ?", hash)
}

// UpdateRefreshToken applies updater to the token atomically; its ids cannot change.
func (s *Store) UpdateRefreshToken(ctx context.Context, tenantID, id string, updater func(model.RefreshToken) (model.RefreshToken, error)) error {
	load := func(tx *Store) (model.RefreshToken, error) {
		return getOne(ctx, tx.writer(), "update refresh token", scanRefresh,
			"SELECT "+refreshCols+" FROM refresh_tokens WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, t model.RefreshToken) error {
		_, err := tx.execRandomID(ctx, "update refresh token",
			"UPDATE refresh_tokens SET family_id = ?, session_id = ?, client_id = ?, user_id = ?, token_hash = ?, "+
				"resource = ?, scope = ?, expires_at = ?, family_expires_at = ?, created_at = ?, rotated_at = ?, "+
				"replaced_by = ?, revoked_at = ? WHERE tenant_id = ? AND id = ?",
			t.FamilyID, t.SessionID, t.ClientID, t.UserID, t.TokenHash, t.Resource, t.Scope,
			millis(t.ExpiresAt), millisOrZero(t.FamilyExpiresAt), millis(t.CreatedAt), millisOrNull(t.RotatedAt), t.ReplacedBy,
			millisOrNull(t.RevokedAt), old.TenantID, old.ID)
		return err
	}
	return update(ctx, s, load, updater, store)
}

// RevokeRefreshTokens revokes at now every unrevoked token of a session, or of one of its
// families when familyID is set too. Both go through refresh_tokens_session_idx (session_id,
// family_id): a family is always under one session, which is why it has no index of its own.
func (s *Store) RevokeRefreshTokens(ctx context.Context, tenantID, familyID, sessionID string, now time.Time) (int64, error) {
	if sessionID == "" {
		return 0, errors.New("revoke refresh tokens: a session is required")
	}
	args := []any{millis(now), tenantID, sessionID}
	if familyID != "" {
		args = append(args, familyID)
	}
	n, err := s.writer().execAffected(ctx, revokeQuery(familyID != ""), args...)
	return n, errf("revoke refresh tokens", err)
}

// revokeQuery is RevokeRefreshTokens' statement, for a family of the session or all of it.
func revokeQuery(family bool) string {
	q := "UPDATE refresh_tokens SET revoked_at = ? WHERE tenant_id = ? AND revoked_at IS NULL AND session_id = ?"
	if family {
		q += " AND family_id = ?"
	}
	return q
}

// RotateRefreshToken rotates a live token found by hash, tenant and client in one UPDATE ...
// RETURNING; the WHERE clause is the compare-and-swap.
func (s *Store) RotateRefreshToken(ctx context.Context, tenantID, clientID string, hash []byte, replacedBy string, now time.Time) (model.RefreshToken, error) {
	return getOne(ctx, s.writer(), "rotate refresh token", scanRefresh,
		"UPDATE refresh_tokens SET rotated_at = ?, replaced_by = ? WHERE token_hash = ? AND tenant_id = ? "+
			"AND client_id = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ? RETURNING "+refreshCols,
		millis(now), replacedBy, hash, tenantID, clientID, millis(now))
}
