package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

const outboxCols = "id, tenant_id, kind, to_addr, from_addr, subject, text_body, html_body, attempts, " +
	"next_attempt_at, lease_until, last_error, delivered_at, created_at, sealed_body"

// errClearBody refuses a message whose body would be stored readable.
var errClearBody = errors.New("enqueue message: subject and body must be sealed, not in the clear")

// Page sizes of ListMessages.
const (
	defaultMessageLimit = 100
	maxMessageLimit     = 5000
)

func scanMessage(sc scanner) (model.OutboxMessage, error) {
	var m model.OutboxMessage
	var next, created int64
	var lease, delivered sql.NullInt64
	err := sc.Scan(&m.ID, &m.TenantID, &m.Kind, &m.To, &m.From, &m.Subject, &m.Text, &m.HTML, &m.Attempts,
		&next, &lease, &m.LastError, &delivered, &created, &m.Sealed)
	if err != nil {
		return m, err
	}
	m.NextAttemptAt, m.CreatedAt = fromMillis(next), fromMillis(created)
	m.LeaseUntil, m.DeliveredAt = fromNullMillis(lease), fromNullMillis(delivered)
	return m, nil
}

// EnqueueMessage stores a message for delivery.
// Its subject and bodies must be empty: only the sealed form is stored.
func (s *Store) EnqueueMessage(ctx context.Context, m model.OutboxMessage) error {
	if m.Subject != "" || m.Text != "" || m.HTML != "" {
		return errClearBody
	}
	_, err := s.execUnique(ctx, "enqueue message",
		"INSERT INTO outbox ("+outboxCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		m.ID, m.TenantID, m.Kind, m.To, m.From, "", "", "", m.Attempts,
		millis(m.NextAttemptAt), millisOrNull(m.LeaseUntil), m.LastError, millisOrNull(m.DeliveredAt), millis(m.CreatedAt),
		m.Sealed)
	return err
}

// DropMessages gives up the tenant's owed messages of one kind.
func (s *Store) DropMessages(ctx context.Context, tenantID, kind, lastError string) (int64, error) {
	never := millis(storage.NeverDue)
	n, err := s.writer().execAffected(ctx,
		"UPDATE outbox SET next_attempt_at = ?, last_error = ? "+
			"WHERE tenant_id = ? AND kind = ? AND delivered_at IS NULL AND next_attempt_at < ?",
		never, lastError, tenantID, kind, never)
	return n, errf("drop messages", err)
}

// CollectMessages deletes up to limit finished messages, oldest first.
func (s *Store) CollectMessages(ctx context.Context, before time.Time, limit int) (int64, error) {
	if limit <= 0 {
		return 0, nil
	}
	cut, never := millis(before), millis(storage.NeverDue)
	n, err := s.writer().execAffected(ctx,
		"DELETE FROM outbox WHERE id IN ("+
			"SELECT id FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ? "+
			"UNION ALL SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at >= ? AND created_at < ? "+
			"LIMIT ?)",
		cut, never, cut, limit)
	return n, errf("collect messages", err)
}

// LeaseMessages claims up to limit due, unleased messages until leaseUntil, in one statement:
// on PostgreSQL concurrent workers skip each other's locked rows, and on SQLite the single
// writer connection runs one claim at a time.
func (s *Store) LeaseMessages(ctx context.Context, now, leaseUntil time.Time, limit int, kinds ...string) ([]model.OutboxMessage, error) {
	if limit <= 0 {
		return []model.OutboxMessage{}, nil
	}
	nowMS := millis(now)
	args := []any{millis(leaseUntil), nowMS, nowMS}
	byKind := ""
	if len(kinds) > 0 {
		byKind = "AND kind IN (" + placeholders(len(kinds)) + ") "
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	args = append(args, limit)
	msgs, err := getAll(ctx, s.writer(), "lease messages", scanMessage,
		"UPDATE outbox SET lease_until = ? WHERE id IN ("+
			"SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? "+
			"AND (lease_until IS NULL OR lease_until <= ?) "+byKind+"ORDER BY next_attempt_at, created_at, rowid LIMIT ?"+
			s.d.skipLocked+") RETURNING "+outboxCols,
		args...)
	if err != nil {
		return nil, err
	}
	// RETURNING follows no order; give the oldest due first.
	sort.SliceStable(msgs, func(i, j int) bool {
		if !msgs[i].NextAttemptAt.Equal(msgs[j].NextAttemptAt) {
			return msgs[i].NextAttemptAt.Before(msgs[j].NextAttemptAt)
		}
		return msgs[i].CreatedAt.Before(msgs[j].CreatedAt)
	})
	return msgs, nil
}

// ExtendLeases moves the leases of ids still held until held to until.
func (s *Store) ExtendLeases(ctx context.Context, ids []string, held, until time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := []any{millis(until), millis(held)}
	for _, id := range ids {
		args = append(args, id)
	}
	n, err := s.writer().execAffected(ctx,
		"UPDATE outbox SET lease_until = ? WHERE lease_until = ? AND delivered_at IS NULL AND id IN ("+placeholders(len(ids))+")",
		args...)
	return n, errf("extend leases", err)
}

// MarkDelivered records a delivery, counting it as an attempt, and ends the lease.
func (s *Store) MarkDelivered(ctx context.Context, id string, at time.Time) error {
	n, err := s.writer().execAffected(ctx,
		"UPDATE outbox SET delivered_at = ?, lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
		millis(at), id)
	return mustAffect("mark delivered", n, err)
}

// MarkFailed records a failed attempt, ends the lease, and makes the message due at next.
func (s *Store) MarkFailed(ctx context.Context, id string, lastError string, next time.Time) error {
	n, err := s.writer().execAffected(ctx,
		"UPDATE outbox SET last_error = ?, next_attempt_at = ?, lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
		lastError, millis(next), id)
	return mustAffect("mark failed", n, err)
}

// GetMessage returns a message by id.
func (s *Store) GetMessage(ctx context.Context, id string) (model.OutboxMessage, error) {
	return getOne(ctx, s.reader(), "get message", scanMessage,
		"SELECT "+outboxCols+" FROM outbox WHERE id = ?", id)
}

// ListMessages returns the tenant's messages created at or after since, oldest first; with an
// empty tenantID, every tenant's.
func (s *Store) ListMessages(ctx context.Context, tenantID string, since time.Time, limit int) ([]model.OutboxMessage, error) {
	if limit <= 0 {
		limit = defaultMessageLimit
	}
	limit = min(limit, maxMessageLimit)
	if tenantID == "" {
		return getAll(ctx, s.reader(), "list messages", scanMessage,
			"SELECT "+outboxCols+" FROM outbox WHERE created_at >= ? ORDER BY created_at, rowid LIMIT ?",
			millis(since), limit)
	}
	return getAll(ctx, s.reader(), "list messages", scanMessage,
		"SELECT "+outboxCols+" FROM outbox WHERE tenant_id = ? AND created_at >= ? ORDER BY created_at, rowid LIMIT ?",
		tenantID, millis(since), limit)
}
