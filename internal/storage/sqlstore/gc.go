package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/storage"
)

// gcStep deletes one kind of ended record, a batch at a time: key names the table's primary
// key; where is the condition, whose only parameter is the cut-off time; and order is the
// indexed column the condition is a range of, in index. Each batch reads its rows in the order
// of that index, so that the plan is a range of it however the table's statistics stood when
// the statement was prepared (PostgreSQL keeps a generic plan per connection: one made while the
// table was empty must not scan it once it holds a backlog).
type gcStep struct {
	table, key, where, order string
	index                    string // the index of order, which the plans read
}

var gcSteps = []gcStep{
	// A spent code can no longer be used, and is kept until it would have expired, like one
	// never used: that keeps collection to a range of the expiry index (a spent code has no
	// index of its own, which its spending would have to write).
	{"codes", "id", "expires_at < ?", "expires_at", "codes_expires_idx"},
	// Tokens of live sessions that have expired; those of ended sessions go with their
	// sessions (sessionSteps).
	{"refresh_tokens", "id", "expires_at < ?", "expires_at", "refresh_tokens_expires_idx"},
	{"lockouts", "tenant_id, app_id, lock_key", "locked_until < ?", "locked_until", "lockouts_until_idx"},
	{"cross_device_tickets", "id", "keep_until < ?", "keep_until", "cross_device_tickets_keep_idx"},
	// A counter's window has ended at its expires_at: CountHit would start it over.
	{"counters", "key_hash", "expires_at <= ?", "expires_at", "counters_expires_idx"},
}

// sessionSteps find ended sessions: expired, or revoked (through the partial index of revoked
// sessions, which holds no live one).
var sessionSteps = []gcStep{
	{"sessions", "id", "expires_at < ?", "expires_at", "sessions_expires_idx"},
	{"sessions", "id", "revoked_at IS NOT NULL AND revoked_at < ?", "revoked_at", "sessions_revoked_idx"},
}

// GarbageCollect deletes, in transactions of at most p.Batch rows of each table, what stopped
// being usable before now: codes expired (spent ones included); cross-device tickets past their
// keep_until; sessions expired or revoked, with their refresh tokens first, so that no token
// outlives its session; expired refresh tokens (revoked or rotated ones of a live session stay
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
	cut, full := millis(now), int64(batch)
	var total int64
	// untilShort runs a step's batches until one finds less than a full batch to delete.
	untilShort := func(table string, del func() (n int64, more bool, err error)) error {
		for {
			n, more, err := del()
			total += n
			if err != nil {
				return errf("garbage collect "+table, err)
			}
			if !more {
				return nil
			}
		}
	}
	for _, st := range sessionSteps {
		err := untilShort(st.table, func() (int64, bool, error) {
			sessions, tokens, err := s.deleteSessions(ctx, st, cut, batch)
			return sessions + tokens, sessions == full || tokens == full, err
		})
		if err != nil {
			return total, err
		}
	}
	for _, st := range gcSteps {
		q := st.query(s.d.postgres)
		err := untilShort(st.table, func() (int64, bool, error) {
			n, err := s.deleteBatch(ctx, q, cut, batch)
			return n, n == full, err
		})
		if err != nil {
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
	err := s.inGCTx(ctx, func(w conn) error {
		var err error
		n, err = w.execAffected(ctx, q, args...)
		return err
	})
	return n, err
}

// inGCTx runs fn in a transaction of its own (see deleteBatch), sequential scans off on
// PostgreSQL.
func (s *Store) inGCTx(ctx context.Context, fn func(w conn) error) error {
	if s.tx != nil {
		// SET LOCAL would last until the end of the caller's transaction.
		return errors.New("garbage collection runs in transactions of its own")
	}
	return s.inOwnTx(ctx, func(tx *Store) error {
		w := tx.writer()
		if s.d.postgres {
			if _, err := w.exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		return fn(w)
	})
}

// Ended sessions are collected with their refresh tokens a batch at a time: the tokens of a
// batch of the sessions first, at most a batch of them, and the sessions only once none is
// left, so that a transaction deletes at most a batch of rows of each table however many
// tokens a session holds (a rotated token is kept until it expires, so an active session may
// hold thousands). A transaction that deletes a full batch of tokens leaves its sessions for
// the next, which deletes their remaining tokens.

// endedSessionsPostgres is a batch of an ended-session step on PostgreSQL, in one statement.
// It returns the sessions and the tokens it deleted. The sessions and tokens it deletes are
// locked with SKIP LOCKED, so that collection never waits for a login: a session a refresh is
// using now is left for the next run, and a token it holds is left for collection by its
// expiry.
func endedSessionsPostgres(st gcStep) string {
	return "WITH ended AS (SELECT id FROM sessions WHERE " + st.where + " ORDER BY " + st.order + " LIMIT ? FOR UPDATE SKIP LOCKED), " +
		"tokens AS (DELETE FROM refresh_tokens WHERE ctid = ANY(ARRAY(SELECT ctid FROM refresh_tokens " +
		"WHERE session_id = ANY(ARRAY(SELECT id FROM ended)) LIMIT ? FOR UPDATE SKIP LOCKED)) RETURNING 1), " +
		"gone AS (DELETE FROM sessions WHERE id = ANY(ARRAY(SELECT id FROM ended)) AND (SELECT count(*) FROM tokens) < ? RETURNING 1) " +
		"SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM tokens)"
}

// The SQLite statements of a batch, run in one transaction of the one writer, so that both
// select the same sessions.
func endedTokensSQLite(st gcStep) string {
	return "DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE session_id IN (" +
		st.selection(false) + ") LIMIT ?)"
}

func endedSessionsSQLite(st gcStep) string {
	return "DELETE FROM sessions WHERE id IN (" + st.selection(false) + ")"
}

// deleteSessions runs one batch of an ended-session step, in a transaction of its own, and
// returns how many sessions and tokens it deleted.
func (s *Store) deleteSessions(ctx context.Context, st gcStep, cut int64, batch int) (sessions, tokens int64, err error) {
	err = s.inGCTx(ctx, func(w conn) error {
		sessions, tokens = 0, 0
		if s.d.postgres {
			return w.queryRow(ctx, endedSessionsPostgres(st), cut, batch, batch, batch).Scan(&sessions, &tokens)
		}
		var err error
		if tokens, err = w.execAffected(ctx, endedTokensSQLite(st), cut, batch, batch); err != nil || tokens == int64(batch) {
			return err
		}
		sessions, err = w.execAffected(ctx, endedSessionsSQLite(st), cut, batch)
		return err
	})
	return sessions, tokens, err
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
