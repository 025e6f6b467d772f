package auth

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
	"github.com/latchkey/latchkey/internal/storage"
)

// UserCaller is an end user calling with the access token of one of their logins: the
// application and client the login was for, the user, and the login's session.
type UserCaller struct {
	model.Caller
	UserID string
	// SessionRef is the reference of the login's session (the token's sid).
	SessionRef string
	// OrgID is the organization the login was to (its org_id), or empty.
	OrgID string
}

// userClaims are the claims of a user access token that identify its caller.
type userClaims struct {
	Subject  string          `json:"sub"`
	Audience json.RawMessage `json:"aud"`
	ClientBinding
	SessionID string `json:"sid"` // the session's reference
	TokenUse  string `json:"token_use"`
}

// AuthenticateUser authenticates a call made with a user's access token (Mosaic's
// UserAccessToken): a token of token_use "access" signed by the tenant, issued for Latchkey's
// own API audience (not for another resource), whose session is still active, that still
// speaks for its client (TokenClient), and whose user still exists and is active.
func (s *Service) AuthenticateUser(ctx context.Context, bearer string) (_ UserCaller, err error) {
	ctx, span := s.step(ctx, "auth.authenticate_user")
	defer func() { span.End(err) }()
	if bearer == "" {
		return UserCaller{}, ErrBadBearer
	}
	var c userClaims
	if err := s.signer.VerifyBearer(ctx, bearer, &c); err != nil {
		return UserCaller{}, ErrBadBearer.With(err)
	}
	if c.TokenUse != UseAccess || !audienceIncludes(c.Audience, DefaultAudience) || c.Subject == "" || c.SessionID == "" {
		return UserCaller{}, ErrBadBearer
	}
	sess, err := s.store.GetSession(ctx, c.TenantID, c.SessionID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return UserCaller{}, ErrBadBearer
	case err != nil:
		return UserCaller{}, fault.Wrap(err, "get session")
	case !s.Active(sess, s.Now()) || sess.UserID != c.Subject:
		return UserCaller{}, ErrBadBearer
	}
	if _, ok, err := s.TokenClient(ctx, c.ClientBinding); err != nil {
		return UserCaller{}, err
	} else if !ok {
		return UserCaller{}, ErrBadBearer
	}
	u, err := s.store.GetUser(ctx, c.TenantID, c.Subject)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return UserCaller{}, ErrBadBearer
		}
		return UserCaller{}, fault.Wrap(err, "get user")
	}
	if u.Status != model.UserActive {
		return UserCaller{}, errUserInactive
	}
	return UserCaller{
		Caller: model.Caller{TenantID: c.TenantID, AppID: c.AppID, ClientID: c.ClientID},
		UserID: c.Subject, SessionRef: c.SessionID, OrgID: sess.ClientAttributes.OrgID,
	}, nil
}

// audienceIncludes reports whether an aud claim, a string or an array of strings, names want.
func audienceIncludes(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && contains(many, want)
}

var errUserInactive = fault.New(fault.Forbidden, fault.CodeUserNotActive, "user is not active")
