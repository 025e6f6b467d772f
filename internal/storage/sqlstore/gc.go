package sqlstore

import (
	"context"
	"time"
)

// How long GarbageCollect keeps records after they stop being usable. An expired or spent code
// is kept an hour so that redeeming it still says "expired" rather than "unknown code"; a
// revoked session a day, so that an administrator can still see why it ended; a delivered
// message a week, for the development outbox and for support.
const (
	codeGrace     = time.Hour
	sessionGrace  = 24 * time.Hour
	deliveredKeep = 7 * 24 * time.Hour
)

// GarbageCollect deletes, in one transaction: codes expired or spent more than codeGrace ago;
// sessions expired, or revoked more than sessionGrace ago, with their refresh tokens; expired
// refresh tokens; lockouts that have ended; and messages delivered more than deliveredKeep
// ago. It returns how many rows it removed.
func (s *Store) GarbageCollect(ctx context.Context, now time.Time) (int64, error) {
	codeCut := millis(now.Add(-codeGrace))
	sessionCut := millis(now.Add(-sessionGrace))
	nowMS := millis(now)
	const endedSessions = "(expires_at < ? OR (revoked_at IS NOT NULL AND revoked_at < ?))"
	steps := []struct {
		query string
		args  []any
	}{
		{"DELETE FROM codes WHERE expires_at < ? OR (consumed_at IS NOT NULL AND consumed_at < ?)",
			[]any{codeCut, codeCut}},
		{"DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE " + endedSessions + ")",
			[]any{nowMS, sessionCut}},
		{"DELETE FROM sessions WHERE " + endedSessions, []any{nowMS, sessionCut}},
		{"DELETE FROM refresh_tokens WHERE expires_at < ?", []any{nowMS}},
		{"DELETE FROM lockouts WHERE locked_until < ?", []any{nowMS}},
		{"DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", []any{millis(now.Add(-deliveredKeep))}},
	}
	var total int64
	err := s.inOwnTx(ctx, func(tx *Store) error {
		total = 0 // the transaction may run again
		w := tx.writer()
		for _, st := range steps {
			n, err := w.execAffected(ctx, st.query, st.args...)
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
