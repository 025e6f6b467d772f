package directory

import (
	"context"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// Delete deletes the user with id as c may. A management caller deletes the user from the
// tenant, with their application links, sessions and refresh tokens. An application's client
// only removes the user from its own application (see RemoveFromApp): other applications of the
// tenant keep them.
func (s *Service) Delete(ctx context.Context, c model.Caller, id string) error {
	if !c.Admin {
		return s.RemoveFromApp(ctx, c, id)
	}
	if !model.ValidID(id) {
		return errUserNotFound
	}
	if err := s.store.DeleteUser(ctx, c.TenantID, id); err != nil {
		return storeError(err, "delete user")
	}
	return nil
}

// RemoveFromApp unlinks the user with id from c's application and ends the sessions the user
// began in it, with their refresh tokens, so that the application cannot go on minting tokens
// for someone who is no longer its user. The user stays in the tenant.
func (s *Service) RemoveFromApp(ctx context.Context, c model.Caller, id string) error {
	if c.Admin {
		return errNeedsApp
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx storage.Store) error {
		if _, err := visible(ctx, tx, c, id); err != nil {
			return err
		}
		if err := tx.UnlinkUser(ctx, c.TenantID, c.AppID, id); err != nil {
			return storeError(err, "unlink user")
		}
		return endSessions(ctx, tx, c.TenantID, id, c.AppID, now)
	})
}

// endSessions ends the user's active sessions, those begun in appID or, when appID is empty,
// all of them, with their refresh tokens.
func endSessions(ctx context.Context, tx storage.Store, tenantID, userID, appID string, now time.Time) error {
	sessions, err := tx.ListSessions(ctx, tenantID, userID)
	if err != nil {
		return fault.Wrap(err, "list sessions")
	}
	for _, sess := range sessions {
		if (appID != "" && sess.AppID != appID) || !sess.Active(now) {
			continue
		}
		err := tx.UpdateSession(ctx, tenantID, sess.ID, func(cur model.Session) (model.Session, error) {
			if cur.RevokedAt == nil {
				cur.RevokedAt = &now
			}
			return cur, nil
		})
		if err != nil {
			return fault.Wrap(err, "revoke session")
		}
		if _, err := tx.RevokeRefreshTokens(ctx, tenantID, "", sess.ID, now); err != nil {
			return fault.Wrap(err, "revoke refresh tokens")
		}
	}
	return nil
}
