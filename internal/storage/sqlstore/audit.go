package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/model"
)

const auditCols = "id, tenant_id, app_id, client_id, user_id, type, method, outcome, reason, " +
	"ip_address, user_agent, details, created_at"

// Page sizes of ListAudit.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

func scanAudit(sc scanner) (model.AuditEvent, error) {
	var e model.AuditEvent
	var details sql.NullString
	var created int64
	err := sc.Scan(&e.ID, &e.TenantID, &e.AppID, &e.ClientID, &e.UserID, &e.Type, &e.Method, &e.Outcome,
		&e.Reason, &e.IPAddress, &e.UserAgent, &details, &created)
	if err != nil {
		return e, err
	}
	e.Details, e.CreatedAt = rawFromNull(details), fromMillis(created)
	return e, nil
}

// AppendAudit adds an event to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e model.AuditEvent) error {
	query := "INSERT INTO audit_events (" + auditCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	args := []any{e.ID, e.TenantID, e.AppID, e.ClientID, e.UserID, e.Type, e.Method, e.Outcome, e.Reason,
		e.IPAddress, e.UserAgent, rawOrNull(e.Details), millis(e.CreatedAt)}
	if s.holding() {
		return s.hold(ctx, heldWrite{what: "append audit event", table: "audit_events", query: query, args: args})
	}
	_, err := s.execRandomID(ctx, "append audit event", query, args...)
	return err
}

// ListAudit returns one page of the tenant's events matching q, newest first with events of
// the same millisecond newest inserted first, and how many events match in all (at most
// q.CountUpTo when that is set). A page after an event (q.After) starts from the event's place
// in an index rather than skipping the events before it.
func (s *Store) ListAudit(ctx context.Context, q model.AuditQuery) ([]model.AuditEvent, int, error) {
	page, count, err := auditStatements(q, s.d.postgres)
	if err != nil {
		return nil, 0, err
	}
	r := s.reader()
	var total int
	if err := r.queryRow(ctx, count.sql, count.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit events: %w", err)
	}
	events, err := getAll(ctx, r, "list audit events", scanAudit, page.sql, page.args...)
	if err != nil {
		return nil, 0, err
	}
	return events, total, nil
}

// auditStatements returns the statements ListAudit runs for q: the one reading the page and
// the one counting the matches.
func auditStatements(q model.AuditQuery, postgres bool) (page, count statement, err error) {
	if q.TenantID == "" {
		return page, count, errors.New("list audit events: a tenant id is required")
	}
	if q.SessionRef != "" && q.UserID == "" {
		// The details have no index: without a user the match would read the whole tenant.
		return page, count, errors.New("list audit events: a session reference needs a user id")
	}
	where := " FROM audit_events WHERE tenant_id = ?"
	args := []any{q.TenantID}
	for _, f := range []struct{ col, value string }{{"app_id", q.AppID}, {"user_id", q.UserID}, {"type", q.Type}} {
		if f.value != "" {
			where += " AND " + f.col + " = ?"
			args = append(args, f.value)
		}
	}
	if q.SessionRef != "" {
		// Read only among the user's events (audit_events_user_idx); details is JSON text.
		if postgres {
			where += " AND details::jsonb ->> 'session_ref' = ?"
		} else {
			where += " AND json_extract(details, '$.session_ref') = ?"
		}
		args = append(args, q.SessionRef)
	}
	if !q.Since.IsZero() {
		where += " AND created_at >= ?"
		args = append(args, ceilMillis(q.Since))
	}
	if !q.Until.IsZero() {
		where += " AND created_at < ?"
		args = append(args, ceilMillis(q.Until))
	}

	limit := q.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	limit = min(limit, maxAuditLimit)
	offset := max(q.Offset, 0)

	count = statement{"SELECT COUNT(*)" + where, args}
	if q.CountUpTo > 0 {
		// The bound is counted in the page's order, which ties the count to the page's index:
		// without an order PostgreSQL may count by scanning the table from its start, and a
		// table past a quarter of shared_buffers is scanned through a small ring of buffers,
		// so every count read its pages again and, for a tenant or filter with few events
		// among many, read rows of others until it found enough (docs/benchmarks.md).
		count = statement{"SELECT COUNT(*) FROM (SELECT 1" + where + " ORDER BY created_at DESC, seq DESC LIMIT ?) m",
			append(args[:len(args):len(args)], q.CountUpTo)}
	}
	if q.After != "" {
		// Past the event named: older, or as old and inserted before it. An event the
		// retention has removed took every older one with it, so nothing comes after it.
		offset = 0
		where += " AND (created_at, seq) < (SELECT a.created_at, a.seq FROM audit_events a WHERE a.tenant_id = ? AND a.id = ?)"
		args = append(args[:len(args):len(args)], q.TenantID, q.After)
	}
	page = statement{"SELECT " + auditCols + where + " ORDER BY created_at DESC, seq DESC LIMIT ? OFFSET ?", append(args, limit, offset)}
	return page, count, nil
}

// ceilMillis is t in unix milliseconds, rounded up. Stored times are whole milliseconds
// (rounded down), so a stored time is at or after t exactly when it is at or after
// ceilMillis(t), and before t exactly when it is before ceilMillis(t).
func ceilMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if time.UnixMilli(ms).Before(t) {
		ms++
	}
	return ms
}
