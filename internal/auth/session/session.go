package session

import (
	"context"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/auth"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/storage"
)

// AuthenticateSession returns fresh tokens for an active session to any backend client of the
// session's tenant: silent login, and single sign-on across the tenant's applications. It adds
// no factor; the tokens carry the session's amr and auth_time, for the application to judge.
// The user is linked to the calling application, as a login would.
func (s *Service) AuthenticateSession(ctx context.Context, c model.Caller, login auth.Login) (auth.TokenResponse, error) {
	if login.SessionID == "" {
		return auth.TokenResponse{}, fault.Validation("session_id is required")
	}
	key, ok := s.core.SessionKey(login.SessionID)
	if !ok {
		return auth.TokenResponse{}, auth.ErrSessionNotFound
	}
	now := s.core.Now()
	var is auth.Issued
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		sess, err := s.core.TouchSession(ctx, tx, c.TenantID, key, now)
		if err != nil {
			return err
		}
		client, err := tx.GetClient(ctx, c.ClientID)
		if err != nil {
			return fault.Wrap(err, "get client")
		}
		aud, err := s.core.Audience(ctx, client, login.Resource)
		if err != nil {
			return err
		}
		if is, err = s.core.IssueFor(ctx, tx, sess, c.ClientID, aud, true); err != nil {
			return err
		}
		is.SessionID = login.SessionID
		if is.Refresh, is.Session, err = s.core.NewRefreshToken(ctx, tx, sess, login.SessionID, is.Client, aud, now); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, c, auth.Event{Type: model.EventLoginSucceeded, Method: "session", UserID: sess.UserID,
			Attrs: login.ClientAttributes, Details: map[string]any{"session_ref": sess.ID}}, now)
	})
	if err != nil {
		return auth.TokenResponse{}, auth.AsFault(err, "authenticate session")
	}
	return s.core.Sign(ctx, is, login.Claims, now)
}

// Logout ends a session of the caller's tenant and revokes every refresh token issued under
// it. Access tokens already issued stay valid until they expire, but introspection reports
// them inactive at once.
func (s *Service) Logout(ctx context.Context, c model.Caller, sessionID string) error {
	if sessionID == "" {
		return fault.Validation("session_id is required")
	}
	key, ok := s.core.SessionKey(sessionID)
	if !ok {
		return auth.ErrSessionNotFound
	}
	now := s.core.Now()
	err := s.store.InTx(ctx, func(tx storage.Store) error {
		sess, err := tx.GetSession(ctx, c.TenantID, key)
		if errors.Is(err, storage.ErrNotFound) {
			return auth.ErrSessionNotFound
		} else if err != nil {
			return err
		}
		if sess.RevokedAt != nil {
			return auth.ErrSessionNotFound
		}
		if err := s.core.EndSession(ctx, tx, c.TenantID, key, now); err != nil {
			return err
		}
		return s.core.Record(ctx, tx, c, auth.Event{Type: model.EventSessionEnded, Method: "logout", UserID: sess.UserID,
			Details: map[string]any{"session_ref": sess.ID}}, now)
	})
	return auth.AsFault(err, "logout")
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
	now := s.core.Now()
	out := make([]SessionView, len(list))
	for i, sess := range list {
		out[i] = SessionView{Session: sess, Active: s.core.Active(sess, now)}
		// The end the session is heading for now; each issue of tokens moves it on.
		out[i].ExpiresAt = s.core.SessionExpiry(sess)
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
		if key, ok := s.core.SessionKey(sessionID); ok {
			sessionID = key
		}
	}
	now := s.core.Now()
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
			if err := s.core.EndSession(ctx, tx, c.TenantID, sess.ID, now); err != nil {
				return err
			}
			err := s.core.Record(ctx, tx, c, auth.Event{Type: model.EventSessionEnded, Method: "admin", UserID: userID,
				Details: map[string]any{"session_ref": sess.ID}}, now)
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
