package sqlstore

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// gcStep deletes one kind of ended record, a batch at a time: key names the table's primary
// key; where is the condition, whose only parameter is the cut-off time; and order is the
// indexed column the condition is a range of. Each batch reads its rows in the order of that
// index, so that the plan is a range of it however the table's statistics stood when the
// statement was prepared (PostgreSQL keeps a generic plan per connection: one made while the
// table was empty must not scan it once it holds a backlog).
type gcStep struct {
	table, key, where, order string
}

var gcSteps = []gcStep{
	// A spent code can no longer be used, and is kept until it would have expired, like one
	// never used: that keeps collection to a range of the expiry index (a spent code has no
	// index of its own, which its spending would have to write).
	{"codes", "id", "expires_at < ?", "expires_at"},
	// Tokens of live sessions that have expired; those of ended sessions go with their
	// sessions (sessionSteps).
	{"refresh_tokens", "id", "expires_at < ?", "expires_at"},
	{"lockouts", "tenant_id, app_id, lock_key", "locked_until < ?", "locked_until"},
	{"cross_device_tickets", "id", "keep_until < ?", "keep_until"},
	// A counter's window has ended at its expires_at: CountHit would start it over.
	{"counters", "key_hash", "expires_at <= ?", "expires_at"},
}

// sessionSteps find ended sessions: expired, or revoked (through the partial index of revoked
// sessions, which holds no live one).
var sessionSteps = []gcStep{
	{"sessions", "id", "expires_at < ?", "expires_at"},
	{"sessions", "id", "revoked_at IS NOT NULL AND revoked_at < ?", "revoked_at"},
}

// GarbageCollect deletes, in transactions of at most p.Batch records each (of sessions, p.Batch
// sessions with their refresh tokens), what stopped being usable before now: codes expired;
// cross-device tickets past their keep_until; sessions expired or revoked, each with its
// refresh tokens in the same transaction, so that no token outlives its session; expired refresh tokens (revoked or rotated ones of a live session stay
// until they expire, so that their reuse is still recognised); lockouts that have ended;
// counters whose window has ended; and audit events older than p.AuditBefore. Small
// transactions keep a backlog of any size from holding the writer (SQLite's one writer,
// PostgreSQL's row locks) for more than one batch at a time, so logins interleave with
// collection. Outbox messages are collected by CollectMessages.
func (s *Store) GarbageCollect(ctx context.Context, now time.Time, p storage.GCPolicy) (int64, error) {
	batch := p.Batch
	if batch <= 0 {
		batch = storage.DefaultGCBatch
	}
	cut := millis(now)
	var total int64
	collect := func(what string, del func() (int64, error)) error {
		for {
			n, err := del()
			if err != nil {
				return errf("garbage collect "+what, err)
			}
			total += n
			if n < int64(batch) {
				return nil
			}
		}
	}
	for _, st := range sessionSteps {
		if err := collect("sessions", func() (int64, error) { return s.deleteSessions(ctx, st, cut, batch) }); err != nil {
			return total, err
		}
	}
	for _, st := range gcSteps {
		q := st.query(s.d.postgres)
		if err := collect(st.table, func() (int64, error) { return s.deleteBatch(ctx, q, cut, batch) }); err != nil {
			return total, err
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

// selection is the step's read of one batch: its rows' keys, or on PostgreSQL their ctids
// (the rows' places, which the delete then finds without an index).
func (st gcStep) selection(postgres bool) string {
	key := st.key
	if postgres {
		key = "ctid"
	}
	return "SELECT " + key + " FROM " + st.table + " WHERE " + st.where + " ORDER BY " + st.order + " LIMIT ?"
}

// query is the step's statement: one batch's delete. On PostgreSQL the rows are named by an
// array of their ctids: "key IN (subquery)" may be planned as a hash join over the whole
// table.
func (st gcStep) query(postgres bool) string {
	if postgres {
		return "DELETE FROM " + st.table + " WHERE ctid = ANY(ARRAY(" + st.selection(true) + "))"
	}
	return "DELETE FROM " + st.table + " WHERE (" + st.key + ") IN (" + st.selection(false) + ")"
}

// deleteBatch runs one batch's delete in a transaction of its own.
//
// On PostgreSQL the transaction first turns sequential scans off. A plan made while a table
// is empty (a new database, a node started before the first login) reads it whole, the
// cheapest way to read nothing, and PostgreSQL may keep that plan for the prepared statement
// until the table is next analyzed, by then with a backlog. Every batch reads at most a batch
// of rows through an index, so an index plan is right at every size; collection's statements
// run only here, so every plan PostgreSQL makes or keeps of them is made under this setting.
func (s *Store) deleteBatch(ctx context.Context, q string, args ...any) (int64, error) {
	var n int64
	err := s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		if s.d.postgres {
			if _, err := w.exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		var err error
		n, err = w.execAffected(ctx, q, args...)
		return err
	})
	return n, err
}

// endedSessionsSQL deletes, on PostgreSQL, a batch of the sessions an ended-session step
// selects and their refresh tokens, in one statement; it returns the sessions deleted.
func endedSessionsSQL(st gcStep) string {
	return "WITH ended AS (SELECT id FROM sessions WHERE " + st.where + " ORDER BY " + st.order + " LIMIT ?), " +
		"tokens AS (DELETE FROM refresh_tokens WHERE session_id = ANY(ARRAY(SELECT id FROM ended))) " +
		"DELETE FROM sessions WHERE id = ANY(ARRAY(SELECT id FROM ended))"
}

// deleteSessions deletes a batch of the sessions st selects, each with its refresh tokens, in
// one transaction, and returns how many sessions it deleted.
func (s *Store) deleteSessions(ctx context.Context, st gcStep, cut int64, batch int) (int64, error) {
	if s.d.postgres {
		return s.deleteBatch(ctx, endedSessionsSQL(st), cut, batch)
	}
	var n int64
	err := s.inOwnTx(ctx, func(tx *Store) error {
		ids, err := tx.sessionBatch(ctx, st, cut, batch)
		if err != nil || len(ids) == 0 {
			return err
		}
		in := "(" + placeholders(len(ids)) + ")"
		if _, err := tx.writer().exec(ctx, "DELETE FROM refresh_tokens WHERE session_id IN "+in, ids...); err != nil {
			return err
		}
		n, err = tx.writer().execAffected(ctx, "DELETE FROM sessions WHERE id IN "+in, ids...)
		return err
	})
	return n, err
}

// sessionBatch reads the ids of a batch of the sessions st selects.
func (s *Store) sessionBatch(ctx context.Context, st gcStep, cut int64, batch int) ([]any, error) {
	rows, err := s.writer().query(ctx, st.selection(false), cut, batch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// The statements of collectAudit: the first events' numbers and times, and a batch's delete.
const (
	oldAuditSQL = "SELECT seq, created_at FROM audit_events ORDER BY seq LIMIT ?"
	// Bounded on both sides, so that a generic plan made on an empty table is a range of the
	// primary key too.
	collectAuditSQL = "DELETE FROM audit_events WHERE seq >= ? AND seq <= ? AND created_at < ?"
)

// collectAudit deletes audit events created before cut, oldest first. Events are numbered in
// the order they are written, so the oldest are the lowest numbers: each batch reads the
// first numbers through the primary key and stops at the first event that is not old enough,
// instead of scanning the log for old events (no index serves created_at alone). The delete
// checks the time again, since an event numbered lower may commit after the read.
func (s *Store) collectAudit(ctx context.Context, cut int64, batch int) (int64, error) {
	var total int64
	for {
		first, last, full, err := s.oldAuditPrefix(ctx, cut, batch)
		if err != nil || last == 0 {
			return total, err
		}
		n, err := s.deleteBatch(ctx, collectAuditSQL, first, last, cut)
		if err != nil {
			return total, errf("garbage collect audit_events", err)
		}
		total += n
		if !full {
			return total, nil
		}
	}
}

// oldAuditPrefix returns the numbers of the first and the last event of the longest run of
// events created before cut at the start of the log (last is 0 when the first event is not
// old), and whether the whole batch read was old, so that there may be more.
func (s *Store) oldAuditPrefix(ctx context.Context, cut int64, batch int) (first, last int64, full bool, err error) {
	rows, err := s.reader().query(ctx, oldAuditSQL, batch)
	if err != nil {
		return 0, 0, false, errf("garbage collect audit_events", err)
	}
	defer rows.Close()
	read := 0
	for rows.Next() {
		var seq, created int64
		if err := rows.Scan(&seq, &created); err != nil {
			return 0, 0, false, errf("garbage collect audit_events", err)
		}
		if created >= cut {
			return first, last, false, rows.Err()
		}
		if read == 0 {
			first = seq
		}
		last = seq
		read++
	}
	return first, last, read == batch, rows.Err()
}
