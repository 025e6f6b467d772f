package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const codeCols = "id, tenant_id, app_id, client_id, user_id, purpose, channel, identifier_type, identifier, " +
	"destination, code_hash, request_id, approval_data, payload, failures, max_failures, expires_at, consumed_at, " +
	"created_at"

func scanCode(sc scanner) (model.OneTimeCode, error) {
	var c model.OneTimeCode
	var expires, created int64
	var consumed sql.NullInt64
	var approval, payload sql.NullString
	err := sc.Scan(&c.ID, &c.TenantID, &c.AppID, &c.ClientID, &c.UserID, &c.Purpose, &c.Channel,
		&c.IdentifierType, &c.Identifier, &c.Destination, &c.CodeHash, &c.RequestID, &approval,
		&payload, &c.Failures, &c.MaxFailures, &expires, &consumed, &created)
	if err != nil {
		return c, err
	}
	c.ApprovalData, c.Payload = rawFromNull(approval), rawFromNull(payload)
	c.ExpiresAt, c.ConsumedAt, c.CreatedAt = fromMillis(expires), fromNullMillis(consumed), fromMillis(created)
	return c, nil
}

// CreateCode stores a new one-time code. In a PostgreSQL transaction the insert is held back
// with the send's other last writes (batch.go): its key is random, and nothing reads it before
// the next statement sends it.
func (s *Store) CreateCode(ctx context.Context, c model.OneTimeCode) error {
	query := "INSERT INTO codes (" + codeCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	args := []any{c.ID, c.TenantID, c.AppID, c.ClientID, c.UserID, c.Purpose, c.Channel, c.IdentifierType,
		c.Identifier, c.Destination, c.CodeHash, c.RequestID, rawOrNull(c.ApprovalData), rawOrNull(c.Payload), c.Failures,
		c.MaxFailures, millis(c.ExpiresAt), millisOrNull(c.ConsumedAt), millis(c.CreatedAt)}
	if s.holding() {
		return s.hold(ctx, heldWrite{what: "create code", table: "codes", query: query, args: args})
	}
	_, err := s.execRandomID(ctx, "create code", query, args...)
	return err
}

// GetCode returns one of the tenant's codes.
func (s *Store) GetCode(ctx context.Context, tenantID, id string) (model.OneTimeCode, error) {
	return getOwned(ctx, s.reader(), "get code", scanCode, func(v model.OneTimeCode) string { return v.TenantID },
		"SELECT "+codeCols+" FROM codes WHERE id = ?", tenantID, id)
}

// LatestCode returns the newest unspent code of an application for a purpose and identifier.
func (s *Store) LatestCode(ctx context.Context, tenantID, appID, purpose, identifier string) (model.OneTimeCode, error) {
	return getOne(ctx, s.reader(), "latest code", scanCode,
		"SELECT "+codeCols+" FROM codes WHERE tenant_id = ? AND app_id = ? AND purpose = ? AND identifier = ? "+
			"AND consumed_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
		tenantID, appID, purpose, identifier)
}

// SpendCodes marks every unspent code of the application for a purpose and identifier as
// consumed at now.
func (s *Store) SpendCodes(ctx context.Context, tenantID, appID, purpose, identifier string, now time.Time) (int64, error) {
	n, err := s.writer().execAffected(ctx,
		"UPDATE codes SET consumed_at = ? WHERE tenant_id = ? AND app_id = ? AND purpose = ? AND identifier = ? "+
			"AND consumed_at IS NULL",
		millis(now), tenantID, appID, purpose, identifier)
	return n, errf("spend codes", err)
}

// ConsumeCode spends a code the caller has already checked, without reading it again: the
// condition on consumed_at makes the first of concurrent redemptions the only one.
func (s *Store) ConsumeCode(ctx context.Context, tenantID, id string, now time.Time) (bool, error) {
	n, err := s.writer().execAffected(ctx,
		"UPDATE codes SET consumed_at = ? WHERE tenant_id = ? AND id = ? AND consumed_at IS NULL",
		millis(now), tenantID, id)
	return n == 1, errf("consume code", err)
}

// FailCode implements storage.Codes. Every expression in SET reads the row as it was.
func (s *Store) FailCode(ctx context.Context, tenantID, id string, now time.Time) (int, int, bool, error) {
	var failures, maxFailures int
	err := s.writer().queryRow(ctx,
		"UPDATE codes SET failures = failures + 1, "+
			"consumed_at = CASE WHEN failures + 1 >= max_failures THEN ? ELSE consumed_at END "+
			"WHERE tenant_id = ? AND id = ? AND consumed_at IS NULL RETURNING failures, max_failures",
		millis(now), tenantID, id).Scan(&failures, &maxFailures)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("fail code: %w", err)
	}
	return failures, maxFailures, true, nil
}

// UpdateCode applies updater to the code atomically; its ids cannot change.
func (s *Store) UpdateCode(ctx context.Context, tenantID, id string, updater func(model.OneTimeCode) (model.OneTimeCode, error)) error {
	load := func(tx *Store) (model.OneTimeCode, error) {
		return getOne(ctx, tx.writer(), "update code", scanCode,
			"SELECT "+codeCols+" FROM codes WHERE tenant_id = ? AND id = ?"+tx.d.forUpdate, tenantID, id)
	}
	store := func(tx *Store, old, c model.OneTimeCode) error {
		_, err := tx.writer().exec(ctx,
			"UPDATE codes SET app_id = ?, client_id = ?, user_id = ?, purpose = ?, channel = ?, "+
				"identifier_type = ?, identifier = ?, destination = ?, code_hash = ?, request_id = ?, "+
				"approval_data = ?, payload = ?, failures = ?, max_failures = ?, expires_at = ?, consumed_at = ?, "+
				"created_at = ? WHERE tenant_id = ? AND id = ?",
			c.AppID, c.ClientID, c.UserID, c.Purpose, c.Channel, c.IdentifierType, c.Identifier,
			c.Destination, c.CodeHash, c.RequestID, rawOrNull(c.ApprovalData), rawOrNull(c.Payload),
			c.Failures, c.MaxFailures, millis(c.ExpiresAt), millisOrNull(c.ConsumedAt), millis(c.CreatedAt),
			old.TenantID, old.ID)
		return errf("update code", err)
	}
	return update(ctx, s, load, updater, store)
}

func scanLockout(sc scanner) (model.Lockout, error) {
	var l model.Lockout
	var until int64
	if err := sc.Scan(&l.TenantID, &l.AppID, &l.Key, &until); err != nil {
		return l, err
	}
	l.Until = fromMillis(until)
	return l, nil
}

// GetLockout returns the lockout of key, expired or not.
func (s *Store) GetLockout(ctx context.Context, tenantID, appID, key string) (model.Lockout, error) {
	return getOne(ctx, s.reader(), "get lockout", scanLockout,
		"SELECT tenant_id, app_id, lock_key, locked_until FROM lockouts WHERE tenant_id = ? AND app_id = ? AND lock_key = ?",
		tenantID, appID, key)
}

// ActiveLockout reads the lockouts of several keys at once.
func (s *Store) ActiveLockout(ctx context.Context, tenantID, appID string, now time.Time, keys ...string) (model.Lockout, error) {
	if len(keys) == 0 {
		return model.Lockout{}, fmt.Errorf("active lockout: %w", storage.ErrNotFound)
	}
	args := []any{tenantID, appID, millis(now)}
	for _, k := range keys {
		args = append(args, k)
	}
	return getOne(ctx, s.reader(), "active lockout", scanLockout,
		"SELECT tenant_id, app_id, lock_key, locked_until FROM lockouts WHERE tenant_id = ? AND app_id = ? "+
			"AND locked_until > ? AND lock_key IN ("+placeholders(len(keys))+") ORDER BY locked_until DESC LIMIT 1",
		args...)
}

// PutLockout creates or replaces a lockout.
func (s *Store) PutLockout(ctx context.Context, l model.Lockout) error {
	_, err := s.writer().exec(ctx,
		"INSERT INTO lockouts (tenant_id, app_id, lock_key, locked_until) VALUES (?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id, app_id, lock_key) DO UPDATE SET locked_until = excluded.locked_until",
		l.TenantID, l.AppID, l.Key, millis(l.Until))
	return errf("put lockout", err)
}

// DeleteLockout removes a lockout.
func (s *Store) DeleteLockout(ctx context.Context, tenantID, appID, key string) error {
	n, err := s.writer().execAffected(ctx,
		"DELETE FROM lockouts WHERE tenant_id = ? AND app_id = ? AND lock_key = ?", tenantID, appID, key)
	return mustAffect("delete lockout", n, err)
}
