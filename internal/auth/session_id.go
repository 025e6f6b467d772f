package auth

import (
	"context"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/sealing"
	"github.com/latchkey/latchkey/internal/storage"
)

// A session is stored under its reference, never its id (see newSession), yet a refresh must
// answer with the session_id the login returned (Mosaic's ApiTokenResponse requires it). So
// the session row keeps the id sealed under the master key, bound to the tenant and the
// reference: a refresh reads it with the session it touches anyway and opens it, at no extra
// statement, and a database read alone still yields no id to sign in with.

// sealSessionID seals id for the session stored under ref.
func (s *Service) sealSessionID(tenantID, ref, id string) ([]byte, error) {
	sealed, err := s.keys.Seal([]byte(id), sealing.SessionIDAD(tenantID, ref))
	if err != nil {
		return nil, fault.Wrap(err, "seal session id")
	}
	return sealed, nil
}

// SessionIDOf returns the id of sess, opened from its sealed copy, or "" for a session begun
// before its id was kept sealed. A sealed id that does not open here, or opens to the id of
// another session, is an error: it was moved from another row or altered, and answering with
// it would hand out a session the caller was never given.
func (s *Service) SessionIDOf(sess model.Session) (string, error) {
	if len(sess.SealedID) == 0 {
		return "", nil
	}
	plain, err := s.keys.Open(sess.SealedID, sealing.SessionIDAD(sess.TenantID, sess.ID))
	if err != nil {
		return "", fault.Wrap(err, "open session id of "+sess.ID)
	}
	id := string(plain)
	if s.keys.SessionRef(id) != sess.ID {
		return "", fault.Wrap(errors.New("sealed session id names another session"), "open session id of "+sess.ID)
	}
	return id, nil
}

// keepSessionID stores id sealed with sess when the session has none yet: a session begun
// before ids were kept sealed gets its id the first time a backend presents it (a step-up or a
// silent login), so that the refresh tokens issued from then on answer with it. The id must be
// the one the session is stored under the reference of.
func (s *Service) keepSessionID(ctx context.Context, tx storage.Store, sess model.Session, id string) (model.Session, error) {
	if len(sess.SealedID) != 0 {
		return sess, nil
	}
	if s.keys.SessionRef(id) != sess.ID {
		return sess, fault.Wrap(errors.New("session id does not match the session"), "keep session id")
	}
	sealed, err := s.sealSessionID(sess.TenantID, sess.ID, id)
	if err != nil {
		return sess, err
	}
	err = tx.UpdateSession(ctx, sess.TenantID, sess.ID, func(cur model.Session) (model.Session, error) {
		if len(cur.SealedID) != 0 {
			return cur, ErrNoChange
		}
		cur.SealedID = sealed
		return cur, nil
	})
	if err != nil && !errors.Is(err, ErrNoChange) {
		return sess, fault.Wrap(err, "keep session id")
	}
	sess.SealedID = sealed
	return sess, nil
}
