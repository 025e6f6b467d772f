package sqlstore

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// counterKey is how a counter's name is stored: its SHA-256, so that names of any length and
// bytes fit the primary key of both databases.
func counterKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// countHitSQL adds one hit in a single statement, so that concurrent hits from any number of
// nodes are serialised by the database on the counter's row and none is lost. A counter whose
// window has ended at now starts over at one with the new window end. Every expression in SET
// reads the row as it was before the update.
const countHitSQL = "INSERT INTO counters (key_hash, count, expires_at) VALUES (?, 1, ?) " +
	"ON CONFLICT (key_hash) DO UPDATE SET " +
	"count = CASE WHEN counters.expires_at <= ? THEN 1 ELSE counters.count + 1 END, " +
	"expires_at = CASE WHEN counters.expires_at <= ? THEN excluded.expires_at ELSE counters.expires_at END " +
	"RETURNING count, expires_at"

// CountHit adds one to the counter named key and returns its new count and the end of its
// window; a counter whose window has ended at now starts again at one, ending at windowEnd.
func (s *Store) CountHit(ctx context.Context, key string, now, windowEnd time.Time) (int64, time.Time, error) {
	nowMS, endMS := millis(now), millis(windowEnd)
	if endMS <= nowMS {
		// Such a window would have ended before its first hit, and never count past one.
		return 0, time.Time{}, fmt.Errorf("count hit: window end %v is not after now %v", windowEnd, now)
	}
	var count, expires int64
	err := s.writer().queryRow(ctx, countHitSQL, counterKey(key), endMS, nowMS, nowMS).Scan(&count, &expires)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count hit: %w", err)
	}
	return count, fromMillis(expires), nil
}

// ResetCounter deletes the counter named key, if there is one.
func (s *Store) ResetCounter(ctx context.Context, key string) error {
	_, err := s.writer().exec(ctx, "DELETE FROM counters WHERE key_hash = ?", counterKey(key))
	return errf("reset counter", err)
}

// LockKey takes a PostgreSQL advisory lock on key for the rest of the transaction. SQLite
// runs one write transaction at a time, which is the same guarantee already.
func (s *Store) LockKey(ctx context.Context, key string) error {
	if !s.d.postgres {
		return nil
	}
	if s.tx == nil {
		return errors.New("lock key: not in a transaction")
	}
	_, err := s.writer().exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key)
	return errf("lock key", err)
}
