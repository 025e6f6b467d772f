package auth

import (
	"context"
	"encoding/json"
	"time"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/model"
)

// amr lists the distinct methods of a session's factors, in the order first used, and adds
// "mfa" once two different kinds of factor are present.
func amr(factors []model.Factor) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range factors {
		if !seen[f.Method] {
			seen[f.Method] = true
			out = append(out, f.Method)
		}
	}
	if len(out) >= 2 {
		out = append(out, model.AMRMFA)
	}
	return out
}

// authTime is the time of the session's latest factor.
func authTime(factors []model.Factor) time.Time {
	var t time.Time
	for _, f := range factors {
		if f.At.After(t) {
			t = f.At
		}
	}
	return t
}

// Sign produces the ID and access tokens for an issued login and assembles the response.
// Tokens name the session by sess.ID, its reference, which cannot Sign anyone in; the id
// itself appears only in the response's session_id. The ID token is left out when the
// granted scope lacks openid (a refresh that narrowed it).
func (s *Service) Sign(ctx context.Context, is Issued, claims ClaimsRequest, now time.Time) (_ TokenResponse, err error) {
	ctx, span := s.step(ctx, "auth.sign")
	defer func() { span.End(err) }()
	sess := is.Session
	accessTTL := s.opts.AccessTokenTTL
	if is.Client.AccessTokenTTL > 0 {
		accessTTL = time.Duration(is.Client.AccessTokenTTL) * time.Second
	}
	scope := is.Scope
	if scope == "" {
		scope = DefaultUserScope
	}
	methods := amr(sess.Factors)
	at := authTime(sess.Factors).Unix()
	src := claimSource{user: is.User, link: is.Link, app: is.App, login: map[string]any{
		"new_user": is.NewUser, "client_id": is.Client.ID, "app_id": is.App.ID, "scope": scope, "approval_data": nil,
	}}
	// A login to an organization names it: organization (carried unasked by the ID token, as
	// Mosaic's default claims list it) and org_id, both its id. Outside one, nil leaves them
	// out when asked for.
	src.login["organization"], src.login["org_id"] = nil, nil
	if is.Org != nil {
		src.login["organization"], src.login["org_id"] = is.Org.Org.ID, is.Org.Org.ID
	}
	roleClaims, err := s.roleClaims(ctx, is, claims)
	if err != nil {
		return TokenResponse{}, err
	}
	if roleClaims != nil {
		src.login["roles"], src.login["role_values"], src.login["permissions"] = roleClaims.RoleIDs, roleClaims.RoleNames, roleClaims.Permissions
	}
	// The user's groups are read once, and only when a group claim is asked for; a failed
	// read fails the signing rather than leaving the claims out.
	var groupsRead bool
	var userGroups []model.Group
	var groupsErr error
	src.groups = func() []model.Group {
		if !groupsRead {
			groupsRead = true
			userGroups, groupsErr = s.store.ListUserGroups(ctx, sess.TenantID, sess.UserID)
		}
		return userGroups
	}
	if len(is.Approval) > 0 {
		// The transaction the user approved by this login (Mosaic's transaction signing).
		src.login["approval_data"] = json.RawMessage(is.Approval)
	}

	var id map[string]any
	if HasScope(scope, ScopeOpenID) {
		id = map[string]any{
			"iss": s.opts.Issuer, "sub": sess.UserID, "aud": is.Client.ID, "jti": model.NewID(),
			"iat": now.Unix(), "exp": now.Add(s.opts.IDTokenTTL).Unix(), "auth_time": at,
			"tid": sess.TenantID, "amr": methods, "sid": sess.ID, "new_user": is.NewUser, "token_use": UseID,
		}
		if v := src.login["approval_data"]; v != nil {
			id["approval_data"] = v
		}
		if v := src.login["organization"]; v != nil {
			id["organization"] = v
		}
		addClaims(id, claims.IDToken, is.Client.DefaultCustomClaims, src)
	}

	access := map[string]any{
		"iss": s.opts.Issuer, "sub": sess.UserID, "aud": is.Aud, "scope": scope,
		"client_id": is.Client.ID, "app_id": is.App.ID, "client_epoch": is.Client.TokenEpoch,
		"tid": sess.TenantID, "sid": sess.ID, "jti": model.NewID(), "iat": now.Unix(),
		"exp": now.Add(accessTTL).Unix(), "auth_time": at, "amr": methods, "token_use": UseAccess,
	}
	if is.App.Name != "" {
		access["app_name"] = is.App.Name
	}
	if roleClaims != nil {
		// Mosaic's user access tokens carry the user's role ids for the application.
		access["roles"] = roleClaims.RoleIDs
	}
	addClaims(access, claims.AccessToken, nil, src)
	if groupsErr != nil {
		return TokenResponse{}, fault.Wrap(groupsErr, "list user groups")
	}

	// The two signatures are independent; with RSA each costs about a millisecond, so they run
	// side by side to halve a login's latency.
	var idToken string
	var idErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if id != nil {
			idToken, idErr = s.signer.SignTyped(ctx, sess.TenantID, "JWT", id)
		}
	}()
	accessToken, err := s.signer.SignTyped(ctx, sess.TenantID, "at+jwt", access)
	<-done
	if idErr != nil {
		return TokenResponse{}, fault.Wrap(idErr, "sign id token")
	}
	if err != nil {
		return TokenResponse{}, fault.Wrap(err, "sign access token")
	}
	return TokenResponse{
		AccessToken: accessToken, IDToken: idToken, RefreshToken: is.Refresh,
		TokenType: "Bearer", ExpiresIn: int(accessTTL.Seconds()), SessionID: is.SessionID, Scope: scope,
	}, nil
}
