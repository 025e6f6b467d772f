package grant

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

// inactive is RFC 7662's answer for any token that is not usable, whatever the reason: the
// caller learns nothing more.
var inactive = map[string]any{"active": false}

// Introspect reports whether a token is active (RFC 7662) to a client of the token's tenant.
// Access tokens are verified locally and are active only while their session is; refresh
// tokens are looked up. A token of another tenant is simply inactive.
func (s *Service) Introspect(ctx context.Context, c model.Caller, token string) (map[string]any, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, fault.New(fault.Invalid, "invalid_request", "token is required")
	}
	if strings.HasPrefix(token, secret.RefreshTokenPrefix) {
		return s.introspectRefresh(ctx, c, token)
	}
	var claims map[string]any
	if err := s.signer.VerifyIntrospected(ctx, token, &claims); err != nil {
		return inactive, nil
	}
	return s.introspectAccess(ctx, c, claims, nil)
}

// IntrospectAs is Introspect for the client that authenticates with clientID and
// clientSecret, as the introspection endpoint is called. For a user's access token, the
// statement that reads the client's stamp for its secret check also reads the token's session
// (GetSessionLifeAndClientStamp): one statement where Introspect after CallerForClient makes
// two. The answer is Introspect's, and a caller that fails to authenticate learns nothing of
// the token: whatever that read finds or fails on, CallerForClient decides first.
func (s *Service) IntrospectAs(ctx context.Context, clientID, clientSecret, token string) (map[string]any, error) {
	token = strings.TrimSpace(token)
	if token == "" || strings.HasPrefix(token, secret.RefreshTokenPrefix) || clientSecret == "" || !model.ValidID(clientID) {
		c, err := s.core.CallerForClient(ctx, clientID, clientSecret)
		if err != nil {
			return nil, err
		}
		return s.Introspect(ctx, c, token)
	}
	var claims map[string]any
	verified := s.signer.VerifyIntrospected(ctx, token, &claims) == nil
	var read *sessionRead
	authCtx := ctx
	tid, sid := claimString(claims, "tid"), claimString(claims, "sid")
	if verified && claimString(claims, "token_use") == auth.UseAccess && tid != "" && sid != "" {
		// A failed read (no such client, or the database's error) is left to the secret
		// check, which reads again and answers as it would have without this read.
		if life, found, stamp, err := s.store.GetSessionLifeAndClientStamp(ctx, tid, sid, clientID); err == nil {
			// The stamp stands for the client in the secret check only: a later read that
			// must be current, in this request, reads the stamp again.
			authCtx = storage.WithClientStamp(ctx, clientID, stamp)
			read = &sessionRead{life: life, found: found}
		}
	}
	c, err := s.core.CallerForClient(authCtx, clientID, clientSecret)
	if err != nil {
		return nil, err
	}
	if !verified {
		return inactive, nil
	}
	return s.introspectAccess(ctx, c, claims, read)
}

// sessionRead is an access token's session as read with the introspecting client's stamp.
type sessionRead struct {
	life  model.SessionLife
	found bool
}

func claimString(claims map[string]any, name string) string {
	v, _ := claims[name].(string)
	return v
}

// introspectAccess answers for a verified access token; read is its session when already
// read (nil: read it now).
func (s *Service) introspectAccess(ctx context.Context, c model.Caller, claims map[string]any, read *sessionRead) (map[string]any, error) {
	use, tid := claimString(claims, "token_use"), claimString(claims, "tid")
	if tid != c.TenantID || (use != auth.UseAccess && use != auth.UseClient) {
		return inactive, nil
	}
	// A token that no longer speaks for its client (deleted, or its secret rotated since) is
	// inactive, as the API itself refuses it. A client introspecting its own token has just
	// been read from the database to check its secret; that read decides.
	if _, ok, err := s.core.TokenClientFor(ctx, c, auth.BindingOf(claims)); err != nil || !ok {
		return inactive, err
	}
	if sid := claimString(claims, "sid"); sid != "" {
		if read == nil {
			life, err := s.store.GetSessionLife(ctx, c.TenantID, sid)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				read = &sessionRead{}
			case err != nil:
				return nil, fault.Wrap(err, "get session")
			default:
				read = &sessionRead{life: life, found: true}
			}
		}
		if !read.found || !s.core.Live(read.life, s.core.Now()) {
			return inactive, nil
		}
	}
	out := map[string]any{"active": true, "token_type": "Bearer"}
	for _, k := range []string{"scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti", "sid", "tid", "app_id", "amr", "auth_time", "role"} {
		if v, ok := claims[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (s *Service) introspectRefresh(ctx context.Context, c model.Caller, token string) (map[string]any, error) {
	rt, err := s.store.GetRefreshTokenByHash(ctx, s.keys.HashRefreshToken(token))
	if errors.Is(err, storage.ErrNotFound) {
		return inactive, nil
	} else if err != nil {
		return nil, fault.Wrap(err, "get refresh token")
	}
	now := s.core.Now()
	if rt.TenantID != c.TenantID || rt.RevokedAt != nil || rt.RotatedAt != nil || !now.Before(rt.ExpiresAt) {
		return inactive, nil
	}
	if live, err := s.clientLive(ctx, c.TenantID, rt.ClientID); err != nil || !live {
		return inactive, err
	}
	life, err := s.store.GetSessionLife(ctx, rt.TenantID, rt.SessionID)
	if err != nil || !s.core.Live(life, now) {
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fault.Wrap(err, "get session")
		}
		return inactive, nil
	}
	return map[string]any{
		"active": true, "token_type": "refresh_token", "client_id": rt.ClientID, "sub": rt.UserID,
		"exp": rt.ExpiresAt.Unix(), "iat": rt.CreatedAt.Unix(), "sid": rt.SessionID,
		"tid": rt.TenantID, "aud": rt.Resource, "iss": s.opts.Issuer,
	}, nil
}

// Revoke revokes a refresh token and the family it belongs to (RFC 7009). Only the client the
// token was issued to can revoke it; any other token, unknown, foreign or an access token,
// is answered the same way, with success, as RFC 7009 asks. Access tokens are short-lived JWTs
// and are not revoked one by one: ending their session (logout) makes introspection report
// them inactive.
func (s *Service) Revoke(ctx context.Context, c model.Caller, token string) error {
	token = strings.TrimSpace(token)
	if token == "" {
		return fault.New(fault.Invalid, "invalid_request", "token is required")
	}
	if !strings.HasPrefix(token, secret.RefreshTokenPrefix) {
		return nil
	}
	rt, err := s.store.GetRefreshTokenByHash(ctx, s.keys.HashRefreshToken(token))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	} else if err != nil {
		return fault.Wrap(err, "get refresh token")
	}
	if rt.TenantID != c.TenantID || rt.ClientID != c.ClientID {
		return nil
	}
	if _, err := s.store.RevokeRefreshTokens(ctx, rt.TenantID, rt.FamilyID, rt.SessionID, s.core.Now()); err != nil {
		return fault.Wrap(err, "revoke refresh tokens")
	}
	return nil
}

// clientLive reports whether a client of the tenant still exists, read from the database as
// TokenClient reads it: a refresh token is bound to its client, not to the client's epoch,
// since only the client's current credentials can redeem it.
func (s *Service) clientLive(ctx context.Context, tenantID, clientID string) (bool, error) {
	if clientID == "" {
		return false, nil
	}
	cl, err := s.store.GetClient(storage.Fresh(ctx), clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fault.Wrap(err, "get client")
	}
	return cl.TenantID == tenantID, nil
}
