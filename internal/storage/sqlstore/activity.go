package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// CountAudit counts events by type and method since a time: one range of
// audit_events_type_idx (tenant_id, type, created_at) per type.
func (s *Store) CountAudit(ctx context.Context, tenantID string, types []string, since time.Time) ([]model.AuditCount, error) {
	if len(types) == 0 {
		return []model.AuditCount{}, nil
	}
	args := []any{tenantID}
	for _, t := range types {
		args = append(args, t)
	}
	args = append(args, millis(since))
	return getAll(ctx, s.reader(), "count audit events", func(sc scanner) (model.AuditCount, error) {
		var c model.AuditCount
		err := sc.Scan(&c.Type, &c.Method, &c.Count)
		return c, err
	}, "SELECT type, method, COUNT(*) FROM audit_events WHERE tenant_id = ? AND type IN ("+placeholders(len(types))+") "+
		"AND created_at >= ? GROUP BY type, method ORDER BY type, method", args...)
}

// ListActiveLockouts reads the tenant's lockouts in force; expired ones wait for garbage
// collection, so the tenant's rows are few.
func (s *Store) ListActiveLockouts(ctx context.Context, tenantID string, now time.Time, limit int) ([]model.Lockout, int, error) {
	limit = min(max(limit, 1), 1000)
	var total int
	err := s.reader().queryRow(ctx, "SELECT COUNT(*) FROM lockouts WHERE tenant_id = ? AND locked_until > ?",
		tenantID, millis(now)).Scan(&total)
	if err != nil {
		return nil, 0, fmt.Errorf("count lockouts: %w", err)
	}
	list, err := getAll(ctx, s.reader(), "list lockouts", scanLockout,
		"SELECT tenant_id, app_id, lock_key, locked_until FROM lockouts WHERE tenant_id = ? AND locked_until > ? "+
			"ORDER BY locked_until DESC, app_id, lock_key LIMIT ?", tenantID, millis(now), limit)
	return list, total, err
}

// TenantOutboxBacklog counts the tenant's owed messages through outbox_owed_idx, which holds only
// undelivered ones.
func (s *Store) TenantOutboxBacklog(ctx context.Context, tenantID string) (model.Backlog, error) {
	var b model.Backlog
	var oldest sql.NullInt64
	err := s.reader().queryRow(ctx,
		"SELECT COUNT(*), COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0), MIN(created_at) FROM outbox "+
			"WHERE tenant_id = ? AND delivered_at IS NULL AND next_attempt_at < ?",
		tenantID, millis(storage.NeverDue)).Scan(&b.Owed, &b.Retrying, &oldest)
	if err != nil {
		return b, fmt.Errorf("outbox backlog: %w", err)
	}
	if oldest.Valid {
		b.Oldest = fromMillis(oldest.Int64)
	}
	return b, nil
}
