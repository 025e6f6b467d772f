package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// AuthenticateSession returns fresh tokens for an active session to any backend client of the
// session's tenant: silent login, and single sign-on across the tenant's applications. It adds
// no factor; the tokens carry the session's amr and auth_time, for the application to judge.
// The user is linked to the calling application, as a login would.
func (s *Service) AuthenticateSession(ctx context.Context, c model.Caller, login Login) (TokenResponse, error) {
	if login.SessionID == "" {
		return TokenResponse{}, fault.Validation("session_id is required")
	}
	key, ok := s.sessionKey(login.SessionID)
	if !ok {
		return TokenResponse{}, errSessionNotFound
	}
	now := s.now()
	var is issued
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		sess, err := s.touchSession(ctx, tx, c.TenantID, key, now)
		if err != nil {
			return err
		}
		client, err := tx.GetClient(ctx, c.ClientID)
		if err != nil {
			return fault.Wrap(err, "get client")
		}
		aud, err := s.audience(ctx, client, login.Resource)
		if err != nil {
			return err
		}
		if is, err = s.issueFor(ctx, tx, sess, c.ClientID, aud, true); err != nil {
			return err
		}
		is.sessionID = login.SessionID
		if is.refresh, is.session, err = s.newRefreshToken(ctx, tx, sess, login.SessionID, is.client, aud, now); err != nil {
			return err
		}
		return s.record(ctx, tx, c, event{typ: model.EventLoginSucceeded, method: "session", userID: sess.UserID,
			attrs: login.ClientAttributes, details: map[string]any{"session_ref": sess.ID}}, now)
	})
	if err != nil {
		return TokenResponse{}, asFault(err, "authenticate session")
	}
	return s.sign(ctx, is, login.Claims, now)
}

// Logout ends a session of the caller's tenant and revokes every refresh token issued under
// it. Access tokens already issued stay valid until they expire, but introspection reports
// them inactive at once.
func (s *Service) Logout(ctx context.Context, c model.Caller, sessionID string) error {
	if sessionID == "" {
		return fault.Validation("session_id is required")
	}
	key, ok := s.sessionKey(sessionID)
	if !ok {
		return errSessionNotFound
	}
	now := s.now()
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		sess, err := tx.GetSession(ctx, c.TenantID, key)
		if errors.Is(err, storage.ErrNotFound) {
			return errSessionNotFound
		} else if err != nil {
			return err
		}
		if sess.RevokedAt != nil {
			return errSessionNotFound
		}
		if err := s.endSession(ctx, tx, c.TenantID, key, "", now); err != nil {
			return err
		}
		return s.record(ctx, tx, c, event{typ: model.EventSessionEnded, method: "logout", userID: sess.UserID,
			details: map[string]any{"session_ref": sess.ID}}, now)
	})
	return asFault(err, "logout")
}

// SessionView is a session as administrators see it. Its ID is the session's reference (the
// id itself is not stored), which tokens, introspection and audit events name it by too.
type SessionView struct {
	model.Session
	Active bool
}

// ListSessions returns a user's sessions, newest first, for an administrator.
func (s *Service) ListSessions(ctx context.Context, c model.Caller, userID string) ([]SessionView, error) {
	if !model.ValidID(userID) {
		return nil, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
	}
	if _, err := s.store.GetUser(ctx, c.TenantID, userID); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fault.New(fault.NotFound, fault.CodeUserNotFound, "user not found")
		}
		return nil, fault.Wrap(err, "get user")
	}
	list, err := s.store.ListSessions(ctx, c.TenantID, userID)
	if err != nil {
		return nil, fault.Wrap(err, "list sessions")
	}
	now := s.now()
	out := make([]SessionView, len(list))
	for i, sess := range list {
		out[i] = SessionView{Session: sess, Active: s.active(sess, now)}
	}
	return out, nil
}

// RevokeSessions ends one session of a user (sessionID set) or all of them, and returns how
// many were active. An administrator names the session by its reference, as the sessions
// list shows it, or by its id.
func (s *Service) RevokeSessions(ctx context.Context, c model.Caller, userID, sessionID string) (int, error) {
	list, err := s.ListSessions(ctx, c, userID)
	if err != nil {
		return 0, err
	}
	if sessionID != "" && !strings.HasPrefix(sessionID, secret.SessionRefPrefix) {
		if key, ok := s.sessionKey(sessionID); ok {
			sessionID = key
		}
	}
	now := s.now()
	n, found := 0, sessionID == ""
	err = s.store.InTx(ctx, func(tx storage.Store) error {
		n = 0
		for _, sess := range list {
			if sessionID != "" && sess.ID != sessionID {
				continue
			}
			found = true
			if sess.RevokedAt != nil {
				continue
			}
			if err := s.endSession(ctx, tx, c.TenantID, sess.ID, "", now); err != nil {
				return err
			}
			err := s.record(ctx, tx, c, event{typ: model.EventSessionEnded, method: "admin", userID: userID,
				details: map[string]any{"session_ref": sess.ID}}, now)
			if err != nil {
				return err
			}
			if sess.Active {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fault.Wrap(err, "revoke sessions")
	}
	if !found {
		return 0, fault.New(fault.NotFound, fault.CodeSessionNotFound, "session not found")
	}
	return n, nil
}

// asFault passes faults through and wraps anything else as an internal error.
func asFault(err error, context string) error {
	if err == nil {
		return nil
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	return fault.Wrap(err, context)
}
