package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/auth/grant"
	"github.com/latchkey/latchkey/internal/auth/session"

	"github.com/latchkey/latchkey/internal/auth"
	"github.com/latchkey/latchkey/internal/model"
)

func (s *Server) sessionRoutes() {
	s.handleOAuth("POST", "/oidc/token/introspection", s.introspect)
	s.handleOAuth("POST", "/oidc/token/revocation", s.revoke)
	s.handle("POST", "/cis/v1/auth/token/refresh", ClientToken, s.refresh)
	s.handle("POST", "/cis/v1/auth/session/authenticate", ClientToken, s.authenticateSession)
	s.handle("POST", "/cis/v1/auth/session/logout", ClientToken, s.logout)
	s.handle("GET", "/cis/v1/manage/users/{user_id}/sessions", AdminToken, s.listSessions)
	s.handle("DELETE", "/cis/v1/manage/users/{user_id}/sessions", AdminToken, s.revokeSessions)
	s.handle("DELETE", "/cis/v1/manage/users/{user_id}/sessions/{session_id}", AdminToken, s.revokeSessions)
}

type refreshJSON struct {
	RefreshToken string              `json:"refresh_token"`
	Claims       *auth.ClaimsRequest `json:"claims"`
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var in refreshJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := grant.RefreshRequest{RefreshToken: in.RefreshToken}
	if in.Claims != nil {
		req.Claims = *in.Claims
	}
	out, err := s.cfg.Grants.Refresh(r.Context(), callerOf(r), req)
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

func (s *Server) authenticateSession(w http.ResponseWriter, r *http.Request) error {
	var in loginJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.cfg.Sessions.AuthenticateSession(r.Context(), callerOf(r), in.login())
	if err != nil {
		return err
	}
	writeTokens(w, out)
	return nil
}

type sessionIDJSON struct {
	SessionID string `json:"session_id"`
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	var in sessionIDJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.cfg.Sessions.Logout(r.Context(), callerOf(r), in.SessionID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type factorJSON struct {
	Method string `json:"method"`
	At     int64  `json:"authenticated_at"`
}

// sessionJSON is a session as administrators see it: named by its reference, never its id,
// which signs the user in and is returned only by the login.
type sessionJSON struct {
	SessionRef       string                 `json:"session_ref"`
	UserID           string                 `json:"user_id"`
	AppID            string                 `json:"app_id"`
	ClientID         string                 `json:"client_id"`
	Active           bool                   `json:"active"`
	Factors          []factorJSON           `json:"factors"`
	ClientAttributes model.ClientAttributes `json:"client_attributes"`
	DeviceID         string                 `json:"device_id,omitempty"`
	OrgID            string                 `json:"org_id,omitempty"`
	CreatedAt        int64                  `json:"created_at"`
	LastSeenAt       int64                  `json:"last_seen_at"`
	ExpiresAt        int64                  `json:"expires_at"`
	RevokedAt        *int64                 `json:"revoked_at,omitempty"`
}

func toSessionJSON(v session.SessionView) sessionJSON {
	out := sessionJSON{
		SessionRef: v.ID, UserID: v.UserID, AppID: v.AppID, ClientID: v.ClientID, Active: v.Active,
		Factors: make([]factorJSON, len(v.Factors)), ClientAttributes: v.ClientAttributes,
		DeviceID: v.ClientAttributes.DeviceID, OrgID: v.ClientAttributes.OrgID,
		CreatedAt: v.CreatedAt.UnixMilli(), LastSeenAt: v.LastSeenAt.UnixMilli(), ExpiresAt: v.ExpiresAt.UnixMilli(),
	}
	for i, f := range v.Factors {
		out.Factors[i] = factorJSON{Method: f.Method, At: f.At.UnixMilli()}
	}
	if v.RevokedAt != nil {
		ms := v.RevokedAt.UnixMilli()
		out.RevokedAt = &ms
	}
	return out
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Sessions.ListSessions(r.Context(), callerOf(r), r.PathValue("user_id"))
	if err != nil {
		return err
	}
	out := make([]sessionJSON, len(list))
	for i, v := range list {
		out[i] = toSessionJSON(v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": out})
	return nil
}

func (s *Server) revokeSessions(w http.ResponseWriter, r *http.Request) error {
	_, err := s.cfg.Sessions.RevokeSessions(r.Context(), callerOf(r), r.PathValue("user_id"), r.PathValue("session_id"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
