package sqlstore

import (
	"context"
	"time"
)

// GarbageCollect deletes, in one transaction, what stopped being usable before now: codes
// expired or spent; cross-device tickets past their keep_until; sessions expired or revoked, with their refresh tokens; expired refresh
// tokens (revoked or rotated ones of a live session stay until they expire, so that their
// reuse is still recognised); lockouts that have ended; and counters whose window has ended.
// The audit log is kept whole; outbox messages are collected by CollectMessages. It returns how many rows it removed, refresh
// tokens included.
func (s *Store) GarbageCollect(ctx context.Context, now time.Time) (int64, error) {
	cut := millis(now)
	const endedSessions = "(expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?))"
	steps := []struct {
		query string
		args  int // how many times the cut-off time is passed
	}{
		{"DELETE FROM codes WHERE expires_at < ? OR (consumed_at IS NOT NULL AND consumed_at < ?)", 2},
		{"DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE " + endedSessions + ")", 2},
		{"DELETE FROM sessions WHERE " + endedSessions, 2},
		{"DELETE FROM refresh_tokens WHERE expires_at < ?", 1},
		{"DELETE FROM lockouts WHERE locked_until < ?", 1},
		{"DELETE FROM cross_device_tickets WHERE keep_until < ?", 1},
		// A counter's window has ended at its expires_at: CountHit would start it over.
		{"DELETE FROM counters WHERE expires_at <= ?", 1},
	}
	var total int64
	err := s.inOwnTx(ctx, func(tx *Store) error {
		total = 0 // the transaction may run again
		w := tx.writer()
		for _, st := range steps {
			args := []any{cut, cut}[:st.args]
			n, err := w.execAffected(ctx, st.query, args...)
			if err != nil {
				return errf("garbage collect", err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
