package auth

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// TouchSession returns the session if it is active and records its use, which pushes back
// the idle timeout. An ended session is an Invalid fault.
func (s *Service) TouchSession(ctx context.Context, tx storage.Store, tenantID, id string, now time.Time) (model.Session, error) {
	// One conditional write both checks that the session is active (see active) and marks it.
	out, err := tx.TouchSession(ctx, tenantID, id, now, now.Add(-s.opts.SessionIdleTimeout))
	if errors.Is(err, storage.ErrNotFound) {
		return out, ErrSessionNotFound
	}
	if err != nil {
		return out, fault.Wrap(err, "touch session")
	}
	return out, nil
}

// EndSession revokes a session and every refresh token issued under it, every family of it
// included.
func (s *Service) EndSession(ctx context.Context, tx storage.Store, tenantID, sessionID string, now time.Time) error {
	err := tx.UpdateSession(ctx, tenantID, sessionID, func(sess model.Session) (model.Session, error) {
		if sess.RevokedAt != nil {
			return sess, ErrNoChange
		}
		sess.RevokedAt = &now
		return sess, nil
	})
	if err != nil && !errors.Is(err, ErrNoChange) && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	_, err = tx.RevokeRefreshTokens(ctx, tenantID, "", sessionID, now)
	return err
}

// AsFault passes faults through and wraps anything else as an internal error.
func AsFault(err error, context string) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	return fault.Wrap(err, context)
}
