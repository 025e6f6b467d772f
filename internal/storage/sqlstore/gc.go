package sqlstore

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// gcStep deletes one kind of ended record, a batch at a time: key names the table's primary
// key, and where is the condition, whose ? are all the cut-off time.
type gcStep struct {
	table, key, where string
	args              int
}

// endedSessions is the condition of a session that has ended: expired, or revoked.
const endedSessions = "(expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?))"

var gcSteps = []gcStep{
	{"codes", "id", "expires_at < ? OR (consumed_at IS NOT NULL AND consumed_at < ?)", 2},
	// A session's refresh tokens go before it, so that none outlives its session.
	{"refresh_tokens", "id", "session_id IN (SELECT id FROM sessions WHERE " + endedSessions + ")", 2},
	{"sessions", "id", endedSessions, 2},
	{"refresh_tokens", "id", "expires_at < ?", 1},
	{"lockouts", "tenant_id, app_id, lock_key", "locked_until < ?", 1},
	{"cross_device_tickets", "id", "keep_until < ?", 1},
	// A counter's window has ended at its expires_at: CountHit would start it over.
	{"counters", "key_hash", "expires_at <= ?", 1},
}

// GarbageCollect deletes, in transactions of at most p.Batch rows each, what stopped being
// usable before now: codes expired or spent; cross-device tickets past their keep_until;
// sessions expired or revoked, with their refresh tokens; expired refresh tokens (revoked or
// rotated ones of a live session stay until they expire, so that their reuse is still
// recognised); lockouts that have ended; counters whose window has ended; and audit events
// older than p.AuditBefore. Small transactions keep a backlog of any size from holding the
// writer (SQLite's one writer, PostgreSQL's row locks) for more than one batch at a time, so
// logins interleave with collection. Outbox messages are collected by CollectMessages.
func (s *Store) GarbageCollect(ctx context.Context, now time.Time, p storage.GCPolicy) (int64, error) {
	batch := p.Batch
	if batch <= 0 {
		batch = storage.DefaultGCBatch
	}
	cut := millis(now)
	var total int64
	for _, st := range gcSteps {
		q := st.query()
		args := append([]any{cut, cut}[:st.args], batch)
		for {
			n, err := s.deleteBatch(ctx, q, args...)
			if err != nil {
				return total, errf("garbage collect "+st.table, err)
			}
			total += n
			if n < int64(batch) {
				break
			}
		}
	}
	if !p.AuditBefore.IsZero() {
		n, err := s.collectAudit(ctx, millis(p.AuditBefore), batch)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// query is the step's statement: one batch's delete.
func (st gcStep) query() string {
	return "DELETE FROM " + st.table + " WHERE (" + st.key + ") IN (SELECT " + st.key + " FROM " + st.table +
		" WHERE " + st.where + " LIMIT ?)"
}

// deleteBatch runs one batch's delete in a transaction of its own.
func (s *Store) deleteBatch(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := s.inOwnTx(ctx, func(tx *Store) error {
		var err error
		n, err = tx.writer().execAffected(ctx, q, args...)
		return err
	})
	return n, err
}

// collectAudit deletes audit events created before cut, oldest first. Events are numbered in
// the order they are written, so the oldest are the lowest numbers: each batch reads the
// first numbers through the primary key and stops at the first event that is not old enough,
// instead of scanning the log for old events (no index serves created_at alone). The delete
// checks the time again, since an event numbered lower may commit after the read.
func (s *Store) collectAudit(ctx context.Context, cut int64, batch int) (int64, error) {
	var total int64
	for {
		last, full, err := s.oldAuditPrefix(ctx, cut, batch)
		if err != nil || last == 0 {
			return total, err
		}
		n, err := s.deleteBatch(ctx, "DELETE FROM audit_events WHERE seq <= ? AND created_at < ?", last, cut)
		if err != nil {
			return total, errf("garbage collect audit_events", err)
		}
		total += n
		if !full {
			return total, nil
		}
	}
}

// oldAuditPrefix returns the number of the last event of the longest run of events created
// before cut at the start of the log (0 when the first is not), and whether the whole batch
// read was old, so that there may be more.
func (s *Store) oldAuditPrefix(ctx context.Context, cut int64, batch int) (last int64, full bool, err error) {
	rows, err := s.reader().query(ctx, "SELECT seq, created_at FROM audit_events ORDER BY seq LIMIT ?", batch)
	if err != nil {
		return 0, false, errf("garbage collect audit_events", err)
	}
	defer rows.Close()
	read := 0
	for rows.Next() {
		var seq, created int64
		if err := rows.Scan(&seq, &created); err != nil {
			return 0, false, errf("garbage collect audit_events", err)
		}
		if created >= cut {
			return last, false, rows.Err()
		}
		last = seq
		read++
	}
	return last, read == batch, rows.Err()
}
